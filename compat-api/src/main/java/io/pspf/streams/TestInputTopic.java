package io.pspf.streams;

import io.pspf.streams.test.TestRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Feeds records into one input topic of a {@link TopologyTestDriver}, serializing keys and values with the
 * serializers it was created with. Instances come from {@code TopologyTestDriver#createInputTopic}; use one per
 * source topic. This is PSPF's counterpart of Kafka Streams' {@code org.apache.kafka.streams.TestInputTopic}.
 * <p>
 * Each input topic keeps its own event-time clock. A record piped without a timestamp is stamped with the clock's
 * current value, after which the clock moves forward by the auto-advance step given at creation (possibly zero).
 * Records piped with an explicit timestamp leave the clock alone. The clock only stamps records: moving it does not
 * move the driver's stream time or wall-clock time.
 * <pre>{@code
 * TestInputTopic<String, Long> input = driver.createInputTopic("numbers", new StringSerializer(), new LongSerializer());
 * input.pipeInput("a", 1L);
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the value type
 * @see TopologyTestDriver
 */
public class TestInputTopic<K, V> {
    private final TopologyTestDriver driver;
    private final String topic;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final Duration advanceDuration;
    private Instant currentTime;

    /**
     * Creates an input topic; called by the driver.
     *
     * @param driver          the driver to pipe into
     * @param topicName       the topic to pipe into
     * @param keySerializer   serializes record keys
     * @param valueSerializer serializes record values
     * @param startTimestamp  the first timestamp handed to records piped without one
     * @param autoAdvance     how far the topic clock moves after stamping such a record; zero or positive
     * @throws NullPointerException     if any argument is {@code null}
     * @throws IllegalArgumentException if {@code autoAdvance} is negative
     */
    TestInputTopic(final TopologyTestDriver driver,
                   final String topicName,
                   final Serializer<K> keySerializer,
                   final Serializer<V> valueSerializer,
                   final Instant startTimestamp,
                   final Duration autoAdvance) {
        this.driver = Objects.requireNonNull(driver, "TopologyTestDriver cannot be null");
        this.topic = Objects.requireNonNull(topicName, "topicName cannot be null");
        this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer cannot be null");
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer cannot be null");
        this.currentTime = Objects.requireNonNull(startTimestamp, "startTimestamp cannot be null");
        Objects.requireNonNull(autoAdvance, "autoAdvance cannot be null");
        if (autoAdvance.isNegative()) {
            throw new IllegalArgumentException("autoAdvance must be positive");
        }
        this.advanceDuration = autoAdvance;
    }

    /**
     * Moves this topic's event-time clock forward, which changes the timestamp given to the next record piped
     * without one. It neither processes anything nor advances the driver's stream time or wall-clock time.
     *
     * @param advance how far to move the clock; zero or positive
     * @throws NullPointerException     if {@code advance} is {@code null}
     * @throws IllegalArgumentException if {@code advance} is negative
     */
    public void advanceTime(final Duration advance) {
        if (advance.isNegative()) {
            throw new IllegalArgumentException("advance must be positive");
        }
        currentTime = currentTime.plus(advance);
    }

    /** Hands out the clock's current value and then moves the clock by the auto-advance step. */
    private Instant nextAutoTimestamp() {
        final Instant stamp = currentTime;
        currentTime = currentTime.plus(advanceDuration);
        return stamp;
    }

    /**
     * Pipes one record into the topic and lets the driver process it. If the record has no timestamp it gets the
     * topic clock's current time and the clock auto-advances; otherwise its own timestamp is used.
     *
     * @param record the record to pipe; its headers are passed to the serializers
     * @throws NullPointerException if {@code record} is {@code null}
     */
    public void pipeInput(final TestRecord<K, V> record) {
        final Instant recordTime = record.getRecordTime();
        final Instant timestamp = recordTime != null ? recordTime : nextAutoTimestamp();
        driver.pipeRecord(topic, record, keySerializer, valueSerializer, timestamp);
    }

    /**
     * Pipes a record with a {@code null} key and the given value, stamped with the topic clock (which then
     * auto-advances).
     *
     * @param value the value; may be {@code null}
     */
    public void pipeInput(final V value) {
        pipeInput(new TestRecord<K, V>(value));
    }

    /**
     * Pipes a record with the given key and value, stamped with the topic clock (which then auto-advances).
     *
     * @param key   the key; may be {@code null}
     * @param value the value; may be {@code null}
     */
    public void pipeInput(final K key, final V value) {
        pipeInput(new TestRecord<>(key, value));
    }

    /**
     * Pipes a record with a {@code null} key, the given value and the given timestamp. The topic clock is left
     * unchanged unless {@code timestamp} is {@code null}, in which case the clock stamps the record and advances.
     *
     * @param value     the value; may be {@code null}
     * @param timestamp the record timestamp
     */
    public void pipeInput(final V value, final Instant timestamp) {
        pipeInput(new TestRecord<K, V>(null, value, timestamp));
    }

    /**
     * Pipes a record with the given key, value and timestamp in epoch milliseconds; the topic clock is left unchanged.
     *
     * @param key         the key; may be {@code null}
     * @param value       the value; may be {@code null}
     * @param timestampMs the record timestamp in milliseconds since the epoch
     * @throws IllegalArgumentException if {@code timestampMs} is negative
     */
    public void pipeInput(final K key, final V value, final long timestampMs) {
        pipeInput(new TestRecord<>(key, value, null, timestampMs));
    }

    /**
     * Pipes a record with the given key, value and timestamp. The topic clock is left unchanged unless
     * {@code timestamp} is {@code null}, in which case the clock stamps the record and advances.
     *
     * @param key       the key; may be {@code null}
     * @param value     the value; may be {@code null}
     * @param timestamp the record timestamp
     */
    public void pipeInput(final K key, final V value, final Instant timestamp) {
        pipeInput(new TestRecord<>(key, value, timestamp));
    }

    /**
     * Pipes the given records one at a time, in list order, as {@link #pipeInput(TestRecord)} does: records
     * without a timestamp are stamped with the topic clock, which auto-advances after each of them.
     *
     * @param records the records to pipe
     * @throws NullPointerException if {@code records} or one of its elements is {@code null} (records before it
     *                              have been piped)
     */
    public void pipeRecordList(final List<? extends TestRecord<K, V>> records) {
        for (final TestRecord<K, V> record : records) {
            pipeInput(record);
        }
    }

    /**
     * Pipes one record per key-value pair, in list order, each stamped with the topic clock, which auto-advances
     * after each record.
     *
     * @param keyValues the key-value pairs to pipe
     * @throws NullPointerException if {@code keyValues} or one of its elements is {@code null} (pairs before it
     *                              have been piped)
     */
    public void pipeKeyValueList(final List<KeyValue<K, V>> keyValues) {
        for (final KeyValue<K, V> keyValue : keyValues) {
            pipeInput(keyValue.key, keyValue.value);
        }
    }

    /**
     * Pipes one record with a {@code null} key per value, in list order, each stamped with the topic clock, which
     * auto-advances after each record.
     *
     * @param values the values to pipe
     * @throws NullPointerException if {@code values} is {@code null}
     */
    public void pipeValueList(final List<V> values) {
        for (final V value : values) {
            pipeInput(value);
        }
    }

    /**
     * Pipes one record per key-value pair, in list order, with explicit timestamps: the first gets
     * {@code startTimestamp}, each following one {@code advance} later than the one before. The topic clock is
     * not used and not changed.
     *
     * @param keyValues      the key-value pairs to pipe
     * @param startTimestamp the timestamp of the first record
     * @param advance        the gap between consecutive records' timestamps (not checked for sign)
     * @throws NullPointerException if {@code keyValues} or one of its elements is {@code null}, or if the list is
     *                              not empty and {@code startTimestamp} or {@code advance} is {@code null}; in the
     *                              latter case the first record has already been piped (stamped by the topic clock
     *                              when {@code startTimestamp} is {@code null})
     */
    public void pipeKeyValueList(final List<KeyValue<K, V>> keyValues,
                                 final Instant startTimestamp,
                                 final Duration advance) {
        Instant recordTime = startTimestamp;
        for (final KeyValue<K, V> keyValue : keyValues) {
            pipeInput(keyValue.key, keyValue.value, recordTime);
            recordTime = recordTime.plus(advance);
        }
    }

    /**
     * Pipes one record with a {@code null} key per value, in list order, with explicit timestamps: the first gets
     * {@code startTimestamp}, each following one {@code advance} later than the one before. The topic clock is
     * not used and not changed.
     *
     * @param values         the values to pipe
     * @param startTimestamp the timestamp of the first record
     * @param advance        the gap between consecutive records' timestamps (not checked for sign)
     * @throws NullPointerException if {@code values} is {@code null}, or if the list is not empty and
     *                              {@code startTimestamp} or {@code advance} is {@code null}; in the latter case the
     *                              first record has already been piped (stamped by the topic clock when
     *                              {@code startTimestamp} is {@code null})
     */
    public void pipeValueList(final List<V> values,
                              final Instant startTimestamp,
                              final Duration advance) {
        Instant recordTime = startTimestamp;
        for (final V value : values) {
            pipeInput(value, recordTime);
            recordTime = recordTime.plus(advance);
        }
    }

    /**
     * Describes this input topic as {@code TestInputTopic[topic='...', keySerializer=..., valueSerializer=...]},
     * naming the serializers by their classes' simple names.
     *
     * @return the description
     */
    @Override
    public String toString() {
        final StringJoiner joiner = new StringJoiner(", ", TestInputTopic.class.getSimpleName() + "[", "]");
        joiner.add("topic='" + topic + "'");
        joiner.add("keySerializer=" + keySerializer.getClass().getSimpleName());
        joiner.add("valueSerializer=" + valueSerializer.getClass().getSimpleName());
        return joiner.toString();
    }
}
