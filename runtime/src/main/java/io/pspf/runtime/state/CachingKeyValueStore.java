package io.pspf.runtime.state;

import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caching layer of key-value stores (Kafka's {@code CachingKeyValueStore}): writes go to the record cache and
 * reach the store below only when the cache is flushed (at commit) or evicts; reads look in the cache first, and a
 * read that misses caches the stored value as a clean entry; range reads merge the cache with the store below.
 */
final class CachingKeyValueStore extends ForwardingKeyValueBytesStore implements CachedStore {
    private static final Logger LOG = LoggerFactory.getLogger(CachingKeyValueStore.class);

    private final CacheSupport support = new CacheSupport();

    CachingKeyValueStore(final KeyValueStore<Bytes, byte[]> wrapped) {
        super(wrapped);
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        support.init(context, name(), this::write);
    }

    private void write(final RecordCache.DirtyEntry dirty) {
        final byte[] newValue = dirty.newValue();
        if (support.listener() != null) {
            final byte[] oldValue = newValue == null || support.sendOldValues() ? wrapped().get(dirty.key()) : null;
            // a key absent both below and in the cache needs neither a write nor a forward
            if (newValue != null || oldValue != null) {
                support.withContextOf(dirty.entry(), () -> {
                    wrapped().put(dirty.key(), newValue);
                    support.forward(dirty.key(), newValue, oldValue, dirty.entry());
                });
            }
        } else {
            support.withContextOf(dirty.entry(), () -> wrapped().put(dirty.key(), newValue));
        }
    }

    @Override
    public boolean setFlushListener(final CacheFlushListener listener, final boolean sendOldValues) {
        support.setListener(listener, sendOldValues);
        return true;
    }

    @Override
    public void flushCache() {
        support.flush();
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        CacheSupport.validateOpen(this);
        support.cache().put(support.nameSpace(), key, support.dirty(value));
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        CacheSupport.validateOpen(this);
        final byte[] current = getInternal(key);
        if (current == null) {
            support.cache().put(support.nameSpace(), key, support.dirty(value));
        }
        return current;
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        CacheSupport.validateOpen(this);
        for (final KeyValue<Bytes, byte[]> entry : entries) {
            Objects.requireNonNull(entry.key, "key cannot be null");
            put(entry.key, entry.value);
        }
    }

    @Override
    public byte[] delete(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        CacheSupport.validateOpen(this);
        final byte[] current = getInternal(key);
        support.cache().put(support.nameSpace(), key, support.dirty(null));
        return current;
    }

    @Override
    public byte[] get(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        CacheSupport.validateOpen(this);
        return getInternal(key);
    }

    private byte[] getInternal(final Bytes key) {
        final CacheEntry entry = support.cache().get(support.nameSpace(), key);
        if (entry != null) {
            return entry.value();
        }
        final byte[] stored = wrapped().get(key);
        if (stored != null) {
            support.cache().put(support.nameSpace(), key, CacheEntry.clean(stored));
        }
        return stored;
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return range(from, to, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(final Bytes from, final Bytes to) {
        return range(from, to, false);
    }

    private KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to, final boolean forward) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        CacheSupport.validateOpen(this);
        final KeyValueIterator<Bytes, byte[]> stored = forward ? wrapped().range(from, to) : wrapped().reverseRange(from, to);
        return merge(support.cache().range(support.nameSpace(), from, true, to, true, forward), stored, forward);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        CacheSupport.validateOpen(this);
        return merge(support.cache().all(support.nameSpace(), true), wrapped().all(), true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        CacheSupport.validateOpen(this);
        return merge(support.cache().all(support.nameSpace(), false), wrapped().reverseAll(), false);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                  final PS prefixKeySerializer) {
        CacheSupport.validateOpen(this);
        final Bytes from = Bytes.wrap(prefixKeySerializer.serialize(null, prefix));
        final Bytes to = StoreFormats.increment(from);
        return merge(support.cache().range(support.nameSpace(), from, true, to, false, true),
            wrapped().prefixScan(prefix, prefixKeySerializer), true);
    }

    private static KeyValueIterator<Bytes, byte[]> merge(final PeekingIterator<Bytes, CacheEntry> cached,
                                                        final KeyValueIterator<Bytes, byte[]> stored,
                                                        final boolean forward) {
        return new MergedCacheIterator<Bytes, byte[], Bytes>(cached, stored, forward) {
            @Override
            int compare(final Bytes cacheKey, final Bytes storeKey) {
                return cacheKey.compareTo(storeKey);
            }

            @Override
            Bytes storeKey(final Bytes storeKey) {
                return storeKey;
            }

            @Override
            Bytes cacheKey(final Bytes cacheKey) {
                return cacheKey;
            }

            @Override
            byte[] cacheValue(final CacheEntry entry) {
                return entry.value();
            }
        };
    }

    @SuppressWarnings("deprecation") // the engine commits with flush(); Kafka 4.4 with commit(offsets)
    @Override
    public void flush() {
        support.flush();
        wrapped().flush();
    }

    @Override
    public void commit(final java.util.Map<org.apache.kafka.common.TopicPartition, Long> changelogOffsets) {
        support.flush();
        wrapped().commit(changelogOffsets);
    }

    @Override
    public void close() {
        try {
            support.close();
        } finally {
            wrapped().close();
        }
    }
}
