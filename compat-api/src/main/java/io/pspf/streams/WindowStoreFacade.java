package io.pspf.streams;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * A value-only view of a timestamped window store, handed out by {@link TopologyTestDriver#getWindowStore} as
 * Kafka's driver does: reads drop the timestamps, a put stores the value with no timestamp (-1).
 *
 * @param <K> key type
 * @param <V> value type
 */
final class WindowStoreFacade<K, V> implements WindowStore<K, V> {
    private final TimestampedWindowStore<K, V> inner;

    WindowStoreFacade(final TimestampedWindowStore<K, V> inner) {
        this.inner = inner;
    }

    @Override
    public void put(final K key, final V value, final long windowStartTimestamp) {
        inner.put(key, ValueAndTimestamp.make(value, ConsumerRecord.NO_TIMESTAMP), windowStartTimestamp);
    }

    @Override
    public V fetch(final K key, final long time) {
        return ValueAndTimestamp.getValueOrNull(inner.fetch(key, time));
    }

    @Override
    public WindowStoreIterator<V> fetch(final K key, final long timeFrom, final long timeTo) {
        return new ValueWindowIterator<>(inner.fetch(key, timeFrom, timeTo));
    }

    @Override
    public WindowStoreIterator<V> backwardFetch(final K key, final long timeFrom, final long timeTo) {
        return new ValueWindowIterator<>(inner.backwardFetch(key, timeFrom, timeTo));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(final K keyFrom, final K keyTo, final long timeFrom, final long timeTo) {
        return new ValueIterator<>(inner.fetch(keyFrom, keyTo, timeFrom, timeTo));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetch(final K keyFrom, final K keyTo, final long timeFrom,
                                                          final long timeTo) {
        return new ValueIterator<>(inner.backwardFetch(keyFrom, keyTo, timeFrom, timeTo));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetchAll(final long timeFrom, final long timeTo) {
        return new ValueIterator<>(inner.fetchAll(timeFrom, timeTo));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetchAll(final long timeFrom, final long timeTo) {
        return new ValueIterator<>(inner.backwardFetchAll(timeFrom, timeTo));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> all() {
        return new ValueIterator<>(inner.all());
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardAll() {
        return new ValueIterator<>(inner.backwardAll());
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    /** Window iterator that drops the timestamps of the values. */
    private static final class ValueWindowIterator<V> implements WindowStoreIterator<V> {
        private final WindowStoreIterator<ValueAndTimestamp<V>> inner;

        ValueWindowIterator(final WindowStoreIterator<ValueAndTimestamp<V>> inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            return inner.hasNext();
        }

        @Override
        public KeyValue<Long, V> next() {
            final KeyValue<Long, ValueAndTimestamp<V>> next = inner.next();
            return KeyValue.pair(next.key, ValueAndTimestamp.getValueOrNull(next.value));
        }

        @Override
        public Long peekNextKey() {
            return inner.peekNextKey();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Key-value iterator that drops the timestamps of the values. */
    private static final class ValueIterator<K, V> implements KeyValueIterator<K, V> {
        private final KeyValueIterator<K, ValueAndTimestamp<V>> inner;

        ValueIterator(final KeyValueIterator<K, ValueAndTimestamp<V>> inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            return inner.hasNext();
        }

        @Override
        public KeyValue<K, V> next() {
            final KeyValue<K, ValueAndTimestamp<V>> next = inner.next();
            return KeyValue.pair(next.key, ValueAndTimestamp.getValueOrNull(next.value));
        }

        @Override
        public K peekNextKey() {
            return inner.peekNextKey();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
