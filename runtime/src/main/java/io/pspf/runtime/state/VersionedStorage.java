package io.pspf.runtime.state;

import java.util.List;

import org.apache.kafka.common.utils.Bytes;

/**
 * Where a versioned key-value store ({@link InMemoryVersionedBytesStore}'s rules, which are Kafka's) keeps its
 * records: the latest version of each key, and history segments of {@link VersionedSegmentRow}s by segment id. The
 * store decides what goes where; the storage keeps it, in memory ({@link #inMemory()}) or in a database (the SQLite
 * module's). A row read from the storage and changed is written back with {@link #putRow}.
 */
public interface VersionedStorage extends StoreStorage {
    /** The newest version of a key: never a tombstone. */
    final class Latest {
        public final byte[] value;
        public final long timestamp;

        public Latest(final byte[] value, final long timestamp) {
            this.value = value;
            this.timestamp = timestamp;
        }
    }

    /** The latest version of {@code key}, or null. */
    Latest latest(Bytes key);

    void putLatest(Bytes key, byte[] value, long timestamp);

    void removeLatest(Bytes key);

    /** The number of keys with a latest version. */
    long latestCount();

    boolean hasSegment(long segmentId);

    void createSegment(long segmentId);

    /** The row of {@code key} in a segment, or null. */
    VersionedSegmentRow row(long segmentId, Bytes key);

    /** Writes a row (a new one, or one read and changed). */
    void putRow(long segmentId, Bytes key, VersionedSegmentRow row);

    /** The ids of the existing segments at or above {@code fromSegmentId}, newest first. */
    List<Long> segmentIdsNewestFirst(long fromSegmentId);

    void dropSegmentsBelow(long segmentId);

    void clear();

    /** A new storage in memory: the default. */
    static VersionedStorage inMemory() {
        return new InMemoryVersionedStorage();
    }
}
