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
    private final TreeMap<Bytes, Versions> versions = new TreeMap<>();
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
        final Versions versions = this.versions.computeIfAbsent(key, k -> new Versions());
        final long validTo = versions.put(value, timestamp);
        versions.prune(observedStreamTime - historyRetention);
        if (versions.isEmpty()) {
            this.versions.remove(key);
        }
        Iterators.updatePosition(position, context);
        return validTo;
    }

    @Override
    public byte[] get(final Bytes key, final long asOfTimestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        final Versions versions = this.versions.get(key);
        if (versions == null) {
            return null;
        }
        if (versions.latestValue != null && versions.latestTimestamp <= asOfTimestamp) {
            return StoreFormats.withTimestamp(versions.latestTimestamp, versions.latestValue);
        }
        if (asOfTimestamp < observedStreamTime - historyRetention) {
            // beyond the history retention only the latest version, checked above, is still answered
            LOG.warn("Returning null for expired get.");
            return null;
        }
        final Map.Entry<Long, Version> version = versions.history.floorEntry(asOfTimestamp);
        if (version == null || version.getValue().validTo <= asOfTimestamp || version.getValue().value == null) {
            return null;
        }
        return StoreFormats.withTimestamp(version.getKey(), version.getValue().value);
    }

    @Override
    public byte[] get(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        final Versions versions = this.versions.get(key);
        if (versions == null || versions.latestValue == null) {
            return null;
        }
        return StoreFormats.withTimestamp(versions.latestTimestamp, versions.latestValue);
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
    public void close() {
        versions.clear();
        open = false;
    }

    /** A history entry: a value (null for a tombstone) valid from its timestamp until {@code validTo}. */
    private static final class Version {
        final long validTo;
        final byte[] value;

        Version(final long validTo, final byte[] value) {
            this.validTo = validTo;
            this.value = value;
        }
    }

    /**
     * The versions of one key, laid out as Kafka's versioned store lays them out: the latest value (never a
     * tombstone) apart, and older versions with explicit validity intervals. Deleting the latest value leaves no
     * tombstone behind: the previous version's validity simply ends there.
     */
    private static final class Versions {
        final TreeMap<Long, Version> history = new TreeMap<>();
        byte[] latestValue;
        long latestTimestamp;

        boolean isEmpty() {
            return latestValue == null && history.isEmpty();
        }

        /** Puts a version and returns its validTo, or PUT_RETURN_CODE_VALID_TO_UNDEFINED when it has none. */
        long put(final byte[] value, final long timestamp) {
            if (latestValue != null && timestamp >= latestTimestamp) {
                if (timestamp > latestTimestamp) {
                    history.put(latestTimestamp, new Version(timestamp, latestValue));
                }
                latestValue = value;
                latestTimestamp = timestamp;
                return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
            }
            final Map.Entry<Long, Version> covering = history.floorEntry(timestamp);
            if (covering != null && covering.getKey() == timestamp && covering.getValue().validTo > timestamp) {
                history.put(timestamp, new Version(covering.getValue().validTo, value));
                return covering.getValue().validTo;
            }
            if (covering != null && covering.getKey() < timestamp && covering.getValue().validTo > timestamp) {
                // the new version splits the one that covered its timestamp
                final long validTo = covering.getValue().validTo;
                history.put(covering.getKey(), new Version(timestamp, covering.getValue().value));
                history.put(timestamp, new Version(validTo, value));
                return validTo;
            }
            // the timestamp falls in a gap: the new version lasts until the next one, if any
            Long next = history.higherKey(timestamp);
            if (latestValue != null && (next == null || latestTimestamp < next)) {
                next = latestTimestamp;
            }
            if (next == null) {
                history.remove(timestamp);
                if (value != null) {
                    latestValue = value;
                    latestTimestamp = timestamp;
                } else {
                    history.put(timestamp, new Version(timestamp, null));
                }
                return VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
            }
            history.put(timestamp, new Version(next, value));
            return next;
        }

        /** Drops history that can never be read again: versions whose validity ended by {@code bound}. */
        void prune(final long bound) {
            history.entrySet().removeIf(entry -> entry.getValue().validTo <= bound && entry.getKey() < bound);
        }
    }
}
