package io.pspf.runtime.state;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.kafka.common.serialization.Serializer;
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
 * The versioned key-value bytes store, with the semantics of Kafka's RocksDB versioned store kept in memory:
 * every key has versions by timestamp (a null value is a tombstone version). The store observes stream time as
 * the largest timestamp put; a put or delete older than {@code observedStreamTime - historyRetention} (the grace
 * period equals the history retention) is not applied. {@code get(key, asOf)} answers from the full history as
 * long as {@code asOf} is within the history retention; beyond it, only the latest version is returned, and only
 * if it satisfies the bound. Versions that can never be read again are dropped.
 *
 * <p>{@link #get(Bytes, long)} and {@link #get(Bytes)} return [timestamp: 8][value], or null.
 * {@link #persistent()} is true: this store stands in for Kafka's persistent versioned store.
 */
public final class InMemoryVersionedBytesStore implements VersionedBytesStore {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryVersionedBytesStore.class);

    private final String name;
    private final long historyRetention;
    private final TreeMap<Bytes, TreeMap<Long, byte[]>> versions = new TreeMap<>();
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private long observedStreamTime = -1L;
    private volatile boolean open;

    /**
     * @param name             the store name
     * @param historyRetention how far behind observed stream time old versions stay readable, in ms
     */
    public InMemoryVersionedBytesStore(final String name, final long historyRetention) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.historyRetention = historyRetention;
    }

    /** @return the history retention in ms */
    public long historyRetention() {
        return historyRetention;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
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
            return VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT;
        }
        observedStreamTime = Math.max(observedStreamTime, timestamp);
        final TreeMap<Long, byte[]> history = versions.computeIfAbsent(key, k -> new TreeMap<>());
        history.put(timestamp, value);
        final Long validTo = history.higherKey(timestamp);
        prune(key, history);
        Iterators.updatePosition(position, context);
        return validTo == null ? VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED : validTo;
    }

    /** Drops versions whose validity ended before the history retention bound, and keys left with only a tombstone. */
    private void prune(final Bytes key, final TreeMap<Long, byte[]> history) {
        final long bound = observedStreamTime - historyRetention;
        while (history.size() > 1) {
            final Map.Entry<Long, byte[]> eldest = history.firstEntry();
            final Long validTo = history.higherKey(eldest.getKey());
            if (validTo != null && validTo <= bound) {
                history.pollFirstEntry();
            } else {
                break;
            }
        }
        if (history.size() == 1 && history.firstEntry().getValue() == null && history.firstKey() <= bound) {
            versions.remove(key);
        }
    }

    @Override
    public byte[] get(final Bytes key, final long asOfTimestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        final TreeMap<Long, byte[]> history = versions.get(key);
        if (history == null) {
            return null;
        }
        if (asOfTimestamp < observedStreamTime - historyRetention) {
            // beyond the history retention only the latest version is still valid, if it satisfies the bound
            final Map.Entry<Long, byte[]> latest = history.lastEntry();
            if (latest.getValue() != null && latest.getKey() <= asOfTimestamp) {
                return StoreFormats.withTimestamp(latest.getKey(), latest.getValue());
            }
            LOG.warn("Returning null for expired get.");
            return null;
        }
        final Map.Entry<Long, byte[]> version = history.floorEntry(asOfTimestamp);
        if (version == null || version.getValue() == null) {
            return null;
        }
        return StoreFormats.withTimestamp(version.getKey(), version.getValue());
    }

    @Override
    public byte[] get(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        final TreeMap<Long, byte[]> history = versions.get(key);
        if (history == null) {
            return null;
        }
        final Map.Entry<Long, byte[]> latest = history.lastEntry();
        return latest.getValue() == null ? null : StoreFormats.withTimestamp(latest.getKey(), latest.getValue());
    }

    @Override
    public byte[] delete(final Bytes key, final long timestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        if (timestamp < observedStreamTime - historyRetention) {
            LOG.warn("Skipping record for expired delete.");
            return null;
        }
        final byte[] existing = get(key, timestamp);
        put(key, null, timestamp);
        return existing;
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
        return versions.size();
    }

    @Override
    public void flush() {
        // nothing to do: every write is already in memory
    }

    @Override
    public void close() {
        versions.clear();
        open = false;
    }
}
