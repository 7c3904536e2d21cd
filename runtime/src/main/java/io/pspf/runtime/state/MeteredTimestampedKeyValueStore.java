package io.pspf.runtime.state;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The outer layer of timestamped key-value stores: values are {@link ValueAndTimestamp}, stored as
 * [timestamp][value bytes].
 *
 * @param <K> key type
 * @param <V> value type
 */
final class MeteredTimestampedKeyValueStore<K, V> extends MeteredKeyValueStore<K, ValueAndTimestamp<V>>
    implements TimestampedKeyValueStore<K, V> {

    @SuppressWarnings({"unchecked", "rawtypes"})
    MeteredTimestampedKeyValueStore(final KeyValueStore<Bytes, byte[]> inner, final String metricsScope,
                                    final Serde<K> keySerde, final Serde<V> valueSerde) {
        super(inner, metricsScope, keySerde, valueSerde == null ? null : ValueSerdes.timestamped(valueSerde),
            defaults -> ValueSerdes.timestamped((Serde) defaults));
    }
}
