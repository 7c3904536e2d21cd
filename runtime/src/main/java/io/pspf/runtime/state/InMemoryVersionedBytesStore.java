package io.pspf.runtime.state;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versioned key-value bytes store, with the semantics of Kafka's RocksDB versioned store kept in memory.
 *
 * <p>As in Kafka, the newest version of each key lives in a latest-value map (never a tombstone), and older
 * versions live in time segments of {@code segmentInterval} ms, filed under the segment of their validTo
 * timestamp (see {@link VersionedSegmentRow}). The store observes stream time as the largest timestamp written; a
 * put or delete older than {@code observedStreamTime - historyRetention} is not applied, reads as of a time before
 * that bound see only the latest value, and segments wholly before it are dropped. A tombstone is kept only in
 * history: as the end of the version before it, or as a lone tombstone when nothing in the searched segments
 * precedes it; a tombstone at the latest value's own timestamp erases that value without a trace.
 *
 * <p>{@link #get(Bytes, long)} and {@link #get(Bytes)} return [timestamp: 8][value], or null.
 * {@link #persistent()} is true: this store stands in for Kafka's persistent versioned store.
 */
public final class InMemoryVersionedBytesStore implements VersionedBytesStore {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryVersionedBytesStore.class);
    /** Marks "no later version found yet" while a put searches for the validTo of the version it writes. */
    private static final long NONE_FOUND = Long.MIN_VALUE;

    private final String name;
    private final long historyRetention;
    private final long segmentInterval;
    private final VersionedStorage storage;
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private long observedStreamTime = -1L;
    private volatile boolean open;

    /**
     * A store with Kafka's default segment interval for the retention.
     *
     * @param name             the store name
     * @param historyRetention how far behind observed stream time old versions stay readable, in ms
     */
    public InMemoryVersionedBytesStore(final String name, final long historyRetention) {
        this(name, historyRetention, PspfVersionedBytesStoreSupplier.defaultSegmentInterval(historyRetention));
    }

    /**
     * @param name             the store name
     * @param historyRetention how far behind observed stream time old versions stay readable, in ms
     * @param segmentInterval  the width of a history segment, in ms
     */
    public InMemoryVersionedBytesStore(final String name, final long historyRetention, final long segmentInterval) {
        this(name, historyRetention, segmentInterval, VersionedStorage.inMemory());
    }

    /** As {@link #InMemoryVersionedBytesStore(String, long, long)}, keeping the records in {@code storage}. */
    public InMemoryVersionedBytesStore(final String name, final long historyRetention, final long segmentInterval,
                                       final VersionedStorage storage) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.historyRetention = historyRetention;
        this.segmentInterval = segmentInterval;
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** @return the history retention in ms */
    public long historyRetention() {
        return historyRetention;
    }

    /** @return the segment interval in ms */
    public long segmentInterval() {
        return segmentInterval;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
        storage.open(context, name);
        observedStreamTime = Math.max(observedStreamTime, storage.committedStreamTime());
        if (root != null) {
            context.register(root, (TimestampedRestoreCallback) (key, value, timestamp) -> put(Bytes.wrap(key), value, timestamp));
        }
        open = true;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }

    @Override
    public long put(final Bytes key, final byte[] value, final long timestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        if (timestamp < observedStreamTime - historyRetention) {
            LOG.warn("Skipping record for expired put.");
            StoreSupport.updatePosition(position, context);
            return VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT;
        }
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        final long validTo = write(key, value, timestamp);
        StoreSupport.updatePosition(position, context);
        return validTo;
    }

    @Override
    public byte[] get(final Bytes key, final long asOfTimestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        final VersionedStorage.Latest newest = storage.latest(key);
        if (asOfTimestamp < observedStreamTime - historyRetention) {
            // beyond the history retention only the latest version is still answered
            if (newest != null && newest.timestamp <= asOfTimestamp) {
                return StoreFormats.withTimestamp(newest.timestamp, newest.value);
            }
            LOG.warn("Returning null for expired get.");
            return null;
        }
        if (newest != null && newest.timestamp <= asOfTimestamp) {
            return StoreFormats.withTimestamp(newest.timestamp, newest.value);
        }
        for (final long segmentId : storage.segmentIdsNewestFirst(segmentId(asOfTimestamp))) {
            final VersionedSegmentRow row = storage.row(segmentId, key);
            if (row == null) {
                continue;
            }
            if (row.next() <= asOfTimestamp) {
                // this segment ends before asOf, so no older segment can cover it either
                return null;
            }
            if (row.min() > asOfTimestamp) {
                continue;
            }
            final VersionedSegmentRow.Found found = row.find(asOfTimestamp);
            return found.value == null ? null : StoreFormats.withTimestamp(found.validFrom, found.value);
        }
        return null;
    }

    @Override
    public byte[] get(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        final VersionedStorage.Latest newest = storage.latest(key);
        return newest == null ? null : StoreFormats.withTimestamp(newest.timestamp, newest.value);
    }

    @Override
    public byte[] delete(final Bytes key, final long timestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        if (timestamp < observedStreamTime - historyRetention) {
            LOG.warn("Skipping record for expired delete.");
            return null;
        }
        final byte[] existing = get(key, timestamp);
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        write(key, null, timestamp);
        StoreSupport.updatePosition(position, context);
        return existing;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Writes one version (value null: a tombstone) and returns its validTo, or PUT_RETURN_CODE_VALID_TO_UNDEFINED.
     * Like Kafka, a version dropped because the segment it belongs in has expired also reports "undefined".
     */
    private long write(final Bytes key, final byte[] value, final long timestamp) {
        dropExpiredSegments();
        long validTo = NONE_FOUND;

        // 1. the latest value: a write at or after it replaces it and files it into history
        final VersionedStorage.Latest newest = storage.latest(key);
        if (newest != null) {
            if (timestamp >= newest.timestamp) {
                if (timestamp > newest.timestamp) {
                    final long segmentId = segmentId(timestamp);
                    if (liveSegment(segmentId)) {
                        final VersionedSegmentRow row = storage.row(segmentId, key);
                        if (row == null) {
                            storage.putRow(segmentId, key, VersionedSegmentRow.of(newest.value, newest.timestamp, timestamp));
                        } else {
                            row.insertAsLatest(newest.timestamp, timestamp, newest.value);
                            storage.putRow(segmentId, key, row);
                        }
                    }
                }
                if (value != null) {
                    storage.putLatest(key, value, timestamp);
                } else {
                    storage.removeLatest(key);
                }
                return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
            }
            validTo = newest.timestamp;
        }

        // 2. the segments from the newest down to the one of the timestamp
        final long historyStart = observedStreamTime - historyRetention;
        for (final long segmentId : storage.segmentIdsNewestFirst(segmentId(timestamp))) {
            final VersionedSegmentRow row = storage.row(segmentId, key);
            if (row == null) {
                continue;
            }
            if (row.next() <= timestamp) {
                // neither this segment nor an older one holds a version the write overlaps
                break;
            }
            if (row.min() <= timestamp) {
                return writeIntoRow(segmentId, row, key, value, timestamp);
            }
            if (row.min() < historyStart) {
                return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
            }
            validTo = row.min();
        }

        // 3. the write is the newest or the oldest version of the segment its validTo falls in
        return validTo == NONE_FOUND ? writeNewest(key, value, timestamp) : writeBefore(key, value, timestamp, validTo);
    }

    /** Writes a version into a row whose versions cover its timestamp; returns the validTo it gets. */
    private long writeIntoRow(final long segmentId, final VersionedSegmentRow row, final Bytes key,
                              final byte[] value, final long timestamp) {
        final VersionedSegmentRow.Found covering = row.find(timestamp);
        if (covering.validFrom == timestamp) {
            row.update(timestamp, value, covering.index);
            storage.putRow(segmentId, key, row);
            return covering.validTo;
        }
        final long ownSegmentId = segmentId(timestamp);
        if (ownSegmentId != segmentId) {
            // the covered version now ends at the timestamp, so it moves to that (older) segment
            if (liveSegment(ownSegmentId)) {
                final VersionedSegmentRow olderRow = storage.row(ownSegmentId, key);
                if (olderRow == null) {
                    storage.putRow(ownSegmentId, key, VersionedSegmentRow.of(covering.value, covering.validFrom, timestamp));
                } else {
                    olderRow.insertAsLatest(covering.validFrom, timestamp, covering.value);
                    storage.putRow(ownSegmentId, key, olderRow);
                }
            }
            row.update(timestamp, value, covering.index);
            storage.putRow(segmentId, key, row);
            return covering.validTo;
        }
        row.insert(timestamp, value, covering.index);
        storage.putRow(segmentId, key, row);
        return covering.validTo;
    }

    /** Writes a version nothing later exists for: a value becomes the latest; a tombstone goes to history. */
    private long writeNewest(final Bytes key, final byte[] value, final long timestamp) {
        if (value != null) {
            storage.putLatest(key, value, timestamp);
            return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
        }
        final long segmentId = segmentId(timestamp);
        if (!liveSegment(segmentId)) {
            return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
        }
        final VersionedSegmentRow row = storage.row(segmentId, key);
        if (row == null) {
            // a lone tombstone: no validity interval of its own
            storage.putRow(segmentId, key, VersionedSegmentRow.of(null, timestamp, timestamp));
        } else if (row.next() != timestamp) {
            row.insertAsLatest(row.next(), timestamp, null);
            storage.putRow(segmentId, key, row);
        }
        return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
    }

    /** Writes a version valid until {@code validTo}, into the segment of {@code validTo}. */
    private long writeBefore(final Bytes key, final byte[] value, final long timestamp, final long validTo) {
        final long segmentId = segmentId(validTo);
        if (!liveSegment(segmentId)) {
            return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
        }
        final VersionedSegmentRow row = storage.row(segmentId, key);
        if (row == null) {
            storage.putRow(segmentId, key, VersionedSegmentRow.of(value, timestamp, validTo));
            return validTo;
        }
        if (row.next() <= timestamp) {
            row.insertAsLatest(timestamp, validTo, value);
        } else {
            row.insertAsEarliest(timestamp, value);
        }
        storage.putRow(segmentId, key, row);
        return validTo;
    }

    // ------------------------------------------------------------------------------------------------ segments

    private long segmentId(final long timestamp) {
        return timestamp / segmentInterval;
    }

    /** Drops the segments that end before the history retention bound. */
    private void dropExpiredSegments() {
        storage.dropSegmentsBelow(segmentId(observedStreamTime - historyRetention));
    }

    /** Whether the segment with this id is live (it is then created if needed); false when it has expired. */
    private boolean liveSegment(final long segmentId) {
        if (segmentId < segmentId(observedStreamTime - historyRetention)) {
            return false;
        }
        if (!storage.hasSegment(segmentId)) {
            if (segmentId < 0L) {
                // Kafka names a new segment first, and refuses to name one with a negative id
                throw new IllegalArgumentException("Negative segment IDs are reserved for reserved segments, which "
                    + "have custom names that should not be accessed from this method");
            }
            storage.createSegment(segmentId);
        }
        return true;
    }

    /**
     * Not supported: a versioned store is written with a timestamp.
     *
     * @throws UnsupportedOperationException always, as Kafka's versioned stores do
     */
    @Override
    public void put(final Bytes key, final byte[] value) {
        throw new UnsupportedOperationException("Versioned key-value stores should use put(key, value, timestamp) instead");
    }

    /**
     * Not supported: a versioned store is written with a timestamp.
     *
     * @throws UnsupportedOperationException always, as Kafka's versioned stores do
     */
    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        throw new UnsupportedOperationException("Versioned key-value stores do not support putIfAbsent(key, value)");
    }

    /**
     * Not supported: a versioned store is written with a timestamp.
     *
     * @throws UnsupportedOperationException always, as Kafka's versioned stores do
     */
    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        throw new UnsupportedOperationException("Versioned key-value stores do not support putAll(entries)");
    }

    /**
     * Not supported: a versioned store is deleted from with a timestamp.
     *
     * @throws UnsupportedOperationException always, as Kafka's versioned stores do
     */
    @Override
    public byte[] delete(final Bytes key) {
        throw new UnsupportedOperationException("Versioned key-value stores should use delete(key, timestamp) instead");
    }

    /**
     * Not supported by versioned stores.
     *
     * @throws UnsupportedOperationException always, as Kafka's versioned stores do
     */
    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        throw new UnsupportedOperationException("Versioned key-value stores do not support range(from, to)");
    }

    /**
     * Not supported by versioned stores.
     *
     * @throws UnsupportedOperationException always, as Kafka's versioned stores do
     */
    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        throw new UnsupportedOperationException("Versioned key-value stores do not support all()");
    }

    /**
     * Not supported by versioned stores.
     *
     * @throws UnsupportedOperationException always, as Kafka's versioned stores do
     */
    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                  final PS prefixKeySerializer) {
        throw new UnsupportedOperationException("Versioned key-value stores do not support prefixScan(prefix, serializer)");
    }

    @Override
    public long approximateNumEntries() {
        return storage.latestCount();
    }

    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
        storage.commit(changelogOffsets, observedStreamTime);
    }

    @Override
    public boolean managesOffsets() {
        return storage.managesOffsets();
    }

    @Override
    public Long committedOffset(final TopicPartition partition) {
        return storage.committedOffset(partition);
    }

    @Override
    public void close() {
        storage.close();
        open = false;
    }
}
