package io.pspf.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.RawRecord;

/**
 * Writes an application's records to PSPF topics, on whatever backend {@code pspf.backend} names (the embedded
 * file log, {@code log:./pspf-data}, by default). Records are Kafka's {@link ProducerRecord}s; a send returns once
 * the record is stored, with Kafka's {@link RecordMetadata}.
 *
 * <pre>{@code
 * try (PspfProducer<String, String> producer =
 *          new PspfProducer<>(Map.of("pspf.backend", "log:./data"), new StringSerializer(), new StringSerializer())) {
 *     RecordMetadata stored = producer.send(new ProducerRecord<>("user-signups", "user-1", "{...}"));
 * }
 * }</pre>
 *
 * <p>Partitioning is Kafka's: a record's own partition if it has one, else for a key the murmur2 hash of the
 * serialized key modulo the partition count (so a key lands where Kafka would put it), and records without a key
 * in turn over the partitions. A topic that does not exist is created with {@code pspf.topic.partitions}
 * partitions (default 1). A record without a timestamp gets the current time.
 *
 * <p>Thread-safe.
 */
public final class PspfProducer<K, V> implements AutoCloseable {
    private final Backend backend;
    private final ClientConfig config;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @throws org.apache.kafka.common.config.ConfigException naming the key when a setting is bad
     */
    public PspfProducer(final Map<String, ?> configs, final Serializer<K> keySerializer,
                        final Serializer<V> valueSerializer) {
        this.config = new ClientConfig(configs);
        this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
        this.backend = config.openBackend();
    }

    public PspfProducer(final Properties properties, final Serializer<K> keySerializer,
                        final Serializer<V> valueSerializer) {
        this(ClientConfig.toMap(properties), keySerializer, valueSerializer);
    }

    /** Stores one record and returns where. */
    public RecordMetadata send(final ProducerRecord<K, V> record) {
        return sendAll(List.of(record)).get(0);
    }

    /**
     * Stores records, keeping their order within each partition; the records of one partition are appended
     * together. Returns where each went, in the order given.
     */
    public List<RecordMetadata> sendAll(final List<ProducerRecord<K, V>> records) {
        ensureOpen();
        final Map<TopicPartition, List<Integer>> byPartition = new LinkedHashMap<>();
        final List<RawRecord> raw = new ArrayList<>(records.size());
        final int[] keySizes = new int[records.size()];
        final int[] valueSizes = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            final ProducerRecord<K, V> record = Objects.requireNonNull(records.get(i), "record");
            final String topic = record.topic();
            final Headers headers = record.headers() == null ? new RecordHeaders() : record.headers();
            final byte[] key = keySerializer.serialize(topic, headers, record.key());
            final byte[] value = valueSerializer.serialize(topic, headers, record.value());
            final long timestamp = record.timestamp() == null ? System.currentTimeMillis() : record.timestamp();
            final int partition = partition(topic, record.partition(), key);
            raw.add(new RawRecord(topic, partition, -1L, timestamp, key, value, headers));
            keySizes[i] = key == null ? -1 : key.length;
            valueSizes[i] = value == null ? -1 : value.length;
            byPartition.computeIfAbsent(new TopicPartition(topic, partition), tp -> new ArrayList<>()).add(i);
        }
        final RecordMetadata[] stored = new RecordMetadata[records.size()];
        for (final Map.Entry<TopicPartition, List<Integer>> group : byPartition.entrySet()) {
            final List<RawRecord> batch = new ArrayList<>(group.getValue().size());
            for (final int i : group.getValue()) {
                batch.add(raw.get(i));
            }
            final long first;
            try {
                first = backend.append(group.getKey().topic(), group.getKey().partition(), batch);
            } catch (final RuntimeException e) {
                knownPartitions.remove(group.getKey().topic());
                throw e;
            }
            int n = 0;
            for (final int i : group.getValue()) {
                stored[i] = new RecordMetadata(group.getKey(), first + n++, 0, raw.get(i).timestamp(), keySizes[i],
                    valueSizes[i]);
            }
        }
        return List.of(stored);
    }

    /** The partition count of {@code topic}, creating the topic if it does not exist. */
    public int partitionsFor(final String topic) {
        ensureOpen();
        int partitions = backend.partitions(topic);
        if (partitions < 0) {
            backend.createTopic(topic, config.topicPartitions);
            partitions = backend.partitions(topic);
        }
        return partitions;
    }

    /**
     * The partition counts seen by this producer, as Kafka's producer keeps topic metadata: a backend on the network
     * is not asked once per record. An append that fails forgets the topic's count.
     */
    private final Map<String, Integer> knownPartitions = new java.util.concurrent.ConcurrentHashMap<>();

    private int partition(final String topic, final Integer requested, final byte[] key) {
        Integer known = knownPartitions.get(topic);
        if (known == null) {
            known = partitionsFor(topic);
            knownPartitions.put(topic, known);
        }
        final int partitions = known;
        if (requested != null) {
            if (requested < 0 || requested >= partitions) {
                throw new BackendException("partition " + requested + " of topic " + topic + " does not exist (it has "
                    + partitions + ")");
            }
            return requested;
        }
        if (key != null) {
            return Utils.toPositive(Utils.murmur2(key)) % partitions;
        }
        return Utils.toPositive(roundRobin.computeIfAbsent(topic, t -> new AtomicInteger()).getAndIncrement())
            % partitions;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the producer is closed");
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
