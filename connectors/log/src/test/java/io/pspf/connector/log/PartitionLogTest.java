package io.pspf.connector.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.RawRecord;

class PartitionLogTest {
    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1_000_000L);

    private LogConfig config() {
        return LogConfig.defaults().withClock(clock::get);
    }

    static RawRecord record(final int i) {
        final RecordHeaders headers = new RecordHeaders();
        if (i % 3 == 0) {
            headers.add("h" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
            headers.add("null-header", null);
        }
        final byte[] key = i % 5 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
        final byte[] value = i % 7 == 0 ? null : ("value-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
        return new RawRecord("t", 0, -1L, 1_000L + i, key, value, headers);
    }

    static List<RawRecord> records(final int from, final int count) {
        final List<RawRecord> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(record(i));
        }
        return list;
    }

    static void assertRecord(final int i, final long offset, final RawRecord actual) {
        final RawRecord expected = record(i);
        assertEquals(offset, actual.offset(), "offset");
        assertEquals(expected.timestamp(), actual.timestamp(), "timestamp of " + offset);
        assertArrayEquals(expected.key(), actual.key(), "key of " + offset);
        assertArrayEquals(expected.value(), actual.value(), "value of " + offset);
        assertArrayEquals(expected.headers().toArray(), actual.headers().toArray(), "headers of " + offset);
        assertEquals("t", actual.topic());
        assertEquals(3, actual.partition());
    }

    /** Appends records {@code from .. from + count - 1} in batches of {@code batch}. */
    static void appendInBatches(final PartitionLog log, final int from, final int count, final int batch) {
        for (int i = from; i < from + count; i += batch) {
            log.append(records(i, Math.min(batch, from + count - i)), -1, false);
        }
    }

    private PartitionLog open(final LogConfig config) {
        return PartitionLog.open(tmp.resolve("t-3"), "t", 3, config);
    }

    @Test
    void shouldGiveConsecutiveOffsetsAndReadRecordsBackWhole() {
        try (PartitionLog log = open(config())) {
            assertEquals(0, log.append(records(0, 10), -1, false));
            assertEquals(10, log.append(records(10, 5), -1, false));
            assertEquals(15, log.logEndOffset());
            final List<RawRecord> all = log.read(0, Integer.MAX_VALUE);
            assertEquals(15, all.size());
            for (int i = 0; i < 15; i++) {
                assertRecord(i, i, all.get(i));
            }
            assertEquals(List.of(), log.read(15, 10));
            assertEquals(3, log.read(12, 100).size());
            assertEquals(4, log.read(3, 4).size());
            assertEquals(15, log.append(List.of(), -1, false));
        }
    }

    @Test
    void shouldRollBySizeAndReadAcrossSegmentsAndAfterReopening() throws IOException {
        final LogConfig config = config().withSegmentBytes(1024).withIndexIntervalBytes(100);
        try (PartitionLog log = open(config)) {
            for (int i = 0; i < 300; i += 7) {
                log.append(records(i, 7), -1, false);
            }
            assertTrue(log.segmentCount() > 10, "segments: " + log.segmentCount());
        }
        try (PartitionLog log = open(config)) {
            assertEquals(301, log.logEndOffset());
            for (final int from : new int[] {0, 1, 57, 150, 299, 300}) {
                final List<RawRecord> read = log.read(from, 1000);
                assertEquals(301 - from, read.size(), "from " + from);
                for (int j = 0; j < read.size(); j++) {
                    assertRecord(from + j, from + j, read.get(j));
                }
            }
            log.append(records(301, 1), -1, false);
            assertRecord(301, 301, log.read(301, 1).get(0));
        }
        try (Stream<Path> files = Files.list(tmp.resolve("t-3"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("00000000000000000000.log")));
        }
    }

    @Test
    void shouldPutARecordLargerThanASegmentInASegmentOfItsOwn() {
        try (PartitionLog log = open(config().withSegmentBytes(100))) {
            final byte[] big = new byte[200_000];
            big[123] = 7;
            log.append(records(0, 2), -1, false);
            log.append(List.of(new RawRecord("t", 0, -1, 5, null, big, null)), -1, false);
            log.append(records(3, 2), -1, false);
            final List<RawRecord> read = log.read(0, 10);
            assertEquals(5, read.size());
            assertArrayEquals(big, read.get(2).value());
            assertRecord(4, 4, read.get(4));
        }
        try (PartitionLog log = open(config().withSegmentBytes(100))) {
            assertEquals(200_000, log.read(2, 1).get(0).value().length);
        }
    }

    @Test
    void shouldRollByAge() {
        try (PartitionLog log = open(config().withSegmentMs(1000))) {
            log.append(records(0, 3), -1, false);
            clock.addAndGet(999);
            log.append(records(3, 1), -1, false);
            assertEquals(1, log.segmentCount());
            clock.addAndGet(1);
            log.append(records(4, 1), -1, false);
            assertEquals(2, log.segmentCount());
            assertEquals(5, log.read(0, 100).size());
        }
    }

    @Test
    void shouldKeepTheLogStartOnDeleteRecordsAndDeleteSegmentsBelowIt() {
        final LogConfig config = config().withSegmentBytes(512);
        try (PartitionLog log = open(config)) {
            appendInBatches(log, 0, 100, 3);
            final int before = log.segmentCount();
            log.deleteRecordsBefore(60);
            assertEquals(60, log.logStartOffset());
            assertTrue(log.segmentCount() < before);
            assertRecord(60, 60, log.read(0, 1).get(0));
            log.deleteRecordsBefore(10); // below the start: nothing
            assertEquals(60, log.logStartOffset());
            assertThrows(BackendException.class, () -> log.deleteRecordsBefore(101));
        }
        try (PartitionLog log = open(config)) {
            assertEquals(60, log.logStartOffset());
            assertEquals(100, log.logEndOffset());
            assertEquals(40, log.read(0, 1000).size());
            log.deleteRecordsBefore(100);
            assertEquals(List.of(), log.read(0, 1000));
            assertEquals(100, log.append(records(100, 1), -1, false));
        }
    }

    @Test
    void shouldDeleteSealedSegmentsByRecordAgeAndBySize() {
        final LogConfig byTime = config().withSegmentBytes(400).withRetention(10_000, -1);
        try (PartitionLog log = open(byTime)) {
            appendInBatches(log, 0, 60, 5); // timestamps 1000..1059
            final int segments = log.segmentCount();
            assertEquals(0, log.applyRetention(11_000));
            final int deleted = log.applyRetention(20_000);
            // every sealed segment's newest record is older than 10 s: all go but the active one
            assertEquals(segments - 1, deleted);
            assertEquals(1, log.segmentCount());
            assertEquals(log.logStartOffset(), log.read(0, 1).get(0).offset());
            assertEquals(60, log.logEndOffset());
        }
        final LogConfig bySize = config().withSegmentBytes(400).withRetention(-1, 1000);
        try (PartitionLog log = PartitionLog.open(tmp.resolve("u-0"), "u", 0, bySize)) {
            appendInBatches(log, 0, 60, 5);
            log.applyRetention(0);
            assertTrue(log.sizeInBytes() < 1000 + 400, "size " + log.sizeInBytes());
            assertTrue(log.logStartOffset() > 0);
            assertEquals(60 - log.logStartOffset(), log.read(0, 1000).size());
        }
    }

    @Test
    void shouldTruncateToAnOffset() {
        final LogConfig config = config().withSegmentBytes(300);
        try (PartitionLog log = open(config)) {
            appendInBatches(log, 0, 30, 4);
            log.append(records(30, 20), -1, false); // one batch larger than a segment
            log.truncateTo(37); // inside that batch: its first 7 records stay
            assertEquals(37, log.logEndOffset());
            assertRecord(36, 36, log.read(36, 5).get(0));
            log.truncateTo(23); // inside a batch of an earlier segment: later segments go
            assertEquals(23, log.logEndOffset());
            assertEquals(23, log.read(0, 100).size());
            assertEquals(23, log.append(records(23, 2), -1, false));
            assertRecord(24, 24, log.read(24, 1).get(0));
            log.truncateTo(100); // beyond the end: nothing
            assertEquals(25, log.logEndOffset());
        }
        try (PartitionLog log = open(config)) {
            assertEquals(25, log.logEndOffset());
        }
    }

    @Test
    void shouldFindOffsetsByTimestamp() {
        try (PartitionLog log = open(config().withSegmentBytes(300).withIndexIntervalBytes(64))) {
            appendInBatches(log, 0, 80, 3); // timestamps 1000 + i
            assertEquals(0, log.offsetForTimestamp(0));
            assertEquals(37, log.offsetForTimestamp(1037));
            assertEquals(79, log.offsetForTimestamp(1079));
            assertEquals(-1, log.offsetForTimestamp(1080));
        }
    }

    @Test
    void shouldReportDamageInASealedSegmentOnReadAndOnAnOpenThatScansIt() throws IOException {
        final LogConfig config = config().withSegmentBytes(300);
        try (PartitionLog log = open(config)) {
            appendInBatches(log, 0, 30, 2);
            assertTrue(log.segmentCount() > 2);
        }
        final Path first = tmp.resolve("t-3").resolve("00000000000000000000.log");
        final byte[] bytes = Files.readAllBytes(first);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(first, bytes);
        // the seal lets the segment open without a scan: the damage shows when it is read
        try (PartitionLog log = open(config)) {
            final IllegalStateException onRead = assertThrows(IllegalStateException.class, () -> log.read(0, 100));
            assertTrue(onRead.getMessage().contains("segment 0"), onRead.getMessage());
        }
        // without its seal the segment is scanned on open, and the damage is reported there, naming the file
        Files.delete(tmp.resolve("t-3").resolve("00000000000000000000.sealed"));
        final IllegalStateException onOpen = assertThrows(IllegalStateException.class, () -> open(config));
        assertTrue(onOpen.getMessage().contains("00000000000000000000.log"), onOpen.getMessage());
    }

    @Test
    void shouldOpenSealedSegmentsFromTheirSealsAndFallBackToAScanWhenASealDoesNotFit() throws IOException {
        final LogConfig config = config().withSegmentBytes(400).withIndexIntervalBytes(64);
        try (PartitionLog log = open(config)) {
            appendInBatches(log, 0, 120, 3);
            assertTrue(log.segmentCount() > 5);
            log.append(records(120, 1), 77, false);
        }
        final Path dir = tmp.resolve("t-3");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".sealed")), "seals are written");
        }
        // a seal that does not fit its log (here: another segment's) is ignored
        Files.copy(dir.resolve("00000000000000000000.sealed"), dir.resolve(sealOfSecondSegment(dir)),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        for (int round = 0; round < 2; round++) {
            try (PartitionLog log = open(config)) {
                assertEquals(121, log.logEndOffset());
                for (final int from : new int[] {0, 5, 50, 119, 120}) {
                    final List<RawRecord> read = log.read(from, 1000);
                    assertEquals(121 - from, read.size(), "from " + from);
                    assertRecord(from, from, read.get(0));
                }
                assertEquals(37, log.offsetForTimestamp(1037));
                assertEquals(77, log.maxUnit());
            }
        }
    }

    private static String sealOfSecondSegment(final Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".sealed")).sorted()
                .skip(1).findFirst().orElseThrow();
        }
    }

    @Test
    void shouldKeepTheRecordsOfOneAppendTogetherInOneBatch() {
        try (PartitionLog log = open(config().withSegmentBytes(200))) {
            log.append(records(0, 3), -1, false);
            final int before = log.segmentCount();
            log.append(records(3, 10), 42, false);
            assertEquals(before + 1, log.segmentCount(), "the batch did not fit: a new segment holds all of it");
            assertEquals(13, log.read(0, 100).size());
        }
    }

    @Test
    void shouldLetReadersSeeOnlyWholeAppendsWhileAppending() throws Exception {
        try (PartitionLog log = open(config().withSegmentBytes(2048))) {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread reader = new Thread(() -> {
                try {
                    long next = 0;
                    while (next < 2000) {
                        final List<RawRecord> read = log.read(next, 100);
                        if (read.size() % 10 != 0 && read.size() != 100) {
                            throw new AssertionError("saw part of an append: " + read.size() + " records from " + next);
                        }
                        for (final RawRecord r : read) {
                            assertEquals(next, r.offset());
                            assertRecord((int) next, next, r);
                            next++;
                        }
                    }
                } catch (final Throwable t) {
                    failure.set(t);
                }
            });
            reader.start();
            for (int i = 0; i < 2000; i += 10) {
                log.append(records(i, 10), -1, false);
            }
            reader.join(60_000);
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
        }
    }

    @Test
    void shouldRefuseUseAfterClose() {
        final PartitionLog log = open(config());
        log.close();
        assertThrows(BackendException.class, () -> log.append(records(0, 1), -1, false));
        assertThrows(BackendException.class, () -> log.read(0, 1));
        log.close();
    }

    @Test
    void shouldNameSegmentFilesByTheirBaseOffset() {
        assertEquals("00000000000000000042.log", Segment.fileName(42, Segment.LOG_SUFFIX));
        assertEquals(42, Segment.baseOffsetOf("00000000000000000042.log"));
        assertEquals(-1, Segment.baseOffsetOf("00000000000000000042.index"));
        assertEquals(-1, Segment.baseOffsetOf("log-start-offset"));
        assertEquals(-1, Segment.baseOffsetOf("0000000000000000004x.log"));
    }
}
