package io.pspf.runtime.state;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * The in-memory buffer behind {@code KTable.suppress} (Kafka's {@code InMemoryTimeOrderedKeyValueChangeBuffer}):
 * the latest change of each key, ordered by buffer time (a key keeps the time of its first buffering), with the
 * record context of the change that last updated it. Sizes are counted as Kafka counts them, so a buffer bounded
 * by bytes evicts at the same points; the changelog, written at commit for every key touched since the last one,
 * carries Kafka's bytes (format version 3: the record context, the prior, old and new values, then the buffer
 * time; a header {@code v=3}; no timestamp).
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TimeOrderedChangeBuffer<K, V> extends ChangelogBuffer<K, V> implements CarriedOverStores.Keepable {
    /** The changelog timestamp of a record Kafka sends without one; the test driver reads it back as none. */
    public static final long NO_TIMESTAMP = -1L;
    private static final byte[] VERSION_3 = {(byte) 3};

    private final Map<Bytes, BufferKey> index = new HashMap<>();
    private final TreeMap<BufferKey, BufferValue> sortedMap = new TreeMap<>();
    private final Set<Bytes> dirtyKeys = new HashSet<>();
    private long memBufferSize;
    private long minTimestamp = Long.MAX_VALUE;
    /** Set by {@link #keepOnClose} until the next init: closing keeps the buffer, for the task that takes it. */
    private boolean keep;

    private TimeOrderedChangeBuffer(final String name, final boolean loggingEnabled, final Serde<K> keySerde,
                                    final Serde<V> valueSerde) {
        super(name, loggingEnabled, keySerde, valueSerde);
    }

    /** What {@link #evictWhile} hands over: a key, its latest change and the context of the record that made it. */
    public interface Eviction<K, V> {
        void accept(K key, V newValue, V oldValue, StoreRecordContext recordContext);
    }

    /** A buffered key's prior value, for the suppressed table's value getter. */
    public static final class Prior<V> {
        private final V value;

        private Prior(final V value) {
            this.value = value;
        }

        /** @return the value the key had before it was first buffered (null when it had none) */
        public V value() {
            return value;
        }
    }

    /** Builds the buffer; caching does not apply, logging is on by default. */
    public static final class Builder<K, V> extends ChangelogBuffer.Builder<K, V, TimeOrderedChangeBuffer<K, V>> {
        /**
         * @param keySerde   the key serde; null for the context's default
         * @param valueSerde the value serde; null for the context's default
         */
        public Builder(final String name, final Serde<K> keySerde, final Serde<V> valueSerde) {
            super(name, keySerde, valueSerde);
        }

        @SuppressWarnings("unchecked")
        @Override
        public TimeOrderedChangeBuffer<K, V> build() {
            // a promoted standby's buffer, with what it restored, when one is on offer (CarriedOverStores)
            return CarriedOverStores.takeOr(name, TimeOrderedChangeBuffer.class,
                () -> new TimeOrderedChangeBuffer<>(name, loggingEnabled, keySerde, valueSerde));
        }
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public void keepOnClose() {
        keep = true;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        keep = false; // taken over (or opened anew): later closes clear as usual
    }

    @Override
    public void close() {
        open = false;
        if (keep) {
            return;
        }
        index.clear();
        sortedMap.clear();
        dirtyKeys.clear();
        memBufferSize = 0;
        minTimestamp = Long.MAX_VALUE;
    }

    /** Logs every key touched since the last commit: its buffered entry, or a tombstone once it was evicted. */
    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
        if (!loggingEnabled) {
            return;
        }
        for (final Bytes key : dirtyKeys) {
            final BufferKey bufferKey = index.get(key);
            if (sink == null) {
                continue;
            }
            if (bufferKey == null) {
                sink.send(changelogTopic, partition, key, null, NO_TIMESTAMP, new RecordHeaders());
            } else {
                final ByteBuffer buffer = sortedMap.get(bufferKey).serialize(Long.BYTES);
                buffer.putLong(bufferKey.time);
                sink.send(changelogTopic, partition, key, buffer.array(), NO_TIMESTAMP,
                    new RecordHeaders(new Header[] {new RecordHeader("v", VERSION_3.clone())}));
            }
        }
        dirtyKeys.clear();
    }

    /** Applies a changelog record: the key's buffered entry as {@link #commit} logged it, or its removal. */
    @Override
    protected void restore(final byte[] key, final byte[] value) {
        final Bytes serializedKey = Bytes.wrap(key);
        final BufferKey previous = index.remove(serializedKey);
        if (previous != null) {
            final BufferValue removed = sortedMap.remove(previous);
            memBufferSize -= removed == null ? 0 : recordSize(serializedKey, removed);
        }
        if (value != null) {
            final ByteBuffer buffer = ByteBuffer.wrap(value);
            final StoreRecordContext context = BufferRecordFormat.readContext(buffer);
            final byte[] prior = BufferRecordFormat.readValue(buffer);
            final int oldLength = buffer.getInt();
            final byte[] old;
            if (oldLength == -1) {
                old = null;
            } else if (oldLength == -2) {
                old = prior;
            } else {
                old = new byte[oldLength];
                buffer.get(old);
            }
            final byte[] newValue = BufferRecordFormat.readValue(buffer);
            final long time = buffer.getLong();
            final BufferKey bufferKey = new BufferKey(time, serializedKey);
            final BufferValue restored = new BufferValue(prior, old, newValue, context);
            index.put(serializedKey, bufferKey);
            sortedMap.put(bufferKey, restored);
            memBufferSize += recordSize(serializedKey, restored);
        }
        minTimestamp = sortedMap.isEmpty() ? Long.MAX_VALUE : sortedMap.firstKey().time;
    }

    /**
     * Buffers the latest change of {@code key}. A key already buffered keeps its place (its first buffer time) and
     * its prior value; its change and record context are replaced.
     *
     * @param time    the buffer time (a record's timestamp, or a window's end)
     * @param headers the headers the serdes are given (the record's)
     */
    public void put(final long time, final K key, final V newValue, final V oldValue, final Headers headers) {
        final Bytes serializedKey = Bytes.wrap(keySerde.serializer().serialize(changelogTopic, headers, key));
        final BufferKey previousKey = index.get(serializedKey);
        final BufferValue buffered = previousKey == null ? null : sortedMap.get(previousKey);
        final byte[] oldBytes = serialize(oldValue, headers);
        final byte[] newBytes = serialize(newValue, headers);
        final byte[] prior = buffered == null ? oldBytes : buffered.priorValue;
        final BufferValue value = new BufferValue(prior, oldBytes, newBytes, StoreEnvironments.current(environment));
        if (previousKey == null) {
            final BufferKey bufferKey = new BufferKey(time, serializedKey);
            index.put(serializedKey, bufferKey);
            sortedMap.put(bufferKey, value);
            minTimestamp = Math.min(minTimestamp, time);
            memBufferSize += recordSize(serializedKey, value);
        } else {
            final BufferValue removed = sortedMap.put(previousKey, value);
            memBufferSize = memBufferSize + recordSize(serializedKey, value)
                - (removed == null ? 0 : recordSize(serializedKey, removed));
        }
        if (loggingEnabled) {
            dirtyKeys.add(serializedKey);
        }
    }

    private byte[] serialize(final V value, final Headers headers) {
        return value == null ? null : valueSerde.serializer().serialize(changelogTopic, headers, value);
    }

    private V deserialize(final byte[] bytes, final Headers headers) {
        return bytes == null ? null : valueSerde.deserializer().deserialize(changelogTopic, headers, bytes);
    }

    /**
     * Evicts entries in buffer-time order while {@code predicate} holds, handing each to {@code callback} before
     * removing it.
     *
     * @throws IllegalStateException if the buffer's minimum time does not match its first entry (a bug)
     */
    public void evictWhile(final BooleanSupplier predicate, final Eviction<K, V> callback) {
        final Iterator<Map.Entry<BufferKey, BufferValue>> entries = sortedMap.entrySet().iterator();
        if (!predicate.getAsBoolean()) {
            return;
        }
        Map.Entry<BufferKey, BufferValue> next = entries.hasNext() ? entries.next() : null;
        while (next != null && predicate.getAsBoolean()) {
            if (next.getKey().time != minTimestamp) {
                throw new IllegalStateException("minTimestamp [" + minTimestamp + "] did not match the actual min timestamp ["
                    + next.getKey().time + "]");
            }
            final BufferValue value = next.getValue();
            final Headers headers = value.context.headers();
            final K key = keySerde.deserializer().deserialize(changelogTopic, headers, next.getKey().key.get());
            callback.accept(key, deserialize(value.newValue, headers), deserialize(value.oldValue, headers), value.context);
            entries.remove();
            index.remove(next.getKey().key);
            if (loggingEnabled) {
                dirtyKeys.add(next.getKey().key);
            }
            memBufferSize -= recordSize(next.getKey().key, value);
            if (entries.hasNext()) {
                next = entries.next();
                minTimestamp = next.getKey().time;
            } else {
                next = null;
                minTimestamp = Long.MAX_VALUE;
            }
        }
    }

    /**
     * The prior value of a buffered key (the value it had before its first buffering), or null when the key is
     * not buffered.
     */
    public Prior<V> priorValueForBuffered(final K key) {
        final Headers headers = StoreEnvironments.current(environment).headers();
        final BufferKey bufferKey = index.get(Bytes.wrap(keySerde.serializer().serialize(changelogTopic, headers, key)));
        if (bufferKey == null) {
            return null;
        }
        final BufferValue value = sortedMap.get(bufferKey);
        return new Prior<>(deserialize(value.priorValue, value.context.headers()));
    }

    /** @return the number of buffered keys */
    public int numRecords() {
        return index.size();
    }

    /** @return the buffer's size in bytes, as Kafka estimates it */
    public long bufferSize() {
        return memBufferSize;
    }

    /** @return the smallest buffer time, or {@code Long.MAX_VALUE} when empty */
    public long minTimestamp() {
        return minTimestamp;
    }

    private static long recordSize(final Bytes key, final BufferValue value) {
        return 8L + key.get().length + (value == null ? 0 : value.residentMemorySizeEstimate());
    }

    @Override
    public String toString() {
        return "TimeOrderedChangeBuffer{storeName='" + name + "', changelogTopic='" + changelogTopic + "', open=" + open
            + ", loggingEnabled=" + loggingEnabled + ", minTimestamp=" + minTimestamp + ", memBufferSize=" + memBufferSize
            + "}";
    }

    // ------------------------------------------------------------------------------------------------ entries

    /** A buffered key: ordered by buffer time, then by the key's bytes. */
    private static final class BufferKey implements Comparable<BufferKey> {
        final long time;
        final Bytes key;

        BufferKey(final long time, final Bytes key) {
            this.time = time;
            this.key = key;
        }

        @Override
        public int compareTo(final BufferKey o) {
            final int byTime = Long.compare(time, o.time);
            return byTime == 0 ? key.compareTo(o.key) : byTime;
        }

        @Override
        public boolean equals(final Object o) {
            return o instanceof BufferKey && time == ((BufferKey) o).time && key.equals(((BufferKey) o).key);
        }

        @Override
        public int hashCode() {
            return Objects.hash(time, key);
        }

        @Override
        public String toString() {
            return "BufferKey{key=" + key + ", time=" + time + "}";
        }
    }

    /**
     * A buffered change: the key's prior value (shared with the old value when they are equal, as Kafka shares
     * them, which the size estimate and the changelog format both rely on), old and new values, and record context.
     */
    private static final class BufferValue {
        final byte[] priorValue;
        final byte[] oldValue;
        final byte[] newValue;
        final StoreRecordContext context;

        BufferValue(final byte[] priorValue, final byte[] oldValue, final byte[] newValue, final StoreRecordContext context) {
            this.oldValue = oldValue;
            this.newValue = newValue;
            this.context = context;
            this.priorValue = Arrays.equals(priorValue, oldValue) ? oldValue : priorValue;
        }

        long residentMemorySizeEstimate() {
            return (priorValue == null ? 0 : priorValue.length)
                + (oldValue == null || priorValue == oldValue ? 0 : oldValue.length)
                + (newValue == null ? 0 : newValue.length)
                + context.residentMemorySizeEstimate();
        }

        /** Kafka's layout, with {@code extra} bytes left free at the end for the buffer time. */
        ByteBuffer serialize(final int extra) {
            final byte[] serializedContext = BufferRecordFormat.serializeContext(context);
            final int priorSize = priorValue == null ? 0 : priorValue.length;
            final int oldSize = oldValue == null || priorValue == oldValue ? 0 : oldValue.length;
            final int newSize = newValue == null ? 0 : newValue.length;
            final ByteBuffer buffer = ByteBuffer.allocate(serializedContext.length + 4 + priorSize + 4 + oldSize + 4
                + newSize + extra);
            buffer.put(serializedContext);
            putValue(buffer, priorValue);
            if (oldValue == null) {
                buffer.putInt(-1);
            } else if (Arrays.equals(priorValue, oldValue)) {
                buffer.putInt(-2);
            } else {
                buffer.putInt(oldValue.length);
                buffer.put(oldValue);
            }
            putValue(buffer, newValue);
            return buffer;
        }

        private static void putValue(final ByteBuffer buffer, final byte[] value) {
            if (value == null) {
                buffer.putInt(-1);
            } else {
                buffer.putInt(value.length);
                buffer.put(value);
            }
        }
    }
}
