package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.VersionedBytesStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.apache.kafka.streams.state.VersionedKeyValueStore;

/**
 * Builds versioned key-value stores: metered over optional change-logging over the supplier's versioned bytes
 * store. Versioned stores cannot be cached.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class VersionedKeyValueStoreBuilder<K, V> extends AbstractStoreBuilder<K, V, VersionedKeyValueStore<K, V>> {
    private final VersionedBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the value serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public VersionedKeyValueStoreBuilder(final VersionedBytesStoreSupplier supplier, final Serde<K> keySerde,
                                         final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier can't be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    /**
     * @throws IllegalStateException always: versioned stores do not support caching
     */
    @Override
    public StoreBuilder<VersionedKeyValueStore<K, V>> withCachingEnabled() {
        throw new IllegalStateException("Versioned stores do not support caching");
    }

    /** @return the history retention of the store's supplier, in ms */
    public long historyRetention() {
        return supplier.historyRetentionMs();
    }

    @Override
    public VersionedKeyValueStore<K, V> build() {
        final StateStore store = KafkaStoreSuppliers.equivalent(supplier).get();
        if (!(store instanceof VersionedBytesStore)) {
            throw new IllegalStateException("VersionedBytesStoreSupplier.get() must return an instance of VersionedBytesStore");
        }
        VersionedBytesStore layered = (VersionedBytesStore) store;
        if (loggingEnabled()) {
            layered = new ChangeLoggingVersionedBytesStore(layered);
        }
        return new MeteredVersionedKeyValueStore<>(layered, supplier.metricsScope(), keySerde, valueSerde);
    }
}
