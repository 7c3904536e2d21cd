package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionStore;

/**
 * Builds session stores: metered over optional caching over optional change-logging over the supplier's bytes
 * store.
 *
 * @param <K> key type
 * @param <V> aggregate type
 */
public final class SessionStoreBuilder<K, V> extends AbstractStoreBuilder<K, V, SessionStore<K, V>> {
    private final SessionBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the aggregate serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public SessionStoreBuilder(final SessionBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier cannot be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    /** @return the retention period of the store's supplier, in ms */
    public long retentionPeriod() {
        return supplier.retentionPeriod();
    }

    @SuppressWarnings("unchecked")
    @Override
    public SessionStore<K, V> build() {
        return new MeteredSessionStore<>(Layers.session(KafkaStoreSuppliers.sessionStore(supplier), this,
            ValueFormat.PLAIN, supplier.segmentIntervalMs()), supplier.metricsScope(), keySerde, valueSerde,
            defaults -> (Serde<V>) (Serde<?>) defaults);
    }
}
