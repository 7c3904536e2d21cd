package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;

/** Segments in memory: a hash table per segment, its keys sorted on the first range read ({@link HashedSortedMap}). */
final class InMemorySegmentStorage implements SegmentStorage {
    private final TreeMap<Long, HashedSortedMap<byte[]>> segments = new TreeMap<>();
    /** The segment written last and its id: consecutive writes mostly land in one segment. */
    private HashedSortedMap<byte[]> lastSegment;
    private long lastSegmentId = Long.MIN_VALUE;

    private HashedSortedMap<byte[]> segment(final long segmentId) {
        return segmentId == lastSegmentId ? lastSegment : segments.get(segmentId);
    }

    @Override
    public byte[] get(final long segmentId, final Bytes key) {
        final HashedSortedMap<byte[]> segment = segment(segmentId);
        return segment == null ? null : segment.get(key);
    }

    @Override
    public void put(final long segmentId, final Bytes key, final byte[] value) {
        HashedSortedMap<byte[]> segment = segment(segmentId);
        if (value == null) {
            if (segment != null) {
                segment.remove(key);
            }
            return;
        }
        if (segment == null) {
            segment = new HashedSortedMap<>();
            segments.put(segmentId, segment);
        }
        lastSegment = segment;
        lastSegmentId = segmentId;
        segment.put(key, value);
    }

    @Override
    public void dropSegmentsBelow(final long segmentId) {
        if (!segments.isEmpty() && segments.firstKey() < segmentId) {
            segments.headMap(segmentId, false).clear();
            if (lastSegmentId < segmentId) {
                lastSegment = null;
                lastSegmentId = Long.MIN_VALUE;
            }
        }
    }

    @Override
    public List<Long> segmentIds(final long fromId, final long toId) {
        return fromId > toId ? List.of() : new ArrayList<>(segments.subMap(fromId, true, toId, true).keySet());
    }

    @Override
    public List<KeyValue<Bytes, byte[]>> scan(final long segmentId, final Bytes lower, final Bytes upper,
                                              final Predicate<byte[]> keyFilter, final boolean forward) {
        final HashedSortedMap<byte[]> segment = segments.get(segmentId);
        if (segment == null) {
            return List.of();
        }
        NavigableSet<Bytes> keys = segment.sortedKeys();
        if (lower != null) {
            keys = keys.tailSet(lower, true);
        }
        if (upper != null) {
            keys = keys.headSet(upper, true);
        }
        final List<KeyValue<Bytes, byte[]>> snapshot = new ArrayList<>(keys.size());
        for (final Bytes key : forward ? keys : keys.descendingSet()) {
            if (keyFilter.test(key.get())) {
                snapshot.add(KeyValue.pair(key, segment.get(key)));
            }
        }
        return snapshot;
    }

    @Override
    public void clear() {
        segments.clear();
        lastSegment = null;
        lastSegmentId = Long.MIN_VALUE;
    }

    /** An in-memory store forgets its records when it closes. */
    @Override
    public void close() {
        clear();
    }
}
