package io.pspf.runtime.state;

import java.util.function.UnaryOperator;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Lets a persistent window store that keeps a simpler value format serve a richer one, as Kafka's window
 * adapters do (see {@link KeyValueFormatAdapter}).
 */
final class WindowFormatAdapter extends ForwardingWindowBytesStore {
    private final UnaryOperator<byte[]> down;
    private final UnaryOperator<byte[]> up;

    private WindowFormatAdapter(final WindowStore<Bytes, byte[]> wrapped, final UnaryOperator<byte[]> down,
                                final UnaryOperator<byte[]> up) {
        super(wrapped);
        this.down = down;
        this.up = up;
    }

    static WindowStore<Bytes, byte[]> plainToTimestamped(final WindowStore<Bytes, byte[]> store) {
        return new WindowFormatAdapter(store, FormatConversions::timestampedToPlain, FormatConversions::plainToTimestamped);
    }

    static WindowStore<Bytes, byte[]> plainToHeaders(final WindowStore<Bytes, byte[]> store) {
        return new WindowFormatAdapter(store, FormatConversions::headersToPlain, FormatConversions::plainToHeaders);
    }

    static WindowStore<Bytes, byte[]> timestampedToHeaders(final WindowStore<Bytes, byte[]> store) {
        return new WindowFormatAdapter(store, FormatConversions::headersToTimestamped,
            FormatConversions::timestampedToHeaders);
    }

    @Override
    public void put(final Bytes key, final byte[] value, final long windowStartTimestamp) {
        wrapped().put(key, down.apply(value), windowStartTimestamp);
    }

    @Override
    public byte[] fetch(final Bytes key, final long time) {
        return up.apply(wrapped().fetch(key, time));
    }

    @Override
    public WindowStoreIterator<byte[]> fetch(final Bytes key, final long timeFrom, final long timeTo) {
        return Iterators.window(Iterators.map(wrapped().fetch(key, timeFrom, timeTo), t -> t, up));
    }

    @Override
    public WindowStoreIterator<byte[]> backwardFetch(final Bytes key, final long timeFrom, final long timeTo) {
        return Iterators.window(Iterators.map(wrapped().backwardFetch(key, timeFrom, timeTo), t -> t, up));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo, final long timeFrom,
                                                          final long timeTo) {
        return Iterators.map(wrapped().fetch(keyFrom, keyTo, timeFrom, timeTo), k -> k, up);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes keyFrom, final Bytes keyTo,
                                                                  final long timeFrom, final long timeTo) {
        return Iterators.map(wrapped().backwardFetch(keyFrom, keyTo, timeFrom, timeTo), k -> k, up);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetchAll(final long timeFrom, final long timeTo) {
        return Iterators.map(wrapped().fetchAll(timeFrom, timeTo), k -> k, up);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetchAll(final long timeFrom, final long timeTo) {
        return Iterators.map(wrapped().backwardFetchAll(timeFrom, timeTo), k -> k, up);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> all() {
        return Iterators.map(wrapped().all(), k -> k, up);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardAll() {
        return Iterators.map(wrapped().backwardAll(), k -> k, up);
    }
}
