package io.pspf.runtime.state;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The outer layer of timestamped window stores with headers: values are {@link ValueTimestampHeaders}, stored as
 * [headers][timestamp][value bytes].
 *
 * @param <K> key type
 * @param <V> value type
 */
final class MeteredTimestampedWindowStoreWithHeaders<K, V> extends MeteredWindowStore<K, ValueTimestampHeaders<V>>
    implements TimestampedWindowStoreWithHeaders<K, V> {

    @SuppressWarnings({"unchecked", "rawtypes"})
    MeteredTimestampedWindowStoreWithHeaders(final WindowStore<Bytes, byte[]> inner, final long windowSize,
                                             final String metricsScope, final Serde<K> keySerde,
                                             final Serde<V> valueSerde) {
        super(inner, windowSize, metricsScope, keySerde, valueSerde == null ? null : ValueSerdes.withHeaders(valueSerde),
            defaults -> ValueSerdes.withHeaders((Serde) defaults));
    }
}
