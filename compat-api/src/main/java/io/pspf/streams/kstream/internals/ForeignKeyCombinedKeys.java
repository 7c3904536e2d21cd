package io.pspf.streams.kstream.internals;

import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The keys of a foreign-key join's subscription store, byte for byte Kafka's: the serialized foreign key's length
 * as an int, the serialized foreign key, then the serialized left key. All subscriptions to one foreign key share
 * a prefix, which is how a change of the right table finds them. Serdes missing here are the configured default
 * key serde.
 *
 * @param <KO> the foreign (right) key type
 * @param <K>  the left key type
 */
final class ForeignKeyCombinedKeys<KO, K> {
    /** A foreign key and a left key. */
    static final class Key<KO, K> {
        final KO foreignKey;
        final K primaryKey;

        Key(final KO foreignKey, final K primaryKey) {
            this.foreignKey = foreignKey;
            this.primaryKey = primaryKey;
        }

        @Override
        public String toString() {
            return "CombinedKey{foreignKey=" + foreignKey + ", primaryKey=" + primaryKey + "}";
        }
    }

    private final ForeignKeyPseudoTopics topics;
    private Serializer<K> primaryKeySerializer;
    private Deserializer<K> primaryKeyDeserializer;
    private Serializer<KO> foreignKeySerializer;
    private Deserializer<KO> foreignKeyDeserializer;
    private String primaryKeyTopic;
    private String foreignKeyTopic;

    ForeignKeyCombinedKeys(final ForeignKeyPseudoTopics topics, final Serde<KO> foreignKeySerde,
                           final Serde<K> primaryKeySerde) {
        this.topics = topics;
        this.primaryKeySerializer = primaryKeySerde == null ? null : primaryKeySerde.serializer();
        this.primaryKeyDeserializer = primaryKeySerde == null ? null : primaryKeySerde.deserializer();
        this.foreignKeySerializer = foreignKeySerde == null ? null : foreignKeySerde.serializer();
        this.foreignKeyDeserializer = foreignKeySerde == null ? null : foreignKeySerde.deserializer();
    }

    @SuppressWarnings("unchecked")
    void init(final ProcessorContext<?, ?> context) {
        topics.applicationId(context.applicationId());
        primaryKeyTopic = topics.primaryKey();
        foreignKeyTopic = topics.foreignKey();
        if (primaryKeySerializer == null) {
            primaryKeySerializer = (Serializer<K>) context.keySerde().serializer();
        }
        if (primaryKeyDeserializer == null) {
            primaryKeyDeserializer = (Deserializer<K>) context.keySerde().deserializer();
        }
        if (foreignKeySerializer == null) {
            foreignKeySerializer = (Serializer<KO>) context.keySerde().serializer();
        }
        if (foreignKeyDeserializer == null) {
            foreignKeyDeserializer = (Deserializer<KO>) context.keySerde().deserializer();
        }
    }

    Bytes toBytes(final KO foreignKey, final K primaryKey, final Headers headers) {
        final byte[] foreign = foreignKeySerializer.serialize(foreignKeyTopic, headers, foreignKey);
        final byte[] primary = primaryKeySerializer.serialize(primaryKeyTopic, headers, primaryKey);
        final ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES + foreign.length + primary.length);
        buffer.putInt(foreign.length);
        buffer.put(foreign);
        buffer.put(primary);
        return Bytes.wrap(buffer.array());
    }

    Key<KO, K> fromBytes(final Bytes bytes, final Headers headers) {
        final byte[] data = bytes.get();
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        final int foreignLength = buffer.getInt();
        if (foreignLength > buffer.remaining()) {
            throw new SerializationException();
        }
        final byte[] foreign = new byte[foreignLength];
        buffer.get(foreign, 0, foreignLength);
        final KO foreignKey = foreignKeyDeserializer.deserialize(foreignKeyTopic, headers, foreign);
        final byte[] primary = new byte[data.length - foreignLength - Integer.BYTES];
        buffer.get(primary, 0, primary.length);
        final K primaryKey = primaryKeyDeserializer.deserialize(primaryKeyTopic, headers, primary);
        return new Key<>(foreignKey, primaryKey);
    }

    /** The prefix every subscription to {@code foreignKey} starts with. */
    Bytes prefix(final KO foreignKey, final Headers headers) {
        final byte[] foreign = foreignKeySerializer.serialize(foreignKeyTopic, headers, foreignKey);
        final ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES + foreign.length);
        buffer.putInt(foreign.length);
        buffer.put(foreign);
        return Bytes.wrap(buffer.array());
    }

    /** The smallest byte string greater than every string starting with {@code prefix} (unsigned increment). */
    static Bytes increment(final Bytes prefix) {
        final byte[] in = prefix.get();
        final byte[] out = in.clone();
        for (int i = out.length - 1; i >= 0; i--) {
            if (out[i] != (byte) 0xff) {
                out[i]++;
                return Bytes.wrap(out);
            }
            out[i] = 0;
        }
        throw new IndexOutOfBoundsException();
    }
}
