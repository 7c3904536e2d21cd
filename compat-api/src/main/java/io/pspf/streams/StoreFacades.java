package io.pspf.streams;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Value-only views of timestamped stores, handed out by the test driver's untyped accessors as Kafka's driver
 * does: reads drop the timestamp, writes store the value with no timestamp (-1).
 */
final class StoreFacades {
    private StoreFacades() {
    }

    static <V> V valueOrNull(final ValueAndTimestamp<V> valueAndTimestamp) {
        return valueAndTimestamp == null ? null : valueAndTimestamp.value();
    }

    static final class KeyValueFacade<K, V> implements KeyValueStore<K, V> {
        private final TimestampedKeyValueStore<K, V> inner;

        KeyValueFacade(final TimestampedKeyValueStore<K, V> inner) {
            this.inner = inner;
        }

        @Override
        public void put(final K key, final V value) {
            inner.put(key, ValueAndTimestamp.make(value, ConsumerRecord.NO_TIMESTAMP));
        }

        @Override
        public V putIfAbsent(final K key, final V value) {
            return valueOrNull(inner.putIfAbsent(key, ValueAndTimestamp.make(value, ConsumerRecord.NO_TIMESTAMP)));
        }

        @Override
        public void putAll(final List<KeyValue<K, V>> entries) {
            for (final KeyValue<K, V> entry : entries) {
                put(entry.key, entry.value);
            }
        }

        @Override
        public V delete(final K key) {
            return valueOrNull(inner.delete(key));
        }

        @Override
        public V get(final K key) {
            return valueOrNull(inner.get(key));
        }

        @Override
        public KeyValueIterator<K, V> range(final K from, final K to) {
            return new ValueIterator<>(inner.range(from, to));
        }

        @Override
        public KeyValueIterator<K, V> reverseRange(final K from, final K to) {
            return new ValueIterator<>(inner.reverseRange(from, to));
        }

        @Override
        public KeyValueIterator<K, V> all() {
            return new ValueIterator<>(inner.all());
        }

        @Override
        public KeyValueIterator<K, V> reverseAll() {
            return new ValueIterator<>(inner.reverseAll());
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(final P prefix, final PS prefixKeySerializer) {
            return new ValueIterator<>(inner.prefixScan(prefix, prefixKeySerializer));
        }

        @Override
        public long approximateNumEntries() {
            return inner.approximateNumEntries();
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
    }

    static final class ValueIterator<K, V> implements KeyValueIterator<K, V> {
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
            return KeyValue.pair(next.key, valueOrNull(next.value));
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
