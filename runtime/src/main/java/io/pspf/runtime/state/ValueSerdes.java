package io.pspf.runtime.state;

import java.util.Map;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.state.AggregationWithHeaders;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.ValueTimestampHeaders;

/**
 * Serdes for the wrapped value types of timestamped and headers stores, writing {@link StoreFormats}' layouts
 * around the bytes of the user's value serde.
 */
final class ValueSerdes {
    private ValueSerdes() {
    }

    /** [timestamp][value] for {@link ValueAndTimestamp}. */
    static <V> Serde<ValueAndTimestamp<V>> timestamped(final Serde<V> inner) {
        return new WrappingSerde<>(inner, new Serializer<>() {
            @Override
            public byte[] serialize(final String topic, final ValueAndTimestamp<V> data) {
                return serialize(topic, new RecordHeaders(), data);
            }

            @Override
            public byte[] serialize(final String topic, final Headers headers, final ValueAndTimestamp<V> data) {
                if (data == null) {
                    return null;
                }
                return StoreFormats.withTimestamp(data.timestamp(), inner.serializer().serialize(topic, headers, data.value()));
            }
        }, new Deserializer<>() {
            @Override
            public ValueAndTimestamp<V> deserialize(final String topic, final byte[] data) {
                return deserialize(topic, new RecordHeaders(), data);
            }

            @Override
            public ValueAndTimestamp<V> deserialize(final String topic, final Headers headers, final byte[] data) {
                if (data == null) {
                    return null;
                }
                final V value = inner.deserializer().deserialize(topic, headers, StoreFormats.rawValue(data));
                return ValueAndTimestamp.make(value, StoreFormats.timestamp(data));
            }
        });
    }

    /** [headers][timestamp][value] for {@link ValueTimestampHeaders}. */
    static <V> Serde<ValueTimestampHeaders<V>> withHeaders(final Serde<V> inner) {
        return new WrappingSerde<>(inner, new Serializer<>() {
            @Override
            public byte[] serialize(final String topic, final ValueTimestampHeaders<V> data) {
                if (data == null) {
                    return null;
                }
                return StoreFormats.withHeaders(data.headers(), data.timestamp(),
                    inner.serializer().serialize(topic, data.headers(), data.value()));
            }

            @Override
            public byte[] serialize(final String topic, final Headers headers, final ValueTimestampHeaders<V> data) {
                return serialize(topic, data);
            }
        }, new Deserializer<>() {
            @Override
            public ValueTimestampHeaders<V> deserialize(final String topic, final byte[] data) {
                if (data == null) {
                    return null;
                }
                final StoreFormats.HeadersValue parsed = StoreFormats.parseWithHeaders(data);
                final V value = inner.deserializer().deserialize(topic, parsed.headers, parsed.raw);
                return ValueTimestampHeaders.make(value, parsed.timestamp, parsed.headers);
            }

            @Override
            public ValueTimestampHeaders<V> deserialize(final String topic, final Headers headers, final byte[] data) {
                return deserialize(topic, data);
            }
        });
    }

    /** [headers][aggregation] for {@link AggregationWithHeaders}. */
    static <V> Serde<AggregationWithHeaders<V>> aggregationWithHeaders(final Serde<V> inner) {
        return new WrappingSerde<>(inner, new Serializer<>() {
            @Override
            public byte[] serialize(final String topic, final AggregationWithHeaders<V> data) {
                if (data == null) {
                    return null;
                }
                return StoreFormats.aggregationWithHeaders(data.headers(),
                    inner.serializer().serialize(topic, data.headers(), data.aggregation()));
            }

            @Override
            public byte[] serialize(final String topic, final Headers headers, final AggregationWithHeaders<V> data) {
                return serialize(topic, data);
            }
        }, new Deserializer<>() {
            @Override
            public AggregationWithHeaders<V> deserialize(final String topic, final byte[] data) {
                if (data == null) {
                    return null;
                }
                final StoreFormats.HeadersValue parsed = StoreFormats.parseAggregationWithHeaders(data);
                final V value = inner.deserializer().deserialize(topic, parsed.headers, parsed.raw);
                return AggregationWithHeaders.make(value, parsed.headers);
            }

            @Override
            public AggregationWithHeaders<V> deserialize(final String topic, final Headers headers, final byte[] data) {
                return deserialize(topic, data);
            }
        });
    }

    private static final class WrappingSerde<T> implements Serde<T> {
        private final Serde<?> inner;
        private final Serializer<T> serializer;
        private final Deserializer<T> deserializer;

        WrappingSerde(final Serde<?> inner, final Serializer<T> serializer, final Deserializer<T> deserializer) {
            this.inner = inner;
            this.serializer = serializer;
            this.deserializer = deserializer;
        }

        @Override
        public void configure(final Map<String, ?> configs, final boolean isKey) {
            inner.configure(configs, isKey);
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public Serializer<T> serializer() {
            return serializer;
        }

        @Override
        public Deserializer<T> deserializer() {
            return deserializer;
        }
    }
}
