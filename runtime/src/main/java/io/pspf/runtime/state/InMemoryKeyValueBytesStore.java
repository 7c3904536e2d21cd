package io.pspf.runtime.state;

import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeSet;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.HeadersBytesStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-value bytes store: a map sorted by unsigned byte order of the keys, as Kafka's in-memory store and
 * RocksDB order them. Iterators see the keys present when they were created and the values current when each key
 * is reached; a key deleted meanwhile is skipped. A closed iterator throws {@link IllegalStateException}.
 *
 * <p>The same class backs PSPF's "persistent" key-value suppliers (reported {@link #persistent()} true so that the
 * engine can swap in a durable store); {@link Timestamped} and {@link WithHeaders} mark stores whose bytes are in
 * the timestamped and headers value formats, as Kafka's RocksDB stores are.
 */
public sealed class InMemoryKeyValueBytesStore implements KeyValueStore<Bytes, byte[]>, CarriedOverStores.Keepable
    permits InMemoryKeyValueBytesStore.Timestamped, InMemoryKeyValueBytesStore.WithHeaders {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryKeyValueBytesStore.class);

    private final String name;
    private final boolean persistent;
    /** The records: point reads and writes by hash; the keys are sorted once a range read needs them. */
    private final HashedSortedMap<byte[]> index = new HashedSortedMap<>();
    private final Position position = Position.emptyPosition();

    /** Set by {@link #keepOnClose} until the next init: closing keeps the records, for the task that takes them. */
    private boolean keep;

    @Override
    public void keepOnClose() {
        keep = true;
    }
    private StateStoreContext context;
    private volatile boolean open;

    /**
     * @param name       the store name
     * @param persistent what {@link #persistent()} reports
     */
    public InMemoryKeyValueBytesStore(final String name, final boolean persistent) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.persistent = persistent;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
        if (root != null) {
            context.register(root, (key, value) -> write(Bytes.wrap(key), value));
        }
        keep = false; // taken over (or opened anew): later closes clear as usual
        open = true;
    }

    @Override
    public boolean persistent() {
        return persistent;
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
        return index.get(key);
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        write(key, value);
        StoreSupport.updatePosition(position, context);
    }

    private byte[] write(final Bytes key, final byte[] value) {
        return value == null ? index.remove(key) : index.put(key, value);
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
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
        Objects.requireNonNull(key, "key cannot be null");
        final byte[] old = write(key, null);
        StoreSupport.updatePosition(position, context);
        return old;
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
        final NavigableSet<Bytes> keys;
        if (from == null && to == null) {
            keys = index.sortedKeys();
        } else if (from == null) {
            keys = index.sortedKeys().headSet(to, true);
        } else if (to == null) {
            keys = index.sortedKeys().tailSet(from, true);
        } else {
            keys = index.sortedKeys().subSet(from, true, to, true);
        }
        return new SnapshotIterator(keys, forward);
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
        if (persistent) {
            // RocksDB seeks to the prefix and reads while keys start with it: an empty prefix matches every key
            final NavigableSet<Bytes> keys = new TreeSet<>();
            for (final Bytes key : index.sortedKeys().tailSet(from, true)) {
                if (!StoreSupport.startsWith(key.get(), from.get())) {
                    break;
                }
                keys.add(key);
            }
            return new SnapshotIterator(keys, true);
        }
        // Kafka's in-memory store fails on an empty or all-0xFF prefix with IndexOutOfBoundsException
        final Bytes to = StoreFormats.increment(from);
        return new SnapshotIterator(index.sortedKeys().subSet(from, true, to, false), true);
    }


    @Override
    public long approximateNumEntries() {
        return index.size();
    }


    @Override
    public void close() {
        if (!keep) {
            index.clear();
        }
        open = false;
    }

    private final class SnapshotIterator implements PeekingIterator<Bytes, byte[]> {
        private final Iterator<Bytes> keys;
        private Bytes current;
        private boolean open = true;

        SnapshotIterator(final NavigableSet<Bytes> keys, final boolean forward) {
            final TreeSet<Bytes> copy = new TreeSet<>(keys);
            this.keys = forward ? copy.iterator() : copy.descendingIterator();
        }

        @Override
        public boolean hasNext() {
            if (!open) {
                throw new IllegalStateException(String.format("Iterator for store %s has already been closed.", name));
            }
            while (current == null || !index.containsKey(current)) {
                if (!keys.hasNext()) {
                    current = null;
                    return false;
                }
                current = keys.next();
            }
            return true;
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final KeyValue<Bytes, byte[]> result = KeyValue.pair(current, index.get(current));
            current = null;
            return result;
        }

        @Override
        public Bytes peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current;
        }

        @Override
        public KeyValue<Bytes, byte[]> peekNext() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return KeyValue.pair(current, index.get(current));
        }

        @Override
        public void close() {
            open = false;
        }
    }

    /** A key-value bytes store whose values are in the timestamped format. */
    public static final class Timestamped extends InMemoryKeyValueBytesStore implements TimestampedBytesStore {
        /**
         * @param name       the store name
         * @param persistent what {@link #persistent()} reports
         */
        public Timestamped(final String name, final boolean persistent) {
            super(name, persistent);
        }
    }

    /** A key-value bytes store whose values are in the headers format. */
    public static final class WithHeaders extends InMemoryKeyValueBytesStore
        implements TimestampedBytesStore, HeadersBytesStore {
        /**
         * @param name       the store name
         * @param persistent what {@link #persistent()} reports
         */
        public WithHeaders(final String name, final boolean persistent) {
            super(name, persistent);
        }
    }
}
