package io.pspf.runtime.state;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;

/**
 * The layout Kafka's RocksDB window and session stores use: records live in time segments of
 * {@code segmentInterval} ms (segment id = timestamp / interval); within a segment they are ranged in the order of
 * their binary key ({@code key|timestamp|seq} for windows, {@code key|end|start} for sessions). A put observes stream
 * time; a segment older than the one holding {@code observedStreamTime - retentionPeriod} is dropped, and a put
 * into such a segment is skipped. Reads search segments in order and filter records exactly, so iteration order
 * is segment first, then binary key - the order Kafka's persistent stores return. Each segment is read (as a
 * snapshot) when an iteration reaches it, as Kafka opens a segment's iterator. Where the segments are kept is a
 * {@link SegmentStorage}: in memory by default.
 */
final class SegmentedBytesStore {
    private final long retentionPeriod;
    private final long segmentInterval;
    private final long expiryOffset;
    private final SegmentStorage storage;
    private long observedStreamTime = -1L;

    SegmentedBytesStore(final long retentionPeriod, final long segmentInterval) {
        this(retentionPeriod, segmentInterval, 1L, SegmentStorage.inMemory());
    }

    /**
     * @param expiryOffset 1 where records older than {@code observedStreamTime - retentionPeriod + 1} are no longer
     *                     visible (Kafka's key-first stores); 0 for Kafka's time-ordered window store, which still shows
     *                     records at exactly {@code observedStreamTime - retentionPeriod}
     * @param storage      where the segments are kept
     */
    SegmentedBytesStore(final long retentionPeriod, final long segmentInterval, final long expiryOffset,
                        final SegmentStorage storage) {
        this.retentionPeriod = retentionPeriod;
        this.segmentInterval = segmentInterval;
        this.expiryOffset = expiryOffset;
        this.storage = storage;
    }

    SegmentStorage storage() {
        return storage;
    }

    long segmentId(final long timestamp) {
        return timestamp / segmentInterval;
    }

    long observedStreamTime() {
        return observedStreamTime;
    }

    /** Takes up the stream time a durable storage committed, after a restart. */
    void restoreObservedStreamTime(final long streamTime) {
        observedStreamTime = Math.max(observedStreamTime, streamTime);
    }

    /** The earliest timestamp still visible: {@code max(from, observedStreamTime - retentionPeriod + expiryOffset)}. */
    long actualFrom(final long from) {
        return Math.max(from, observedStreamTime - retentionPeriod + expiryOffset);
    }

    /**
     * Writes (or with a null value deletes) a record whose segment timestamp is {@code timestamp}.
     *
     * @return false when the record's segment has expired and the record was skipped
     */
    boolean put(final Bytes binaryKey, final byte[] value, final long timestamp) {
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        final long segmentId = segmentId(timestamp);
        final long minLiveSegment = segmentId(observedStreamTime - retentionPeriod);
        final boolean live = segmentId >= minLiveSegment;
        if (live) {
            storage.put(segmentId, binaryKey, value);
        }
        storage.dropSegmentsBelow(minLiveSegment);
        return live;
    }

    /** Removes a record from its segment, if the segment is still there; like a put, it observes stream time. */
    void remove(final Bytes binaryKey, final long timestamp) {
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        storage.put(segmentId(timestamp), binaryKey, null);
    }

    /** Reads one record; null when it is absent or older than the retention bound. */
    byte[] get(final Bytes binaryKey, final long timestamp) {
        if (timestamp < observedStreamTime - retentionPeriod + expiryOffset) {
            return null;
        }
        return storage.get(segmentId(timestamp), binaryKey);
    }

    /**
     * The records of the segments whose ids lie between those of {@code timeFrom} and {@code timeTo}, from
     * {@code lowerBound} on within each segment (null: from the start), that pass the filter.
     */
    Iterator<KeyValue<Bytes, byte[]>> scan(final long timeFrom, final long timeTo, final Bytes lowerBound,
                                           final Bytes upperBound, final Predicate<byte[]> filter,
                                           final boolean forward) {
        return scan(storage.segmentIds(segmentId(timeFrom), segmentId(timeTo)), lowerBound, upperBound, filter, forward);
    }

    /** The records of all segments that pass the filter. */
    Iterator<KeyValue<Bytes, byte[]>> scanAll(final Predicate<byte[]> filter, final boolean forward) {
        return scan(storage.segmentIds(Long.MIN_VALUE, Long.MAX_VALUE), null, null, filter, forward);
    }

    private Iterator<KeyValue<Bytes, byte[]>> scan(final List<Long> ascendingIds, final Bytes lowerBound,
                                                   final Bytes upperBound, final Predicate<byte[]> filter,
                                                   final boolean forward) {
        if (!forward) {
            Collections.reverse(ascendingIds);
        }
        final Iterator<Long> segmentIterator = ascendingIds.iterator();
        return new Iterator<>() {
            private Iterator<KeyValue<Bytes, byte[]>> records;
            private KeyValue<Bytes, byte[]> next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (records == null || !records.hasNext()) {
                        if (!segmentIterator.hasNext()) {
                            return false;
                        }
                        records = storage.scan(segmentIterator.next(), lowerBound, upperBound, filter, forward).iterator();
                        continue;
                    }
                    next = records.next();
                }
                return true;
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                final KeyValue<Bytes, byte[]> result = next;
                next = null;
                return result;
            }
        };
    }

    void clear() {
        storage.clear();
    }
}
