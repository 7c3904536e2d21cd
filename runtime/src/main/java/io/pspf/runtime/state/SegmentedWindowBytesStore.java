package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.HeadersBytesStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PSPF's "persistent" window bytes store: Kafka's RocksDB window store semantics (segments of
 * {@code segmentInterval}, records sorted by {@code key|windowStart|seqnum} within a segment, segment-wise expiry)
 * kept in memory, reporting {@link #persistent()} true so that the engine can later back it with a durable store.
 * Range reads therefore return records in the order Kafka's default (RocksDB) window stores return them.
 * {@link Timestamped} and {@link WithHeaders} mark the value formats, as Kafka's RocksDB stores do; {@link TimeOrdered}
 * is the time-ordered store Kafka's DSL uses for emit-on-window-close aggregations.
 */
public sealed class SegmentedWindowBytesStore implements WindowStore<Bytes, byte[]>
    permits SegmentedWindowBytesStore.Timestamped, SegmentedWindowBytesStore.WithHeaders,
    SegmentedWindowBytesStore.TimeOrdered {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedWindowBytesStore.class);

    private final String name;
    private final long retentionPeriod;
    private final long windowSize;
    private final boolean retainDuplicates;
    private final boolean timeOrdered;
    private final boolean indexed;
    private final SegmentedBytesStore segments;
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private int seqnum;
    private volatile boolean open;

    /**
     * @param name             the store name
     * @param retentionPeriod  how long records are kept behind observed stream time, in ms
     * @param segmentInterval  the size of a segment, in ms
     * @param windowSize       the size of the windows, in ms
     * @param retainDuplicates whether every put is kept rather than replacing the previous value
     */
    public SegmentedWindowBytesStore(final String name, final long retentionPeriod, final long segmentInterval,
                                     final long windowSize, final boolean retainDuplicates) {
        this(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates, false, false, SegmentStorage.inMemory());
    }

    /** As {@link #SegmentedWindowBytesStore(String, long, long, long, boolean)}, keeping the segments in {@code storage}. */
    public SegmentedWindowBytesStore(final String name, final long retentionPeriod, final long segmentInterval,
                                     final long windowSize, final boolean retainDuplicates, final SegmentStorage storage) {
        this(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates, false, false, storage);
    }

    private SegmentedWindowBytesStore(final String name, final long retentionPeriod, final long segmentInterval,
                                      final long windowSize, final boolean retainDuplicates, final boolean timeOrdered,
                                      final boolean indexed, final SegmentStorage storage) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.retentionPeriod = retentionPeriod;
        this.windowSize = windowSize;
        this.retainDuplicates = retainDuplicates;
        this.timeOrdered = timeOrdered;
        this.indexed = indexed;
        this.segments = new SegmentedBytesStore(retentionPeriod, segmentInterval, timeOrdered ? 0L : 1L,
            Objects.requireNonNull(storage, "storage"));
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
        segments.storage().open(context, name);
        segments.restoreObservedStreamTime(segments.storage().committedStreamTime());
        if (root != null) {
            context.register(root, (key, value) -> putBinary(Bytes.wrap(key), value, false));
        }
        open = true;
    }

    @Override
    public boolean persistent() {
        return true;
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
        // with duplicates a delete is a no-op: there is no single record it could address
        if (!(value == null && retainDuplicates)) {
            if (retainDuplicates) {
                seqnum = (seqnum + 1) & 0x7FFFFFFF;
            }
            putBinary(StoreFormats.windowKey(key, windowStartTimestamp, seqnum), value, true);
        }
    }

    private void putBinary(final Bytes binaryKey, final byte[] value, final boolean counted) {
        if (!segments.put(binaryKey, value, StoreFormats.windowKeyStart(binaryKey.get()))) {
            if (counted) {
                StoreEnvironments.recordExpired(context);
            }
            LOG.warn("Skipping record for expired segment.");
        } else {
            StoreSupport.updatePosition(position, context);
        }
    }

    @Override
    public byte[] fetch(final Bytes key, final long timestamp) {
        Objects.requireNonNull(key, "key cannot be null");
        return segments.get(StoreFormats.windowKey(key, timestamp, seqnum), timestamp);
    }

    @Override
    public WindowStoreIterator<byte[]> fetch(final Bytes key, final long timeFrom, final long timeTo) {
        return Iterators.window(Iterators.map(fetch(key, key, timeFrom, timeTo, true),
            windowed -> windowed.window().start(), v -> v));
    }

    @Override
    public WindowStoreIterator<byte[]> backwardFetch(final Bytes key, final long timeFrom, final long timeTo) {
        return Iterators.window(Iterators.map(fetch(key, key, timeFrom, timeTo, false),
            windowed -> windowed.window().start(), v -> v));
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
        if (keyFrom != null && keyTo != null && keyFrom.compareTo(keyTo) > 0) {
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        final long actualFrom = segments.actualFrom(timeFrom);
        if (timeTo < actualFrom) {
            return Iterators.empty();
        }
        final boolean singleKey = keyFrom != null && keyFrom.equals(keyTo);
        final Bytes lower = keyFrom == null ? null : StoreFormats.windowKey(keyFrom, 0L, 0);
        final Bytes upper = singleKey ? StoreFormats.windowKey(keyTo, timeTo, -1) : null;
        final Iterator<KeyValue<Bytes, byte[]>> records = segments.scan(actualFrom, timeTo, lower, upper,
            binary -> matches(binary, keyFrom, keyTo, actualFrom, timeTo), forward);
        return windowed(singleKey || indexed ? records : inTimeOrder(records, forward));
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
        final long actualFrom = segments.actualFrom(timeFrom);
        return windowed(inTimeOrder(segments.scan(actualFrom, timeTo, null, null,
            binary -> matches(binary, null, null, actualFrom, timeTo), forward), forward));
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
        final long actualFrom = segments.actualFrom(0L);
        return windowed(inTimeOrder(segments.scanAll(binary -> matches(binary, null, null, actualFrom, Long.MAX_VALUE),
            forward), forward));
    }

    /**
     * A time-ordered store keeps {@code windowStart|key|seqnum} sorted within a segment; segments cover disjoint time
     * ranges, so sorting a whole result that way gives its iteration order. Other stores keep their order.
     */
    private Iterator<KeyValue<Bytes, byte[]>> inTimeOrder(final Iterator<KeyValue<Bytes, byte[]>> records,
                                                          final boolean forward) {
        if (!timeOrdered) {
            return records;
        }
        final List<KeyValue<Bytes, byte[]>> all = new ArrayList<>();
        records.forEachRemaining(all::add);
        final Comparator<KeyValue<Bytes, byte[]>> order = Comparator.comparing(record -> timeFirst(record.key.get()));
        all.sort(forward ? order : order.reversed());
        return all.iterator();
    }

    /** {@code key|windowStart|seqnum} rearranged as {@code windowStart|key|seqnum}. */
    private static Bytes timeFirst(final byte[] binary) {
        final int keyLength = binary.length - 12;
        final byte[] reordered = new byte[binary.length];
        System.arraycopy(binary, keyLength, reordered, 0, 8);
        System.arraycopy(binary, 0, reordered, 8, keyLength);
        System.arraycopy(binary, keyLength + 8, reordered, keyLength + 8, 4);
        return Bytes.wrap(reordered);
    }

    private static boolean matches(final byte[] binary, final Bytes keyFrom, final Bytes keyTo, final long from,
                                   final long to) {
        final Bytes key = StoreFormats.windowKeyKey(binary);
        final long time = StoreFormats.windowKeyStart(binary);
        return (keyFrom == null || key.compareTo(keyFrom) >= 0) && (keyTo == null || key.compareTo(keyTo) <= 0)
            && time >= from && time <= to;
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> windowed(final Iterator<KeyValue<Bytes, byte[]>> records) {
        return Iterators.map(Iterators.of(records), binary -> WindowBytesStore.windowed(
            StoreFormats.windowKeyKey(binary.get()), StoreFormats.windowKeyStart(binary.get()), windowSize), v -> v);
    }


    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
        segments.storage().commit(changelogOffsets, segments.observedStreamTime());
    }

    @Override
    public boolean managesOffsets() {
        return segments.storage().managesOffsets();
    }

    @Override
    public Long committedOffset(final TopicPartition partition) {
        return segments.storage().committedOffset(partition);
    }

    @Override
    public void close() {
        segments.storage().close();
        open = false;
    }

    /** A window bytes store whose values are in the timestamped format. */
    public static final class Timestamped extends SegmentedWindowBytesStore implements TimestampedBytesStore {
        /** See {@link SegmentedWindowBytesStore#SegmentedWindowBytesStore}. */
        public Timestamped(final String name, final long retentionPeriod, final long segmentInterval,
                           final long windowSize, final boolean retainDuplicates) {
            super(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates);
        }

        /** Keeping the segments in {@code storage}. */
        public Timestamped(final String name, final long retentionPeriod, final long segmentInterval,
                           final long windowSize, final boolean retainDuplicates, final SegmentStorage storage) {
            super(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates, storage);
        }
    }

    /**
     * Kafka's time-ordered window store ({@code RocksDbIndexedTimeOrderedWindowBytesStoreSupplier}), with timestamped
     * values: range reads over several keys come in window-start order (unless it has a key index), and a record stays
     * visible until it is older than {@code observedStreamTime - retentionPeriod}.
     */
    public static final class TimeOrdered extends SegmentedWindowBytesStore implements TimestampedBytesStore {
        /**
         * See {@link SegmentedWindowBytesStore#SegmentedWindowBytesStore}.
         *
         * @param indexed whether the store keeps a key index (Kafka: for sliding windows), so that key-range reads
         *                come in key order
         */
        public TimeOrdered(final String name, final long retentionPeriod, final long segmentInterval,
                           final long windowSize, final boolean retainDuplicates, final boolean indexed) {
            super(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates, true, indexed,
                SegmentStorage.inMemory());
        }

        /** Keeping the segments in {@code storage}. */
        public TimeOrdered(final String name, final long retentionPeriod, final long segmentInterval,
                           final long windowSize, final boolean retainDuplicates, final boolean indexed,
                           final SegmentStorage storage) {
            super(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates, true, indexed, storage);
        }
    }

    /** A window bytes store whose values are in the headers format. */
    public static final class WithHeaders extends SegmentedWindowBytesStore
        implements TimestampedBytesStore, HeadersBytesStore {
        /** See {@link SegmentedWindowBytesStore#SegmentedWindowBytesStore}. */
        public WithHeaders(final String name, final long retentionPeriod, final long segmentInterval,
                           final long windowSize, final boolean retainDuplicates) {
            super(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates);
        }

        /** Keeping the segments in {@code storage}. */
        public WithHeaders(final String name, final long retentionPeriod, final long segmentInterval,
                           final long windowSize, final boolean retainDuplicates, final SegmentStorage storage) {
            super(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates, storage);
        }
    }
}
