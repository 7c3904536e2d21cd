package io.pspf.streams.test;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.time.Instant;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * An unserialized record as handed to or returned by {@link io.pspf.streams.TopologyTestDriver}: a key, a value,
 * headers and an optional timestamp. This is PSPF's counterpart of Kafka Streams'
 * {@code org.apache.kafka.streams.test.TestRecord} and behaves the same way (constructors, validation, accessors,
 * {@code equals}, {@code hashCode} and {@code toString}).
 * <p>
 * A record built without a timestamp gets one when it is piped through an {@link io.pspf.streams.TestInputTopic}:
 * the topic's current time is used and then auto-advanced.
 * <p>
 * The headers are never {@code null}. Apart from the {@link ConsumerRecord} and {@link ProducerRecord} constructors,
 * which keep the source record's {@link Headers} instance, every constructor stores a fresh mutable copy of the
 * given headers.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public class TestRecord<K, V> {
    private final Headers headers;
    private final K key;
    private final V value;
    private final Instant recordTime;

    /**
     * Builds a record with the given key, value, headers and timestamp.
     *
     * @param key        the key; may be {@code null}
     * @param value      the value; may be {@code null}
     * @param headers    the headers to copy; {@code null} means no headers
     * @param recordTime the timestamp; {@code null} leaves the record without a timestamp (it is not validated:
     *                   an instant before the epoch is kept as is)
     */
    public TestRecord(final K key, final V value, final Headers headers, final Instant recordTime) {
        this.key = key;
        this.value = value;
        this.recordTime = recordTime;
        this.headers = copyOf(headers);
    }

    /**
     * Builds a record with the given key, value, headers and timestamp in epoch milliseconds.
     *
     * @param key         the key; may be {@code null}
     * @param value       the value; may be {@code null}
     * @param headers     the headers to copy; {@code null} means no headers
     * @param timestampMs the timestamp in milliseconds since the epoch; {@code null} leaves the record without a
     *                    timestamp
     * @throws IllegalArgumentException if {@code timestampMs} is negative
     */
    public TestRecord(final K key, final V value, final Headers headers, final Long timestampMs) {
        if (timestampMs == null) {
            this.recordTime = null;
        } else if (timestampMs < 0) {
            throw new IllegalArgumentException(String.format(
                "Invalid timestamp: %d. Timestamp should always be non-negative or null.", timestampMs));
        } else {
            this.recordTime = Instant.ofEpochMilli(timestampMs);
        }
        this.key = key;
        this.value = value;
        this.headers = copyOf(headers);
    }

    /** A fresh, writable copy of {@code headers}; cheap for the common case of no headers. */
    private static Headers copyOf(final Headers headers) {
        final org.apache.kafka.common.header.Header[] array = headers == null ? null : headers.toArray();
        return array == null || array.length == 0 ? new RecordHeaders() : new RecordHeaders(array);
    }

    /**
     * Builds a record with the given key, value and timestamp, and no headers.
     *
     * @param key        the key; may be {@code null}
     * @param value      the value; may be {@code null}
     * @param recordTime the timestamp; {@code null} leaves the record without a timestamp
     */
    public TestRecord(final K key, final V value, final Instant recordTime) {
        this(key, value, null, recordTime);
    }

    /**
     * Builds a record with the given key, value and headers, and no timestamp.
     *
     * @param key     the key; may be {@code null}
     * @param value   the value; may be {@code null}
     * @param headers the headers to copy; {@code null} means no headers
     */
    public TestRecord(final K key, final V value, final Headers headers) {
        this(key, value, headers, (Instant) null);
    }

    /**
     * Builds a record with the given key and value, no headers and no timestamp.
     *
     * @param key   the key; may be {@code null}
     * @param value the value; may be {@code null}
     */
    public TestRecord(final K key, final V value) {
        this(key, value, null, (Instant) null);
    }

    /**
     * Builds a record with a {@code null} key, the given value, no headers and no timestamp.
     *
     * @param value the value; may be {@code null}
     */
    public TestRecord(final V value) {
        this(null, value);
    }

    /**
     * Builds a record from a consumer record: its key, value, timestamp and its very {@link Headers} instance
     * (not a copy). The topic, partition and offset are dropped. The timestamp is taken as is, so a consumer record
     * without a timestamp ({@code -1}) becomes one millisecond before the epoch.
     *
     * @param record the consumer record to convert
     * @throws NullPointerException if {@code record} is {@code null}
     */
    public TestRecord(final ConsumerRecord<K, V> record) {
        Objects.requireNonNull(record);
        this.key = record.key();
        this.value = record.value();
        this.headers = record.headers();
        this.recordTime = Instant.ofEpochMilli(record.timestamp());
    }

    /**
     * Builds a record from a producer record: its key, value, timestamp and its very {@link Headers} instance
     * (not a copy). The topic and partition are dropped.
     *
     * @param record the producer record to convert; it must carry a timestamp
     * @throws NullPointerException if {@code record} is {@code null} or has a {@code null} timestamp
     */
    public TestRecord(final ProducerRecord<K, V> record) {
        Objects.requireNonNull(record);
        this.key = record.key();
        this.value = record.value();
        this.headers = record.headers();
        final long timestampMs = record.timestamp();
        this.recordTime = Instant.ofEpochMilli(timestampMs);
    }

    /**
     * Returns the record headers.
     *
     * @return the headers; never {@code null}
     */
    public Headers headers() {
        return headers;
    }

    /**
     * Returns the record key.
     *
     * @return the key; {@code null} if the record has none
     */
    public K key() {
        return key;
    }

    /**
     * Returns the record value.
     *
     * @return the value; may be {@code null}
     */
    public V value() {
        return value;
    }

    /**
     * Returns the record timestamp in milliseconds since the epoch.
     *
     * @return the timestamp; {@code null} if the record has no timestamp
     */
    public Long timestamp() {
        return recordTime == null ? null : recordTime.toEpochMilli();
    }

    /**
     * Returns the record headers; same as {@link #headers()}.
     *
     * @return the headers; never {@code null}
     */
    public Headers getHeaders() {
        return headers;
    }

    /**
     * Returns the record key; same as {@link #key()}.
     *
     * @return the key; {@code null} if the record has none
     */
    public K getKey() {
        return key;
    }

    /**
     * Returns the record value; same as {@link #value()}.
     *
     * @return the value; may be {@code null}
     */
    public V getValue() {
        return value;
    }

    /**
     * Returns the record timestamp as an {@link Instant}.
     *
     * @return the timestamp; {@code null} if the record has no timestamp
     */
    public Instant getRecordTime() {
        return recordTime;
    }

    /**
     * Kafka Streams 4.4.0 ships this method as a placeholder that answers {@code false} for every argument
     * (including this very record and {@code null}), since its {@code TestRecord} has no partition. PSPF reproduces
     * that result exactly; use {@link #equals(Object)} to compare records.
     *
     * @param o the record to compare with; may be {@code null}
     * @return always {@code false}
     */
    public boolean equalsIgnorePartition(final TestRecord<? extends K, ? super V> o) {
        return false;
    }

    /**
     * Describes this record as {@code TestRecord[key=..., value=..., headers=..., recordTime=...]}, with
     * {@code null} for absent parts and the timestamp in ISO-8601 form.
     *
     * @return the description
     */
    @Override
    public String toString() {
        final StringJoiner joiner = new StringJoiner(", ", TestRecord.class.getSimpleName() + "[", "]");
        joiner.add("key=" + key);
        joiner.add("value=" + value);
        joiner.add("headers=" + headers);
        joiner.add("recordTime=" + recordTime);
        return joiner.toString();
    }

    /**
     * Tells whether {@code o} is a record of exactly the same class with equal headers, key, value and timestamp.
     *
     * @param o the object to compare with; may be {@code null}
     * @return {@code true} if equal
     */
    @Override
    public boolean equals(final Object o) {
        if (o == this) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        final TestRecord<?, ?> other = (TestRecord<?, ?>) o;
        return Objects.equals(headers, other.headers)
            && Objects.equals(key, other.key)
            && Objects.equals(value, other.value)
            && Objects.equals(recordTime, other.recordTime);
    }

    /**
     * Hashes the headers, key, value and timestamp, consistently with {@link #equals(Object)} (and with the same
     * result Kafka's {@code TestRecord} gives for the same contents).
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(headers, key, value, recordTime);
    }
}
