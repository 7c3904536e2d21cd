package io.pspf.runtime.state;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.AggregationWithHeaders;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.SessionStoreWithHeaders;

/**
 * The outer layer of session stores with headers: aggregates are {@link AggregationWithHeaders}, stored as
 * [headers][aggregate bytes].
 *
 * @param <K> key type
 * @param <V> aggregate type
 */
final class MeteredSessionStoreWithHeaders<K, V> extends MeteredSessionStore<K, AggregationWithHeaders<V>>
    implements SessionStoreWithHeaders<K, V> {

    @SuppressWarnings({"unchecked", "rawtypes"})
    MeteredSessionStoreWithHeaders(final SessionStore<Bytes, byte[]> inner, final String metricsScope,
                                   final Serde<K> keySerde, final Serde<V> valueSerde) {
        super(inner, metricsScope, keySerde, valueSerde == null ? null : ValueSerdes.aggregationWithHeaders(valueSerde),
            defaults -> ValueSerdes.aggregationWithHeaders((Serde) defaults));
    }
}
