package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Builds window stores: metered over optional caching over optional change-logging over the supplier's bytes
 * store. Caching is dropped (with Kafka's warning) for a store that retains duplicates.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class WindowStoreBuilder<K, V> extends AbstractStoreBuilder<K, V, WindowStore<K, V>> {
    private final WindowBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the value serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public WindowStoreBuilder(final WindowBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier can't be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    /** @return the retention period of the store's supplier, in ms */
    public long retentionPeriod() {
        return supplier.retentionPeriod();
    }

    @SuppressWarnings("unchecked")
    @Override
    public WindowStore<K, V> build() {
        return new MeteredWindowStore<>(Layers.window(KafkaStoreSuppliers.windowStore(supplier), this, ValueFormat.PLAIN,
            supplier.windowSize(), supplier.segmentIntervalMs(), supplier.retainDuplicates()), supplier.windowSize(),
            supplier.metricsScope(), keySerde, valueSerde, defaults -> (Serde<V>) (Serde<?>) defaults);
    }
}
