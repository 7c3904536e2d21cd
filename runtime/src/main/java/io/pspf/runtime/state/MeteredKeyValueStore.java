package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The outer layer of key-value stores: turns keys and values into bytes with the store's serdes and checks
 * arguments with Kafka's messages. Everything below it deals in bytes.
 *
 * @param <K> key type
 * @param <V> value type
 */
class MeteredKeyValueStore<K, V> extends WrappedStore<KeyValueStore<Bytes, byte[]>>
    implements KeyValueStore<K, V>, CachedStore {
    private final String metricsScope;
    final StoreSerdes<K, V> serdes;
    private StoreOperationTimer timer;

    MeteredKeyValueStore(final KeyValueStore<Bytes, byte[]> inner, final String metricsScope, final Serde<K> keySerde,
                         final Serde<V> valueSerde, final Function<Serde<Object>, Serde<V>> defaultValueSerde) {
        super(inner);
        this.metricsScope = metricsScope;
        this.serdes = new StoreSerdes<>(keySerde, valueSerde, defaultValueSerde);
    }

    /** @return the metrics scope of the store's supplier */
    String metricsScope() {
        return metricsScope;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        serdes.init(context, name());
        timer = StoreEnvironments.of(context).storeOperationTimer(name(), metricsScope);
        super.init(context, root);
    }

    @Override
    public boolean setFlushListener(final CacheFlushListener listener, final boolean sendOldValues) {
        final CachedStore cached = WrappedStore.find(wrapped(), CachedStore.class);
        return cached != null && cached.setFlushListener(listener, sendOldValues);
    }

    @Override
    public void flushCache() {
        final CachedStore cached = WrappedStore.find(wrapped(), CachedStore.class);
        if (cached != null) {
            cached.flushCache();
        }
    }

    @Override
    public V get(final K key) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final var result = serdes.value(wrapped().get(serdes.keyBytes(key)));
        StoreOperationTimer.stop(timer, "get", start);
        return result;
    }

    @Override
    public void put(final K key, final V value) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        wrapped().put(serdes.keyBytes(key), serdes.valueBytes(value));
        StoreOperationTimer.stop(timer, "put", start);
    }

    @Override
    public V putIfAbsent(final K key, final V value) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final var result = serdes.value(wrapped().putIfAbsent(serdes.keyBytes(key), serdes.valueBytes(value)));
        StoreOperationTimer.stop(timer, "put-if-absent", start);
        return result;
    }

    @Override
    public void putAll(final List<KeyValue<K, V>> entries) {
        final long start = StoreOperationTimer.start(timer);
        entries.forEach(entry -> Objects.requireNonNull(entry.key, "key cannot be null"));
        final List<KeyValue<Bytes, byte[]>> bytes = new ArrayList<>(entries.size());
        for (final KeyValue<K, V> entry : entries) {
            bytes.add(KeyValue.pair(serdes.keyBytes(entry.key), serdes.valueBytes(entry.value)));
        }
        wrapped().putAll(bytes);
        StoreOperationTimer.stop(timer, "put-all", start);
    }

    @Override
    public V delete(final K key) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final var result = serdes.value(wrapped().delete(serdes.keyBytes(key)));
        StoreOperationTimer.stop(timer, "delete", start);
        return result;
    }

    @Override
    public KeyValueIterator<K, V> range(final K from, final K to) {
        final long start = StoreOperationTimer.start(timer);
        final var result = typed(wrapped().range(serdes.keyBytes(from), serdes.keyBytes(to)));
        StoreOperationTimer.stop(timer, "range", start);
        return result;
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(final K from, final K to) {
        final long start = StoreOperationTimer.start(timer);
        final var result = typed(wrapped().reverseRange(serdes.keyBytes(from), serdes.keyBytes(to)));
        StoreOperationTimer.stop(timer, "range", start);
        return result;
    }

    @Override
    public KeyValueIterator<K, V> all() {
        final long start = StoreOperationTimer.start(timer);
        final var result = typed(wrapped().all());
        StoreOperationTimer.stop(timer, "all", start);
        return result;
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        final long start = StoreOperationTimer.start(timer);
        final var result = typed(wrapped().reverseAll());
        StoreOperationTimer.stop(timer, "all", start);
        return result;
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(final P prefix, final PS prefixKeySerializer) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(prefix, "prefix cannot be null");
        Objects.requireNonNull(prefixKeySerializer, "prefixKeySerializer cannot be null");
        final var result = typed(wrapped().prefixScan(prefix, prefixKeySerializer));
        StoreOperationTimer.stop(timer, "prefix-scan", start);
        return result;
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    private KeyValueIterator<K, V> typed(final KeyValueIterator<Bytes, byte[]> bytes) {
        return Iterators.map(bytes, key -> serdes.key(key.get()), serdes::value);
    }
}
