package io.pspf.runtime.state;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;
import org.apache.kafka.streams.state.ValueTimestampHeaders;

/**
 * The outer layer of timestamped key-value stores with headers: values are {@link ValueTimestampHeaders}, stored as
 * [headers][timestamp][value bytes].
 *
 * @param <K> key type
 * @param <V> value type
 */
final class MeteredTimestampedKeyValueStoreWithHeaders<K, V> extends MeteredKeyValueStore<K, ValueTimestampHeaders<V>>
    implements TimestampedKeyValueStoreWithHeaders<K, V> {

    @SuppressWarnings({"unchecked", "rawtypes"})
    MeteredTimestampedKeyValueStoreWithHeaders(final KeyValueStore<Bytes, byte[]> inner, final String metricsScope,
                                               final Serde<K> keySerde, final Serde<V> valueSerde) {
        super(inner, metricsScope, keySerde, valueSerde == null ? null : ValueSerdes.withHeaders(valueSerde),
            defaults -> ValueSerdes.withHeaders((Serde) defaults));
    }
}
