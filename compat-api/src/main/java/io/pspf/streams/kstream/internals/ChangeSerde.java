package io.pspf.streams.kstream.internals;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.StreamsException;

import io.pspf.runtime.task.WrapsDefaultSerde;

/**
 * The wire form of a table change on a grouping's repartition topic, byte for byte Kafka's: the new value, the old
 * value, or both, with a trailing flag byte saying which (1: new only, 0: old only, 2: both, preceded by the new
 * value's length as a zig-zag varint). The inner
 * serde is the grouping's value serde, or the configured default when the grouping has none.
 */
final class ChangeSerde {
    private static final byte NEW_ONLY = 1;
    private static final byte OLD_ONLY = 0;
    private static final byte BOTH = 2;

    private ChangeSerde() {
    }

    static <T> Serializer<Change<T>> serializer(final Serde<T> inner) {
        return new ChangeSerializer<>(inner == null ? null : inner.serializer());
    }

    static <T> Deserializer<Change<T>> deserializer(final Serde<T> inner) {
        return new ChangeDeserializer<>(inner == null ? null : inner.deserializer());
    }

    private static final class ChangeSerializer<T> implements Serializer<Change<T>>, WrapsDefaultSerde {
        private Serializer<T> inner;

        ChangeSerializer(final Serializer<T> inner) {
            this.inner = inner;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (inner == null) {
                inner = (Serializer<T>) defaultValueSerde.get().serializer();
            }
        }

        @Override
        public byte[] serialize(final String topic, final Change<T> data) {
            return serialize(topic, null, data);
        }

        @Override
        public byte[] serialize(final String topic, final Headers headers, final Change<T> data) {
            if (data == null) {
                return null;
            }
            final byte[] newBytes = data.newValue == null ? null : inner.serialize(topic, headers, data.newValue);
            final byte[] oldBytes = data.oldValue == null ? null : inner.serialize(topic, headers, data.oldValue);
            if (newBytes != null && oldBytes != null) {
                final ByteBuffer buffer = ByteBuffer.allocate(5 + newBytes.length + oldBytes.length + 1);
                writeVarint(newBytes.length, buffer);
                buffer.put(newBytes).put(oldBytes).put(BOTH);
                final byte[] out = new byte[buffer.position()];
                buffer.position(0);
                buffer.get(out);
                return out;
            }
            if (newBytes != null) {
                return ByteBuffer.allocate(newBytes.length + 1).put(newBytes).put(NEW_ONLY).array();
            }
            if (oldBytes != null) {
                return ByteBuffer.allocate(oldBytes.length + 1).put(oldBytes).put(OLD_ONLY).array();
            }
            throw new StreamsException("Both old and new values are null in ChangeSerializer, which is not allowed.");
        }
    }

    private static final class ChangeDeserializer<T> implements Deserializer<Change<T>>, WrapsDefaultSerde {
        private Deserializer<T> inner;

        ChangeDeserializer(final Deserializer<T> inner) {
            this.inner = inner;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (inner == null) {
                inner = (Deserializer<T>) defaultValueSerde.get().deserializer();
            }
        }

        @Override
        public Change<T> deserialize(final String topic, final byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public Change<T> deserialize(final String topic, final Headers headers, final byte[] data) {
            if (data == null) {
                return null;
            }
            final byte flag = data[data.length - 1];
            if (flag == BOTH) {
                final ByteBuffer buffer = ByteBuffer.wrap(data);
                final byte[] newBytes = new byte[readVarint(buffer)];
                buffer.get(newBytes);
                final byte[] oldBytes = new byte[data.length - buffer.position() - 1];
                buffer.get(oldBytes);
                return new Change<>(inner.deserialize(topic, headers, newBytes), inner.deserialize(topic, headers, oldBytes));
            }
            final byte[] value = new byte[data.length - 1];
            System.arraycopy(data, 0, value, 0, value.length);
            final T decoded = inner.deserialize(topic, headers, value);
            return flag == NEW_ONLY ? new Change<>(decoded, null) : new Change<>(null, decoded);
        }
    }

    /** A zig-zag varint, as Kafka's {@code ByteUtils.writeVarint}. */
    static void writeVarint(final int value, final ByteBuffer buffer) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & 0xffffff80) != 0) {
            buffer.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        buffer.put((byte) v);
    }

    static int readVarint(final ByteBuffer buffer) {
        int value = 0;
        int shift = 0;
        byte b;
        do {
            b = buffer.get();
            value |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (value >>> 1) ^ -(value & 1);
    }
}
