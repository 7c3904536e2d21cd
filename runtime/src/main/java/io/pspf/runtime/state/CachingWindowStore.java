package io.pspf.runtime.state;

import java.util.Iterator;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
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
 * does not fill the cache. Each read reads exactly the cache ranges Kafka 4.4's layer reads, every entry in them
 * being marked recently used whether or not it matches, so that later evictions (and flushes) are Kafka's.
 * Over a time-ordered store (Kafka's {@code TimeOrderedCachingWindowStore}) reads over several keys come in
 * window-start order, as that store's do.
 */
final class CachingWindowStore extends ForwardingWindowBytesStore implements CachedStore {
    private static final Logger LOG = LoggerFactory.getLogger(CachingWindowStore.class);

    private static final int WINDOW_SUFFIX_BYTES = 12; // window start (8) and sequence number (4)

    private final long windowSize;
    private final SegmentedCacheKeys keys;
    private final boolean timeOrdered;
    private final CacheSupport support = new CacheSupport();
    private long maxObservedTimestamp = -1L;

    CachingWindowStore(final WindowStore<Bytes, byte[]> wrapped, final long windowSize, final long segmentInterval) {
        this(wrapped, windowSize, segmentInterval, false);
    }

    CachingWindowStore(final WindowStore<Bytes, byte[]> wrapped, final long windowSize, final long segmentInterval,
                       final boolean timeOrdered) {
        super(wrapped);
        this.windowSize = windowSize;
        this.keys = new SegmentedCacheKeys(segmentInterval);
        this.timeOrdered = timeOrdered;
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
        final PeekingIterator<Bytes, CacheEntry> cached = SegmentedCacheKeys.filtered(wrapped().persistent()
                ? new SegmentWalk(key, key, timeFrom, timeTo, forward)
                : cacheRange(fixedSizeLower(key, timeFrom), fixedSizeUpper(key, timeTo), forward),
            binary -> matches(binary, key, key, timeFrom, timeTo));
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
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        CacheSupport.validateOpen(this);
        final KeyValueIterator<Windowed<Bytes>, byte[]> stored = forward
            ? wrapped().fetch(keyFrom, keyTo, timeFrom, timeTo) : wrapped().backwardFetch(keyFrom, keyTo, timeFrom, timeTo);
        final PeekingIterator<Bytes, CacheEntry> cached = SegmentedCacheKeys.filtered(wrapped().persistent()
                ? new SegmentWalk(keyFrom, keyTo, timeFrom, timeTo, forward)
                : cacheRange(keyFrom == null ? null : SegmentedCacheKeys.withSegment(keys.segmentId(0L), lowerRange(keyFrom)),
                    keyTo == null ? null : keys.cacheKey(upperRange(keyTo, timeTo), timeTo), forward),
            binary -> matches(binary, keyFrom, keyTo, timeFrom, timeTo));
        return merged(cached, stored, forward);
    }

    /*
     * The cache ranges Kafka 4.4 reads (every entry read is marked recently used, whether or not it matches):
     * over a non-persistent store, a single-key fetch reads from (key, max(0, timeFrom), seq 0) in that time's
     * segment to (key, timeTo, seq Integer.MAX_VALUE) in timeTo's segment, so other keys of the segments between
     * too; a key-range fetch reads from keyFrom followed by 12 zero bytes in segment 0 (or from the cache's start)
     * to OrderedBytes.upperRange(keyTo, timeTo|Integer.MAX_VALUE) in timeTo's segment (or to the cache's end).
     * fetchAll and all read the whole cache. Over a persistent store the fetches walk segments (SegmentWalk).
     */

    /** Kafka's {@code lowerRangeFixedSize} as a cache key: (key, max(0, time), 0) in that time's segment. */
    private Bytes fixedSizeLower(final Bytes key, final long time) {
        final long lower = Math.max(0L, time);
        return keys.cacheKey(StoreFormats.windowKey(key, lower, 0), lower);
    }

    /** Kafka's {@code upperRangeFixedSize} as a cache key: (key, time, Integer.MAX_VALUE) in that time's segment. */
    private Bytes fixedSizeUpper(final Bytes key, final long time) {
        return keys.cacheKey(StoreFormats.windowKey(key, time, Integer.MAX_VALUE), time);
    }

    /** Kafka's {@code WindowKeySchema.lowerRange}: the key followed by 12 zero bytes, whatever the time. */
    private static Bytes lowerRange(final Bytes keyFrom) {
        return Bytes.wrap(java.util.Arrays.copyOf(keyFrom.get(), keyFrom.get().length + WINDOW_SUFFIX_BYTES));
    }

    /**
     * Kafka's {@code WindowKeySchema.upperRange} ({@code OrderedBytes.upperRange} of the key and the suffix
     * {@code timeTo|Integer.MAX_VALUE}): when the suffix's first byte is 0, the whole key; otherwise the key's first
     * byte and the following bytes not below the suffix's first byte; then the suffix.
     */
    private static Bytes upperRange(final Bytes keyTo, final long timeTo) {
        final byte[] key = keyTo.get();
        final byte[] suffix = java.nio.ByteBuffer.allocate(WINDOW_SUFFIX_BYTES).putLong(timeTo)
            .putInt(Integer.MAX_VALUE).array();
        final int first = suffix[0] & 0xFF;
        int length = key.length;
        if (first != 0) {
            length = 0;
            while (length < key.length && (length < 1 || (key[length] & 0xFF) >= first)) {
                length++;
            }
        }
        return Bytes.wrap(java.nio.ByteBuffer.allocate(length + WINDOW_SUFFIX_BYTES).put(key, 0, length).put(suffix)
            .array());
    }

    /** A range of the cache, both bounds included (null: open); empty when the bounds are inverted, as in Kafka. */
    private PeekingIterator<Bytes, CacheEntry> cacheRange(final Bytes from, final Bytes to, final boolean forward) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            return Iterators.empty();
        }
        return support.cache().range(support.nameSpace(), from, true, to, true, forward);
    }

    /**
     * Kafka's reading of the cache of a persistent window store ({@code CachingWindowStore.CacheIteratorWrapper}),
     * one segment at a time, lazily. Forwards it reads from the segment of {@code timeFrom} (always read) up to that
     * of {@code min(timeTo, largest window start observed)}, recomputed at each step; backwards from the segment of
     * {@code min(timeTo, largest start)} (always read) down to that of {@code timeFrom}. Within a segment a
     * single-key fetch ({@code keyFrom} equal to {@code keyTo}) reads from (key, lower time, 0) to
     * (key, upper time, Integer.MAX_VALUE), the times being the segment's clipped to the fetch's (backwards, the
     * first segment from its start to {@code min(timeTo, largest start)}; forwards, the first from {@code timeFrom});
     * a key-range fetch reads from keyFrom followed by 12 zero bytes to {@code upperRange(keyTo, timeTo)}, both in
     * the segment, an open (null) bound reaching to the cache's start or end across segments: an entry can then come
     * up once per segment read, and Kafka hands it out each time; so does PSPF. Where Kafka throws
     * ("segment interval has changed": the two times of a segment's range lie in different segments), it has read
     * nothing more; PSPF stops reading.
     */
    private final class SegmentWalk extends SegmentWalkIterator {
        private final Bytes keyFrom;
        private final Bytes keyTo;
        private final long timeTo;
        private final boolean forward;
        private long lastSegment;
        private long segment;

        SegmentWalk(final Bytes keyFrom, final Bytes keyTo, final long timeFrom, final long timeTo,
                    final boolean forward) {
            this.keyFrom = keyFrom;
            this.keyTo = keyTo;
            this.timeTo = timeTo;
            this.forward = forward;
            if (forward) {
                lastSegment = keys.segmentId(Math.min(timeTo, maxObservedTimestamp));
                segment = keys.segmentId(timeFrom);
                start(read(timeFrom, segmentLastTime()));
            } else {
                segment = keys.segmentId(Math.min(timeTo, maxObservedTimestamp));
                lastSegment = keys.segmentId(timeFrom);
                start(read(segmentBeginTime(), Math.min(timeTo, maxObservedTimestamp)));
            }
        }

        private long segmentBeginTime() {
            return segment * keys.segmentInterval();
        }

        private long segmentLastTime() {
            return Math.min(timeTo, segmentBeginTime() + keys.segmentInterval() - 1);
        }

        private PeekingIterator<Bytes, CacheEntry> read(final long lower, final long upper) {
            if (keys.segmentId(lower) != keys.segmentId(upper)) {
                return null; // Kafka throws IllegalStateException here
            }
            if (keyFrom != null && keyFrom.equals(keyTo)) {
                return cacheRange(fixedSizeLower(keyFrom, lower), fixedSizeUpper(keyTo, upper), forward);
            }
            return cacheRange(keyFrom == null ? null : SegmentedCacheKeys.withSegment(segment, lowerRange(keyFrom)),
                keyTo == null ? null : SegmentedCacheKeys.withSegment(segment, upperRange(keyTo, timeTo)), forward);
        }

        @Override
        protected PeekingIterator<Bytes, CacheEntry> nextSegment() {
            if (forward) {
                segment++;
                lastSegment = keys.segmentId(Math.min(timeTo, maxObservedTimestamp));
                return segment > lastSegment ? null : read(segmentBeginTime(), segmentLastTime());
            } else {
                segment--;
                return segment < lastSegment ? null : read(segmentBeginTime(), segmentLastTime());
            }
        }
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
        if (timeOrdered) {
            return mergedInTimeOrder(cached, stored, forward);
        }
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

    /**
     * Over a time-ordered store the store reads come in {@code windowStart|key} order while the cache is kept in key
     * order: the two are read whole and merged by window start, then key (a cached entry replacing the stored one,
     * a cached delete hiding it).
     */
    private KeyValueIterator<Windowed<Bytes>, byte[]> mergedInTimeOrder(final PeekingIterator<Bytes, CacheEntry> cached,
                                                                       final KeyValueIterator<Windowed<Bytes>, byte[]> stored,
                                                                       final boolean forward) {
        final TreeMap<Bytes, KeyValue<Windowed<Bytes>, byte[]>> merged = new TreeMap<>();
        try (stored) {
            while (stored.hasNext()) {
                final KeyValue<Windowed<Bytes>, byte[]> record = stored.next();
                merged.put(timeFirst(record.key.key(), record.key.window().start()), record);
            }
        }
        try (cached) {
            while (cached.hasNext()) {
                final KeyValue<Bytes, CacheEntry> entry = cached.next();
                final byte[] binary = SegmentedCacheKeys.binaryKey(entry.key).get();
                final Bytes key = StoreFormats.windowKeyKey(binary);
                final long start = StoreFormats.windowKeyStart(binary);
                if (entry.value.value() == null) {
                    merged.remove(timeFirst(key, start));
                } else {
                    merged.put(timeFirst(key, start), KeyValue.pair(WindowBytesStore.windowed(key, start, windowSize),
                        entry.value.value()));
                }
            }
        }
        final Iterator<KeyValue<Windowed<Bytes>, byte[]>> records = (forward ? merged : merged.descendingMap()).values()
            .iterator();
        return Iterators.of(records);
    }

    private static Bytes timeFirst(final Bytes key, final long start) {
        final byte[] raw = key.get();
        return Bytes.wrap(java.nio.ByteBuffer.allocate(8 + raw.length).putLong(start).put(raw).array());
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
