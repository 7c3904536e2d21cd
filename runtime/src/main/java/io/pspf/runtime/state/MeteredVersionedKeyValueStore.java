package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * The outer layer of versioned stores: serializes keys and values and turns the store's [timestamp][value] bytes
 * into {@link VersionedRecord}s (without {@code validTo}, as Kafka's metered versioned store returns them).
 *
 * @param <K> key type
 * @param <V> value type
 */
final class MeteredVersionedKeyValueStore<K, V> extends WrappedStore<VersionedBytesStore>
    implements VersionedKeyValueStore<K, V> {
    private final String metricsScope;
    private final StoreSerdes<K, V> serdes;

    @SuppressWarnings("unchecked")
    MeteredVersionedKeyValueStore(final VersionedBytesStore inner, final String metricsScope, final Serde<K> keySerde,
                                  final Serde<V> valueSerde) {
        super(inner);
        this.metricsScope = metricsScope;
        this.serdes = new StoreSerdes<>(keySerde, valueSerde, defaults -> (Serde<V>) (Serde<?>) defaults);
    }

    /** @return the metrics scope of the store's supplier */
    String metricsScope() {
        return metricsScope;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        serdes.init(context, name());
        super.init(context, root);
    }

    @Override
    public long put(final K key, final V value, final long timestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        return wrapped().put(serdes.keyBytes(key), serdes.valueBytes(value), timestamp);
    }

    @Override
    public VersionedRecord<V> delete(final K key, final long timestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        return record(wrapped().delete(serdes.keyBytes(key), timestamp));
    }

    @Override
    public VersionedRecord<V> get(final K key) {
        Objects.requireNonNull(key, "key cannot be null");
        return record(wrapped().get(serdes.keyBytes(key)));
    }

    @Override
    public VersionedRecord<V> get(final K key, final long asOfTimestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        return record(wrapped().get(serdes.keyBytes(key), asOfTimestamp));
    }

    private VersionedRecord<V> record(final byte[] timestamped) {
        if (timestamped == null) {
            return null;
        }
        return new VersionedRecord<>(serdes.value(StoreFormats.rawValue(timestamped)), StoreFormats.timestamp(timestamped));
    }
}
