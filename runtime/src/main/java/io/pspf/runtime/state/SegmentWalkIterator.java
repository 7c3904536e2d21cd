package io.pspf.runtime.state;

import java.util.NoSuchElementException;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;

/**
 * A read of a caching layer that goes one segment at a time, as Kafka's caching window and session stores read
 * their cache for persistent stores: the entries of the current segment are handed out, and when they run out the
 * subclass opens the next segment's range. Opening a range marks its entries as recently used, so the ranges are
 * opened lazily, exactly when Kafka opens them.
 */
abstract class SegmentWalkIterator implements PeekingIterator<Bytes, CacheEntry> {
    private PeekingIterator<Bytes, CacheEntry> current;

    /** Sets the first segment's entries; null means the walk is empty. */
    protected final void start(final PeekingIterator<Bytes, CacheEntry> first) {
        current = first;
    }

    /** Moves to the next segment and returns its entries, or null when the walk is over. */
    protected abstract PeekingIterator<Bytes, CacheEntry> nextSegment();

    @Override
    public boolean hasNext() {
        while (current != null && !current.hasNext()) {
            current = nextSegment();
        }
        return current != null;
    }

    @Override
    public KeyValue<Bytes, CacheEntry> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }

    @Override
    public Bytes peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.peekNextKey();
    }

    @Override
    public KeyValue<Bytes, CacheEntry> peekNext() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.peekNext();
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
        }
    }
}
