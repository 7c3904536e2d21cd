package io.pspf.runtime.state;

import java.util.Objects;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;

/**
 * The outer layer of session stores: serializes keys and aggregates with the store's serdes and checks arguments
 * with Kafka's messages.
 *
 * @param <K> key type
 * @param <V> aggregate type
 */
class MeteredSessionStore<K, V> extends WrappedStore<SessionStore<Bytes, byte[]>>
    implements SessionStore<K, V>, CachedStore {
    private final String metricsScope;
    final StoreSerdes<K, V> serdes;
    private StoreOperationTimer timer;

    MeteredSessionStore(final SessionStore<Bytes, byte[]> inner, final String metricsScope, final Serde<K> keySerde,
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

    private Windowed<Bytes> sessionKeyBytes(final Windowed<K> sessionKey) {
        Objects.requireNonNull(sessionKey, "sessionKey can't be null");
        Objects.requireNonNull(sessionKey.key(), "sessionKey.key() can't be null");
        Objects.requireNonNull(sessionKey.window(), "sessionKey.window() can't be null");
        return new Windowed<>(serdes.keyBytes(sessionKey.key()), sessionKey.window());
    }

    @Override
    public void put(final Windowed<K> sessionKey, final V aggregate) {
        final long start = StoreOperationTimer.start(timer);
        final Windowed<Bytes> bytesKey = sessionKeyBytes(sessionKey);
        wrapped().put(bytesKey, serdes.valueBytes(aggregate));
        StoreOperationTimer.stop(timer, "put", start);
    }

    @Override
    public void remove(final Windowed<K> sessionKey) {
        final long start = StoreOperationTimer.start(timer);
        wrapped().remove(sessionKeyBytes(sessionKey));
        StoreOperationTimer.stop(timer, "remove", start);
    }

    @Override
    public V fetchSession(final K key, final long earliestSessionEndTime, final long latestSessionStartTime) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final var result = serdes.value(wrapped().fetchSession(serdes.keyBytes(key), earliestSessionEndTime, latestSessionStartTime));
        StoreOperationTimer.stop(timer, "fetch", start);
        return result;
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(final K key) {
        final long start = StoreOperationTimer.start(timer);
        Objects.requireNonNull(key, "key cannot be null");
        final var result = typed(wrapped().fetch(serdes.keyBytes(key)));
        StoreOperationTimer.stop(timer, "fetch", start);
        return result;
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetch(final K key) {
        Objects.requireNonNull(key, "key cannot be null");
        return typed(wrapped().backwardFetch(serdes.keyBytes(key)));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(final K keyFrom, final K keyTo) {
        return typed(wrapped().fetch(serdes.keyBytes(keyFrom), serdes.keyBytes(keyTo)));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetch(final K keyFrom, final K keyTo) {
        return typed(wrapped().backwardFetch(serdes.keyBytes(keyFrom), serdes.keyBytes(keyTo)));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> findSessions(final K key, final long earliestSessionEndTime,
                                                         final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return typed(wrapped().findSessions(serdes.keyBytes(key), earliestSessionEndTime, latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFindSessions(final K key, final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return typed(wrapped().backwardFindSessions(serdes.keyBytes(key), earliestSessionEndTime, latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> findSessions(final K keyFrom, final K keyTo, final long earliestSessionEndTime,
                                                         final long latestSessionStartTime) {
        return typed(wrapped().findSessions(serdes.keyBytes(keyFrom), serdes.keyBytes(keyTo), earliestSessionEndTime,
            latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFindSessions(final K keyFrom, final K keyTo,
                                                                 final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        return typed(wrapped().backwardFindSessions(serdes.keyBytes(keyFrom), serdes.keyBytes(keyTo),
            earliestSessionEndTime, latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> findSessions(final long earliestSessionEndTime,
                                                         final long latestSessionEndTime) {
        return typed(wrapped().findSessions(earliestSessionEndTime, latestSessionEndTime));
    }

    private KeyValueIterator<Windowed<K>, V> typed(final KeyValueIterator<Windowed<Bytes>, byte[]> bytes) {
        return Iterators.map(bytes, windowed -> new Windowed<>(serdes.key(windowed.key().get()), windowed.window()),
            serdes::value);
    }
}
