package io.pspf.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import io.pspf.runtime.backend.RawRecord;

/**
 * A crash can leave the active segment cut at any byte, or with garbage written at its end or over part of it. On
 * open the partition must keep exactly the records wholly written before the damage - no fewer, none damaged - and
 * go on appending from there.
 */
class LogRecoveryProperties {
    enum Damage { TRUNCATE, FLIP_BYTE, GARBAGE_TAIL }

    @Property(tries = 300)
    void shouldKeepEveryWholeRecordBeforeTheDamageAndNothingAfterIt(
        @ForAll @IntRange(min = 1, max = 60) final int count,
        @ForAll final boolean manySegments,
        @ForAll final Damage damage,
        @ForAll @DoubleRange(min = 0.0, max = 1.0, maxIncluded = false) final double where,
        @ForAll @IntRange(min = 1, max = 255) final int flip) throws IOException {
        final Path dir = Files.createTempDirectory("pspf-log-recovery-");
        try {
            final LogConfig config = LogConfig.defaults().withSegmentBytes(manySegments ? 600 : 1 << 20)
                .withIndexIntervalBytes(128);
            final long activeBase;
            try (PartitionLog log = PartitionLog.open(dir, "t", 3, config)) {
                for (int i = 0; i < count; i += 4) {
                    log.append(PartitionLogTest.records(i, Math.min(4, count - i)), -1, false);
                }
                activeBase = lastSegmentBase(dir);
            }
            final Path active = dir.resolve(Segment.fileName(activeBase, Segment.LOG_SUFFIX));
            final byte[] bytes = Files.readAllBytes(active);
            // the byte at which each record of the active segment ends
            final int recordsInActive = (int) (count - activeBase);
            final int[] ends = new int[recordsInActive];
            int end = 0;
            for (int i = 0; i < recordsInActive; i++) {
                end += RecordFrame.sizeOf(PartitionLogTest.record((int) activeBase + i));
                ends[i] = end;
            }
            assertEquals(end, bytes.length, "the active segment holds its records' frames back to back");

            int kept = recordsInActive;
            switch (damage) {
                case TRUNCATE: {
                    final int cut = (int) (where * bytes.length);
                    Files.write(active, java.util.Arrays.copyOf(bytes, cut));
                    kept = 0;
                    while (kept < recordsInActive && ends[kept] <= cut) {
                        kept++;
                    }
                    break;
                }
                case FLIP_BYTE: {
                    final int at = (int) (where * bytes.length);
                    bytes[at] ^= (byte) flip;
                    Files.write(active, bytes);
                    kept = 0;
                    while (ends[kept] <= at) {
                        kept++;
                    }
                    break;
                }
                case GARBAGE_TAIL: {
                    final byte[] garbage = new byte[1 + (int) (where * 300)];
                    new java.util.Random(flip).nextBytes(garbage);
                    final byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + garbage.length);
                    System.arraycopy(garbage, 0, longer, bytes.length, garbage.length);
                    Files.write(active, longer);
                    break;
                }
                default:
                    throw new AssertionError(damage);
            }

            try (PartitionLog log = PartitionLog.open(dir, "t", 3, config)) {
                final long expectedEnd = activeBase + kept;
                assertEquals(expectedEnd, log.logEndOffset(), damage + " at " + where);
                final List<RawRecord> all = log.read(0, Integer.MAX_VALUE);
                assertEquals(expectedEnd, all.size());
                for (int i = 0; i < all.size(); i++) {
                    PartitionLogTest.assertRecord(i, i, all.get(i));
                }
                assertEquals(kept == 0 ? 0 : ends[kept - 1], Files.size(active), "the file is cut after the last whole record");
                assertEquals(expectedEnd, log.append(PartitionLogTest.records((int) expectedEnd, 1), -1, false));
                PartitionLogTest.assertRecord((int) expectedEnd, expectedEnd, log.read(expectedEnd, 1).get(0));
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    private static long lastSegmentBase(final Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> Segment.baseOffsetOf(f.getFileName().toString())).max().orElseThrow();
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
