package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.HeadersBytesStore;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;

/**
 * Builds timestamped key-value stores with headers. A persistent bytes store that does not keep headers is
 * adapted as Kafka adapts it: headers (and, for a plain store, timestamps) are dropped on write.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TimestampedKeyValueStoreWithHeadersBuilder<K, V>
    extends AbstractStoreBuilder<K, V, TimestampedKeyValueStoreWithHeaders<K, V>> {
    private final KeyValueBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the value serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public TimestampedKeyValueStoreWithHeadersBuilder(final KeyValueBytesStoreSupplier supplier, final Serde<K> keySerde,
                                                      final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier can't be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    @Override
    public TimestampedKeyValueStoreWithHeaders<K, V> build() {
        KeyValueStore<Bytes, byte[]> store = KafkaStoreSuppliers.keyValueStore(supplier);
        if (!(store instanceof HeadersBytesStore) && store.persistent()) {
            store = store instanceof TimestampedBytesStore
                ? KeyValueFormatAdapter.timestampedToHeaders(store) : KeyValueFormatAdapter.plainToHeaders(store);
        }
        return new MeteredTimestampedKeyValueStoreWithHeaders<>(Layers.keyValue(store, this, ValueFormat.HEADERS),
            supplier.metricsScope(), keySerde, valueSerde);
    }
}
