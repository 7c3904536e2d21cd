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
 * open the partition must keep exactly the batches (appends) wholly written before the damage - no fewer, none
 * damaged - and go on appending from there.
 */
class LogRecoveryProperties {
    enum Damage { TRUNCATE, FLIP_BYTE, GARBAGE_TAIL }

    @Property(tries = 300)
    void shouldKeepEveryWholeBatchBeforeTheDamageAndNothingAfterIt(
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
            // the batches of the active segment: where each ends, and how many records are in it and before it
            final List<int[]> batches = new java.util.ArrayList<>(); // {end byte, records up to and including it}
            int end = 0;
            for (int i = (int) activeBase; i < count; i += 4) {
                final int n = Math.min(4, count - i);
                end += (int) RecordBatch.sizeOf(PartitionLogTest.records(i, n));
                batches.add(new int[] {end, i + n - (int) activeBase});
            }
            assertEquals(end, bytes.length, "the active segment holds its batches back to back");
            final int recordsInActive = (int) (count - activeBase);
            final int[] ends = new int[batches.size()];
            final int[] recordsUpTo = new int[batches.size()];
            for (int b = 0; b < batches.size(); b++) {
                ends[b] = batches.get(b)[0];
                recordsUpTo[b] = batches.get(b)[1];
            }

            int kept = recordsInActive;
            switch (damage) {
                case TRUNCATE: {
                    final int cut = (int) (where * bytes.length);
                    Files.write(active, java.util.Arrays.copyOf(bytes, cut));
                    kept = keptBefore(ends, recordsUpTo, cut + 1);
                    break;
                }
                case FLIP_BYTE: {
                    final int at = (int) (where * bytes.length);
                    bytes[at] ^= (byte) flip;
                    Files.write(active, bytes);
                    kept = keptBefore(ends, recordsUpTo, at + 1);
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
                assertEquals(bytesOf(ends, recordsUpTo, kept), Files.size(active), "the file is cut after the last whole batch");
                assertEquals(expectedEnd, log.append(PartitionLogTest.records((int) expectedEnd, 1), -1, false));
                PartitionLogTest.assertRecord((int) expectedEnd, expectedEnd, log.read(expectedEnd, 1).get(0));
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    /** The records of the batches that end before byte {@code limit} (exclusive) of the file. */
    private static int keptBefore(final int[] ends, final int[] recordsUpTo, final int limit) {
        int kept = 0;
        for (int b = 0; b < ends.length && ends[b] < limit; b++) {
            kept = recordsUpTo[b];
        }
        return kept;
    }

    private static int bytesOf(final int[] ends, final int[] recordsUpTo, final int kept) {
        for (int b = 0; b < ends.length; b++) {
            if (recordsUpTo[b] == kept) {
                return ends[b];
            }
        }
        return 0;
    }

    private static long lastSegmentBase(final Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> Segment.baseOffsetOf(f.getFileName().toString())).max().orElseThrow();
        }
    }

    static void deleteRecursively(final Path dir) throws IOException {
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
