package io.pspf.streams.kstream.internals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.ListDeserializer;
import org.apache.kafka.common.serialization.ListSerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import io.pspf.runtime.task.WrapsDefaultSerde;

/**
 * The serdes of an outer stream-stream join's shared store, producing the bytes Kafka Streams writes to that
 * store's changelog:
 * <ul>
 *   <li>key: the timestamp (8 bytes, big-endian), a side byte (1 left, 0 right), then the key's own bytes;</li>
 *   <li>value: the list of values kept under one key (Kafka's {@code ListSerializer} over byte arrays), each
 *       element a side byte followed by the value's own bytes.</li>
 * </ul>
 * The inner serdes may be missing (no {@code StreamJoined} serdes); the join's processors fill in the configured
 * defaults before the store is used.
 */
final class JoinSideSerdes {
    private JoinSideSerdes() {
    }

    /** The key serde over the join key serde {@code inner} (null for the default key serde). */
    static final class KeySerde<K> implements Serde<JoinSideKey<K>>, WrapsDefaultSerde {
        private Serde<K> inner;

        KeySerde(final Serde<K> inner) {
            this.inner = inner;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (inner == null) {
                inner = (Serde<K>) defaultKeySerde.get();
            }
        }

        @Override
        public Serializer<JoinSideKey<K>> serializer() {
            return new Serializer<>() {
                @Override
                public byte[] serialize(final String topic, final JoinSideKey<K> data) {
                    return serialize(topic, null, data);
                }

                @Override
                public byte[] serialize(final String topic, final Headers headers, final JoinSideKey<K> data) {
                    if (data == null) {
                        return null;
                    }
                    final byte[] key = inner.serializer().serialize(topic, headers, data.key);
                    return ByteBuffer.allocate(Long.BYTES + 1 + key.length).putLong(data.timestamp)
                        .put((byte) (data.leftSide ? 1 : 0)).put(key).array();
                }
            };
        }

        @Override
        public Deserializer<JoinSideKey<K>> deserializer() {
            return new Deserializer<>() {
                @Override
                public JoinSideKey<K> deserialize(final String topic, final byte[] data) {
                    return deserialize(topic, null, data);
                }

                @Override
                public JoinSideKey<K> deserialize(final String topic, final Headers headers, final byte[] data) {
                    if (data == null) {
                        return null;
                    }
                    final ByteBuffer buffer = ByteBuffer.wrap(data);
                    final long timestamp = buffer.getLong();
                    final boolean left = buffer.get() == 1;
                    final byte[] key = new byte[buffer.remaining()];
                    buffer.get(key);
                    return new JoinSideKey<>(inner.deserializer().deserialize(topic, headers, key), timestamp, left);
                }
            };
        }
    }

    /** The serde of the value lists, over the left and right value serdes (null for the default value serde). */
    static final class ListValueSerde<VL, VR> implements Serde<List<JoinSideValue<VL, VR>>>, WrapsDefaultSerde {
        private final ListSerializer<byte[]> lists = new ListSerializer<>(Serdes.ByteArray().serializer());
        private final ListDeserializer<byte[]> listsBack = new ListDeserializer<>(ArrayList.class,
            Serdes.ByteArray().deserializer());
        private Serde<VL> left;
        private Serde<VR> right;

        ListValueSerde(final Serde<VL> left, final Serde<VR> right) {
            this.left = left;
            this.right = right;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (left == null) {
                left = (Serde<VL>) defaultValueSerde.get();
            }
            if (right == null) {
                right = (Serde<VR>) defaultValueSerde.get();
            }
        }

        @Override
        public Serializer<List<JoinSideValue<VL, VR>>> serializer() {
            return new Serializer<>() {
                @Override
                public byte[] serialize(final String topic, final List<JoinSideValue<VL, VR>> data) {
                    return serialize(topic, null, data);
                }

                @Override
                public byte[] serialize(final String topic, final Headers headers, final List<JoinSideValue<VL, VR>> data) {
                    if (data == null) {
                        return null;
                    }
                    final List<byte[]> elements = new ArrayList<>(data.size());
                    for (final JoinSideValue<VL, VR> value : data) {
                        elements.add(element(topic, headers, value));
                    }
                    return lists.serialize(null, elements);
                }
            };
        }

        private byte[] element(final String topic, final Headers headers, final JoinSideValue<VL, VR> value) {
            final byte[] bytes = value.left != null ? left.serializer().serialize(topic, headers, value.left)
                : right.serializer().serialize(topic, headers, value.right);
            if (bytes == null) {
                return null;
            }
            return ByteBuffer.allocate(1 + bytes.length).put((byte) (value.left != null ? 1 : 0)).put(bytes).array();
        }

        @Override
        public Deserializer<List<JoinSideValue<VL, VR>>> deserializer() {
            return new Deserializer<>() {
                @Override
                public List<JoinSideValue<VL, VR>> deserialize(final String topic, final byte[] data) {
                    return deserialize(topic, null, data);
                }

                @Override
                public List<JoinSideValue<VL, VR>> deserialize(final String topic, final Headers headers, final byte[] data) {
                    if (data == null) {
                        return null;
                    }
                    final List<JoinSideValue<VL, VR>> values = new ArrayList<>();
                    for (final byte[] element : listsBack.deserialize(null, data)) {
                        values.add(element == null ? null : value(topic, headers, element));
                    }
                    return values;
                }
            };
        }

        private JoinSideValue<VL, VR> value(final String topic, final Headers headers, final byte[] element) {
            final byte[] bytes = new byte[element.length - 1];
            System.arraycopy(element, 1, bytes, 0, bytes.length);
            return element[0] == 1 ? JoinSideValue.ofLeft(left.deserializer().deserialize(topic, headers, bytes))
                : JoinSideValue.ofRight(right.deserializer().deserialize(topic, headers, bytes));
        }
    }
}
