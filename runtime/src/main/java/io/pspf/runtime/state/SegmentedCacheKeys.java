package io.pspf.runtime.state;

import java.nio.ByteBuffer;

import org.apache.kafka.common.utils.Bytes;

/**
 * Cache keys of the window and session caching layers: the store's binary key prefixed with its 8-byte segment
 * id, so that the cache iterates in the order of the segmented store below.
 */
final class SegmentedCacheKeys {
    static final int SEGMENT_ID_BYTES = 8;

    private final long segmentInterval;

    SegmentedCacheKeys(final long segmentInterval) {
        this.segmentInterval = segmentInterval;
    }

    long segmentInterval() {
        return segmentInterval;
    }

    long segmentId(final long timestamp) {
        return timestamp / segmentInterval;
    }

    Bytes cacheKey(final Bytes binaryKey, final long segmentTimestamp) {
        final byte[] raw = binaryKey.get();
        return Bytes.wrap(ByteBuffer.allocate(SEGMENT_ID_BYTES + raw.length).putLong(segmentId(segmentTimestamp))
            .put(raw).array());
    }

    /** A cache key made of a segment id and a binary key. */
    static Bytes withSegment(final long segmentId, final Bytes binaryKey) {
        final byte[] raw = binaryKey.get();
        return Bytes.wrap(ByteBuffer.allocate(SEGMENT_ID_BYTES + raw.length).putLong(segmentId).put(raw).array());
    }

    static Bytes binaryKey(final Bytes cacheKey) {
        final byte[] raw = cacheKey.get();
        final byte[] key = new byte[raw.length - SEGMENT_ID_BYTES];
        System.arraycopy(raw, SEGMENT_ID_BYTES, key, 0, key.length);
        return Bytes.wrap(key);
    }

    /** Compares a cache key with a store's binary key: by segment, then by binary key. */
    int compare(final Bytes cacheKey, final Bytes storeBinaryKey, final long storeSegmentTimestamp) {
        final long cacheSegment = ByteBuffer.wrap(cacheKey.get()).getLong();
        final int bySegment = Long.compare(cacheSegment, segmentId(storeSegmentTimestamp));
        if (bySegment != 0) {
            return bySegment;
        }
        final byte[] cache = cacheKey.get();
        final byte[] store = storeBinaryKey.get();
        return java.util.Arrays.compareUnsigned(cache, SEGMENT_ID_BYTES, cache.length, store, 0, store.length);
    }

    static PeekingIterator<Bytes, CacheEntry> filtered(final PeekingIterator<Bytes, CacheEntry> inner,
                                                       final java.util.function.Predicate<byte[]> filter) {
        return new PeekingIterator<>() {
            private boolean skip() {
                while (inner.hasNext() && !filter.test(binaryKey(inner.peekNextKey()).get())) {
                    inner.next();
                }
                return inner.hasNext();
            }

            @Override
            public boolean hasNext() {
                return skip();
            }

            @Override
            public org.apache.kafka.streams.KeyValue<Bytes, CacheEntry> next() {
                skip();
                return inner.next();
            }

            @Override
            public Bytes peekNextKey() {
                skip();
                return inner.peekNextKey();
            }

            @Override
            public org.apache.kafka.streams.KeyValue<Bytes, CacheEntry> peekNext() {
                skip();
                return inner.peekNext();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
