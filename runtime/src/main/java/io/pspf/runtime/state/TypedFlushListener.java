package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.StateStore;

/**
 * A {@link CacheFlushListener} that is given typed keys and values: the outer (metered) layer of the store turns
 * the cache's bytes back into objects with the store's serdes. Key-value stores give their key type; window
 * stores give {@code Windowed<K>} with a {@link TimeWindow} of the store's window size; session stores give
 * {@code Windowed<K>} with a {@link SessionWindow}. Values are the store's value type (a
 * {@code ValueAndTimestamp} for timestamped stores).
 *
 * @param <K> the key type as the listener sees it
 * @param <V> the value type of the store
 */
@FunctionalInterface
public interface TypedFlushListener<K, V> {

    /**
     * @param key      the key
     * @param newValue the new value; null for a delete
     * @param oldValue the value the store below held before, when old values were asked for; otherwise null
     * @param context  the context of the write that made the entry dirty (it is also current while this runs)
     */
    void apply(K key, V newValue, V oldValue, StoreRecordContext context);

    /**
     * Sets {@code listener} on the caching layer of {@code store} (found through any views and layers above the
     * metered one).
     *
     * @return true when the store has a caching layer that took the listener; false when it is not cached
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <K, V> boolean set(final StateStore store, final TypedFlushListener<K, V> listener, final boolean sendOldValues) {
        final MeteredKeyValueStore keyValue = WrappedStore.find(store, MeteredKeyValueStore.class);
        if (keyValue != null) {
            final StoreSerdes serdes = keyValue.serdes;
            return keyValue.setFlushListener((key, newValue, oldValue, context) -> listener.apply(
                (K) serdes.key(key.get()), (V) serdes.value(newValue), (V) serdes.value(oldValue), context), sendOldValues);
        }
        final MeteredWindowStore window = WrappedStore.find(store, MeteredWindowStore.class);
        if (window != null) {
            final StoreSerdes serdes = window.serdes;
            final long size = window.windowSize();
            return window.setFlushListener((binary, newValue, oldValue, context) -> {
                final byte[] bytes = binary.get();
                final long start = StoreFormats.windowKeyStart(bytes);
                final Bytes key = StoreFormats.windowKeyKey(bytes);
                listener.apply((K) new Windowed<>(serdes.key(key.get()), new TimeWindow(start, start + size < 0 ? Long.MAX_VALUE : start + size)),
                    (V) serdes.value(newValue), (V) serdes.value(oldValue), context);
            }, sendOldValues);
        }
        final MeteredSessionStore session = WrappedStore.find(store, MeteredSessionStore.class);
        if (session != null) {
            final StoreSerdes serdes = session.serdes;
            return session.setFlushListener((binary, newValue, oldValue, context) -> {
                final byte[] bytes = binary.get();
                final Bytes key = StoreFormats.sessionKeyKey(bytes);
                listener.apply((K) new Windowed<>(serdes.key(key.get()),
                        new SessionWindow(StoreFormats.sessionKeyStart(bytes), StoreFormats.sessionKeyEnd(bytes))),
                    (V) serdes.value(newValue), (V) serdes.value(oldValue), context);
            }, sendOldValues);
        }
        return false;
    }
}
