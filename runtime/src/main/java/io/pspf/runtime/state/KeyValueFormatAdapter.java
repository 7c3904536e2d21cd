package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Lets a persistent key-value store that keeps a simpler value format serve a richer one, as Kafka's adapters
 * do when a plain persistent store is given to a timestamped builder: values are stripped on the way down (the
 * timestamp and headers are lost) and filled in on the way up (timestamp -1, no headers).
 */
final class KeyValueFormatAdapter extends ForwardingKeyValueBytesStore {
    private final UnaryOperator<byte[]> down;
    private final UnaryOperator<byte[]> up;

    private KeyValueFormatAdapter(final KeyValueStore<Bytes, byte[]> wrapped, final UnaryOperator<byte[]> down,
                                  final UnaryOperator<byte[]> up) {
        super(wrapped);
        this.down = down;
        this.up = up;
    }

    /** A plain store seen as a timestamped one. */
    static KeyValueStore<Bytes, byte[]> plainToTimestamped(final KeyValueStore<Bytes, byte[]> store) {
        return new KeyValueFormatAdapter(store, FormatConversions::timestampedToPlain, FormatConversions::plainToTimestamped);
    }

    /** A plain store seen as a headers one. */
    static KeyValueStore<Bytes, byte[]> plainToHeaders(final KeyValueStore<Bytes, byte[]> store) {
        return new KeyValueFormatAdapter(store, FormatConversions::headersToPlain, FormatConversions::plainToHeaders);
    }

    /** A timestamped store seen as a headers one. */
    static KeyValueStore<Bytes, byte[]> timestampedToHeaders(final KeyValueStore<Bytes, byte[]> store) {
        return new KeyValueFormatAdapter(store, FormatConversions::headersToTimestamped,
            FormatConversions::timestampedToHeaders);
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        wrapped().put(key, down.apply(value));
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        return up.apply(wrapped().putIfAbsent(key, down.apply(value)));
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        final List<KeyValue<Bytes, byte[]>> converted = new ArrayList<>(entries.size());
        for (final KeyValue<Bytes, byte[]> entry : entries) {
            converted.add(KeyValue.pair(entry.key, down.apply(entry.value)));
        }
        wrapped().putAll(converted);
    }

    @Override
    public byte[] delete(final Bytes key) {
        return up.apply(wrapped().delete(key));
    }

    @Override
    public byte[] get(final Bytes key) {
        return up.apply(wrapped().get(key));
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return Iterators.map(wrapped().range(from, to), k -> k, up);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(final Bytes from, final Bytes to) {
        return Iterators.map(wrapped().reverseRange(from, to), k -> k, up);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return Iterators.map(wrapped().all(), k -> k, up);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return Iterators.map(wrapped().reverseAll(), k -> k, up);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                  final PS prefixKeySerializer) {
        return Iterators.map(wrapped().prefixScan(prefix, prefixKeySerializer), k -> k, up);
    }
}
