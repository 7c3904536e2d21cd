package io.pspf.streams;

import io.pspf.streams.test.TestRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;

import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Reads, in order, the records a {@link TopologyTestDriver} has written to one output topic, deserializing keys and
 * values with the deserializers it was created with. Instances come from {@code TopologyTestDriver#createOutputTopic};
 * use one per output topic. This is PSPF's counterpart of Kafka Streams' {@code org.apache.kafka.streams.TestOutputTopic}.
 * <p>
 * Every read consumes the records it returns. {@link #readRecord()} keeps the timestamp and headers,
 * {@link #readKeyValue()} only the key and value, {@link #readValue()} only the value. The {@code read...To...}
 * methods drain everything currently queued on the topic.
 * <pre>{@code
 * TestOutputTopic<String, Long> output = driver.createOutputTopic("counts", new StringDeserializer(), new LongDeserializer());
 * assertEquals(new KeyValue<>("a", 1L), output.readKeyValue());
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the value type
 * @see TopologyTestDriver
 */
public class TestOutputTopic<K, V> {
    private final TopologyTestDriver driver;
    private final String topic;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;

    /**
     * Creates an output topic reader; called by the driver.
     *
     * @param driver            the driver to read from
     * @param topicName         the topic to read
     * @param keyDeserializer   deserializes record keys
     * @param valueDeserializer deserializes record values
     * @throws NullPointerException if any argument is {@code null}
     */
    TestOutputTopic(final TopologyTestDriver driver,
                    final String topicName,
                    final Deserializer<K> keyDeserializer,
                    final Deserializer<V> valueDeserializer) {
        this.driver = Objects.requireNonNull(driver, "TopologyTestDriver cannot be null");
        this.topic = Objects.requireNonNull(topicName, "topicName cannot be null");
        this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer cannot be null");
        this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer cannot be null");
    }

    /**
     * Consumes the next record of the topic and returns its value.
     *
     * @return the value; may be {@code null}
     * @throws NoSuchElementException if the topic has no unread record
     */
    public V readValue() {
        return readRecord().value();
    }

    /**
     * Consumes the next record of the topic and returns its key and value.
     *
     * @return a new pair holding the key and value, either of which may be {@code null}
     * @throws NoSuchElementException if the topic has no unread record
     */
    public KeyValue<K, V> readKeyValue() {
        final TestRecord<K, V> record = readRecord();
        return new KeyValue<>(record.key(), record.value());
    }

    /**
     * Consumes the next record of the topic and returns it with its key, value, headers and timestamp.
     *
     * @return the record; never {@code null}
     * @throws NoSuchElementException if the topic has no unread record
     */
    public TestRecord<K, V> readRecord() {
        return driver.readRecord(topic, keyDeserializer, valueDeserializer);
    }

    /**
     * Consumes every queued record of the topic and returns them in output order. Suited to streams; for a table
     * the list holds every update, so a key may appear more than once (see {@link #readKeyValuesToMap()} for the
     * final state only).
     *
     * @return a new mutable list, empty if nothing was queued
     */
    public List<TestRecord<K, V>> readRecordsToList() {
        final List<TestRecord<K, V>> records = new LinkedList<>();
        while (!isEmpty()) {
            records.add(readRecord());
        }
        return records;
    }

    /**
     * Consumes every queued record of the topic and folds them into a map from key to value, later records
     * replacing earlier ones with the same key. Suited to tables when only the final state matters. A key whose last
     * update is a tombstone stays in the map, mapped to {@code null}.
     *
     * @return a new mutable map, empty if nothing was queued
     * @throws IllegalStateException if a record has a {@code null} key; that record and all records before it have
     *                               been consumed, the rest stay queued
     */
    public Map<K, V> readKeyValuesToMap() {
        final Map<K, V> latest = new HashMap<>();
        while (!isEmpty()) {
            final TestRecord<K, V> record = readRecord();
            if (record.key() == null) {
                throw new IllegalStateException("Null keys not allowed with readKeyValuesToMap method");
            }
            latest.put(record.key(), record.value());
        }
        return latest;
    }

    /**
     * Consumes every queued record of the topic and returns their keys and values in output order.
     *
     * @return a new mutable list of pairs, empty if nothing was queued
     */
    public List<KeyValue<K, V>> readKeyValuesToList() {
        final List<KeyValue<K, V>> keyValues = new LinkedList<>();
        while (!isEmpty()) {
            keyValues.add(readKeyValue());
        }
        return keyValues;
    }

    /**
     * Consumes every queued record of the topic and returns their values in output order.
     *
     * @return a new mutable list of values (which may include {@code null}s), empty if nothing was queued
     */
    public List<V> readValuesToList() {
        final List<V> values = new LinkedList<>();
        while (!isEmpty()) {
            values.add(readValue());
        }
        return values;
    }

    /**
     * Returns how many records of the topic are still unread.
     *
     * @return the number of queued records; {@code 0} for a topic nothing was ever written to
     */
    public final long getQueueSize() {
        return driver.getQueueSize(topic);
    }

    /**
     * Tells whether the topic has no unread record.
     *
     * @return {@code true} if nothing is queued
     */
    public final boolean isEmpty() {
        return driver.isEmpty(topic);
    }

    /**
     * Describes this output topic as
     * {@code TestOutputTopic[topic='...', keyDeserializer=..., valueDeserializer=..., size=...]}, naming the
     * deserializers by their classes' simple names and giving the current number of unread records.
     *
     * @return the description
     */
    @Override
    public String toString() {
        final StringJoiner joiner = new StringJoiner(", ", TestOutputTopic.class.getSimpleName() + "[", "]");
        joiner.add("topic='" + topic + "'");
        joiner.add("keyDeserializer=" + keyDeserializer.getClass().getSimpleName());
        joiner.add("valueDeserializer=" + valueDeserializer.getClass().getSimpleName());
        joiner.add("size=" + getQueueSize());
        return joiner.toString();
    }
}
