package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.HeadersBytesStore;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.SessionStoreWithHeaders;

/**
 * Builds session stores with headers. A persistent bytes store that does not keep headers is adapted as Kafka
 * adapts it (headers dropped on write, read back empty).
 *
 * @param <K> key type
 * @param <V> aggregate type
 */
public final class SessionStoreWithHeadersBuilder<K, V> extends AbstractStoreBuilder<K, V, SessionStoreWithHeaders<K, V>> {
    private final SessionBytesStoreSupplier supplier;

    /**
     * @param supplier   the bytes store supplier (PSPF's, Kafka's or the user's)
     * @param keySerde   the key serde; null for the context's default
     * @param valueSerde the aggregate serde; null for the context's default
     * @throws NullPointerException if the supplier or its metrics scope is null
     */
    public SessionStoreWithHeadersBuilder(final SessionBytesStoreSupplier supplier, final Serde<K> keySerde,
                                          final Serde<V> valueSerde) {
        super(Objects.requireNonNull(supplier, "storeSupplier cannot be null").name(), keySerde, valueSerde);
        Objects.requireNonNull(supplier.metricsScope(), "storeSupplier's metricsScope can't be null");
        this.supplier = supplier;
    }

    /** @return the retention period of the store's supplier, in ms */
    public long retentionPeriod() {
        return supplier.retentionPeriod();
    }

    @Override
    public SessionStoreWithHeaders<K, V> build() {
        SessionStore<Bytes, byte[]> store = KafkaStoreSuppliers.sessionStore(supplier);
        if (!(store instanceof HeadersBytesStore) && store.persistent()) {
            store = new SessionFormatAdapter(store);
        }
        return new MeteredSessionStoreWithHeaders<>(Layers.session(store, this, ValueFormat.AGGREGATION_HEADERS,
            supplier.segmentIntervalMs()), supplier.metricsScope(), keySerde, valueSerde);
    }
}
