package io.pspf.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.RawRecord;

/**
 * Reads PSPF topics by partition and offset, on whatever backend {@code pspf.backend} names, as Kafka's
 * {@link ConsumerRecord}s: for tools, tests and applications that look at a topic without joining a group.
 *
 * <p>Thread-safe.
 */
public final class PspfReader<K, V> implements AutoCloseable {
    private final Backend backend;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private volatile boolean closed;

    /**
     * @throws org.apache.kafka.common.config.ConfigException naming the key when a setting is bad
     */
    public PspfReader(final Map<String, ?> configs, final Deserializer<K> keyDeserializer,
                      final Deserializer<V> valueDeserializer) {
        this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        this.backend = new ClientConfig(configs).openBackend();
    }

    public PspfReader(final Properties properties, final Deserializer<K> keyDeserializer,
                      final Deserializer<V> valueDeserializer) {
        this(ClientConfig.toMap(properties), keyDeserializer, valueDeserializer);
    }

    /** The partition count of {@code topic}, or -1 when it does not exist. */
    public int partitions(final String topic) {
        ensureOpen();
        return backend.partitions(topic);
    }

    /** The first offset still kept in the partition. */
    public long startOffset(final String topic, final int partition) {
        ensureOpen();
        return backend.logStartOffset(topic, partition);
    }

    /**
     * Waits until one of the partitions of {@code topic} holds a record at or after its position ({@code positions}
     * by partition), at most {@code timeout}, as a consumer's poll waits: a reader that caught up asks here instead
     * of reading in a loop. Returns whether records may be there; read to find out.
     */
    public boolean awaitRecords(final String topic, final Map<Integer, Long> positions, final java.time.Duration timeout) {
        ensureOpen();
        final Map<org.apache.kafka.common.TopicPartition, Long> byPartition = new java.util.HashMap<>();
        positions.forEach((p, offset) -> byPartition.put(new org.apache.kafka.common.TopicPartition(topic, p), offset));
        return backend.awaitRecords(byPartition, timeout.toMillis());
    }

    /** The offset the next record of the partition will get. */
    public long endOffset(final String topic, final int partition) {
        ensureOpen();
        return backend.logEndOffset(topic, partition);
    }

    /**
     * At most {@code maxRecords} records of the partition from {@code offset} (or from its start, if that is
     * later), in offset order; empty at the end. Like a consumer's poll it may return fewer while more follow: read
     * on from after the last record returned.
     */
    public List<ConsumerRecord<K, V>> read(final String topic, final int partition, final long offset,
                                           final int maxRecords) {
        ensureOpen();
        final List<RawRecord> raw = backend.read(topic, partition, offset, maxRecords);
        final List<ConsumerRecord<K, V>> records = new ArrayList<>(raw.size());
        for (final RawRecord r : raw) {
            final K key = keyDeserializer.deserialize(topic, r.headers(), r.key());
            final V value = valueDeserializer.deserialize(topic, r.headers(), r.value());
            records.add(new ConsumerRecord<>(topic, partition, r.offset(), r.timestamp(), TimestampType.CREATE_TIME,
                r.key() == null ? -1 : r.key().length, r.value() == null ? -1 : r.value().length, key, value,
                r.headers(), Optional.empty()));
        }
        return records;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the reader is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            backend.close();
        }
    }
}
