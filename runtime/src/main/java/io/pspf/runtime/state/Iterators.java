package io.pspf.runtime.state;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStoreIterator;

/** Small iterator and position helpers shared by the stores. */
final class Iterators {
    private Iterators() {
    }

    static <K, V> PeekingIterator<K, V> empty() {
        return new ListIterator<K, V>(List.<KeyValue<K, V>>of().iterator());
    }

    static <V> WindowStoreIterator<V> emptyWindow() {
        return new WindowIterator<>(empty());
    }

    /** Iterates a precomputed sequence of pairs. */
    static <K, V> PeekingIterator<K, V> of(final Iterator<KeyValue<K, V>> pairs) {
        return new ListIterator<>(pairs);
    }

    /** Maps keys and values of an iterator lazily. */
    static <K1, V1, K2, V2> KeyValueIterator<K2, V2> map(final KeyValueIterator<K1, V1> inner,
                                                         final Function<K1, K2> keyMapper,
                                                         final Function<V1, V2> valueMapper) {
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public KeyValue<K2, V2> next() {
                final KeyValue<K1, V1> next = inner.next();
                return KeyValue.pair(keyMapper.apply(next.key), valueMapper.apply(next.value));
            }

            @Override
            public K2 peekNextKey() {
                return keyMapper.apply(inner.peekNextKey());
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    /** Wraps an iterator so that it can look ahead, whether or not the original supports {@code peekNextKey}. */
    static <K, V> PeekingIterator<K, V> peeking(final KeyValueIterator<K, V> inner) {
        if (inner instanceof PeekingIterator) {
            return (PeekingIterator<K, V>) inner;
        }
        return new PeekingAdapter<>(inner);
    }

    /** A window store iterator over timestamp keys. */
    static <V> WindowStoreIterator<V> window(final KeyValueIterator<Long, V> inner) {
        return new WindowIterator<>(inner);
    }


    private static final class ListIterator<K, V> implements PeekingIterator<K, V> {
        private final Iterator<KeyValue<K, V>> pairs;
        private KeyValue<K, V> next;

        ListIterator(final Iterator<KeyValue<K, V>> pairs) {
            this.pairs = pairs;
        }

        @Override
        public boolean hasNext() {
            if (next == null && pairs.hasNext()) {
                next = pairs.next();
            }
            return next != null;
        }

        @Override
        public KeyValue<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final KeyValue<K, V> result = next;
            next = null;
            return result;
        }

        @Override
        public K peekNextKey() {
            return peekNext().key;
        }

        @Override
        public KeyValue<K, V> peekNext() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next;
        }

        @Override
        public void close() {
        }
    }

    private static final class WindowIterator<V> implements WindowStoreIterator<V> {
        private final KeyValueIterator<Long, V> inner;

        WindowIterator(final KeyValueIterator<Long, V> inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            return inner.hasNext();
        }

        @Override
        public KeyValue<Long, V> next() {
            return inner.next();
        }

        @Override
        public Long peekNextKey() {
            return inner.peekNextKey();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private static final class PeekingAdapter<K, V> implements PeekingIterator<K, V> {
        private final KeyValueIterator<K, V> inner;
        private KeyValue<K, V> next;

        PeekingAdapter(final KeyValueIterator<K, V> inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            if (next == null && inner.hasNext()) {
                next = inner.next();
            }
            return next != null;
        }

        @Override
        public KeyValue<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final KeyValue<K, V> result = next;
            next = null;
            return result;
        }

        @Override
        public K peekNextKey() {
            return peekNext().key;
        }

        @Override
        public KeyValue<K, V> peekNext() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next;
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
