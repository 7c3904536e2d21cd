package io.pspf.connector.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.RawRecord;

/**
 * One segment of a partition: the records from {@link #baseOffset()} on, in {@code <base>.log} (batches of
 * {@link RecordBatch}, back to back from byte 0), with two sparse indexes beside it:
 *
 * <ul>
 *   <li>{@code <base>.index}: entries of 8 bytes, {@code (batch base offset - base) int32, byte position int32},
 *       one for the first batch and then for the first batch after every {@code indexIntervalBytes} of log, in
 *       increasing order; a read seeks to the last entry at or below the offset it wants and scans from there;</li>
 *   <li>{@code <base>.timeindex}: entries of 12 bytes, {@code (max timestamp so far int64, offset - base int32)}
 *       (the offset of the batch that holds that timestamp), written with an offset entry when the segment's
 *       largest timestamp has grown since the last one.</li>
 * </ul>
 *
 * <p>{@code <base>} is the base offset as 20 decimal digits ({@link #fileName}). The indexes are only hints, rebuilt
 * from the log whenever they do not fit it. The log itself is the truth: on open, the active segment is scanned
 * and a torn or corrupt tail is cut off at the last whole batch. A sealed segment has a {@code <base>.sealed}
 * summary ({@link #SEAL_SUFFIX}) and opens from it and its index files without a scan when they fit the log;
 * otherwise it is scanned and sealed again.
 *
 * <p>One writer at a time (the partition's lock); any number of readers, which see whole batches up to
 * {@link #sizeInBytes()}.
 */
final class Segment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    /**
     * Written when a segment is sealed: {@code version int32 (1), log size int64, next offset int64, max timestamp
     * int64, its offset int64, max unit int64, index entries int32, time-index entries int32, crc32c int32} of the
     * fields before it. A sealed segment whose seal matches its log's size opens from its index files without a scan.
     */
    static final String SEAL_SUFFIX = ".sealed";
    private static final int SEAL_SIZE = 4 + 8 + 8 + 8 + 8 + 8 + 4 + 4 + 4;
    private static final int READ_CHUNK = 64 * 1024;

    private final Path dir;
    private final long baseOffset;
    private final int indexIntervalBytes;
    private final FileChannel log;
    private final long createdMs;
    private FileChannel index;
    private FileChannel timeIndex;

    /**
     * In-memory copies of the indexes: offsets relative to the base, and byte positions. The writer fills an entry,
     * then publishes it by raising the volatile count; readers read the count first and look no further.
     */
    private int[] indexOffsets = new int[16];
    private int[] indexPositions = new int[16];
    private volatile int indexEntries;
    private long[] timeIndexTimestamps = new long[16];
    private int[] timeIndexOffsets = new int[16];
    private volatile int timeIndexEntries;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = -1L;
    /** The largest commit unit of the segment's batches, or -1 when none was written by a commit unit. */
    private volatile long maxUnit = -1L;
    private long maxTimestampOffset = -1L;
    private long lastTimeIndexed = Long.MIN_VALUE;
    private int bytesSinceIndexEntry;

    private Segment(final Path dir, final long baseOffset, final int indexIntervalBytes, final FileChannel log,
                    final long createdMs) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.indexIntervalBytes = indexIntervalBytes;
        this.log = log;
        this.createdMs = createdMs;
        this.nextOffset = baseOffset;
    }

    /** The file name of the segment with the given base offset and suffix: the offset as 20 digits. */
    static String fileName(final long baseOffset, final String suffix) {
        return String.format("%020d%s", baseOffset, suffix);
    }

    /** The base offset named by a segment file name, or -1 when the name is not a segment's. */
    static long baseOffsetOf(final String fileName) {
        if (!fileName.endsWith(LOG_SUFFIX) || fileName.length() != 20 + LOG_SUFFIX.length()) {
            return -1L;
        }
        try {
            return Long.parseLong(fileName.substring(0, 20));
        } catch (final NumberFormatException e) {
            return -1L;
        }
    }

    /** Creates a new, empty segment. */
    static Segment create(final Path dir, final long baseOffset, final int indexIntervalBytes, final long nowMs) {
        try {
            final FileChannel log = FileChannel.open(dir.resolve(fileName(baseOffset, LOG_SUFFIX)),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final Segment segment = new Segment(dir, baseOffset, indexIntervalBytes, log, nowMs);
            segment.openIndexes(true);
            return segment;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create segment " + baseOffset + " in " + dir, e);
        }
    }

    /**
     * Opens an existing segment: scans its log and rebuilds the indexes. The active (last) segment of a partition
     * may end in a torn or corrupt record, written when the process died: it is cut off there (and logged). A sealed
     * segment was forced to the device when it was sealed, so a bad record in it is damage, which is reported
     * rather than cut away with everything after it.
     *
     * @param active whether this is the partition's last segment
     * @param nowMs  the time from which the segment's age ({@code segment.ms}) counts
     * @throws IllegalStateException naming the file and byte when a sealed segment holds a bad record
     */
    static Segment open(final Path dir, final long baseOffset, final int indexIntervalBytes, final boolean active,
                        final long nowMs) {
        final Path file = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        try {
            final FileChannel log = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            // a segment's age counts from when this process opened it: file systems do not all keep a creation
            // time, and a modification time would restart the age at every append
            final Segment segment = new Segment(dir, baseOffset, indexIntervalBytes, log, nowMs);
            if (!active && segment.openSealed()) {
                return segment;
            }
            segment.openIndexes(true);
            segment.recover(active);
            if (!active) {
                segment.seal();
            }
            return segment;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot open segment " + file, e);
        }
    }

    /**
     * Records the sealed segment's summary beside it (see {@link #SEAL_SUFFIX}); called once the segment is forced
     * and receives no more appends.
     */
    void seal() {
        final ByteBuffer seal = ByteBuffer.allocate(SEAL_SIZE);
        seal.putInt(1).putLong(size).putLong(nextOffset).putLong(maxTimestamp).putLong(maxTimestampOffset)
            .putLong(maxUnit).putInt(indexEntries).putInt(timeIndexEntries);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(seal.array(), 0, SEAL_SIZE - 4);
        seal.putInt((int) crc.getValue()).flip();
        final Path file = dir.resolve(fileName(baseOffset, SEAL_SUFFIX));
        final Path temp = dir.resolve(fileName(baseOffset, SEAL_SUFFIX + ".tmp"));
        try {
            index.force(true);
            timeIndex.force(true);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
                while (seal.hasRemaining()) {
                    out.write(seal);
                }
                out.force(true);
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot seal segment " + baseOffset + " in " + dir, e);
        }
    }

    /** Opens from the seal and the index files when they fit the log; false (nothing changed) when they do not. */
    private boolean openSealed() throws IOException {
        final Path sealFile = dir.resolve(fileName(baseOffset, SEAL_SUFFIX));
        if (!Files.exists(sealFile)) {
            return false;
        }
        final byte[] bytes = Files.readAllBytes(sealFile);
        if (bytes.length != SEAL_SIZE) {
            return false;
        }
        final ByteBuffer seal = ByteBuffer.wrap(bytes);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, SEAL_SIZE - 4);
        if (seal.getInt(SEAL_SIZE - 4) != (int) crc.getValue() || seal.getInt() != 1) {
            return false;
        }
        final long sealedSize = seal.getLong();
        final long sealedNext = seal.getLong();
        final long sealedMaxTimestamp = seal.getLong();
        final long sealedMaxTimestampOffset = seal.getLong();
        final long sealedMaxUnit = seal.getLong();
        final int entries = seal.getInt();
        final int timeEntries = seal.getInt();
        if (sealedSize != log.size()) {
            return false;
        }
        openIndexes(false);
        if (index.size() != (long) entries * 8 || timeIndex.size() != (long) timeEntries * 12) {
            index.close();
            timeIndex.close();
            return false;
        }
        final ByteBuffer indexBytes = ByteBuffer.allocate(entries * 8);
        read(index, indexBytes, 0, true);
        final ByteBuffer timeBytes = ByteBuffer.allocate(timeEntries * 12);
        read(timeIndex, timeBytes, 0, true);
        indexOffsets = new int[Math.max(16, entries)];
        indexPositions = new int[Math.max(16, entries)];
        for (int i = 0; i < entries; i++) {
            indexOffsets[i] = indexBytes.getInt(i * 8);
            indexPositions[i] = indexBytes.getInt(i * 8 + 4);
        }
        timeIndexTimestamps = new long[Math.max(16, timeEntries)];
        timeIndexOffsets = new int[Math.max(16, timeEntries)];
        for (int i = 0; i < timeEntries; i++) {
            timeIndexTimestamps[i] = timeBytes.getLong(i * 12);
            timeIndexOffsets[i] = timeBytes.getInt(i * 12 + 8);
        }
        maxTimestamp = sealedMaxTimestamp;
        maxTimestampOffset = sealedMaxTimestampOffset;
        lastTimeIndexed = timeEntries == 0 ? Long.MIN_VALUE : timeIndexTimestamps[timeEntries - 1];
        maxUnit = sealedMaxUnit;
        indexEntries = entries;
        timeIndexEntries = timeEntries;
        size = (int) sealedSize;
        nextOffset = sealedNext;
        return true;
    }

    /**
     * Reads from {@code channel} at {@code position} until the buffer is full; at the end of the file, stops there,
     * or fails when {@code mustFill}.
     */
    private static void read(final FileChannel channel, final ByteBuffer buffer, final long position,
                             final boolean mustFill) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            final int n = channel.read(buffer, at);
            if (n < 0) {
                if (mustFill) {
                    throw new IOException("unexpected end of " + channel);
                }
                return;
            }
            at += n;
        }
    }

    private void openIndexes(final boolean truncate) throws IOException {
        index = FileChannel.open(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)), StandardOpenOption.CREATE,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        timeIndex = FileChannel.open(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)), StandardOpenOption.CREATE,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (truncate) {
            index.truncate(0);
            timeIndex.truncate(0);
        }
    }

    /** Scans the log from its start, indexing whole batches, and cuts the file (or fails) at the first bad one. */
    private void recover(final boolean cutBadTail) throws IOException {
        final long fileSize = log.size();
        ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);
        long position = 0;
        long expectedAtLeast = baseOffset;
        String problem = null;
        while (position < fileSize) {
            buffer.clear();
            if (buffer.capacity() > fileSize - position) {
                buffer.limit((int) (fileSize - position));
            }
            readFully(buffer, position);
            buffer.flip();
            int at = 0;
            int batch;
            while ((batch = RecordBatch.check(buffer, at)) > 0) {
                final long base = RecordBatch.baseOffset(buffer, at);
                if (base < expectedAtLeast) {
                    problem = "a batch at offset " + base + " after offset " + (expectedAtLeast - 1);
                    batch = -1;
                    break;
                }
                indexBatch(base, RecordBatch.maxTimestamp(buffer, at), position + at, batch);
                maxUnit = Math.max(maxUnit, RecordBatch.unit(buffer, at));
                expectedAtLeast = RecordBatch.lastOffset(buffer, at) + 1;
                at += batch;
            }
            position += at;
            if (batch < 0) {
                if (problem == null) {
                    problem = "a corrupt batch";
                }
                break;
            }
            if (position >= fileSize) {
                break;
            }
            // the buffer ends inside a batch: read on from it, with a buffer that holds it whole
            final int remaining = buffer.limit() - at;
            if (remaining >= 4) {
                final long announced = RecordBatch.announcedSize(buffer, at);
                if (announced > fileSize - position) {
                    problem = "a torn batch";
                    break;
                }
                if (announced > buffer.capacity()) {
                    buffer = ByteBuffer.allocate((int) announced);
                }
            } else if (position + remaining >= fileSize) {
                problem = "a torn batch";
                break;
            }
        }
        size = (int) position;
        nextOffset = expectedAtLeast;
        if (position < fileSize && !cutBadTail) {
            segmentDamaged(problem, position, fileSize);
        }
        if (position < fileSize) {
            LOG.warn("Segment {} of {}: {} at byte {}; cut the log from {} to {} bytes (the batches before it are kept)",
                baseOffset, dir, problem == null ? "a torn batch" : problem, position, fileSize, position);
            log.truncate(position);
            log.force(true);
        }
    }

    private void segmentDamaged(final String problem, final long position, final long fileSize) {
        close();
        throw new IllegalStateException(String.format("sealed segment %s holds %s at byte %d of %d; the records from "
            + "there on cannot be read (restore the file, or delete the partition's records before this segment's "
            + "end to go on without them)", dir.resolve(fileName(baseOffset, LOG_SUFFIX)),
            problem == null ? "a torn record" : problem, position, fileSize));
    }

    /** Reads from the log at {@code position} until the buffer is full or the file ends. */
    private void readFully(final ByteBuffer buffer, final long position) throws IOException {
        read(log, buffer, position, false);
    }

    /** Notes a whole batch of {@code batchSize} bytes at {@code position} in the in-memory and on-disk indexes. */
    private void indexBatch(final long batchBase, final long batchMaxTimestamp, final long position,
                            final int batchSize) throws IOException {
        final boolean indexed = indexEntries == 0 || bytesSinceIndexEntry >= indexIntervalBytes;
        if (indexed) {
            addIndexEntry((int) (batchBase - baseOffset), (int) position);
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += batchSize;
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestamp = batchMaxTimestamp;
            maxTimestampOffset = batchBase;
        }
        if (indexed && maxTimestamp > lastTimeIndexed) {
            addTimeIndexEntry(maxTimestamp, (int) (maxTimestampOffset - baseOffset));
        }
    }

    private void addIndexEntry(final int relativeOffset, final int position) throws IOException {
        if (indexEntries == indexOffsets.length) {
            indexOffsets = java.util.Arrays.copyOf(indexOffsets, indexEntries * 2);
            indexPositions = java.util.Arrays.copyOf(indexPositions, indexEntries * 2);
        }
        indexOffsets[indexEntries] = relativeOffset;
        indexPositions[indexEntries] = position;
        indexEntries = indexEntries + 1; // publishes the entry (single writer)
        final ByteBuffer entry = ByteBuffer.allocate(8).putInt(relativeOffset).putInt(position).flip();
        index.write(entry, (long) (indexEntries - 1) * 8);
    }

    private void addTimeIndexEntry(final long timestamp, final int relativeOffset) throws IOException {
        if (timeIndexEntries == timeIndexTimestamps.length) {
            timeIndexTimestamps = java.util.Arrays.copyOf(timeIndexTimestamps, timeIndexEntries * 2);
            timeIndexOffsets = java.util.Arrays.copyOf(timeIndexOffsets, timeIndexEntries * 2);
        }
        timeIndexTimestamps[timeIndexEntries] = timestamp;
        timeIndexOffsets[timeIndexEntries] = relativeOffset;
        timeIndexEntries = timeIndexEntries + 1; // publishes the entry (single writer)
        lastTimeIndexed = timestamp;
        final ByteBuffer entry = ByteBuffer.allocate(12).putLong(timestamp).putInt(relativeOffset).flip();
        timeIndex.write(entry, (long) (timeIndexEntries - 1) * 12);
    }

    long baseOffset() {
        return baseOffset;
    }

    /** The offset the next record appended here would get. */
    long nextOffset() {
        return nextOffset;
    }

    /** Bytes of whole records. */
    int sizeInBytes() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The largest timestamp of the segment's records, or -1 when it has none. */
    long maxTimestamp() {
        return maxTimestamp;
    }

    /** The largest commit unit that wrote a batch here, or -1. */
    long maxUnit() {
        return maxUnit;
    }

    long createdMs() {
        return createdMs;
    }

    /**
     * Appends one encoded batch (its base offset at or above {@link #nextOffset()}) and indexes it. Readers see it
     * once the write is complete, all at once.
     */
    void append(final ByteBuffer batch) {
        try {
            final int batchSize = batch.remaining();
            final long base = RecordBatch.baseOffset(batch, 0);
            final long last = RecordBatch.lastOffset(batch, 0);
            final long batchMaxTimestamp = RecordBatch.maxTimestamp(batch, 0);
            final long unit = RecordBatch.unit(batch, 0);
            long at = size;
            while (batch.hasRemaining()) {
                at += log.write(batch, at);
            }
            indexBatch(base, batchMaxTimestamp, size, batchSize);
            maxUnit = Math.max(maxUnit, unit);
            size += batchSize;
            nextOffset = last + 1;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot append to segment " + baseOffset + " in " + dir, e);
        }
    }

    /** Forces the log (not the indexes, which are rebuilt when needed) to the storage device. */
    void flush() {
        try {
            log.force(false);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot flush segment " + baseOffset + " in " + dir, e);
        }
    }

    /** The byte position from which to scan for {@code offset}: that of the last index entry at or below it. */
    private int seekPosition(final long offset) {
        final long relative = offset - baseOffset;
        int lo = 0;
        int hi = indexEntries - 1; // read first: the entries below it are whole
        int found = -1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            if (indexOffsets[mid] <= relative) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0 : indexPositions[found];
    }

    /**
     * Reads the records with offsets at or above {@code offset}, at most {@code maxRecords}, into {@code out}.
     *
     * @return how many were added
     */
    int read(final long offset, final int maxRecords, final String topic, final int partition,
             final List<RawRecord> out) {
        final int limit = size;
        int position = seekPosition(offset);
        int added = 0;
        try {
            ByteBuffer buffer = ByteBuffer.allocate(Math.min(READ_CHUNK, Math.max(limit - position, 1)));
            while (added < maxRecords && position < limit) {
                buffer.clear();
                buffer.limit(Math.min(buffer.capacity(), limit - position));
                readFully(buffer, position);
                buffer.flip();
                int at = 0;
                int batch = 0;
                while (added < maxRecords && (batch = RecordBatch.check(buffer, at)) > 0) {
                    if (RecordBatch.lastOffset(buffer, at) >= offset) {
                        added += RecordBatch.read(buffer, at, offset, maxRecords - added, topic, partition, out);
                    }
                    at += batch;
                }
                if (batch < 0) {
                    throw new IllegalStateException("segment " + baseOffset + " of " + dir
                        + " holds a corrupt batch at byte " + (position + at));
                }
                if (at == 0 && added < maxRecords) {
                    final long announced = RecordBatch.announcedSize(buffer, 0);
                    if (announced > limit - position || announced <= buffer.capacity()) {
                        throw new IllegalStateException("segment " + baseOffset + " of " + dir
                            + " holds a bad batch at byte " + position);
                    }
                    buffer = ByteBuffer.allocate((int) announced); // one batch larger than the buffer
                    continue;
                }
                position += at;
            }
            return added;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read segment " + baseOffset + " in " + dir, e);
        }
    }

    /** One batch as stored: the commit unit that wrote it and its records. */
    static final class Batch {
        final long unit;
        final List<RawRecord> records;

        Batch(final long unit, final List<RawRecord> records) {
            this.unit = unit;
            this.records = records;
        }
    }

    /** Every batch of the segment, in order (for compaction). */
    List<Batch> batches(final String topic, final int partition) {
        final List<Batch> batches = new ArrayList<>();
        final int limit = size;
        int position = 0;
        try {
            final ByteBuffer header = ByteBuffer.allocate(4);
            while (position < limit) {
                header.clear();
                readFully(header, position);
                final int batchSize = (int) RecordBatch.announcedSize(header, 0);
                final ByteBuffer buffer = ByteBuffer.allocate(batchSize);
                readFully(buffer, position);
                buffer.flip();
                if (RecordBatch.check(buffer, 0) != batchSize) {
                    throw new IllegalStateException("segment " + baseOffset + " of " + dir
                        + " holds a corrupt batch at byte " + position);
                }
                final List<RawRecord> records = new ArrayList<>();
                RecordBatch.read(buffer, 0, Long.MIN_VALUE, Integer.MAX_VALUE, topic, partition, records);
                batches.add(new Batch(RecordBatch.unit(buffer, 0), records));
                position += batchSize;
            }
            return batches;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read segment " + baseOffset + " in " + dir, e);
        }
    }

    /** The offset of the first record with a timestamp at or above {@code timestamp}, or -1 when none has one. */
    long offsetForTimestamp(final long timestamp, final String topic, final int partition) {
        if (maxTimestamp < timestamp) {
            return -1L;
        }
        // the last time-index entry below the timestamp bounds where a scan must start
        long from = baseOffset;
        for (int i = timeIndexEntries - 1; i >= 0; i--) { // the count is read first: the entries below it are whole
            if (timeIndexTimestamps[i] < timestamp) {
                from = baseOffset + timeIndexOffsets[i];
                break;
            }
        }
        final List<RawRecord> records = new ArrayList<>();
        long next = from;
        while (next < nextOffset) {
            records.clear();
            if (read(next, 500, topic, partition, records) == 0) {
                break;
            }
            for (final RawRecord record : records) {
                if (record.timestamp() >= timestamp) {
                    return record.offset();
                }
            }
            next = records.get(records.size() - 1).offset() + 1;
        }
        return -1L;
    }

    /**
     * Cuts the segment before {@code offset}: records at or above it are removed. A batch that straddles the offset
     * is rewritten with its records below it (same unit).
     */
    void truncateTo(final long offset) {
        if (offset >= nextOffset) {
            return;
        }
        try {
            // the batch holding the offset, and what of it stays
            final long[] found = batchAt(offset);
            final int cut = (int) found[0];
            List<RawRecord> kept = List.of();
            long keptUnit = -1L;
            if (found[1] >= 0 && found[1] < offset) {
                kept = new ArrayList<>();
                read(found[1], (int) (offset - found[1]), "", 0, kept);
                keptUnit = found[2];
            }
            log.truncate(cut);
            log.force(true);
            indexEntries = 0;
            timeIndexEntries = 0;
            maxTimestamp = -1L;
            maxTimestampOffset = -1L;
            maxUnit = -1L;
            lastTimeIndexed = Long.MIN_VALUE;
            bytesSinceIndexEntry = 0;
            index.truncate(0);
            timeIndex.truncate(0);
            recover(true);
            if (!kept.isEmpty()) {
                append(RecordBatch.encode(kept, kept.get(0).offset(), keptUnit));
                log.force(true);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot truncate segment " + baseOffset + " in " + dir, e);
        }
    }

    /**
     * The batch holding {@code offset} or the first one after it: {@code {byte position, base offset, unit}}, or
     * {@code {size, -1, -1}} when there is none.
     */
    private long[] batchAt(final long offset) throws IOException {
        final ByteBuffer header = ByteBuffer.allocate(RecordBatch.HEADER);
        int position = seekPosition(offset);
        while (position < size) {
            header.clear();
            readFully(header, position);
            if (RecordBatch.lastOffset(header, 0) >= offset) {
                return new long[] {position, RecordBatch.baseOffset(header, 0), RecordBatch.unit(header, 0)};
            }
            position += (int) RecordBatch.announcedSize(header, 0);
        }
        return new long[] {size, -1L, -1L};
    }

    @Override
    public void close() {
        try {
            log.close();
            index.close();
            timeIndex.close();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot close segment " + baseOffset + " in " + dir, e);
        }
    }

    /** Closes the segment and deletes its files. */
    void delete() {
        close();
        try {
            Files.deleteIfExists(dir.resolve(fileName(baseOffset, LOG_SUFFIX)));
            Files.deleteIfExists(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)));
            Files.deleteIfExists(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)));
            Files.deleteIfExists(dir.resolve(fileName(baseOffset, SEAL_SUFFIX)));
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot delete segment " + baseOffset + " in " + dir, e);
        }
    }
}
