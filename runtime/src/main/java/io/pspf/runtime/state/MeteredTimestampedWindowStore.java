package io.pspf.runtime.state;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The outer layer of timestamped window stores: values are {@link ValueAndTimestamp}, stored as
 * [timestamp][value bytes].
 *
 * @param <K> key type
 * @param <V> value type
 */
final class MeteredTimestampedWindowStore<K, V> extends MeteredWindowStore<K, ValueAndTimestamp<V>>
    implements TimestampedWindowStore<K, V> {

    @SuppressWarnings({"unchecked", "rawtypes"})
    MeteredTimestampedWindowStore(final WindowStore<Bytes, byte[]> inner, final long windowSize,
                                  final String metricsScope, final Serde<K> keySerde, final Serde<V> valueSerde) {
        super(inner, windowSize, metricsScope, keySerde, valueSerde == null ? null : ValueSerdes.timestamped(valueSerde),
            defaults -> ValueSerdes.timestamped((Serde) defaults));
    }
}
