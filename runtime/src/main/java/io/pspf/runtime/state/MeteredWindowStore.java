package io.pspf.runtime.state;

import java.util.Objects;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The outer layer of window stores: serializes keys and values with the store's serdes and checks arguments with
 * Kafka's messages; the window size is only used to rebuild windows from the stored start times.
 *
 * @param <K> key type
 * @param <V> value type
 */
class MeteredWindowStore<K, V> extends WrappedStore<WindowStore<Bytes, byte[]>> implements WindowStore<K, V>, CachedStore {
    private final long windowSize;
    private final String metricsScope;
    final StoreSerdes<K, V> serdes;
    private StoreOperationTimer timer;

    MeteredWindowStore(final WindowStore<Bytes, byte[]> inner, final long windowSize, final String metricsScope,
                       final Serde<K> keySerde, final Serde<V> valueSerde,
                       final Function<Serde<Object>, Serde<V>> defaultValueSerde) {
        super(inner);
        this.windowSize = windowSize;
        this.metricsScope = metricsScope;
        this.serdes = new StoreSerdes<>(keySerde, valueSerde, defaultValueSerde);
    }

    /** @return the metrics scope of the store's supplier */
    String metricsScope() {
        return metricsScope;
    }

    /** @return the window size in ms */
    long windowSize() {
        return windowSize;
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
    public void put(final K key, final V value, final long windowStartTimestamp) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        wrapped().put(serdes.keyBytes(key), serdes.valueBytes(value), windowStartTimestamp);
        StoreOperationTimer.stop(timer, "put", start);
    }

    @Override
    public V fetch(final K key, final long timestamp) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final var result = serdes.value(wrapped().fetch(serdes.keyBytes(key), timestamp));
        StoreOperationTimer.stop(timer, "fetch", start);
        return result;
    }

    @Override
    public WindowStoreIterator<V> fetch(final K key, final long timeFrom, final long timeTo) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final WindowStoreIterator<V> result = Iterators.window(Iterators.map(wrapped().fetch(serdes.keyBytes(key),
            timeFrom, timeTo), t -> t, serdes::value));
        StoreOperationTimer.stop(timer, "fetch", start);
        return result;
    }

    @Override
    public WindowStoreIterator<V> backwardFetch(final K key, final long timeFrom, final long timeTo) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final WindowStoreIterator<V> result = Iterators.window(Iterators.map(wrapped().backwardFetch(serdes.keyBytes(key),
            timeFrom, timeTo), t -> t, serdes::value));
        StoreOperationTimer.stop(timer, "fetch", start);
        return result;
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(final K keyFrom, final K keyTo, final long timeFrom, final long timeTo) {
        final long start = StoreOperationTimer.start(timer);
        final var result = typed(wrapped().fetch(serdes.keyBytes(keyFrom), serdes.keyBytes(keyTo), timeFrom, timeTo));
        StoreOperationTimer.stop(timer, "fetch", start);
        return result;
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetch(final K keyFrom, final K keyTo, final long timeFrom,
                                                          final long timeTo) {
        return typed(wrapped().backwardFetch(serdes.keyBytes(keyFrom), serdes.keyBytes(keyTo), timeFrom, timeTo));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetchAll(final long timeFrom, final long timeTo) {
        final long start = StoreOperationTimer.start(timer);
        final var result = typed(wrapped().fetchAll(timeFrom, timeTo));
        StoreOperationTimer.stop(timer, "fetch", start);
        return result;
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetchAll(final long timeFrom, final long timeTo) {
        return typed(wrapped().backwardFetchAll(timeFrom, timeTo));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> all() {
        return typed(wrapped().all());
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardAll() {
        return typed(wrapped().backwardAll());
    }

    private KeyValueIterator<Windowed<K>, V> typed(final KeyValueIterator<Windowed<Bytes>, byte[]> bytes) {
        return Iterators.map(bytes, windowed -> new Windowed<>(serdes.key(windowed.key().get()), windowed.window()),
            serdes::value);
    }
}
