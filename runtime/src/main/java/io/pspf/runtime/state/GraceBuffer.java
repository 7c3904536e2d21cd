package io.pspf.runtime.state;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The buffer of a stream-table join with a grace period (the store Kafka builds with
 * {@code RocksDBTimeOrderedKeyValueBuffer}): every stream record, keyed by its timestamp, then its key, then a
 * sequence number, so duplicates are all kept. Its stream time is the largest timestamp ever buffered; a record
 * older than that time minus the grace is refused. Each put and each eviction is logged at once, in Kafka's bytes:
 * the key is the buffer key (a 0 prefix byte, timestamp, serialized key, sequence number), the value the record context followed by
 * the prior, old and new values (prior and old always null) and a buffer time of 0; no timestamp, no headers.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class GraceBuffer<K, V> extends ChangelogBuffer<K, V> {
    private static final int SEQNUM_SIZE = 4;
    /** The first byte of every key: Kafka's prefix of the time-first key schema. */
    private static final byte TIME_FIRST_PREFIX = 0;
    private static final int PREFIX_SIZE = 1;

    private final long gracePeriod;
    private final String topic;
    private final TreeMap<byte[], Entry> entries = new TreeMap<>(Arrays::compareUnsigned);
    private long observedStreamTime = -1L;
    private long minTimestamp = Long.MAX_VALUE;
    private boolean minValid;
    private int seqnum;

    private GraceBuffer(final String name, final long gracePeriod, final String topic, final boolean loggingEnabled,
                        final Serde<K> keySerde, final Serde<V> valueSerde) {
        super(name, loggingEnabled, keySerde, valueSerde);
        this.gracePeriod = gracePeriod;
        this.topic = topic;
    }

    /** What {@link #evictWhile} hands over: a buffered record's key, value and record context. */
    public interface Eviction<K, V> {
        void accept(K key, V value, StoreRecordContext recordContext);
    }

    /** Builds the buffer; caching does not apply, logging is on by default. */
    public static final class Builder<K, V> extends ChangelogBuffer.Builder<K, V, GraceBuffer<K, V>> {
        private final Duration grace;
        private final String topic;

        /**
         * @param keySerde   the key serde; null for the context's default
         * @param valueSerde the value serde; null for the context's default
         * @param topic      the topic name the serdes are given (Kafka gives the join processor's name)
         */
        public Builder(final String name, final Serde<K> keySerde, final Serde<V> valueSerde, final Duration grace,
                       final String topic) {
            super(name, keySerde, valueSerde);
            this.grace = grace;
            this.topic = topic;
        }

        @Override
        public GraceBuffer<K, V> build() {
            return new GraceBuffer<>(name, grace.toMillis(), topic, loggingEnabled, keySerde, valueSerde);
        }
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public void flush() {
    }

    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
    }

    @Override
    public void close() {
        open = false;
        entries.clear();
    }

    /**
     * Buffers {@code record} with {@code recordContext}, unless it is older than the buffer's stream time minus the
     * grace period.
     *
     * @return whether the record was buffered
     * @throws NullPointerException when the record's key or value is null
     */
    public boolean put(final Record<K, V> record, final StoreRecordContext recordContext) {
        Objects.requireNonNull(record.value(), "value cannot be null");
        Objects.requireNonNull(record.key(), "key cannot be null");
        Objects.requireNonNull(recordContext, "recordContext cannot be null");
        if (observedStreamTime - gracePeriod > record.timestamp()) {
            return false;
        }
        seqnum = (seqnum + 1) & Integer.MAX_VALUE;
        final byte[] keyBytes = keySerde.serializer().serialize(topic, record.headers(), record.key());
        final byte[] storeKey = ByteBuffer.allocate(PREFIX_SIZE + Long.BYTES + keyBytes.length + SEQNUM_SIZE)
            .put(TIME_FIRST_PREFIX).putLong(record.timestamp()).put(keyBytes).putInt(seqnum).array();
        final byte[] valueBytes = valueSerde.serializer().serialize(topic, record.headers(), record.value());
        final Entry entry = new Entry(valueBytes, new StoreRecordContext(recordContext.timestamp(), recordContext.offset(),
            recordContext.partition(), recordContext.topic(), new RecordHeaders(recordContext.headers().toArray())));
        observedStreamTime = Math.max(observedStreamTime, record.timestamp());
        entries.put(storeKey, entry);
        if (loggingEnabled && sink != null) {
            final ByteBuffer logged = entry.serialize(Long.BYTES);
            logged.putLong(0L);
            sink.send(changelogTopic, partition, Bytes.wrap(storeKey), logged.array(), TimeOrderedChangeBuffer.NO_TIMESTAMP,
                new RecordHeaders());
        }
        minTimestamp = Math.min(minTimestamp, record.timestamp());
        return true;
    }

    /** Applies a changelog record: a buffered record as {@link #put} logged it, or its eviction. */
    @Override
    protected void restore(final byte[] key, final byte[] value) {
        if (value == null) {
            entries.remove(key);
        } else {
            final ByteBuffer buffer = ByteBuffer.wrap(value);
            final StoreRecordContext context = BufferRecordFormat.readContext(buffer);
            BufferRecordFormat.readValue(buffer);
            BufferRecordFormat.readValue(buffer);
            final byte[] recordValue = BufferRecordFormat.readValue(buffer);
            entries.put(key, new Entry(recordValue, context));
            final long time = ByteBuffer.wrap(key).getLong(PREFIX_SIZE);
            observedStreamTime = Math.max(observedStreamTime, time);
        }
        minTimestamp = entries.isEmpty() ? Long.MAX_VALUE : ByteBuffer.wrap(entries.firstKey()).getLong(PREFIX_SIZE);
        minValid = !entries.isEmpty();
    }

    /**
     * Evicts, in buffer order and while {@code predicate} holds, the records whose timestamp is at most the stream
     * time minus the grace period, handing each to {@code callback} before removing it.
     */
    public void evictWhile(final BooleanSupplier predicate, final Eviction<K, V> callback) {
        if (!predicate.getAsBoolean()) {
            return;
        }
        final long from = minValid ? minTimestamp : 0L;
        final long to = observedStreamTime - gracePeriod;
        if (to >= from) {
            final Iterator<Map.Entry<byte[], Entry>> it = entries.tailMap(timePrefix(from), true).entrySet().iterator();
            while (it.hasNext() && predicate.getAsBoolean()) {
                final Map.Entry<byte[], Entry> next = it.next();
                final long time = ByteBuffer.wrap(next.getKey()).getLong(PREFIX_SIZE);
                if (time > to) {
                    break;
                }
                final Entry entry = next.getValue();
                if (time < minTimestamp && minValid) {
                    throw new IllegalStateException("minTimestamp [" + minTimestamp + "] did not match the actual min "
                        + "timestamp [" + time + "]");
                }
                minTimestamp = time;
                minValid = true;
                final Headers headers = entry.context.headers();
                final byte[] keyBytes = Arrays.copyOfRange(next.getKey(), PREFIX_SIZE + Long.BYTES,
                    next.getKey().length - SEQNUM_SIZE);
                final K key = keySerde.deserializer().deserialize(topic, headers, keyBytes);
                final V value = valueSerde.deserializer().deserialize(topic, headers, entry.value);
                callback.accept(key, value, entry.context);
                it.remove();
                if (loggingEnabled && sink != null) {
                    sink.send(changelogTopic, partition, Bytes.wrap(next.getKey()), null,
                        TimeOrderedChangeBuffer.NO_TIMESTAMP, new RecordHeaders());
                }
            }
        }
        minTimestamp = entries.isEmpty() ? Long.MAX_VALUE : observedStreamTime - gracePeriod + 1;
    }

    /** @return the number of buffered records */
    public int numRecords() {
        return entries.size();
    }

    private static byte[] timePrefix(final long time) {
        return ByteBuffer.allocate(PREFIX_SIZE + Long.BYTES).put(TIME_FIRST_PREFIX).putLong(time).array();
    }

    @Override
    public String toString() {
        return "GraceBuffer{storeName='" + name + "', changelogTopic='" + changelogTopic + "', open=" + open
            + ", records=" + entries.size() + ", observedStreamTime=" + observedStreamTime + "}";
    }

    /** A buffered record: its serialized value and its record context. */
    private static final class Entry {
        final byte[] value;
        final StoreRecordContext context;

        Entry(final byte[] value, final StoreRecordContext context) {
            this.value = value;
            this.context = context;
        }

        /** Kafka's buffer-value layout (context, null prior, null old, new), with {@code extra} free bytes at the end. */
        ByteBuffer serialize(final int extra) {
            final byte[] serializedContext = BufferRecordFormat.serializeContext(context);
            final int valueSize = value == null ? 0 : value.length;
            final ByteBuffer buffer = ByteBuffer.allocate(serializedContext.length + 4 + 4 + 4 + valueSize + extra);
            buffer.put(serializedContext).putInt(-1).putInt(-1);
            if (value == null) {
                buffer.putInt(-1);
            } else {
                buffer.putInt(value.length).put(value);
            }
            return buffer;
        }
    }
}
