package io.pspf.runtime.state;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;

/**
 * The record cache of one stream thread, shared by the caching layers of all stores the thread runs (Kafka
 * Streams' {@code ThreadCache}). Each store owns a namespace ({@code <taskId>-<storeName>}); the cache as a whole
 * holds at most {@link #maxBytes()} bytes, and a put that overflows it evicts least recently used entries of the
 * namespace that was written to. Evicting a dirty entry flushes every dirty entry of that namespace through its
 * listener: the evicted entry first, then the others in the order they became dirty.
 *
 * <p>Sizes are estimated exactly as Kafka estimates them, so a given {@code statestore.cache.max.bytes} evicts at
 * the same points as Kafka's {@code TopologyTestDriver}. Not thread-safe: one thread uses one cache.
 */
public final class RecordCache {
    private final Map<String, NamedCache> caches = new HashMap<>();
    private long maxBytes;
    private long sizeBytes;

    /**
     * @param maxBytes the most bytes the cache holds; 0 makes every put evict at once
     */
    public RecordCache(final long maxBytes) {
        this.maxBytes = Math.max(0, maxBytes);
    }

    /**
     * The namespace of a store in the cache, as Kafka names it.
     *
     * @param taskId    the task's id, e.g. {@code 0_1}
     * @param storeName the store's name
     * @return {@code <taskId>-<storeName>}
     */
    public static String nameSpace(final String taskId, final String storeName) {
        return taskId + "-" + storeName;
    }

    /** @return the most bytes the cache holds */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return the bytes currently held, as estimated */
    public long sizeBytes() {
        return sizeBytes;
    }

    /** @return the number of entries in all namespaces */
    public long size() {
        long size = 0;
        for (final NamedCache cache : caches.values()) {
            size += cache.size();
        }
        return size;
    }

    /**
     * Changes the capacity, evicting (and so flushing) entries until the cache fits.
     *
     * @param newMaxBytes the new capacity
     */
    public void resize(final long newMaxBytes) {
        this.maxBytes = Math.max(0, newMaxBytes);
        for (final NamedCache cache : caches.values()) {
            while (sizeBytes > maxBytes && !cache.isEmpty()) {
                final long before = cache.sizeBytes();
                cache.evict();
                sizeBytes += cache.sizeBytes() - before;
            }
        }
    }

    /**
     * Sets the listener that receives the dirty entries of a namespace when they are flushed or evicted.
     *
     * @param nameSpace the namespace
     * @param listener  the listener
     */
    public void addDirtyEntryFlushListener(final String nameSpace, final DirtyEntryFlushListener listener) {
        cache(nameSpace).setListener(listener);
    }

    /**
     * Reads an entry and marks it most recently used.
     *
     * @return the entry, or null when the key is not cached
     */
    public CacheEntry get(final String nameSpace, final Bytes key) {
        final NamedCache cache = caches.get(nameSpace);
        return cache == null ? null : cache.get(key);
    }

    /**
     * Caches an entry, then evicts from the same namespace while the cache is over capacity.
     */
    public void put(final String nameSpace, final Bytes key, final CacheEntry entry) {
        final NamedCache cache = cache(nameSpace);
        final long before = cache.sizeBytes();
        cache.put(key, entry);
        sizeBytes += cache.sizeBytes() - before;
        maybeEvict(cache);
    }

    /**
     * Removes an entry without flushing it.
     *
     * @return the removed entry, or null
     */
    public CacheEntry delete(final String nameSpace, final Bytes key) {
        final NamedCache cache = caches.get(nameSpace);
        if (cache == null) {
            return null;
        }
        final long before = cache.sizeBytes();
        final CacheEntry entry = cache.delete(key);
        sizeBytes += cache.sizeBytes() - before;
        return entry;
    }

    /** Flushes every dirty entry of a namespace through its listener. */
    public void flush(final String nameSpace) {
        final NamedCache cache = caches.get(nameSpace);
        if (cache == null) {
            return;
        }
        final long before = cache.sizeBytes();
        cache.flush();
        sizeBytes += cache.sizeBytes() - before;
    }

    /** Drops a namespace without flushing it. */
    public void close(final String nameSpace) {
        final NamedCache cache = caches.remove(nameSpace);
        if (cache != null) {
            sizeBytes -= cache.sizeBytes();
            cache.clear();
        }
    }

    /**
     * The entries of a namespace with keys in a range, read lazily over a snapshot of the keys; each read marks
     * the entry most recently used, as in Kafka.
     *
     * @param from          the lower bound, or null for none
     * @param fromInclusive whether the lower bound is included
     * @param to            the upper bound, or null for none
     * @param toInclusive   whether the upper bound is included
     * @param forward       ascending (true) or descending key order
     */
    public PeekingIterator<Bytes, CacheEntry> range(final String nameSpace, final Bytes from, final boolean fromInclusive,
                                                    final Bytes to, final boolean toInclusive, final boolean forward) {
        final NamedCache cache = caches.get(nameSpace);
        if (cache == null) {
            return new CacheIterator(null, null, true);
        }
        return new CacheIterator(cache, cache.keys(from, fromInclusive, to, toInclusive, forward), true);
    }

    /**
     * The entries of a namespace with keys in a range, as {@link #range} reads them but without marking any
     * recently used: for reads PSPF answers where Kafka throws before reading its cache.
     */
    public PeekingIterator<Bytes, CacheEntry> peekRange(final String nameSpace, final Bytes from,
                                                        final boolean fromInclusive, final Bytes to,
                                                        final boolean toInclusive, final boolean forward) {
        final NamedCache cache = caches.get(nameSpace);
        if (cache == null) {
            return new CacheIterator(null, null, false);
        }
        return new CacheIterator(cache, cache.keys(from, fromInclusive, to, toInclusive, forward), false);
    }

    /** All entries of a namespace in the given key order; see {@link #range}. */
    public PeekingIterator<Bytes, CacheEntry> all(final String nameSpace, final boolean forward) {
        return range(nameSpace, null, true, null, true, forward);
    }

    private NamedCache cache(final String nameSpace) {
        return caches.computeIfAbsent(nameSpace, NamedCache::new);
    }

    private void maybeEvict(final NamedCache cache) {
        while (sizeBytes > maxBytes) {
            // a put on this cache may have caused puts on other caches; only this one is evicted from
            if (cache.isEmpty()) {
                return;
            }
            final long before = cache.sizeBytes();
            cache.evict();
            sizeBytes += cache.sizeBytes() - before;
        }
    }

    /** Receives the dirty entries of one namespace when they are flushed. */
    @FunctionalInterface
    public interface DirtyEntryFlushListener {
        /**
         * @param entries the flushed entries: an evicted one first, then the rest in the order they became dirty
         */
        void apply(List<DirtyEntry> entries);
    }

    /** A flushed entry: its key and its entry (value and record context). */
    public static final class DirtyEntry {
        private final Bytes key;
        private final CacheEntry entry;

        DirtyEntry(final Bytes key, final CacheEntry entry) {
            this.key = key;
            this.entry = entry;
        }

        /** @return the key */
        public Bytes key() {
            return key;
        }

        /** @return the new value; null for a delete */
        public byte[] newValue() {
            return entry.value();
        }

        /** @return the entry with the context of the write */
        public CacheEntry entry() {
            return entry;
        }
    }

    private static final class CacheIterator implements PeekingIterator<Bytes, CacheEntry> {
        private final NamedCache cache;
        private final Iterator<Bytes> keys;
        private final boolean touch;
        private KeyValue<Bytes, CacheEntry> next;

        CacheIterator(final NamedCache cache, final Iterator<Bytes> keys, final boolean touch) {
            this.cache = cache;
            this.keys = keys;
            this.touch = touch;
        }

        @Override
        public boolean hasNext() {
            while (next == null && keys != null && keys.hasNext()) {
                final Bytes key = keys.next();
                final CacheEntry entry = touch ? cache.get(key) : cache.peek(key);
                if (entry != null) {
                    next = KeyValue.pair(key, entry);
                }
            }
            return next != null;
        }

        @Override
        public KeyValue<Bytes, CacheEntry> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final KeyValue<Bytes, CacheEntry> result = next;
            next = null;
            return result;
        }

        @Override
        public Bytes peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public KeyValue<Bytes, CacheEntry> peekNext() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next;
        }

        @Override
        public void close() {
        }
    }
}
