package io.pspf.streams.kstream.internals;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import io.pspf.runtime.task.WrapsDefaultSerde;

/**
 * The wire form of a {@link SubscriptionWrapper}, byte for byte Kafka's: a version byte (its top bit set when there
 * is no hash), the instruction byte, the two hash longs when there is a hash, the serialized left key, and (from
 * version 1) the left partition as an int. The left key's serde is the left table's, or the configured default key
 * serde. The same instances serve the subscription topic and the subscription store.
 *
 * @param <K> the left table's key type
 */
final class SubscriptionWrapperSerde<K> implements Serde<SubscriptionWrapper<K>> {
    private static final Set<String> WRITES_VERSION_0 =
        Set.of("2.4", "2.5", "2.6", "2.7", "2.8", "3.0", "3.1", "3.2", "3.3");

    private final WrapperSerializer serializer;
    private final WrapperDeserializer deserializer;

    SubscriptionWrapperSerde(final ForeignKeyPseudoTopics topics, final Serde<K> primaryKeySerde) {
        this.serializer = new WrapperSerializer(topics::primaryKey,
            primaryKeySerde == null ? null : primaryKeySerde.serializer());
        this.deserializer = new WrapperDeserializer(topics::primaryKey,
            primaryKeySerde == null ? null : primaryKeySerde.deserializer());
    }

    @Override
    public Serializer<SubscriptionWrapper<K>> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<SubscriptionWrapper<K>> deserializer() {
        return deserializer;
    }

    /** Fills in the default key serde where the left table has none (for the store, which does not do it). */
    void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
        serializer.setIfUnset(defaultKeySerde, defaultValueSerde);
        deserializer.setIfUnset(defaultKeySerde, defaultValueSerde);
    }

    private final class WrapperSerializer implements Serializer<SubscriptionWrapper<K>>, WrapsDefaultSerde {
        private final Supplier<String> pseudoTopic;
        private Serializer<K> primaryKeySerializer;
        private boolean writeVersion0;

        WrapperSerializer(final Supplier<String> pseudoTopic, final Serializer<K> primaryKeySerializer) {
            this.pseudoTopic = pseudoTopic;
            this.primaryKeySerializer = primaryKeySerializer;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (primaryKeySerializer == null) {
                primaryKeySerializer = (Serializer<K>) defaultKeySerde.get().serializer();
            }
        }

        @Override
        public void configure(final Map<String, ?> configs, final boolean isKey) {
            final Object upgradeFrom = configs.get("upgrade.from");
            writeVersion0 = upgradeFrom != null && WRITES_VERSION_0.contains(upgradeFrom.toString());
        }

        @Override
        public byte[] serialize(final String topic, final SubscriptionWrapper<K> data) {
            return serialize(topic, null, data);
        }

        @Override
        public byte[] serialize(final String topic, final Headers headers, final SubscriptionWrapper<K> data) {
            if (data.version() < 0) {
                throw new UnsupportedVersionException("SubscriptionWrapper version cannot be negative");
            }
            if (writeVersion0 || data.version() == 0) {
                return common(data, headers, (byte) 0, 0).array();
            }
            if (data.version() == 1) {
                final ByteBuffer buffer = common(data, headers, data.version(), Integer.BYTES);
                buffer.putInt(data.primaryPartition());
                return buffer.array();
            }
            throw new UnsupportedVersionException("Unsupported SubscriptionWrapper version " + data.version());
        }

        private ByteBuffer common(final SubscriptionWrapper<K> data, final Headers headers, final byte version,
                                  final int extraLength) {
            final byte[] key = primaryKeySerializer.serialize(pseudoTopic.get(), headers, data.primaryKey());
            final long[] hash = data.hash();
            final ByteBuffer buffer = ByteBuffer.allocate(2 + key.length + extraLength + (hash == null ? 0 : 16));
            buffer.put(hash == null ? (byte) (version | 0x80) : version);
            buffer.put(data.instruction().value());
            if (hash != null) {
                buffer.putLong(hash[0]);
                buffer.putLong(hash[1]);
            }
            buffer.put(key);
            return buffer;
        }
    }

    private final class WrapperDeserializer implements Deserializer<SubscriptionWrapper<K>>, WrapsDefaultSerde {
        private final Supplier<String> pseudoTopic;
        private Deserializer<K> primaryKeyDeserializer;

        WrapperDeserializer(final Supplier<String> pseudoTopic, final Deserializer<K> primaryKeyDeserializer) {
            this.pseudoTopic = pseudoTopic;
            this.primaryKeyDeserializer = primaryKeyDeserializer;
        }

        @SuppressWarnings("unchecked")
        @Override
        public void setIfUnset(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
            if (primaryKeyDeserializer == null) {
                primaryKeyDeserializer = (Deserializer<K>) defaultKeySerde.get().deserializer();
            }
        }

        @Override
        public SubscriptionWrapper<K> deserialize(final String topic, final byte[] data) {
            return deserialize(topic, null, data);
        }

        @Override
        public SubscriptionWrapper<K> deserialize(final String topic, final Headers headers, final byte[] data) {
            final ByteBuffer buffer = ByteBuffer.wrap(data);
            final byte versionAndFlag = buffer.get();
            final byte version = (byte) (versionAndFlag & 0x7f);
            final boolean noHash = (versionAndFlag & 0x80) == 0x80;
            final SubscriptionWrapper.Instruction instruction = SubscriptionWrapper.Instruction.fromValue(buffer.get());
            int read = 2;
            final long[] hash;
            if (noHash) {
                hash = null;
            } else {
                hash = new long[] {buffer.getLong(), buffer.getLong()};
                read += 16;
            }
            final int keyLength = version > 0 ? data.length - read - Integer.BYTES : data.length - read;
            final byte[] key = new byte[keyLength];
            buffer.get(key, 0, keyLength);
            final K primaryKey = primaryKeyDeserializer.deserialize(pseudoTopic.get(), headers, key);
            final Integer partition = version > 0 ? buffer.getInt() : null;
            return new SubscriptionWrapper<>(hash, instruction, primaryKey, version, partition);
        }
    }
}
