package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;

/**
 * The layout Kafka's RocksDB window and session stores use, kept in memory: records live in time segments of
 * {@code segmentInterval} ms (segment id = timestamp / interval); within a segment they are ranged in the order of
 * their binary key ({@code key|timestamp|seq} for windows, {@code key|end|start} for sessions), which a segment
 * sorts only on its first range read ({@link HashedSortedMap}). A put observes stream
 * time; a segment older than the one holding {@code observedStreamTime - retentionPeriod} is dropped, and a put
 * into such a segment is skipped. Reads search segments in order and filter records exactly, so iteration order
 * is segment first, then binary key - the order Kafka's persistent stores return.
 */
final class SegmentedBytesStore {
    private final long retentionPeriod;
    private final long segmentInterval;
    private final long expiryOffset;
    private final TreeMap<Long, HashedSortedMap<byte[]>> segments = new TreeMap<>();
    /** The segment written last and its id: consecutive writes mostly land in one segment. */
    private HashedSortedMap<byte[]> lastSegment;
    private long lastSegmentId = Long.MIN_VALUE;
    private long observedStreamTime = -1L;

    SegmentedBytesStore(final long retentionPeriod, final long segmentInterval) {
        this(retentionPeriod, segmentInterval, 1L);
    }

    /**
     * @param expiryOffset 1 where records older than {@code observedStreamTime - retentionPeriod + 1} are no longer
     *                     visible (Kafka's key-first stores); 0 for Kafka's time-ordered window store, which still shows
     *                     records at exactly {@code observedStreamTime - retentionPeriod}
     */
    SegmentedBytesStore(final long retentionPeriod, final long segmentInterval, final long expiryOffset) {
        this.retentionPeriod = retentionPeriod;
        this.segmentInterval = segmentInterval;
        this.expiryOffset = expiryOffset;
    }

    long segmentId(final long timestamp) {
        return timestamp / segmentInterval;
    }

    long observedStreamTime() {
        return observedStreamTime;
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
            HashedSortedMap<byte[]> segment = lastSegmentId == segmentId ? lastSegment : null;
            if (segment == null) {
                segment = segments.computeIfAbsent(segmentId, id -> new HashedSortedMap<>());
                lastSegment = segment;
                lastSegmentId = segmentId;
            }
            if (value == null) {
                segment.remove(binaryKey);
            } else {
                segment.put(binaryKey, value);
            }
        }
        if (!segments.isEmpty() && segments.firstKey() < minLiveSegment) {
            segments.headMap(minLiveSegment, false).clear();
            if (lastSegmentId < minLiveSegment) {
                lastSegment = null;
                lastSegmentId = Long.MIN_VALUE;
            }
        }
        return live;
    }

    /** Removes a record from its segment, if the segment is still there; like a put, it observes stream time. */
    void remove(final Bytes binaryKey, final long timestamp) {
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        final HashedSortedMap<byte[]> segment = segments.get(segmentId(timestamp));
        if (segment != null) {
            segment.remove(binaryKey);
        }
    }

    /** Reads one record; null when it is absent or older than the retention bound. */
    byte[] get(final Bytes binaryKey, final long timestamp) {
        if (timestamp < observedStreamTime - retentionPeriod + expiryOffset) {
            return null;
        }
        final long segmentId = segmentId(timestamp);
        final HashedSortedMap<byte[]> segment = segmentId == lastSegmentId ? lastSegment : segments.get(segmentId);
        return segment == null ? null : segment.get(binaryKey);
    }

    /**
     * The records of the segments whose ids lie between those of {@code timeFrom} and {@code timeTo}, from
     * {@code lowerBound} on within each segment (null: from the start), that pass the filter.
     */
    Iterator<KeyValue<Bytes, byte[]>> scan(final long timeFrom, final long timeTo, final Bytes lowerBound,
                                           final Bytes upperBound, final Predicate<byte[]> filter,
                                           final boolean forward) {
        final List<HashedSortedMap<byte[]>> searched = new ArrayList<>();
        final long fromId = segmentId(timeFrom);
        final long toId = segmentId(timeTo);
        if (fromId <= toId) {
            final NavigableMap<Long, HashedSortedMap<byte[]>> range = segments.subMap(fromId, true, toId, true);
            searched.addAll((forward ? range : range.descendingMap()).values());
        }
        return scan(searched, lowerBound, upperBound, filter, forward);
    }

    /** The records of all segments that pass the filter. */
    Iterator<KeyValue<Bytes, byte[]>> scanAll(final Predicate<byte[]> filter, final boolean forward) {
        return scan(new ArrayList<>((forward ? segments : segments.descendingMap()).values()), null, null, filter, forward);
    }

    private static Iterator<KeyValue<Bytes, byte[]>> scan(final List<HashedSortedMap<byte[]>> searched,
                                                          final Bytes lowerBound, final Bytes upperBound,
                                                          final Predicate<byte[]> filter, final boolean forward) {
        final Iterator<HashedSortedMap<byte[]>> segmentIterator = searched.iterator();
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
                        final HashedSortedMap<byte[]> segment = segmentIterator.next();
                        NavigableSet<Bytes> keys = segment.sortedKeys();
                        if (lowerBound != null) {
                            keys = keys.tailSet(lowerBound, true);
                        }
                        if (upperBound != null) {
                            keys = keys.headSet(upperBound, true);
                        }
                        // a snapshot, so that writes during iteration cannot break it
                        final List<KeyValue<Bytes, byte[]>> snapshot = new ArrayList<>(keys.size());
                        for (final Bytes key : forward ? keys : keys.descendingSet()) {
                            if (filter.test(key.get())) {
                                snapshot.add(KeyValue.pair(key, segment.get(key)));
                            }
                        }
                        records = snapshot.iterator();
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
        segments.clear();
        lastSegment = null;
        lastSegmentId = Long.MIN_VALUE;
    }
}
