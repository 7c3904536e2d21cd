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
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.HeadersBytesStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PSPF's "persistent" session bytes store: Kafka's RocksDB session store semantics (segments by session end,
 * records sorted by {@code key|end|start} within a segment, segment-wise expiry) kept in memory, reporting
 * {@link #persistent()} true so that the engine can later back it with a durable store. {@link WithHeaders} marks
 * aggregations stored in the headers format; {@link TimeOrdered} is the time-ordered store Kafka's DSL uses for
 * emit-on-window-close session aggregations.
 */
public sealed class SegmentedSessionBytesStore implements SessionStore<Bytes, byte[]>
    permits SegmentedSessionBytesStore.WithHeaders, SegmentedSessionBytesStore.TimeOrdered {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentedSessionBytesStore.class);

    private final String name;
    private final long retentionPeriod;
    private final SegmentedBytesStore segments;
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private volatile boolean open;

    /**
     * @param name            the store name
     * @param retentionPeriod how long sessions are kept behind observed stream time, in ms
     * @param segmentInterval the size of a segment, in ms
     */
    public SegmentedSessionBytesStore(final String name, final long retentionPeriod, final long segmentInterval) {
        this(name, retentionPeriod, segmentInterval, SegmentStorage.inMemory());
    }

    /** As {@link #SegmentedSessionBytesStore(String, long, long)}, keeping the segments in {@code storage}. */
    public SegmentedSessionBytesStore(final String name, final long retentionPeriod, final long segmentInterval,
                                      final SegmentStorage storage) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.retentionPeriod = retentionPeriod;
        this.segments = new SegmentedBytesStore(retentionPeriod, segmentInterval, 1L,
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
    public void put(final Windowed<Bytes> sessionKey, final byte[] aggregate) {
        putBinary(StoreFormats.sessionKey(sessionKey.key(), sessionKey.window().start(), sessionKey.window().end()),
            aggregate, true);
    }

    private void putBinary(final Bytes binary, final byte[] aggregate, final boolean counted) {
        if (!segments.put(binary, aggregate, StoreFormats.sessionKeyEnd(binary.get()))) {
            if (counted) {
                StoreEnvironments.recordExpired(context);
            }
            LOG.warn("Skipping record for expired segment.");
        } else {
            StoreSupport.updatePosition(position, context);
        }
    }

    @Override
    public void remove(final Windowed<Bytes> sessionKey) {
        segments.remove(StoreFormats.sessionKey(sessionKey.key(), sessionKey.window().start(), sessionKey.window().end()),
            sessionKey.window().end());
    }

    @Override
    public byte[] fetchSession(final Bytes key, final long sessionStartTime, final long sessionEndTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return segments.get(StoreFormats.sessionKey(key, sessionStartTime, sessionEndTime), sessionEndTime);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes key, final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, earliestSessionEndTime, latestSessionStartTime, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes key,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, earliestSessionEndTime, latestSessionStartTime, false);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                 final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        return find(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        return find(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, false);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final long earliestSessionEndTime,
                                                                 final long latestSessionEndTime) {
        // Kafka's RocksDB session store does not implement this find: SessionStore's default throws
        throw new UnsupportedOperationException("This API is not supported by this implementation of SessionStore.");
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, 0L, Long.MAX_VALUE, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, 0L, Long.MAX_VALUE, false);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo) {
        return find(keyFrom, keyTo, 0L, Long.MAX_VALUE, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes keyFrom, final Bytes keyTo) {
        return find(keyFrom, keyTo, 0L, Long.MAX_VALUE, false);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> find(final Bytes keyFrom, final Bytes keyTo,
                                                          final long earliestSessionEndTime,
                                                          final long latestSessionStartTime, final boolean forward) {
        if (keyFrom != null && keyTo != null && keyFrom.compareTo(keyTo) > 0) {
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        final long actualFrom = segments.actualFrom(earliestSessionEndTime);
        final Bytes lower = keyFrom == null ? null : StoreFormats.sessionKey(keyFrom, 0L, 0L);
        return sessions(segments.scan(actualFrom, Long.MAX_VALUE, lower, null,
            binary -> matches(binary, keyFrom, keyTo, actualFrom, latestSessionStartTime), forward));
    }

    /** Kafka's session key filter: key in range, session end at or after {@code from}, start at or before {@code to}. */
    private static boolean matches(final byte[] binary, final Bytes keyFrom, final Bytes keyTo, final long from,
                                   final long to) {
        final Bytes key = StoreFormats.sessionKeyKey(binary);
        return (keyFrom == null || key.compareTo(keyFrom) >= 0) && (keyTo == null || key.compareTo(keyTo) <= 0)
            && StoreFormats.sessionKeyEnd(binary) >= from && StoreFormats.sessionKeyStart(binary) <= to;
    }

    private static KeyValueIterator<Windowed<Bytes>, byte[]> sessions(final Iterator<KeyValue<Bytes, byte[]>> records) {
        return Iterators.map(Iterators.of(records), binary -> new Windowed<>(StoreFormats.sessionKeyKey(binary.get()),
            new SessionWindow(StoreFormats.sessionKeyStart(binary.get()), StoreFormats.sessionKeyEnd(binary.get()))),
            v -> v);
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

    /** The sessions of every key whose end lies in {@code [earliestSessionEndTime, latestSessionEndTime]}. */
    final Iterator<KeyValue<Bytes, byte[]>> endingBetween(final long earliestSessionEndTime,
                                                         final long latestSessionEndTime) {
        return segments.scan(earliestSessionEndTime, latestSessionEndTime, null, null, binary -> {
            final long end = StoreFormats.sessionKeyEnd(binary);
            return end >= earliestSessionEndTime && end <= latestSessionEndTime;
        }, true);
    }

    /**
     * Kafka's time-ordered session store ({@code RocksDbTimeOrderedSessionBytesStoreSupplier}, with its key index):
     * it reads like the key-ordered store, and can also find the sessions of all keys by end time, in
     * {@code end|start|key} order.
     */
    public static final class TimeOrdered extends SegmentedSessionBytesStore {
        /** See {@link SegmentedSessionBytesStore#SegmentedSessionBytesStore}. */
        public TimeOrdered(final String name, final long retentionPeriod, final long segmentInterval) {
            super(name, retentionPeriod, segmentInterval);
        }

        /** Keeping the segments in {@code storage}. */
        public TimeOrdered(final String name, final long retentionPeriod, final long segmentInterval,
                           final SegmentStorage storage) {
            super(name, retentionPeriod, segmentInterval, storage);
        }

        @Override
        public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final long earliestSessionEndTime,
                                                                     final long latestSessionEndTime) {
            final List<KeyValue<Bytes, byte[]>> all = new ArrayList<>();
            endingBetween(earliestSessionEndTime, latestSessionEndTime).forEachRemaining(all::add);
            all.sort(Comparator.<KeyValue<Bytes, byte[]>>comparingLong(r -> StoreFormats.sessionKeyEnd(r.key.get()))
                .thenComparingLong(r -> StoreFormats.sessionKeyStart(r.key.get()))
                .thenComparing(r -> StoreFormats.sessionKeyKey(r.key.get())));
            return sessions(all.iterator());
        }
    }

    /** A session bytes store whose aggregations are in the headers format. */
    public static final class WithHeaders extends SegmentedSessionBytesStore implements HeadersBytesStore {
        /** See {@link SegmentedSessionBytesStore#SegmentedSessionBytesStore}. */
        public WithHeaders(final String name, final long retentionPeriod, final long segmentInterval) {
            super(name, retentionPeriod, segmentInterval);
        }

        /** Keeping the segments in {@code storage}. */
        public WithHeaders(final String name, final long retentionPeriod, final long segmentInterval,
                           final SegmentStorage storage) {
            super(name, retentionPeriod, segmentInterval, storage);
        }
    }
}
