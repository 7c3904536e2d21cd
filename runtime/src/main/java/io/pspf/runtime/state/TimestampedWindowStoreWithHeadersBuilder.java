package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.HeadersBytesStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Builds timestamped window stores with headers. A persistent bytes store that does not keep headers is adapted
 * as Kafka adapts it.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TimestampedWindowStoreWithHeadersBuilder<K, V>
    extends AbstractStoreBuilder<K, V, TimestampedWindowStoreWithHeaders<K, V>> {
    private final WindowBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the value serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public TimestampedWindowStoreWithHeadersBuilder(final WindowBytesStoreSupplier supplier, final Serde<K> keySerde,
                                                    final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier can't be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    /** @return the retention period of the store's supplier, in ms */
    public long retentionPeriod() {
        return supplier.retentionPeriod();
    }

    @Override
    public TimestampedWindowStoreWithHeaders<K, V> build() {
        WindowStore<Bytes, byte[]> store = KafkaStoreSuppliers.windowStore(supplier);
        if (!(store instanceof HeadersBytesStore) && store.persistent()) {
            store = store instanceof TimestampedBytesStore
                ? WindowFormatAdapter.timestampedToHeaders(store) : WindowFormatAdapter.plainToHeaders(store);
        }
        return new MeteredTimestampedWindowStoreWithHeaders<>(Layers.window(store, this, ValueFormat.HEADERS,
            supplier.windowSize(), supplier.segmentIntervalMs(), supplier.retainDuplicates()), supplier.windowSize(),
            supplier.metricsScope(), keySerde, valueSerde);
    }
}
