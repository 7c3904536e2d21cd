package io.pspf.connector.valkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.pspf.runtime.backend.RawRecord;

/**
 * Retention and compaction on a real server: what survives is checked against a model of the partition, and the
 * partition's tracked size against the entries left.
 */
@ExtendWith(ValkeyServerExtension.class)
class ValkeyCleanerTest {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final long NOW = 1_800_000_000_000L;
    private final ValkeyServer server;

    ValkeyCleanerTest(final ValkeyServer server) {
        this.server = server;
    }

    private ValkeyBackend open(final Object... settings) {
        final Map<String, Object> configs = new HashMap<>();
        configs.put(ValkeySettings.KEY_PREFIX_CONFIG, "clean" + PREFIXES.incrementAndGet());
        configs.put(ValkeyCleaner.INTERVAL_MS_CONFIG, 0); // cleaned only when the test says
        for (int i = 0; i < settings.length; i += 2) {
            configs.put((String) settings[i], settings[i + 1]);
        }
        return (ValkeyBackend) new ValkeyBackendProvider().create(server.uri().substring("valkey:".length()), configs);
    }

    private static RawRecord record(final String key, final String value, final long timestamp) {
        return new RawRecord(null, -1, -1, timestamp, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8), new RecordHeaders());
    }

    private static List<RawRecord> readAll(final ValkeyBackend backend, final String topic) {
        final List<RawRecord> all = new ArrayList<>();
        long offset = backend.logStartOffset(topic, 0);
        while (true) {
            final List<RawRecord> page = backend.read(topic, 0, offset, 777);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            offset = page.get(page.size() - 1).offset() + 1;
        }
    }

    /** The bytes the partition's entries hold, summed from the stream itself. */
    private static long entryBytes(final ValkeyBackend backend, final String topic) {
        final byte[] stream = backend.partitionKeys(topic, 0)[0];
        long bytes = 0;
        for (final StreamMessage<byte[], byte[]> entry : backend.retrying("scan", c -> c.xrange(stream,
            Range.create("-", "+")))) {
            for (final Map.Entry<byte[], byte[]> f : entry.getBody().entrySet()) {
                if (new String(f.getKey(), StandardCharsets.US_ASCII).equals("b")) {
                    bytes += f.getValue().length;
                }
            }
        }
        return bytes;
    }

    private static long trackedBytes(final ValkeyBackend backend, final String topic) {
        final byte[] meta = backend.partitionKeys(topic, 0)[1];
        return Long.parseLong(new String(backend.retrying("meta", c -> c.hget(meta, ValkeyBackend.bytes("bytes"))),
            StandardCharsets.US_ASCII));
    }

    @Test
    void timeRetentionDeletesWholeEntriesWhoseNewestRecordIsTooOld() {
        try (ValkeyBackend backend = open()) {
            backend.createTopic("events", 1, Map.of("retention.ms", "60000", "segment.ms", "10000"));
            final List<RawRecord> old = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                old.add(record("k" + i, "old", NOW - 120_000 + i));
            }
            backend.append("events", 0, old.subList(0, 10));
            backend.append("events", 0, old.subList(10, 30));
            // an entry with one old and one fresh record stays whole, as a Kafka segment would
            backend.append("events", 0, List.of(record("a", "old", NOW - 120_000), record("b", "new", NOW - 1_000)));
            backend.append("events", 0, List.of(record("c", "new", NOW)));
            // as Kafka keeps its active segment, nothing goes before the entries are segment.ms old
            backend.maintain(NOW);
            assertEquals(0, backend.logStartOffset("events", 0));
            backend.append("events", 0, List.of(record("late-but-old", "old", NOW - 120_000)));
            backend.maintain(NOW + 10_000);
            assertEquals(30, backend.logStartOffset("events", 0), "the entries seen 10 s ago went, not the later one");
            final List<RawRecord> left = readAll(backend, "events");
            assertEquals(List.of(30L, 31L, 32L, 33L), left.stream().map(RawRecord::offset).toList());
            assertEquals(entryBytes(backend, "events"), trackedBytes(backend, "events"));
            backend.maintain(NOW + 200_000);
            assertEquals(34, backend.logStartOffset("events", 0));
            assertTrue(readAll(backend, "events").isEmpty());
            assertEquals(0, trackedBytes(backend, "events"));
            assertEquals(34, backend.append("events", 0, List.of(record("d", "new", NOW + 200_000))),
                "offsets carry on after everything expired");
        }
    }

    @Test
    void oldRecordsStayWhileTheirSegmentIsOpen() {
        try (ValkeyBackend backend = open()) {
            backend.createTopic("history", 1, Map.of("segment.bytes", "3000"));
            for (int i = 0; i < 10; i++) {
                backend.append("history", 0, List.of(record("k" + i, "y".repeat(490), 1_000L + i)));
            }
            // records from 1970, but Kafka's defaults keep a segment open for 7 days or 1 GiB: here 3000 bytes
            // written after an entry close it
            backend.maintain(NOW);
            final long start = backend.logStartOffset("history", 0);
            assertTrue(start > 0 && start < 10, "start " + start);
            assertTrue(entryBytes(backend, "history") >= 3000 - 510, "the last 3000 bytes or so stay");
        }
    }

    /**
     * Two cleaners that counted the same entries, or one call sent twice, lower the size once; a delete-records that
     * counted nothing marks the size for a recount, which the next pass makes exact.
     */
    @Test
    void theTrackedSizeStaysExactThroughRepeatedAndUncountedDeletions() {
        try (ValkeyBackend backend = open("retention.ms", "-1")) {
            backend.createTopic("sized2", 1, Map.of("retention.bytes", "1000000"));
            for (int i = 0; i < 5; i++) {
                backend.append("sized2", 0, List.of(record("k" + i, "z".repeat(100 + i), NOW)));
            }
            final byte[][] keys = backend.partitionKeys("sized2", 0);
            final long before = trackedBytes(backend, "sized2");
            final long firstEntry = before - entryBytesFrom(backend, "sized2", 1);
            for (int twice = 0; twice < 2; twice++) {
                backend.retrying("delete", c -> backend.fcall(c, "delete_before", io.lettuce.core.ScriptOutputType.INTEGER,
                    keys, ValkeyBackend.bytes("1"), ValkeyBackend.bytes(Long.toString(firstEntry)), ValkeyBackend.bytes("0")));
            }
            assertEquals(before - firstEntry, trackedBytes(backend, "sized2"));
            assertEquals(entryBytes(backend, "sized2"), trackedBytes(backend, "sized2"));
            backend.deleteRecordsBefore("sized2", 0, 3); // as the engine purges: nothing counted
            backend.maintain(NOW);
            assertEquals(entryBytes(backend, "sized2"), trackedBytes(backend, "sized2"));
        }
    }

    /** The bytes of the entries holding offsets from {@code from} on. */
    private static long entryBytesFrom(final ValkeyBackend backend, final String topic, final long from) {
        final byte[] stream = backend.partitionKeys(topic, 0)[0];
        long bytes = 0;
        for (final StreamMessage<byte[], byte[]> entry : backend.retrying("scan", c -> c.xrange(stream,
            Range.from(Range.Boundary.excluding("0-" + from), Range.Boundary.<String>unbounded())))) {
            for (final Map.Entry<byte[], byte[]> f : entry.getBody().entrySet()) {
                if (new String(f.getKey(), StandardCharsets.US_ASCII).equals("b")) {
                    bytes += f.getValue().length;
                }
            }
        }
        return bytes;
    }

    @Test
    void sizeRetentionKeepsAPartitionWithinItsBytes() {
        try (ValkeyBackend backend = open("retention.ms", "-1")) {
            backend.createTopic("sized", 1, Map.of("retention.bytes", "5000", "segment.bytes", "1000"));
            for (int i = 0; i < 40; i++) {
                backend.append("sized", 0, List.of(record("k" + i, "x".repeat(400), NOW)));
            }
            final long before = trackedBytes(backend, "sized");
            assertEquals(entryBytes(backend, "sized"), before);
            assertTrue(before > 5000);
            backend.maintain(NOW);
            final long after = trackedBytes(backend, "sized");
            assertEquals(entryBytes(backend, "sized"), after);
            // as Kafka: entries go only while the partition stays at or above retention.bytes without them
            assertTrue(after >= 5000 && after < 5000 + 500, "bytes left: " + after);
            final List<RawRecord> left = readAll(backend, "sized");
            assertEquals(39, left.get(left.size() - 1).offset());
            assertEquals(backend.logStartOffset("sized", 0), left.get(0).offset());
        }
    }

    /**
     * Random updates and tombstones over a few keys, in entries of random sizes; compaction (twice, the second time
     * over entries it wrote itself) must leave exactly the newest record of each key at its own offset, fresh
     * tombstones kept and old ones gone, and keep the records appended after the compacted range untouched.
     */
    @Test
    void compactionKeepsTheNewestRecordOfEachKeyAtItsOffset() {
        for (final long seed : new long[] {1, 2, 3}) {
            final Random random = new Random(seed);
            try (ValkeyBackend backend = open()) {
                backend.createTopic("log", 1, Map.of("cleanup.policy", "compact"));
                final List<RawRecord> written = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    for (int batch = 0; batch < 20; batch++) {
                        final List<RawRecord> records = new ArrayList<>();
                        for (int i = random.nextInt(300) + 1; i > 0; i--) {
                            final String key = random.nextInt(20) == 0 ? null : "k" + random.nextInt(12);
                            final boolean tombstone = random.nextInt(8) == 0;
                            // old tombstones are past delete.retention.ms (a day), the others are not
                            final long ts = tombstone && random.nextBoolean() ? NOW - 2L * 24 * 3600 * 1000 : NOW;
                            records.add(record(key, tombstone ? null : "v" + written.size(), ts));
                            written.add(record(key, tombstone ? null : "v" + written.size(), ts));
                        }
                        backend.append("log", 0, records);
                    }
                    final long end = backend.logEndOffset("log", 0);
                    // records appended after compaction took its snapshot of the end must come through untouched
                    final List<RawRecord> tail = List.of(record("k1", "late", NOW), record("k2", null, NOW));
                    backend.append("log", 0, tail);
                    written.addAll(tail);
                    backend.cleaner().compact("log", 0, backend.cleaner().policy(Map.of("cleanup.policy", "compact")),
                        NOW, end);
                    assertEquals(expected(written, end), snapshot(readAll(backend, "log")), "seed " + seed);
                    assertEquals(entryBytes(backend, "log"), trackedBytes(backend, "log"));
                    assertEquals(written.size(), backend.logEndOffset("log", 0));
                }
                // maintain() compacts on its own once at least half of the partition is new
                final List<RawRecord> more = new ArrayList<>();
                for (int i = (int) backend.logEndOffset("log", 0); i >= 0; i--) {
                    more.add(record("k" + random.nextInt(12), "w" + written.size(), NOW));
                    written.add(more.get(more.size() - 1));
                }
                backend.append("log", 0, more);
                final long end = backend.logEndOffset("log", 0);
                backend.maintain(NOW);
                assertEquals(expected(written, end), snapshot(readAll(backend, "log")), "compacted by maintain()");
            }
        }
    }

    /**
     * Compaction that drops the tombstones at the end of the last entry leaves offsets there with nothing to read: a
     * reader at them gets nothing, is not answered from the server again and again, and a wait from there lasts until
     * a record comes (it used to end at once, on the entry that holds nothing to read).
     */
    @Test
    void aReaderPastTheLastKeptRecordOfACompactedEntryWaitsForNewRecords() {
        try (ValkeyBackend backend = open()) {
            backend.createTopic("tail", 1, Map.of("cleanup.policy", "compact"));
            final long old = NOW - 2L * 24 * 3600 * 1000;
            backend.append("tail", 0, List.of(record("k1", "v", NOW), record("k2", null, old), record("k3", null, old)));
            backend.cleaner().compact("tail", 0, backend.cleaner().policy(Map.of("cleanup.policy", "compact")), NOW,
                backend.logEndOffset("tail", 0));
            assertEquals(List.of(0L), readAll(backend, "tail").stream().map(RawRecord::offset).toList());
            assertEquals(3L, backend.logEndOffset("tail", 0));
            assertTrue(backend.read("tail", 0, 1, 100).isEmpty());
            final long xrangesBefore = server.commandCalls("xrange");
            for (int i = 0; i < 20; i++) {
                assertTrue(backend.read("tail", 0, 1, 100).isEmpty());
            }
            assertTrue(server.commandCalls("xrange") - xrangesBefore <= 2,
                "the stretch with nothing to read was asked about again");
            final org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("tail", 0);
            // the first wait of a thread is a short pause while its blocking connection is made in the background
            backend.awaitRecords(Map.of(tp, 1L), 50);
            try {
                Thread.sleep(500);
            } catch (final InterruptedException e) {
                throw new AssertionError(e);
            }
            final long start = System.nanoTime();
            backend.awaitRecords(Map.of(tp, 1L), 300);
            assertTrue(System.nanoTime() - start >= 250_000_000L, "a wait from inside the emptied stretch ended at once");
            backend.append("tail", 0, List.of(record("k4", "w", NOW)));
            final List<RawRecord> after = backend.read("tail", 0, 1, 100);
            assertEquals(1, after.size());
            assertEquals(3L, after.get(0).offset());
        }
    }

    /** Offset -> (key, value) of what a partition of {@code written} holds after compacting below {@code upTo}. */
    private static Map<Long, String> expected(final List<RawRecord> written, final long upTo) {
        final Map<ByteBuffer, Integer> newest = new HashMap<>();
        for (int i = 0; i < upTo; i++) {
            if (written.get(i).key() != null) {
                newest.put(ByteBuffer.wrap(written.get(i).key()), i);
            }
        }
        final Map<Long, String> kept = new TreeMap<>();
        for (int i = 0; i < written.size(); i++) {
            final RawRecord r = written.get(i);
            final boolean keep = i >= upTo || r.key() == null
                || newest.get(ByteBuffer.wrap(r.key())) == i && (r.value() != null || r.timestamp() >= NOW - 24L * 3600 * 1000);
            if (keep) {
                kept.put((long) i, describe(r));
            }
        }
        return kept;
    }

    private static Map<Long, String> snapshot(final List<RawRecord> records) {
        final Map<Long, String> result = new LinkedHashMap<>();
        for (final RawRecord r : records) {
            result.put(r.offset(), describe(r));
        }
        return new TreeMap<>(result);
    }

    private static String describe(final RawRecord r) {
        return (r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8)) + "="
            + (r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8)) + "@" + r.timestamp();
    }

    @Test
    void aBadCleanupSettingFailsAtStartNamingItsKey() {
        final ConfigException e = assertThrows(ConfigException.class, () -> open("cleanup.policy", "shred"));
        assertTrue(e.getMessage().contains("cleanup.policy"), e.getMessage());
        final ConfigException interval = assertThrows(ConfigException.class,
            () -> open(ValkeyCleaner.INTERVAL_MS_CONFIG, "soon"));
        assertTrue(interval.getMessage().contains(ValkeyCleaner.INTERVAL_MS_CONFIG), interval.getMessage());
    }
}
