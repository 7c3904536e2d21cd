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
    /** The size of the end and start suffix of a binary session key. */
    private static final int SESSION_SUFFIX_BYTES = 16;

    private final SegmentedCacheKeys keys;
    private final CacheSupport support = new CacheSupport();
    /** The largest session end ever put or removed (Kafka's {@code maxObservedTimestamp}); never lowered. */
    private long maxObservedTimestamp = -1L;

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
        maxObservedTimestamp = Math.max(maxObservedTimestamp, end);
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
        return findSingle(key, earliestSessionEndTime, latestSessionStartTime, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes key,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return findSingle(key, earliestSessionEndTime, latestSessionStartTime, false);
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

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final long earliestSessionEndTime,
                                                                 final long latestSessionEndTime) {
        // Kafka's caching layer does not implement this find: SessionStore's default throws
        throw new UnsupportedOperationException("This API is not supported by this implementation of SessionStore.");
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return findSingle(key, 0L, Long.MAX_VALUE, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return findSingle(key, 0L, Long.MAX_VALUE, false);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo) {
        return findRange(keyFrom, keyTo, 0L, Long.MAX_VALUE, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes keyFrom, final Bytes keyTo) {
        return findRange(keyFrom, keyTo, 0L, Long.MAX_VALUE, false);
    }

    /**
     * The key-range finds and fetches. Kafka reads the cache from {@code keyFrom} followed by 16 zero bytes in
     * segment 0 up to an upper bound past every real segment, whatever the times: every cached entry from
     * {@code keyFrom} on is read (and so marked recently used), and those that do not match are skipped.
     */
    private KeyValueIterator<Windowed<Bytes>, byte[]> findRange(final Bytes keyFrom, final Bytes keyTo,
                                                               final long earliestSessionEndTime,
                                                               final long latestSessionStartTime,
                                                               final boolean forward) {
        if (keyFrom != null && keyTo != null && keyFrom.compareTo(keyTo) > 0) {
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        CacheSupport.validateOpen(this);
        final Bytes from = keyFrom == null ? null : SegmentedCacheKeys.withSegment(keys.segmentId(0L),
            Bytes.wrap(java.util.Arrays.copyOf(keyFrom.get(), keyFrom.get().length + SESSION_SUFFIX_BYTES)));
        final Bytes to = keyTo == null ? null : upperRange(keyTo, latestSessionStartTime);
        final PeekingIterator<Bytes, CacheEntry> cached = SegmentedCacheKeys.filtered(cacheRange(from, to, forward),
            binary -> matches(binary, keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime));
        return merged(cached, stored(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, forward), forward);
    }

    /**
     * Kafka's upper cache bound of a key-range find ({@code OrderedBytes.upperRange} of the key and the suffix
     * {@code Long.MAX_VALUE|latestSessionStartTime}): the key's first byte and the following bytes not below 0x7F,
     * then the suffix, in the segment of the {@code Long.MAX_VALUE} the suffix starts with.
     */
    private Bytes upperRange(final Bytes keyTo, final long latestSessionStartTime) {
        final byte[] key = keyTo.get();
        int length = 0;
        while (length < key.length && (length < 1 || (key[length] & 0xFF) >= 0x7F)) {
            length++;
        }
        final byte[] bound = java.nio.ByteBuffer.allocate(length + SESSION_SUFFIX_BYTES).put(key, 0, length)
            .putLong(Long.MAX_VALUE).putLong(latestSessionStartTime).array();
        return SegmentedCacheKeys.withSegment(keys.segmentId(Long.MAX_VALUE), Bytes.wrap(bound));
    }

    /** A range of the cache, both bounds included (null: open); empty when the bounds are inverted, as in Kafka. */
    private PeekingIterator<Bytes, CacheEntry> cacheRange(final Bytes from, final Bytes to, final boolean forward) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            return Iterators.empty();
        }
        return support.cache().range(support.nameSpace(), from, true, to, true, forward);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> stored(final Bytes keyFrom, final Bytes keyTo,
                                                            final long earliestSessionEndTime,
                                                            final long latestSessionStartTime, final boolean forward) {
        return forward
            ? wrapped().findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime)
            : wrapped().backwardFindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);
    }

    /**
     * The single-key finds and fetches. Over a non-persistent store Kafka reads the cache in one range, from
     * {@code (key, end = earliestSessionEndTime, start = 0)} in that end's segment to
     * {@code (key, end = Long.MAX_VALUE, start = latestSessionStartTime)} in the last segment. Over a persistent
     * store it reads the cache one segment at a time ({@link SegmentWalk}).
     */
    private KeyValueIterator<Windowed<Bytes>, byte[]> findSingle(final Bytes key, final long earliestSessionEndTime,
                                                                final long latestSessionStartTime,
                                                                final boolean forward) {
        CacheSupport.validateOpen(this);
        final java.util.function.Predicate<byte[]> filter =
            binary -> matches(binary, key, key, earliestSessionEndTime, latestSessionStartTime);
        final PeekingIterator<Bytes, CacheEntry> cached;
        if (!wrapped().persistent()) {
            final long lowerEnd = Math.max(0L, earliestSessionEndTime);
            cached = cacheRange(keys.cacheKey(StoreFormats.sessionKey(key, 0L, lowerEnd), lowerEnd),
                keys.cacheKey(StoreFormats.sessionKey(key, latestSessionStartTime, Long.MAX_VALUE), Long.MAX_VALUE),
                forward);
        } else if (forward || segmentWalkable(latestSessionStartTime)) {
            cached = new SegmentWalk(key, earliestSessionEndTime, latestSessionStartTime, forward);
        } else {
            // Kafka throws here, before reading its cache (IllegalStateException "segment interval has changed", or,
            // before any put, IllegalArgumentException from a negative session window); PSPF answers from the key's
            // cached sessions, read without marking them recently used so that later evictions stay Kafka's
            cached = support.cache().peekRange(support.nameSpace(),
                keys.cacheKey(StoreFormats.sessionKey(key, 0L, 0L), 0L), true,
                keys.cacheKey(StoreFormats.sessionKey(key, Long.MAX_VALUE, Long.MAX_VALUE), Long.MAX_VALUE), true, false);
        }
        return merged(SegmentedCacheKeys.filtered(cached, filter),
            stored(key, key, earliestSessionEndTime, latestSessionStartTime, forward), forward);
    }

    /** Whether Kafka's backward segment walk can start: it throws when its first bound leaves its first segment. */
    private boolean segmentWalkable(final long latestSessionStartTime) {
        final long bound = Math.min(latestSessionStartTime, maxObservedTimestamp);
        return bound >= 0 && keys.segmentId(keys.segmentId(maxObservedTimestamp) * keys.segmentInterval())
            == keys.segmentId(bound);
    }

    /**
     * Kafka's reading of the cache of a persistent session store for one key ({@code CachingSessionStore}'s
     * {@code CacheIteratorWrapper}), one segment at a time, lazily. Forwards it goes from the segment of
     * {@code earliestSessionEndTime}, read from {@code (key, end = earliestSessionEndTime)}, up to the segment of the
     * largest session end observed so far, and finds every matching entry. Backwards it goes from the segment of
     * the largest session end observed down to that of {@code earliestSessionEndTime}, and reads that first segment
     * only up to {@code (key, end = min(latestSessionStartTime, largest end))}: cached sessions of that segment
     * ending later are missed (the store's entry for them, if any, shows instead), and so they are in PSPF.
     */
    private final class SegmentWalk extends SegmentWalkIterator {
        private final Bytes key;
        private final long latestSessionStartTime;
        private final boolean forward;
        private long lastSegment;
        private long segment;

        SegmentWalk(final Bytes key, final long earliestSessionEndTime, final long latestSessionStartTime,
                    final boolean forward) {
            this.key = key;
            this.latestSessionStartTime = latestSessionStartTime;
            this.forward = forward;
            if (forward) {
                segment = keys.segmentId(earliestSessionEndTime);
                lastSegment = keys.segmentId(maxObservedTimestamp);
                start(read(earliestSessionEndTime, segmentEnd()));
            } else {
                lastSegment = keys.segmentId(earliestSessionEndTime);
                segment = keys.segmentId(maxObservedTimestamp);
                start(read(segmentStart(), Math.min(latestSessionStartTime, maxObservedTimestamp)));
            }
        }

        private long segmentStart() {
            return segment * keys.segmentInterval();
        }

        private long segmentEnd() {
            return segmentStart() + keys.segmentInterval() - 1;
        }

        /** The key's entries of the current segment from (end = lowerEnd, start = 0) to (upperEnd, bounded start). */
        private PeekingIterator<Bytes, CacheEntry> read(final long lowerEnd, final long upperEnd) {
            final long lower = Math.max(0L, lowerEnd);
            return cacheRange(keys.cacheKey(StoreFormats.sessionKey(key, 0L, lower), lower),
                keys.cacheKey(StoreFormats.sessionKey(key, Math.min(latestSessionStartTime, upperEnd), upperEnd), upperEnd),
                forward);
        }

        @Override
        protected PeekingIterator<Bytes, CacheEntry> nextSegment() {
            if (forward) {
                segment++;
                lastSegment = keys.segmentId(maxObservedTimestamp);
                return segment > lastSegment ? null : read(segmentStart(), segmentEnd());
            } else {
                segment--;
                return segment < lastSegment ? null : read(segmentStart(), segmentEnd());
            }
        }
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
