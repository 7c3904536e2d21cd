package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caching layer of session stores (Kafka's {@code CachingSessionStore}): puts and removes go to the record
 * cache under {@code segmentId(end)|key|end|start}; reads merge the cache with the store below in the store's
 * order.
 */
final class CachingSessionStore extends ForwardingSessionBytesStore implements CachedStore {
    private static final Logger LOG = LoggerFactory.getLogger(CachingSessionStore.class);

    private final SegmentedCacheKeys keys;
    private final CacheSupport support = new CacheSupport();

    CachingSessionStore(final SessionStore<Bytes, byte[]> wrapped, final long segmentInterval) {
        super(wrapped);
        this.keys = new SegmentedCacheKeys(segmentInterval);
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        support.init(context, name(), this::write);
    }

    private void write(final RecordCache.DirtyEntry dirty) {
        final Bytes binary = SegmentedCacheKeys.binaryKey(dirty.key());
        final Windowed<Bytes> sessionKey = session(binary.get());
        final byte[] newValue = dirty.newValue();
        if (support.listener() != null) {
            final byte[] oldValue = newValue == null || support.sendOldValues()
                ? wrapped().fetchSession(sessionKey.key(), sessionKey.window().start(), sessionKey.window().end())
                : null;
            if (newValue != null || oldValue != null) {
                support.withContextOf(dirty.entry(), () -> {
                    wrapped().put(sessionKey, newValue);
                    support.forward(binary, newValue, oldValue, dirty.entry());
                });
            }
        } else {
            support.withContextOf(dirty.entry(), () -> wrapped().put(sessionKey, newValue));
        }
    }

    private static Windowed<Bytes> session(final byte[] binary) {
        return new Windowed<>(StoreFormats.sessionKeyKey(binary),
            new SessionWindow(StoreFormats.sessionKeyStart(binary), StoreFormats.sessionKeyEnd(binary)));
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
    public void put(final Windowed<Bytes> sessionKey, final byte[] aggregate) {
        CacheSupport.validateOpen(this);
        final long end = sessionKey.window().end();
        final Bytes binary = StoreFormats.sessionKey(sessionKey.key(), sessionKey.window().start(), end);
        support.cache().put(support.nameSpace(), keys.cacheKey(binary, end), support.dirty(aggregate));
    }

    @Override
    public void remove(final Windowed<Bytes> sessionKey) {
        CacheSupport.validateOpen(this);
        put(sessionKey, null);
    }

    @Override
    public byte[] fetchSession(final Bytes key, final long sessionStartTime, final long sessionEndTime) {
        Objects.requireNonNull(key, "key cannot be null");
        CacheSupport.validateOpen(this);
        final Bytes cacheKey = keys.cacheKey(StoreFormats.sessionKey(key, sessionStartTime, sessionEndTime), sessionEndTime);
        final CacheEntry entry = support.cache().get(support.nameSpace(), cacheKey);
        return entry == null ? wrapped().fetchSession(key, sessionStartTime, sessionEndTime) : entry.value();
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes key, final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, earliestSessionEndTime, latestSessionStartTime, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes key,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, earliestSessionEndTime, latestSessionStartTime, false);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                 final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        return findRange(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        return findRange(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, false);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> findRange(final Bytes keyFrom, final Bytes keyTo,
                                                               final long earliestSessionEndTime,
                                                               final long latestSessionStartTime,
                                                               final boolean forward) {
        if (keyFrom != null && keyTo != null && keyFrom.compareTo(keyTo) > 0) {
            LOG.warn(Iterators.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        return find(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, forward);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final long earliestSessionEndTime,
                                                                 final long latestSessionEndTime) {
        CacheSupport.validateOpen(this);
        final PeekingIterator<Bytes, CacheEntry> cached = SegmentedCacheKeys.filtered(
            support.cache().all(support.nameSpace(), true),
            binary -> matches(binary, null, null, earliestSessionEndTime, latestSessionEndTime));
        return merged(cached, wrapped().findSessions(earliestSessionEndTime, latestSessionEndTime), true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, 0L, Long.MAX_VALUE, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, 0L, Long.MAX_VALUE, false);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo) {
        return findRange(keyFrom, keyTo, 0L, Long.MAX_VALUE, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes keyFrom, final Bytes keyTo) {
        return findRange(keyFrom, keyTo, 0L, Long.MAX_VALUE, false);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> find(final Bytes keyFrom, final Bytes keyTo,
                                                          final long earliestSessionEndTime,
                                                          final long latestSessionStartTime, final boolean forward) {
        CacheSupport.validateOpen(this);
        final KeyValueIterator<Windowed<Bytes>, byte[]> stored = forward
            ? wrapped().findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime)
            : wrapped().backwardFindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);
        final PeekingIterator<Bytes, CacheEntry> cached = keys.range(support.cache(), support.nameSpace(),
            earliestSessionEndTime, Long.MAX_VALUE,
            binary -> matches(binary, keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime), forward);
        return merged(cached, stored, forward);
    }

    private static boolean matches(final byte[] binary, final Bytes keyFrom, final Bytes keyTo, final long from,
                                   final long to) {
        final Bytes key = StoreFormats.sessionKeyKey(binary);
        return (keyFrom == null || key.compareTo(keyFrom) >= 0) && (keyTo == null || key.compareTo(keyTo) <= 0)
            && StoreFormats.sessionKeyEnd(binary) >= from && StoreFormats.sessionKeyStart(binary) <= to;
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> merged(final PeekingIterator<Bytes, CacheEntry> cached,
                                                            final KeyValueIterator<Windowed<Bytes>, byte[]> stored,
                                                            final boolean forward) {
        return new MergedCacheIterator<Windowed<Bytes>, byte[], Windowed<Bytes>>(cached, stored, forward) {
            @Override
            int compare(final Bytes cacheKey, final Windowed<Bytes> storeKey) {
                final long end = storeKey.window().end();
                return keys.compare(cacheKey, StoreFormats.sessionKey(storeKey.key(), storeKey.window().start(), end), end);
            }

            @Override
            Windowed<Bytes> storeKey(final Windowed<Bytes> storeKey) {
                return storeKey;
            }

            @Override
            Windowed<Bytes> cacheKey(final Bytes cacheKey) {
                return session(SegmentedCacheKeys.binaryKey(cacheKey).get());
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
