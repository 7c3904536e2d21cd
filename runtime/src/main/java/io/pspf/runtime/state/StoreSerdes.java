package io.pspf.runtime.state;

import java.util.function.Function;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StateSerdes;

/**
 * The serde half of a metered layer: resolves the store's serdes at {@code init} (the builder's, or the
 * context's defaults when the builder was given null), and serializes with the changelog topic and the current
 * record's headers, as Kafka's metered stores do.
 *
 * @param <K> key type
 * @param <V> value type
 */
final class StoreSerdes<K, V> {
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;
    private final Function<Serde<Object>, Serde<V>> defaultValueSerde;
    private StateSerdes<K, V> serdes;
    private StoreEnvironment environment;

    /**
     * @param defaultValueSerde turns the context's default value serde into the store's (e.g. wraps it in the
     *                          timestamped format)
     */
    StoreSerdes(final Serde<K> keySerde, final Serde<V> valueSerde,
                final Function<Serde<Object>, Serde<V>> defaultValueSerde) {
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.defaultValueSerde = defaultValueSerde;
    }

    @SuppressWarnings("unchecked")
    void init(final StateStoreContext context, final String storeName) {
        environment = StoreEnvironments.of(context);
        final Serde<K> keys;
        try {
            keys = keySerde != null ? keySerde : (Serde<K>) context.keySerde();
        } catch (final RuntimeException e) {
            throw new StreamsException(String.format("Failed to initialize %s serdes for store %s", "key", storeName),
                e, context.taskId());
        }
        final Serde<V> values;
        try {
            values = valueSerde != null ? valueSerde : defaultValueSerde.apply((Serde<Object>) context.valueSerde());
        } catch (final RuntimeException e) {
            throw new StreamsException(String.format("Failed to initialize %s serdes for store %s", "value", storeName),
                e, context.taskId());
        }
        serdes = new StateSerdes<>(StoreEnvironments.changelogTopic(context, storeName), keys, values);
    }

    StateSerdes<K, V> serdes() {
        return serdes;
    }

    private Headers headers() {
        return StoreEnvironments.current(environment).headers();
    }

    org.apache.kafka.common.utils.Bytes keyBytes(final K key) {
        return key == null ? null : org.apache.kafka.common.utils.Bytes.wrap(serdes.rawKey(key, headers()));
    }

    K key(final byte[] bytes) {
        return bytes == null ? null : serdes.keyFrom(bytes, headers());
    }

    byte[] valueBytes(final V value) {
        return value == null ? null : serdes.rawValue(value, headers());
    }

    V value(final byte[] bytes) {
        return bytes == null ? null : serdes.valueFrom(bytes, headers());
    }
}
