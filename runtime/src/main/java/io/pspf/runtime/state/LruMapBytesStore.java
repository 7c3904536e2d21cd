package io.pspf.runtime.state;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key-value bytes store that keeps at most {@code maxCacheSize} entries, dropping the least recently used one
 * (reads and writes both count as use) when a put exceeds it, like Kafka's {@code Stores.lruMap}. The change-logging
 * layer registers an eviction listener so that a dropped entry becomes a tombstone in the changelog.
 *
 * <p>Range reads iterate a sorted snapshot of the entries and do not count as use.
 */
public final class LruMapBytesStore implements KeyValueStore<Bytes, byte[]>, CarriedOverStores.Keepable {
    private static final Logger LOG = LoggerFactory.getLogger(LruMapBytesStore.class);

    private final String name;
    private final int maxCacheSize;
    private final Map<Bytes, byte[]> map;
    private final Position position = Position.emptyPosition();
    private BiConsumer<Bytes, byte[]> evictionListener;
    private StateStoreContext context;
    private volatile boolean open;

    /**
     * @param name         the store name
     * @param maxCacheSize the most entries kept
     */
    public LruMapBytesStore(final String name, final int maxCacheSize) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.maxCacheSize = maxCacheSize;
        this.map = new LinkedHashMap<>(maxCacheSize + 1, 1.01f, true) {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Bytes, byte[]> eldest) {
                final boolean evict = size() > LruMapBytesStore.this.maxCacheSize;
                if (evict && evictionListener != null) {
                    evictionListener.accept(eldest.getKey(), eldest.getValue());
                }
                return evict;
            }
        };
    }

    /** @return the most entries kept */
    public int maxCacheSize() {
        return maxCacheSize;
    }

    /**
     * Sets the callback told of each entry dropped to make room.
     *
     * @param listener receives the dropped key and value
     */
    public void setEvictionListener(final BiConsumer<Bytes, byte[]> listener) {
        this.evictionListener = listener;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
        if (root != null) {
            context.register(root, (key, value) -> {
                if (value == null) {
                    map.remove(Bytes.wrap(key));
                } else {
                    map.put(Bytes.wrap(key), value);
                }
            });
        }
        open = true;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }

    @Override
    public byte[] get(final Bytes key) {
        Objects.requireNonNull(key);
        return map.get(key);
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        Objects.requireNonNull(key);
        if (value == null) {
            delete(key);
        } else {
            map.put(key, value);
        }
        StoreSupport.updatePosition(position, context);
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        Objects.requireNonNull(key);
        final byte[] original = get(key);
        if (original == null) {
            put(key, value);
        }
        return original;
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        for (final KeyValue<Bytes, byte[]> entry : entries) {
            put(entry.key, entry.value);
        }
    }

    @Override
    public byte[] delete(final Bytes key) {
        Objects.requireNonNull(key);
        StoreSupport.updatePosition(position, context);
        return map.remove(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return range(from, to, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(final Bytes from, final Bytes to) {
        return range(from, to, false);
    }

    private KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to, final boolean forward) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        TreeMap<Bytes, byte[]> sorted = new TreeMap<>(map);
        if (from != null) {
            sorted = new TreeMap<>(sorted.tailMap(from, true));
        }
        if (to != null) {
            sorted = new TreeMap<>(sorted.headMap(to, true));
        }
        return snapshot(forward ? sorted : sorted.descendingMap());
    }

    private static KeyValueIterator<Bytes, byte[]> snapshot(final Map<Bytes, byte[]> sorted) {
        final Iterator<Map.Entry<Bytes, byte[]>> entries = sorted.entrySet().iterator();
        return Iterators.of(new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                if (!entries.hasNext()) {
                    throw new NoSuchElementException();
                }
                final Map.Entry<Bytes, byte[]> entry = entries.next();
                return KeyValue.pair(entry.getKey(), entry.getValue());
            }
        });
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return range(null, null, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return range(null, null, false);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                  final PS prefixKeySerializer) {
        final Bytes from = Bytes.wrap(prefixKeySerializer.serialize(null, prefix));
        final Bytes to = StoreFormats.increment(from);
        return snapshot(new TreeMap<>(map).subMap(from, true, to, false));
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }


    @Override
    public void close() {
        open = false;
    }

    /** Its records stay through close anyway (as Kafka's LRU store keeps them). */
    @Override
    public void keepOnClose() {
    }
}
