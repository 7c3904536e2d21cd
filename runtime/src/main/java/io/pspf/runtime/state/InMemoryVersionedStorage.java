package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.utils.Bytes;

/** A versioned store's records in memory; rows are kept as objects, so writing one back costs a map put. */
final class InMemoryVersionedStorage implements VersionedStorage {
    private final Map<Bytes, Latest> latest = new HashMap<>();
    private final TreeMap<Long, Map<Bytes, VersionedSegmentRow>> segments = new TreeMap<>();

    @Override
    public Latest latest(final Bytes key) {
        return latest.get(key);
    }

    @Override
    public void putLatest(final Bytes key, final byte[] value, final long timestamp) {
        latest.put(key, new Latest(value, timestamp));
    }

    @Override
    public void removeLatest(final Bytes key) {
        latest.remove(key);
    }

    @Override
    public long latestCount() {
        return latest.size();
    }

    @Override
    public boolean hasSegment(final long segmentId) {
        return segments.containsKey(segmentId);
    }

    @Override
    public void createSegment(final long segmentId) {
        segments.computeIfAbsent(segmentId, id -> new HashMap<>());
    }

    @Override
    public VersionedSegmentRow row(final long segmentId, final Bytes key) {
        final Map<Bytes, VersionedSegmentRow> segment = segments.get(segmentId);
        return segment == null ? null : segment.get(key);
    }

    @Override
    public void putRow(final long segmentId, final Bytes key, final VersionedSegmentRow row) {
        segments.computeIfAbsent(segmentId, id -> new HashMap<>()).put(key, row);
    }

    @Override
    public List<Long> segmentIdsNewestFirst(final long fromSegmentId) {
        return new ArrayList<>(segments.tailMap(fromSegmentId, true).descendingKeySet());
    }

    @Override
    public void dropSegmentsBelow(final long segmentId) {
        segments.headMap(segmentId, false).clear();
    }

    @Override
    public void clear() {
        latest.clear();
        segments.clear();
    }

    /** An in-memory store forgets its records when it closes. */
    @Override
    public void close() {
        clear();
    }
}
