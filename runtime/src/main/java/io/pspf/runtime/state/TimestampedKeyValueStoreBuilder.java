package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Builds timestamped key-value stores. A persistent bytes store that does not keep timestamps (not a
 * {@link TimestampedBytesStore}) is adapted as Kafka adapts it: timestamps are dropped on write and read back as -1.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TimestampedKeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<K, V, TimestampedKeyValueStore<K, V>> {
    private final KeyValueBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the value serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public TimestampedKeyValueStoreBuilder(final KeyValueBytesStoreSupplier supplier, final Serde<K> keySerde,
                                           final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier can't be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    @Override
    public TimestampedKeyValueStore<K, V> build() {
        KeyValueStore<Bytes, byte[]> store = KafkaStoreSuppliers.keyValueStore(supplier);
        if (!(store instanceof TimestampedBytesStore) && store.persistent()) {
            store = KeyValueFormatAdapter.plainToTimestamped(store);
        }
        return new MeteredTimestampedKeyValueStore<>(Layers.keyValue(store, this, ValueFormat.TIMESTAMPED),
            supplier.metricsScope(), keySerde, valueSerde);
    }
}
