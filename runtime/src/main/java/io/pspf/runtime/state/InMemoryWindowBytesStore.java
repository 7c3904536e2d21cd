package io.pspf.runtime.state;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory window bytes store, with the semantics of Kafka's {@code InMemoryWindowStore}:
 *
 * <pre>
 * window start ──► key (+ 4-byte sequence number when duplicates are kept) ──► value
 * </pre>
 *
 * Iteration is window start first, then key, both ascending (or both descending backwards). The store observes
 * stream time as the largest window start put; a record whose window start is at or before
 * {@code observedStreamTime - retentionPeriod} is dropped on put and invisible to reads, and whole windows behind
 * that bound are removed (unless an open iterator may still reach them). With {@code retainDuplicates}, every put
 * is kept under a new sequence number and a null put is ignored.
 */
public final class InMemoryWindowBytesStore implements WindowStore<Bytes, byte[]>, CarriedOverStores.Keepable {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryWindowBytesStore.class);

    private final String name;
    private final long retentionPeriod;
    private final long windowSize;
    private final boolean retainDuplicates;
    private final ConcurrentNavigableMap<Long, ConcurrentNavigableMap<Bytes, byte[]>> segments =
        new ConcurrentSkipListMap<>();
    private final Set<WindowIterator<?>> openIterators = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private long observedStreamTime = -1L;
    private int seqnum;
    private volatile boolean open;
    /** Set by {@link #keepOnClose} until the next init: closing keeps the records, for the task that takes them. */
    private boolean keep;

    /**
     * @param name             the store name
     * @param retentionPeriod  how long records are kept behind observed stream time, in ms
     * @param windowSize       the size of the windows, in ms
     * @param retainDuplicates whether every put is kept rather than replacing the previous value
     */
    public InMemoryWindowBytesStore(final String name, final long retentionPeriod, final long windowSize,
                                    final boolean retainDuplicates) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.retentionPeriod = retentionPeriod;
        this.windowSize = windowSize;
        this.retainDuplicates = retainDuplicates;
    }

    /** @return the retention period in ms */
    public long retentionPeriod() {
        return retentionPeriod;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
        if (root != null) {
            context.register(root, (key, value) -> put(StoreFormats.windowKeyKey(key), value,
                StoreFormats.windowKeyStart(key)));
        }
        keep = false; // taken over (or opened anew): later closes clear as usual
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
    public void put(final Bytes key, final byte[] value, final long windowStartTimestamp) {
        removeExpiredSegments();
        observedStreamTime = Math.max(observedStreamTime, windowStartTimestamp);
        if (windowStartTimestamp <= observedStreamTime - retentionPeriod) {
            StoreEnvironments.recordExpired(context);
            LOG.warn("Skipping record for expired segment.");
        } else if (value != null) {
            if (retainDuplicates) {
                seqnum = (seqnum + 1) & 0x7FFFFFFF;
            }
            final Bytes stored = retainDuplicates ? StoreFormats.withSeqnum(key, seqnum) : key;
            segments.computeIfAbsent(windowStartTimestamp, t -> new ConcurrentSkipListMap<>()).put(stored, value);
        } else if (!retainDuplicates) {
            final ConcurrentNavigableMap<Bytes, byte[]> segment = segments.get(windowStartTimestamp);
            if (segment != null) {
                segment.remove(key);
                if (segment.isEmpty()) {
                    segments.remove(windowStartTimestamp);
                }
            }
        }
        StoreSupport.updatePosition(position, context);
    }

    @Override
    public byte[] fetch(final Bytes key, final long windowStartTimestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        removeExpiredSegments();
        if (windowStartTimestamp <= observedStreamTime - retentionPeriod) {
            return null;
        }
        final ConcurrentNavigableMap<Bytes, byte[]> segment = segments.get(windowStartTimestamp);
        return segment == null ? null : segment.get(key);
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
        removeExpiredSegments();
        // records expire exactly retentionPeriod ms after their window start
        final long minTime = Math.max(timeFrom, observedStreamTime - retentionPeriod + 1);
        if (timeTo < minTime) {
            return Iterators.emptyWindow();
        }
        final WindowIterator<Long> iterator = register(new WindowIterator<>(key, key,
            sub(minTime, timeTo, forward), forward, (k, time) -> time));
        return Iterators.window(iterator);
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
        removeExpiredSegments();
        if (keyFrom != null && keyTo != null && keyFrom.compareTo(keyTo) > 0) {
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        final long minTime = Math.max(timeFrom, observedStreamTime - retentionPeriod + 1);
        if (timeTo < minTime) {
            return Iterators.empty();
        }
        return register(new WindowIterator<>(keyFrom, keyTo, sub(minTime, timeTo, forward), forward, this::windowed));
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
        removeExpiredSegments();
        final long minTime = Math.max(timeFrom, observedStreamTime - retentionPeriod + 1);
        if (timeTo < minTime) {
            return Iterators.empty();
        }
        return register(new WindowIterator<>(null, null, sub(minTime, timeTo, forward), forward, this::windowed));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> all() {
        return all(true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardAll() {
        return all(false);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> all(final boolean forward) {
        removeExpiredSegments();
        final long minTime = observedStreamTime - retentionPeriod;
        final ConcurrentNavigableMap<Long, ConcurrentNavigableMap<Bytes, byte[]>> live = segments.tailMap(minTime, false);
        return register(new WindowIterator<>(null, null,
            (forward ? live : live.descendingMap()).entrySet().iterator(), forward, this::windowed));
    }

    private Iterator<Map.Entry<Long, ConcurrentNavigableMap<Bytes, byte[]>>> sub(final long from, final long to,
                                                                                 final boolean forward) {
        final ConcurrentNavigableMap<Long, ConcurrentNavigableMap<Bytes, byte[]>> range = segments.subMap(from, true, to, true);
        return (forward ? range : range.descendingMap()).entrySet().iterator();
    }

    private Windowed<Bytes> windowed(final Bytes key, final long start) {
        return WindowBytesStore.windowed(key, start, windowSize);
    }

    private <K> WindowIterator<K> register(final WindowIterator<K> iterator) {
        openIterators.add(iterator);
        return iterator;
    }

    private void removeExpiredSegments() {
        long minLiveTime = Math.max(0L, observedStreamTime - retentionPeriod + 1);
        for (final WindowIterator<?> iterator : openIterators) {
            minLiveTime = Math.min(minLiveTime, iterator.currentTime);
        }
        segments.headMap(minLiveTime, false).clear();
    }


    @Override
    public void keepOnClose() {
        keep = true;
    }

    @Override
    public void close() {
        if (!openIterators.isEmpty()) {
            LOG.warn("Closing {} open iterators for store {}", openIterators.size(), name);
            for (final WindowIterator<?> iterator : Set.copyOf(openIterators)) {
                iterator.close();
            }
        }
        if (!keep) {
            segments.clear();
        }
        open = false;
    }

    /** Maps a stored key and its window start to the key handed out. */
    @FunctionalInterface
    private interface KeyMaker<K> {
        K make(Bytes key, long windowStart);
    }

    private final class WindowIterator<K> implements PeekingIterator<K, byte[]> {
        private final Bytes keyFrom;
        private final Bytes keyTo;
        private final Bytes storedFrom;
        private final Bytes storedTo;
        private final Iterator<Map.Entry<Long, ConcurrentNavigableMap<Bytes, byte[]>>> segmentIterator;
        private final boolean forward;
        private final KeyMaker<K> keyMaker;
        private Iterator<Map.Entry<Bytes, byte[]>> records;
        private KeyValue<K, byte[]> next;
        private long currentTime;

        WindowIterator(final Bytes keyFrom, final Bytes keyTo,
                       final Iterator<Map.Entry<Long, ConcurrentNavigableMap<Bytes, byte[]>>> segmentIterator,
                       final boolean forward, final KeyMaker<K> keyMaker) {
            this.keyFrom = keyFrom;
            this.keyTo = keyTo;
            this.storedFrom = keyFrom == null || !retainDuplicates ? keyFrom : StoreFormats.withSeqnum(keyFrom, 0);
            this.storedTo = keyTo == null || !retainDuplicates ? keyTo : StoreFormats.withSeqnum(keyTo, Integer.MAX_VALUE);
            this.segmentIterator = segmentIterator;
            this.forward = forward;
            this.keyMaker = keyMaker;
            this.currentTime = Long.MAX_VALUE;
            nextSegment();
        }

        private boolean nextSegment() {
            if (!segmentIterator.hasNext()) {
                records = null;
                return false;
            }
            final Map.Entry<Long, ConcurrentNavigableMap<Bytes, byte[]>> segment = segmentIterator.next();
            currentTime = segment.getKey();
            ConcurrentNavigableMap<Bytes, byte[]> keys = segment.getValue();
            if (storedFrom != null && storedTo != null) {
                keys = keys.subMap(storedFrom, true, storedTo, true);
            } else if (storedFrom != null) {
                keys = keys.tailMap(storedFrom, true);
            } else if (storedTo != null) {
                keys = keys.headMap(storedTo, true);
            }
            records = (forward ? keys : keys.descendingMap()).entrySet().iterator();
            return true;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                if (records == null) {
                    return false;
                }
                if (!records.hasNext()) {
                    if (!nextSegment()) {
                        return false;
                    }
                    continue;
                }
                final Map.Entry<Bytes, byte[]> record = records.next();
                final Bytes key = retainDuplicates ? StoreFormats.withoutSeqnum(record.getKey()) : record.getKey();
                if (retainDuplicates && !inRange(key)) {
                    continue;
                }
                next = KeyValue.pair(keyMaker.make(key, currentTime), record.getValue());
            }
            return true;
        }

        private boolean inRange(final Bytes key) {
            return (keyFrom == null || key.compareTo(keyFrom) >= 0) && (keyTo == null || key.compareTo(keyTo) <= 0);
        }

        @Override
        public KeyValue<K, byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final KeyValue<K, byte[]> result = next;
            next = null;
            return result;
        }

        @Override
        public K peekNextKey() {
            return peekNext().key;
        }

        @Override
        public KeyValue<K, byte[]> peekNext() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next;
        }

        @Override
        public void close() {
            openIterators.remove(this);
        }
    }
}
