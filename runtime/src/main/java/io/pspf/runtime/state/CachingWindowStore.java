package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caching layer of window stores (Kafka's {@code CachingWindowStore}): puts go to the record cache under
 * {@code segmentId|key|windowStart|0}; reads merge the cache with the store below in the store's order (by
 * segment, then binary key; single-key fetches by window start). Unlike the key-value layer, a read that misses
 * does not fill the cache.
 */
final class CachingWindowStore extends ForwardingWindowBytesStore implements CachedStore {
    private static final Logger LOG = LoggerFactory.getLogger(CachingWindowStore.class);

    private final long windowSize;
    private final SegmentedCacheKeys keys;
    private final CacheSupport support = new CacheSupport();
    private long maxObservedTimestamp = -1L;

    CachingWindowStore(final WindowStore<Bytes, byte[]> wrapped, final long windowSize, final long segmentInterval) {
        super(wrapped);
        this.windowSize = windowSize;
        this.keys = new SegmentedCacheKeys(segmentInterval);
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        support.init(context, name(), this::write);
    }

    private void write(final RecordCache.DirtyEntry dirty) {
        final Bytes binary = SegmentedCacheKeys.binaryKey(dirty.key());
        final Bytes key = StoreFormats.windowKeyKey(binary.get());
        final long start = StoreFormats.windowKeyStart(binary.get());
        final byte[] newValue = dirty.newValue();
        if (support.listener() != null) {
            final byte[] oldValue = newValue == null || support.sendOldValues() ? wrapped().fetch(key, start) : null;
            if (newValue != null || oldValue != null) {
                support.withContextOf(dirty.entry(), () -> {
                    wrapped().put(key, newValue, start);
                    support.forward(binary, newValue, oldValue, dirty.entry());
                });
            }
        } else {
            support.withContextOf(dirty.entry(), () -> wrapped().put(key, newValue, start));
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
    public void put(final Bytes key, final byte[] value, final long windowStartTimestamp) {
        CacheSupport.validateOpen(this);
        final Bytes binary = StoreFormats.windowKey(key, windowStartTimestamp, 0);
        support.cache().put(support.nameSpace(), keys.cacheKey(binary, windowStartTimestamp), support.dirty(value));
        maxObservedTimestamp = Math.max(maxObservedTimestamp, windowStartTimestamp);
    }

    @Override
    public byte[] fetch(final Bytes key, final long timestamp) {
        CacheSupport.validateOpen(this);
        final Bytes cacheKey = keys.cacheKey(StoreFormats.windowKey(key, timestamp, 0), timestamp);
        final CacheEntry entry = support.cache().get(support.nameSpace(), cacheKey);
        return entry == null ? wrapped().fetch(key, timestamp) : entry.value();
    }

    @Override
    public WindowStoreIterator<byte[]> fetch(final Bytes key, final long timeFrom, final long timeTo) {
        return fetch(key, timeFrom, timeTo, true);
    }

    @Override
    public WindowStoreIterator<byte[]> backwardFetch(final Bytes key, final long timeFrom, final long timeTo) {
        return fetch(key, timeFrom, timeTo, false);
    }

    private WindowStoreIterator<byte[]> fetch(final Bytes key, final long timeFrom, final long timeTo,
                                              final boolean forward) {
        Objects.requireNonNull(key, "key cannot be null");
        CacheSupport.validateOpen(this);
        final WindowStoreIterator<byte[]> stored = forward
            ? wrapped().fetch(key, timeFrom, timeTo) : wrapped().backwardFetch(key, timeFrom, timeTo);
        final PeekingIterator<Bytes, CacheEntry> cached = keys.range(support.cache(), support.nameSpace(), timeFrom,
            timeTo, binary -> matches(binary, key, key, timeFrom, timeTo), forward);
        return Iterators.window(new MergedCacheIterator<Long, byte[], Long>(cached, stored, forward) {
            @Override
            int compare(final Bytes cacheKey, final Long storeKey) {
                return Long.compare(StoreFormats.windowKeyStart(SegmentedCacheKeys.binaryKey(cacheKey).get()), storeKey);
            }

            @Override
            Long storeKey(final Long storeKey) {
                return storeKey;
            }

            @Override
            Long cacheKey(final Bytes cacheKey) {
                return StoreFormats.windowKeyStart(SegmentedCacheKeys.binaryKey(cacheKey).get());
            }

            @Override
            byte[] cacheValue(final CacheEntry entry) {
                return entry.value();
            }
        });
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo, final long timeFrom,
                                                          final long timeTo) {
        return fetch(keyFrom, keyTo, timeFrom, timeTo, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes keyFrom, final Bytes keyTo,
                                                                  final long timeFrom, final long timeTo) {
        return fetch(keyFrom, keyTo, timeFrom, timeTo, false);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo, final long timeFrom,
                                                           final long timeTo, final boolean forward) {
        if (keyFrom != null && keyTo != null && keyFrom.compareTo(keyTo) > 0) {
            LOG.warn(Iterators.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        CacheSupport.validateOpen(this);
        final KeyValueIterator<Windowed<Bytes>, byte[]> stored = forward
            ? wrapped().fetch(keyFrom, keyTo, timeFrom, timeTo) : wrapped().backwardFetch(keyFrom, keyTo, timeFrom, timeTo);
        final java.util.function.Predicate<byte[]> filter = binary -> matches(binary, keyFrom, keyTo, timeFrom, timeTo);
        final PeekingIterator<Bytes, CacheEntry> cached = wrapped().persistent() && !(keyFrom != null && keyFrom.equals(keyTo))
            ? segmentBySegment(keyFrom, keyTo, timeFrom, timeTo, filter, forward)
            : keys.range(support.cache(), support.nameSpace(), timeFrom, timeTo, filter, forward);
        return merged(cached, stored, forward);
    }

    /**
     * Kafka reads the cache of a persistent window store one segment at a time, from the segment of
     * {@code timeFrom} to that of {@code min(timeTo, largest cached window start)}; within a segment it reads from
     * {@code keyFrom} to {@code keyTo}, and an open (null) bound reaches to the cache's start or end, across
     * segments. An entry can therefore come up once per segment read, and Kafka hands it out each time; so does PSPF.
     */
    private PeekingIterator<Bytes, CacheEntry> segmentBySegment(final Bytes keyFrom, final Bytes keyTo, final long timeFrom,
                                                               final long timeTo,
                                                               final java.util.function.Predicate<byte[]> filter,
                                                               final boolean forward) {
        final long firstSegment = keys.segmentId(timeFrom);
        final long lastSegment = keys.segmentId(Math.min(timeTo, maxObservedTimestamp));
        final java.util.List<org.apache.kafka.streams.KeyValue<Bytes, CacheEntry>> entries = new java.util.ArrayList<>();
        for (long i = 0; i <= lastSegment - firstSegment; i++) {
            final long segment = forward ? firstSegment + i : lastSegment - i;
            final Bytes from = keyFrom == null ? null
                : SegmentedCacheKeys.withSegment(segment, StoreFormats.windowKey(keyFrom, 0L, 0));
            final Bytes to = keyTo == null ? null
                : SegmentedCacheKeys.withSegment(segment, StoreFormats.windowKey(keyTo, timeTo, Integer.MAX_VALUE));
            if (from != null && to != null && from.compareTo(to) > 0) {
                continue;
            }
            SegmentedCacheKeys.filtered(support.cache().range(support.nameSpace(), from, true, to, true, forward), filter)
                .forEachRemaining(entries::add);
        }
        return Iterators.of(entries.iterator());
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetchAll(final long timeFrom, final long timeTo) {
        return fetchAll(timeFrom, timeTo, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetchAll(final long timeFrom, final long timeTo) {
        return fetchAll(timeFrom, timeTo, false);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> fetchAll(final long timeFrom, final long timeTo,
                                                              final boolean forward) {
        CacheSupport.validateOpen(this);
        final KeyValueIterator<Windowed<Bytes>, byte[]> stored = forward
            ? wrapped().fetchAll(timeFrom, timeTo) : wrapped().backwardFetchAll(timeFrom, timeTo);
        final PeekingIterator<Bytes, CacheEntry> cached = SegmentedCacheKeys.filtered(
            support.cache().all(support.nameSpace(), forward), binary -> matches(binary, null, null, timeFrom, timeTo));
        return merged(cached, stored, forward);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> all() {
        CacheSupport.validateOpen(this);
        return merged(support.cache().all(support.nameSpace(), true), wrapped().all(), true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardAll() {
        CacheSupport.validateOpen(this);
        return merged(support.cache().all(support.nameSpace(), false), wrapped().backwardAll(), false);
    }

    private static boolean matches(final byte[] binary, final Bytes keyFrom, final Bytes keyTo, final long from,
                                   final long to) {
        final Bytes key = StoreFormats.windowKeyKey(binary);
        final long time = StoreFormats.windowKeyStart(binary);
        return (keyFrom == null || key.compareTo(keyFrom) >= 0) && (keyTo == null || key.compareTo(keyTo) <= 0)
            && time >= from && time <= to;
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> merged(final PeekingIterator<Bytes, CacheEntry> cached,
                                                            final KeyValueIterator<Windowed<Bytes>, byte[]> stored,
                                                            final boolean forward) {
        return new MergedCacheIterator<Windowed<Bytes>, byte[], Windowed<Bytes>>(cached, stored, forward) {
            @Override
            int compare(final Bytes cacheKey, final Windowed<Bytes> storeKey) {
                final long start = storeKey.window().start();
                return keys.compare(cacheKey, StoreFormats.windowKey(storeKey.key(), start, 0), start);
            }

            @Override
            Windowed<Bytes> storeKey(final Windowed<Bytes> storeKey) {
                return storeKey;
            }

            @Override
            Windowed<Bytes> cacheKey(final Bytes cacheKey) {
                final byte[] binary = SegmentedCacheKeys.binaryKey(cacheKey).get();
                return WindowBytesStore.windowed(StoreFormats.windowKeyKey(binary), StoreFormats.windowKeyStart(binary),
                    windowSize);
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
