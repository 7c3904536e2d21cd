package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Builds key-value stores: metered (serdes) over optional caching over optional change-logging over the
 * supplier's bytes store.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class KeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<K, V, KeyValueStore<K, V>> {
    private final KeyValueBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the value serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public KeyValueStoreBuilder(final KeyValueBytesStoreSupplier supplier, final Serde<K> keySerde,
                                final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier can't be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    @Override
    public KeyValueStore<K, V> build() {
        return new MeteredKeyValueStore<>(Layers.keyValue(KafkaStoreSuppliers.keyValueStore(supplier), this,
            ValueFormat.PLAIN), supplier.metricsScope(), keySerde, valueSerde, defaults -> cast(defaults));
    }

    @SuppressWarnings("unchecked")
    private static <V> Serde<V> cast(final Serde<Object> serde) {
        return (Serde<V>) (Serde<?>) serde;
    }
}
