package io.pspf.runtime.state;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * A {@link KeyValueIterator} that can also show its next pair without consuming it; the merging iterators of the
 * caching layers need to look ahead in both the cache and the store.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface PeekingIterator<K, V> extends KeyValueIterator<K, V> {
    /**
     * @return the next pair, without moving past it
     * @throws java.util.NoSuchElementException if there is none
     */
    KeyValue<K, V> peekNext();
}
