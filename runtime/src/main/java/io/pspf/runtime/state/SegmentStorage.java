package io.pspf.runtime.state;

import java.util.List;
import java.util.function.Predicate;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;

/**
 * Where a segmented (window or session) store keeps its records: segments by id, each a map of binary keys read in
 * unsigned byte order. {@link SegmentedBytesStore} decides which segments live and which records a read wants;
 * the storage only keeps them, in memory ({@link #inMemory()}) or in a database (the SQLite module's).
 *
 * <p>A durable storage commits its writes with the changelog offsets and the observed stream time they reflect,
 * and gives both back after a restart.
 */
public interface SegmentStorage extends StoreStorage {

    byte[] get(long segmentId, Bytes key);

    /** Writes a record, or deletes it when {@code value} is null. */
    void put(long segmentId, Bytes key, byte[] value);

    /** Deletes every segment with an id below {@code segmentId}. */
    void dropSegmentsBelow(long segmentId);

    /** The ids of the segments that hold records, between {@code fromId} and {@code toId} inclusive, ascending. */
    List<Long> segmentIds(long fromId, long toId);

    /**
     * A snapshot of one segment's records with keys in {@code [lower, upper]} (a null bound is open) that pass the
     * filter, in key order or reversed.
     */
    List<KeyValue<Bytes, byte[]>> scan(long segmentId, Bytes lower, Bytes upper, Predicate<byte[]> keyFilter,
                                       boolean forward);

    void clear();

    /** A new storage in memory: the default of PSPF's segmented stores. */
    static SegmentStorage inMemory() {
        return new InMemorySegmentStorage();
    }
}
