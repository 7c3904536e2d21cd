package io.pspf.connector.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import io.pspf.runtime.backend.RawRecord;

/**
 * Compaction keeps what a restore needs: replaying the partition gives the same table before and after, every
 * key appears at most once in the sealed segments, surviving records keep their offsets and contents, and the
 * active segment and the log end do not change.
 */
class CompactionProperties {

    @Property(tries = 150)
    void shouldKeepTheTableAndOnlyTheLatestRecordOfEachKey(@ForAll final long seed,
                                                          @ForAll @IntRange(min = 1, max = 400) final int count,
                                                          @ForAll final boolean expireTombstones) throws IOException {
        final Path dir = Files.createTempDirectory("pspf-compaction-");
        try {
            final Random random = new Random(seed);
            final LogConfig config = LogConfig.defaults().withSegmentBytes(300 + random.nextInt(700))
                .withIndexIntervalBytes(64);
            final List<RawRecord> compacted;
            try (PartitionLog log = PartitionLog.open(dir, "t", 0, config)) {
                int written = 0;
                long unit = 0;
                while (written < count) {
                    final int n = Math.min(count - written, 1 + random.nextInt(5));
                    final List<RawRecord> batch = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        final int k = random.nextInt(12);
                        final byte[] key = k == 11 ? null : ("k" + k).getBytes(StandardCharsets.UTF_8);
                        final byte[] value = random.nextInt(6) == 0 ? null
                            : ("v" + (written + i)).getBytes(StandardCharsets.UTF_8);
                        batch.add(new RawRecord("t", 0, -1L, 1_000L + written + i, key, value, null));
                    }
                    log.append(batch, random.nextBoolean() ? ++unit : -1L, false);
                    written += n;
                }
                final List<RawRecord> before = log.read(0, Integer.MAX_VALUE);
                final long end = log.logEndOffset();
                final long maxUnit = log.maxUnit();
                final long activeBase = log.segmentCount() > 0 ? lastBase(dir) : 0;
                final long removed = log.compact(1_000_000L, expireTombstones ? 0L : Long.MAX_VALUE / 2);

                final List<RawRecord> after = log.read(0, Integer.MAX_VALUE);
                compacted = after;
                assertEquals(before.size() - removed, after.size());
                assertEquals(end, log.logEndOffset());
                assertTrue(log.maxUnit() >= maxUnit, "the journal still sees its newest unit");
                assertEquals(table(before), table(after), "a restore gives the same table");
                // survivors are unchanged, and sealed segments hold each key at most once
                final Map<Long, RawRecord> byOffset = new HashMap<>();
                before.forEach(r -> byOffset.put(r.offset(), r));
                final Set<String> sealedKeys = new HashSet<>();
                for (final RawRecord r : after) {
                    final RawRecord original = byOffset.get(r.offset());
                    assertArrayEquals(original.key(), r.key());
                    assertArrayEquals(original.value(), r.value());
                    assertEquals(original.timestamp(), r.timestamp());
                    if (r.offset() < activeBase && r.key() != null) {
                        assertTrue(sealedKeys.add(new String(r.key(), StandardCharsets.UTF_8)), "key twice: " + r);
                        if (expireTombstones) {
                            assertTrue(r.value() != null, "an expired tombstone stays: " + r);
                        }
                    }
                }
                // everything in the active segment stays
                assertEquals(before.stream().filter(r -> r.offset() >= activeBase).count(),
                    after.stream().filter(r -> r.offset() >= activeBase).count());
            }
            try (PartitionLog reopened = PartitionLog.open(dir, "t", 0, config)) {
                final List<RawRecord> again = reopened.read(0, Integer.MAX_VALUE);
                assertEquals(compacted.size(), again.size(), "the compacted segments are what a reopen reads");
                for (int i = 0; i < again.size(); i++) {
                    assertEquals(compacted.get(i).offset(), again.get(i).offset());
                    assertArrayEquals(compacted.get(i).value(), again.get(i).value());
                }
            }
        } finally {
            LogRecoveryProperties.deleteRecursively(dir);
        }
    }

    /** The table a restore builds: the last value of each key, tombstones deleting. */
    private static Map<String, String> table(final List<RawRecord> records) {
        final Map<String, String> table = new HashMap<>();
        for (final RawRecord r : records) {
            if (r.key() == null) {
                continue;
            }
            final String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                table.remove(key);
            } else {
                table.put(key, new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return table;
    }

    private static long lastBase(final Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> Segment.baseOffsetOf(f.getFileName().toString())).max().orElse(0L);
        }
    }

}
