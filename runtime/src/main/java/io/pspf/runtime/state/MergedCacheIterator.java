package io.pspf.runtime.state;

import java.util.NoSuchElementException;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Merges the cached entries of a caching layer with the iterator of the store below, in the store's order: the
 * cache wins when both hold a key, and a cached delete hides the key. The comparison of a cache key with a store
 * key is the subclass's; it decides the merged order exactly as in Kafka's merging iterators.
 *
 * @param <K>  the key type handed out
 * @param <V>  the value type handed out
 * @param <KS> the key type of the store iterator
 */
abstract class MergedCacheIterator<K, V, KS> implements KeyValueIterator<K, V> {
    private final PeekingIterator<Bytes, CacheEntry> cache;
    private final PeekingIterator<KS, V> store;
    private final boolean forward;

    MergedCacheIterator(final PeekingIterator<Bytes, CacheEntry> cache, final KeyValueIterator<KS, V> store,
                        final boolean forward) {
        this.cache = cache;
        this.store = Iterators.peeking(store);
        this.forward = forward;
    }

    /** Compares a cache key with a store key in the merged order (ascending). */
    abstract int compare(Bytes cacheKey, KS storeKey);

    abstract K storeKey(KS storeKey);

    abstract K cacheKey(Bytes cacheKey);

    abstract V cacheValue(CacheEntry entry);

    /**
     * Skips cached deletes exactly as Kafka does, comparing in ascending key order whatever the direction: a
     * delete is dropped (with the store key it hides) when it is not after the store's next key; otherwise the
     * store's next key is handed out first. Backwards this can hand out a cached delete as a null value, as Kafka's
     * iterators do.
     */
    @Override
    public boolean hasNext() {
        while (cache.hasNext() && cache.peekNext().value.value() == null) {
            if (!store.hasNext()) {
                cache.next();
                continue;
            }
            final int comparison = compare(cache.peekNextKey(), store.peekNextKey());
            if (comparison == 0) {
                store.next();
                cache.next();
            } else if (comparison < 0) {
                cache.next();
            } else {
                return true;
            }
        }
        return cache.hasNext() || store.hasNext();
    }

    @Override
    public KeyValue<K, V> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (!cache.hasNext()) {
            return fromStore();
        }
        if (!store.hasNext()) {
            return fromCache();
        }
        final int comparison = compare(cache.peekNextKey(), store.peekNextKey());
        if (comparison == 0) {
            store.next();
            return fromCache();
        }
        return (comparison < 0) == forward ? fromCache() : fromStore();
    }

    @Override
    public K peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (!cache.hasNext()) {
            return storeKey(store.peekNextKey());
        }
        if (!store.hasNext()) {
            return cacheKey(cache.peekNextKey());
        }
        final int comparison = compare(cache.peekNextKey(), store.peekNextKey());
        if (comparison == 0 || (comparison < 0) == forward) {
            return cacheKey(cache.peekNextKey());
        }
        return storeKey(store.peekNextKey());
    }

    private KeyValue<K, V> fromStore() {
        final KeyValue<KS, V> next = store.next();
        return KeyValue.pair(storeKey(next.key), next.value);
    }

    private KeyValue<K, V> fromCache() {
        final KeyValue<Bytes, CacheEntry> next = cache.next();
        return KeyValue.pair(cacheKey(next.key), cacheValue(next.value));
    }

    @Override
    public void close() {
        cache.close();
        store.close();
    }
}
