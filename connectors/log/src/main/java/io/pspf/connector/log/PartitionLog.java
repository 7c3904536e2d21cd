package io.pspf.connector.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import org.apache.kafka.common.utils.Bytes;

import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.RawRecord;

/**
 * One partition of a topic on disk: the directory {@code <log dir>/<topic>-<partition>/} holding its
 * {@link Segment segments} and a {@code log-start-offset} checkpoint.
 *
 * <pre>
 * &lt;topic&gt;-&lt;partition&gt;/
 *   00000000000000000000.log        records 0 .. 8191       (a sealed segment)
 *   00000000000000000000.index
 *   00000000000000000000.timeindex
 *   00000000000000008192.log        records 8192 ..         (the active segment: appends go here)
 *   00000000000000008192.index
 *   00000000000000008192.timeindex
 *   log-start-offset                 the first offset still readable, as decimal text (absent: the first segment's base)
 * </pre>
 *
 * <p>Appends go to the last segment, which is rolled (sealed, and a new one started at the next offset) when it
 * reaches {@link LogConfig#segmentBytes} or is older than {@link LogConfig#segmentMs}. Retention deletes whole
 * sealed segments, oldest first: those whose newest record is older than {@link LogConfig#retentionMs}, and those
 * that take the partition over {@link LogConfig#retentionBytes}. {@link #deleteRecordsBefore} moves the log start
 * and deletes the segments wholly below it.
 *
 * <p>Durability is explicit ({@link LogConfig.Fsync}): an append is forced to the device when the caller asks
 * ({@code commit}) or always ({@code always}); otherwise it is left to the operating system. On open, the last
 * segment's torn or corrupt tail is cut off at the last whole record; nothing before it is lost.
 *
 * <p>Thread-safe: appends are serialized by a lock; reads need none and see whole appends only.
 */
final class PartitionLog implements AutoCloseable {
    static final String LOG_START_FILE = "log-start-offset";
    /** The largest commit unit ever written here, kept once compaction may have removed its batch. */
    static final String MAX_UNIT_FILE = "max-unit";
    static final String CLEANED_SUFFIX = ".cleaned";

    private final Path dir;
    private final String topic;
    private final int partition;
    private final LogConfig config;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Segments replaced by compaction, closed with the partition so that reads in flight finish on them. */
    private final List<Segment> retired = new ArrayList<>();
    private volatile long logStartOffset;
    private volatile long compactedMaxUnit = -1L;
    private volatile boolean closed;

    private PartitionLog(final Path dir, final String topic, final int partition, final LogConfig config) {
        this.dir = dir;
        this.topic = topic;
        this.partition = partition;
        this.config = config;
    }

    /** The directory name of a partition: {@code <topic>-<partition>}. */
    static String dirName(final String topic, final int partition) {
        return topic + "-" + partition;
    }

    /** Opens the partition in {@code dir}, creating the directory and a first segment when there is none. */
    static PartitionLog open(final Path dir, final String topic, final int partition, final LogConfig config) {
        final PartitionLog log = new PartitionLog(dir, topic, partition, config);
        try {
            Files.createDirectories(dir);
            final List<Long> bases = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (final Path file : (Iterable<Path>) files::iterator) {
                    final String name = file.getFileName().toString();
                    if (name.endsWith(CLEANED_SUFFIX)) {
                        Files.delete(file); // a compaction the process did not finish: the segment is unchanged
                        continue;
                    }
                    final long base = Segment.baseOffsetOf(name);
                    if (base >= 0) {
                        bases.add(base);
                    }
                }
            }
            Collections.sort(bases);
            final long now = config.clock().getAsLong();
            for (int i = 0; i < bases.size(); i++) {
                final long base = bases.get(i);
                final boolean active = i == bases.size() - 1;
                log.segments.put(base, Segment.open(dir, base, config.indexIntervalBytes(), active, now));
            }
            if (log.segments.isEmpty()) {
                log.segments.put(0L, Segment.create(dir, 0L, config.indexIntervalBytes(), now));
            }
            log.logStartOffset = Math.max(log.segments.firstKey(), log.readLogStart());
            log.compactedMaxUnit = log.readLong(MAX_UNIT_FILE, -1L);
        } catch (final IOException e) {
            log.close();
            throw new UncheckedIOException("cannot open partition " + dir, e);
        } catch (final RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    private long readLogStart() throws IOException {
        return readLong(LOG_START_FILE, 0L);
    }

    /** A checkpoint file's number; {@code otherwise} when it is absent or was cut by a crash. */
    private long readLong(final String name, final long otherwise) throws IOException {
        final Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            return otherwise;
        }
        final String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (final NumberFormatException e) {
            return otherwise;
        }
    }

    private void writeLogStart(final long offset) {
        writeLong(LOG_START_FILE, offset);
    }

    /** Replaces a checkpoint file atomically. */
    private void writeLong(final String name, final long value) {
        final Path file = dir.resolve(name);
        final Path temp = dir.resolve(name + ".tmp");
        try {
            Files.writeString(temp, Long.toString(value), StandardCharsets.US_ASCII);
            try (FileChannel channel = FileChannel.open(temp,
                StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + name + " of " + dir, e);
        }
    }

    String topic() {
        return topic;
    }

    int partition() {
        return partition;
    }

    /** The first offset still readable. */
    long logStartOffset() {
        return logStartOffset;
    }

    /** The offset the next appended record gets. */
    long logEndOffset() {
        return segments.lastEntry().getValue().nextOffset();
    }

    /** Bytes of records in all segments. */
    long sizeInBytes() {
        long size = 0;
        for (final Segment segment : segments.values()) {
            size += segment.sizeInBytes();
        }
        return size;
    }

    /**
     * The largest commit unit that wrote a batch still in the partition, or -1. Units are applied in journal order,
     * so a partition holds the batch of unit {@code u} exactly when this is at least {@code u} (unless retention has
     * deleted it since, which only happens once the journal no longer holds the unit).
     */
    long maxUnit() {
        long max = compactedMaxUnit;
        for (final Segment segment : segments.values()) {
            max = Math.max(max, segment.maxUnit());
        }
        return max;
    }

    int segmentCount() {
        return segments.size();
    }

    /**
     * Appends records as one batch, giving them consecutive offsets from {@link #logEndOffset()}. Readers see all of
     * them or none: a batch never spans two segments (one larger than a segment gets a segment of its own).
     *
     * @param unit  the commit unit writing them, or -1 for a plain producer write
     * @param force whether to force the records to the device before returning ({@code always} forces anyway)
     * @return the offset of the first record; the log end offset when {@code records} is empty
     */
    long append(final List<RawRecord> records, final long unit, final boolean force) {
        appendLock.lock();
        try {
            ensureOpen();
            final long first = logEndOffset();
            if (records.isEmpty()) {
                return first;
            }
            final ByteBuffer batch = RecordBatch.encode(records, first, unit);
            final Segment active = maybeRoll(batch.remaining());
            active.append(batch);
            if (force || config.fsync() == LogConfig.Fsync.ALWAYS) {
                active.flush();
            }
            return first;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Appends an already encoded batch (from its position to its limit; it is rebased in place to this partition's
     * end and {@code unit}), as {@link #append} would have encoded it.
     *
     * @return the offset of the batch's first record
     */
    long appendEncoded(final ByteBuffer encoded, final long unit, final boolean force) {
        appendLock.lock();
        try {
            ensureOpen();
            final long first = logEndOffset();
            final ByteBuffer batch = encoded.slice();
            RecordBatch.rebase(batch, first, unit);
            final Segment active = maybeRoll(batch.remaining());
            active.append(batch);
            if (force || config.fsync() == LogConfig.Fsync.ALWAYS) {
                active.flush();
            }
            return first;
        } finally {
            appendLock.unlock();
        }
    }

    /** The active segment, after rolling it when it is full or old. */
    private Segment maybeRoll(final int batchBytes) {
        final Segment active = segments.lastEntry().getValue();
        final long now = config.clock().getAsLong();
        final boolean full = (long) active.sizeInBytes() + batchBytes > config.segmentBytes();
        final boolean old = now - active.createdMs() >= config.segmentMs();
        if (active.isEmpty() || !(full || old)) {
            return active;
        }
        // sealed segments are forced once, so that retention and readers may rely on them, and sealed for a fast open
        active.flush();
        active.seal();
        final Segment next = Segment.create(dir, active.nextOffset(), config.indexIntervalBytes(), now);
        segments.put(next.baseOffset(), next);
        return next;
    }

    /** Forces every record appended so far to the device. */
    void flush() {
        segments.lastEntry().getValue().flush();
    }

    /**
     * Reads at most {@code maxRecords} records from {@code offset} (or from the log start, if that is later).
     *
     * @return the records in offset order; empty at the end of the log
     */
    List<RawRecord> read(final long offset, final int maxRecords) {
        ensureOpen();
        final List<RawRecord> out = new ArrayList<>(Math.min(maxRecords, 1024));
        // The end is read first. Appends publish in order (a segment's last batch before the next segment's first),
        // so every record below this end is visible in its segment now; a segment that looked exhausted cannot
        // receive records below it later. Without the bound, a reader could pass over a segment just before its
        // last batch landed and then read the next segment's first one, missing that batch.
        final long end = logEndOffset();
        long next = Math.max(offset, logStartOffset);
        Map.Entry<Long, Segment> entry = segments.floorEntry(next);
        if (entry == null) {
            entry = segments.firstEntry();
        }
        while (entry != null && out.size() < maxRecords && next < end) {
            final Segment segment = entry.getValue();
            if (segment.nextOffset() > next) {
                segment.read(next, maxRecords - out.size(), topic, partition, out);
                if (!out.isEmpty()) {
                    next = out.get(out.size() - 1).offset() + 1;
                }
            }
            entry = segments.higherEntry(entry.getKey());
        }
        while (!out.isEmpty() && out.get(out.size() - 1).offset() >= end) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /** The first offset whose record has a timestamp at or above {@code timestamp}, or -1 when there is none. */
    long offsetForTimestamp(final long timestamp) {
        for (final Segment segment : segments.values()) {
            if (segment.nextOffset() <= logStartOffset) {
                continue;
            }
            final long found = segment.offsetForTimestamp(timestamp, topic, partition);
            if (found >= 0) {
                return Math.max(found, logStartOffset);
            }
        }
        return -1L;
    }

    /**
     * Makes the records below {@code offset} unreadable and deletes the segments that hold only such records.
     * An offset beyond the log end is refused; one at or below the log start does nothing.
     */
    void deleteRecordsBefore(final long offset) {
        appendLock.lock();
        try {
            ensureOpen();
            if (offset > logEndOffset()) {
                throw new BackendException("cannot delete records of " + topic + "-" + partition + " before "
                    + offset + ": the log ends at " + logEndOffset());
            }
            if (offset <= logStartOffset) {
                return;
            }
            writeLogStart(offset);
            logStartOffset = offset;
            deleteSegmentsBelow(offset);
        } finally {
            appendLock.unlock();
        }
    }

    /** Deletes the sealed segments whose records all lie below {@code offset}. */
    private void deleteSegmentsBelow(final long offset) {
        while (segments.size() > 1) {
            final Map.Entry<Long, Segment> first = segments.firstEntry();
            final Segment second = segments.higherEntry(first.getKey()).getValue();
            if (second.baseOffset() > offset) {
                return;
            }
            segments.remove(first.getKey());
            first.getValue().delete();
        }
    }

    /**
     * Applies time and size retention: deletes sealed segments, oldest first, whose newest record is older than
     * {@code retention.ms} before {@code nowMs}, or while the partition is larger than {@code retention.bytes}.
     *
     * @return the number of segments deleted
     */
    int applyRetention(final long nowMs) {
        appendLock.lock();
        try {
            ensureOpen();
            int deleted = 0;
            while (segments.size() > 1) {
                final Map.Entry<Long, Segment> first = segments.firstEntry();
                final Segment oldest = first.getValue();
                final boolean expired = config.retentionMs() >= 0 && oldest.maxTimestamp() >= 0
                    && nowMs - oldest.maxTimestamp() > config.retentionMs();
                final boolean tooBig = config.retentionBytes() >= 0
                    && sizeInBytes() - oldest.sizeInBytes() >= config.retentionBytes();
                if (!expired && !tooBig) {
                    break;
                }
                final long newStart = segments.higherKey(first.getKey());
                segments.remove(first.getKey());
                oldest.delete();
                if (newStart > logStartOffset) {
                    writeLogStart(newStart);
                    logStartOffset = newStart;
                }
                deleted++;
            }
            return deleted;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Compacts the sealed segments ({@code cleanup.policy=compact}): of the records with a key, only the latest of
     * each key in the whole partition stays; a latest record with a null value (a tombstone) stays until the newest
     * record of its segment is older than {@code deleteRetentionMs}, and then goes too. Records without a key stay.
     * Offsets do not change (compacted batches have gaps), nor do the commit units of the batches that keep a
     * record. The active segment is never rewritten. A segment is rewritten into a {@code .cleaned} file that then
     * atomically replaces it, so a crash leaves either the old or the new segment.
     *
     * @return the number of records removed
     */
    long compact(final long nowMs, final long deleteRetentionMs) {
        ensureOpen();
        final List<Map.Entry<Long, Segment>> snapshot = new ArrayList<>(segments.entrySet());
        if (snapshot.size() < 2) {
            return 0L;
        }
        // the latest offset of every key, over every segment (the active one included)
        final Map<Bytes, Long> latest = new HashMap<>();
        long next = logStartOffset;
        while (true) {
            final List<RawRecord> records = read(next, 10_000);
            if (records.isEmpty()) {
                break;
            }
            for (final RawRecord record : records) {
                if (record.key() != null) {
                    latest.put(Bytes.wrap(record.key()), record.offset());
                }
            }
            next = records.get(records.size() - 1).offset() + 1;
        }
        long removed = 0;
        for (int i = 0; i < snapshot.size() - 1; i++) {
            removed += compactSegment(snapshot.get(i).getValue(), latest, nowMs, deleteRetentionMs);
        }
        return removed;
    }

    private long compactSegment(final Segment segment, final Map<Bytes, Long> latest,
                                final long nowMs, final long deleteRetentionMs) {
        final boolean tombstonesExpired = segment.maxTimestamp() >= 0 && nowMs - segment.maxTimestamp() > deleteRetentionMs;
        final List<Segment.Batch> kept = new ArrayList<>();
        long removed = 0;
        for (final Segment.Batch batch : segment.batches(topic, partition)) {
            final List<RawRecord> keep = new ArrayList<>();
            for (final RawRecord record : batch.records) {
                final boolean stays = record.key() == null
                    || latest.get(Bytes.wrap(record.key())) == record.offset()
                    && !(record.value() == null && tombstonesExpired);
                if (stays) {
                    keep.add(record);
                } else {
                    removed++;
                }
            }
            if (!keep.isEmpty()) {
                kept.add(new Segment.Batch(batch.unit, keep));
            }
        }
        if (removed == 0) {
            return 0;
        }
        final long base = segment.baseOffset();
        final Path cleaned = dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX + CLEANED_SUFFIX));
        try (FileChannel out = FileChannel.open(cleaned,
            StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
            for (final Segment.Batch batch : kept) {
                final ByteBuffer encoded = RecordBatch.encodeKeepingOffsets(batch.records, batch.unit);
                while (encoded.hasRemaining()) {
                    out.write(encoded);
                }
            }
            out.force(true);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the compacted segment " + cleaned, e);
        }
        appendLock.lock();
        try {
            ensureOpen();
            if (segments.get(base) != segment) {
                // truncated or deleted meanwhile: drop the work
                Files.deleteIfExists(cleaned);
                return 0;
            }
            if (segment.maxUnit() > compactedMaxUnit) {
                // the segment may lose its newest unit's batch: remember the unit for the journal's recovery
                writeLong(MAX_UNIT_FILE, segment.maxUnit());
                compactedMaxUnit = segment.maxUnit();
            }
            Files.move(cleaned, dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX)),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // the replaced file stays readable through the old segment's open channel until the partition closes
            final Segment fresh = Segment.open(dir, base, config.indexIntervalBytes(), false,
                config.clock().getAsLong());
            segments.put(base, fresh);
            retired.add(segment);
            return removed;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot install the compacted segment " + cleaned, e);
        } finally {
            appendLock.unlock();
        }
    }

    /** Removes every record at or above {@code offset} (the commit journal's recovery uses this). */
    void truncateTo(final long offset) {
        appendLock.lock();
        try {
            ensureOpen();
            if (offset >= logEndOffset()) {
                return;
            }
            if (offset < logStartOffset) {
                throw new BackendException("cannot truncate " + topic + "-" + partition + " to " + offset
                    + ": below the log start " + logStartOffset);
            }
            while (segments.size() > 1 && segments.lastKey() > offset) {
                segments.pollLastEntry().getValue().delete();
            }
            final Segment last = segments.lastEntry().getValue();
            last.truncateTo(offset);
        } finally {
            appendLock.unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new BackendException("partition " + topic + "-" + partition + " is closed");
        }
    }

    @Override
    public void close() {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (final Segment segment : segments.values()) {
                segment.close();
            }
            for (final Segment segment : retired) {
                segment.close();
            }
            retired.clear();
        } finally {
            appendLock.unlock();
        }
    }

    /** Closes the partition and deletes its directory. */
    void delete() {
        close();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot delete partition " + dir, e);
        }
    }
}
