package io.pspf.streams.kstream.internals;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.pspf.runtime.task.WrapsDefaultSerde;

/**
 * The wire form of a {@link SubscriptionResponseWrapper}, byte for byte Kafka's: a version byte (its top bit set
 * when there is no hash), the two hash longs when there is a hash, then the serialized right value, if any. An
 * empty value reads back as no value. The right value's serde is the right table's, or the configured default
 * value serde.
 *
 * @param <V> the right table's value type
 */
final class SubscriptionResponseWrapperSerde<V> implements Serde<SubscriptionResponseWrapper<V>> {
    private final ResponseSerializer serializer;
    private final ResponseDeserializer deserializer;

    SubscriptionResponseWrapperSerde(final Serde<V> foreignValueSerde) {
        this.serializer = new ResponseSerializer(foreignValueSerde == null ? null : foreignValueSerde.serializer());
        this.deserializer = new ResponseDeserializer(foreignValueSerde == null ? null : foreignValueSerde.deserializer());
    }

    @Override
    public Serializer<SubscriptionResponseWrapper<V>> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<SubscriptionResponseWrapper<V>> deserializer() {
        return deserializer;
    }

    private final class ResponseSerializer implements Serializer<SubscriptionResponseWrapper<V>>, WrapsDefaultSerde {
        private Serializer<V> inner;

        ResponseSerializer(final Serializer<V> inner) {
            this.inner = inner;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (inner == null) {
                inner = (Serializer<V>) defaultValueSerde.get().serializer();
            }
        }

        @Override
        public byte[] serialize(final String topic, final SubscriptionResponseWrapper<V> data) {
            return serialize(topic, null, data);
        }

        @Override
        public byte[] serialize(final String topic, final Headers headers, final SubscriptionResponseWrapper<V> data) {
            if (data.version() < 0) {
                throw new UnsupportedVersionException("SubscriptionResponseWrapper version cannot be negative");
            }
            final byte[] value = data.foreignValue() == null ? null : inner.serialize(topic, headers, data.foreignValue());
            final long[] hash = data.originalValueHash();
            final ByteBuffer buffer = ByteBuffer.allocate(1 + (hash == null ? 0 : 16) + (value == null ? 0 : value.length));
            if (hash != null) {
                buffer.put(data.version());
                buffer.putLong(hash[0]);
                buffer.putLong(hash[1]);
            } else {
                buffer.put((byte) (data.version() | 0x80));
            }
            if (value != null) {
                buffer.put(value);
            }
            return buffer.array();
        }
    }

    private final class ResponseDeserializer implements Deserializer<SubscriptionResponseWrapper<V>>, WrapsDefaultSerde {
        private Deserializer<V> inner;

        ResponseDeserializer(final Deserializer<V> inner) {
            this.inner = inner;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (inner == null) {
                inner = (Deserializer<V>) defaultValueSerde.get().deserializer();
            }
        }

        @Override
        public SubscriptionResponseWrapper<V> deserialize(final String topic, final byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public SubscriptionResponseWrapper<V> deserialize(final String topic, final Headers headers, final byte[] data) {
            final ByteBuffer buffer = ByteBuffer.wrap(data);
            final byte versionAndFlag = buffer.get();
            final byte version = (byte) (versionAndFlag & 0x7f);
            int read = 1;
            final long[] hash;
            if ((versionAndFlag & 0x80) == 0x80) {
                hash = null;
            } else {
                hash = new long[] {buffer.getLong(), buffer.getLong()};
                read += 16;
            }
            final V value;
            if (data.length - read > 0) {
                final byte[] bytes = new byte[data.length - read];
                buffer.get(bytes, 0, bytes.length);
                value = inner.deserialize(topic, headers, bytes);
            } else {
                value = null;
            }
            return new SubscriptionResponseWrapper<>(hash, value, version, null);
        }
    }
}
