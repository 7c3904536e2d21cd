package io.pspf.runtime.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.AggregationWithHeaders;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.SessionStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

import io.pspf.runtime.state.WrappedStore;

/**
 * The views of a store that {@code ProcessorContext.getStateStore(name)} hands to user code, as Kafka Streams 4.4
 * does:
 * <ul>
 *   <li>{@link #readWrite(StateStore)} — a task's own (connected) store, and a global store seen by its own state
 *       update processor: reads and writes pass through; {@code init}, {@code commit} and {@code close} throw
 *       {@code UnsupportedOperationException("This method may only be called by Kafka Streams")}; {@code flush()} is
 *       a no-op (the view does not pass it down: Kafka's decorator inherits {@code StateStore}'s default);</li>
 *   <li>{@link #readOnly(StateStore)} — a global store seen by a regular processor: reads pass through; every write,
 *       and {@code init}, {@code flush}, {@code commit} and {@code close}, throw
 *       {@code UnsupportedOperationException("Global store is read only")}.</li>
 * </ul>
 * Both views pass {@code name}, {@code persistent}, {@code isOpen}, {@code getPosition}, {@code query},
 * {@code managesOffsets}, {@code committedOffset} and {@code approximateNumUncommittedBytes} to the store. The view
 * implements the same store interface Kafka's decorator does (chosen in Kafka's order); the methods Kafka's decorator
 * does not override (the {@code Instant} overloads of window stores, {@code readOnly(IsolationLevel)}) keep the
 * interface's default, which calls back into the view. A store of any other type is returned as it is; so is null.
 * <p>
 * The views are plain delegation (they sit on the per-record path); create one per store and reuse it. They are
 * {@link WrappedStore}s, so {@link WrappedStore#find} reaches the layers below (as Kafka's decorators are
 * {@code WrappedStateStore}s).
 */
final class StoreDecorators {
    /** The message of Kafka's {@code AbstractReadWriteDecorator}. */
    static final String READ_WRITE_MESSAGE = "This method may only be called by Kafka Streams";
    /** The message of Kafka's {@code AbstractReadOnlyDecorator}. */
    static final String READ_ONLY_MESSAGE = "Global store is read only";

    private StoreDecorators() {
    }

    /**
     * The view of a processor's own store (Kafka's {@code AbstractReadWriteDecorator.wrapWithReadWriteStore}).
     * Checked in Kafka's order: timestamped-with-headers, timestamped, versioned, plain key-value; timestamped window
     * with headers, timestamped window, window; session with headers, session.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static StateStore readWrite(final StateStore store) {
        if (store instanceof TimestampedKeyValueStoreWithHeaders) {
            return new TimestampedKeyValueWithHeadersReadWrite((TimestampedKeyValueStoreWithHeaders) store);
        }
        if (store instanceof TimestampedKeyValueStore) {
            return new TimestampedKeyValueReadWrite((TimestampedKeyValueStore) store);
        }
        if (store instanceof VersionedKeyValueStore) {
            return new VersionedReadWrite((VersionedKeyValueStore) store);
        }
        if (store instanceof KeyValueStore) {
            return new KeyValueReadWrite((KeyValueStore) store);
        }
        if (store instanceof TimestampedWindowStoreWithHeaders) {
            return new TimestampedWindowWithHeadersReadWrite((TimestampedWindowStoreWithHeaders) store);
        }
        if (store instanceof TimestampedWindowStore) {
            return new TimestampedWindowReadWrite((TimestampedWindowStore) store);
        }
        if (store instanceof WindowStore) {
            return new WindowReadWrite((WindowStore) store);
        }
        if (store instanceof SessionStoreWithHeaders) {
            return new SessionWithHeadersReadWrite((SessionStoreWithHeaders) store);
        }
        if (store instanceof SessionStore) {
            return new SessionReadWrite((SessionStore) store);
        }
        return store;
    }

    /**
     * The view of a global store from a regular processor (Kafka's {@code AbstractReadOnlyDecorator.getReadOnlyStore}).
     * Kafka 4.4 has no read-only view for the header variants of window and session stores: such a store gets the
     * plain window (session) view, which is not a {@code TimestampedWindowStoreWithHeaders}
     * ({@code SessionStoreWithHeaders}); the same happens here.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static StateStore readOnly(final StateStore store) {
        if (store instanceof TimestampedKeyValueStoreWithHeaders) {
            return new TimestampedKeyValueWithHeadersReadOnly((TimestampedKeyValueStoreWithHeaders) store);
        }
        if (store instanceof TimestampedKeyValueStore) {
            return new TimestampedKeyValueReadOnly((TimestampedKeyValueStore) store);
        }
        if (store instanceof VersionedKeyValueStore) {
            return new VersionedReadOnly((VersionedKeyValueStore) store);
        }
        if (store instanceof KeyValueStore) {
            return new KeyValueReadOnly((KeyValueStore) store);
        }
        if (store instanceof TimestampedWindowStore) {
            return new TimestampedWindowReadOnly((TimestampedWindowStore) store);
        }
        if (store instanceof WindowStore) {
            return new WindowReadOnly((WindowStore) store);
        }
        if (store instanceof SessionStore) {
            return new SessionReadOnly((SessionStore) store);
        }
        return store;
    }

    // ------------------------------------------------------------------------------------------------ common part

    /**
     * What every view shares: the lifecycle methods user code may not call, and the pass-through of the store's
     * identity, position, queries and offsets.
     */
    private abstract static class View<S extends StateStore> extends WrappedStore<S> {
        /** The store, typed; the same object as {@link #wrapped()}. */
        final S inner;
        private final boolean readOnly;

        View(final S inner, final boolean readOnly) {
            super(inner);
            this.inner = inner;
            this.readOnly = readOnly;
        }

        final UnsupportedOperationException refused() {
            return new UnsupportedOperationException(readOnly ? READ_ONLY_MESSAGE : READ_WRITE_MESSAGE);
        }

        @Override
        public final void init(final StateStoreContext context, final StateStore root) {
            throw refused();
        }

        /**
         * Kafka's read-write decorator does not override {@code flush()} (nor does {@code WrappedStateStore}), so it
         * is {@code StateStore}'s default no-op; the read-only decorator throws.
         */
        @SuppressWarnings("deprecation")
        @Override
        public final void flush() {
            if (readOnly) {
                throw refused();
            }
        }

        @Override
        public final void commit(final Map<TopicPartition, Long> changelogOffsets) {
            throw refused();
        }

        @Override
        public final void close() {
            throw refused();
        }

        @Override
        public final boolean managesOffsets() {
            return inner.managesOffsets();
        }

        @Override
        public final Long committedOffset(final TopicPartition partition) {
            return inner.committedOffset(partition);
        }

        @Override
        public final long approximateNumUncommittedBytes() {
            return inner.approximateNumUncommittedBytes();
        }

        @Override
        public final <R> QueryResult<R> query(final Query<R> query, final PositionBound positionBound,
                                              final QueryConfig config) {
            final long start = config.isCollectExecutionInfo() ? System.nanoTime() : -1L;
            final QueryResult<R> result = inner.query(query, positionBound, config);
            if (config.isCollectExecutionInfo()) {
                result.addExecutionInfo("Handled in " + getClass() + " via WrappedStateStore in "
                    + (System.nanoTime() - start) + "ns");
            }
            return result;
        }
    }

    // ------------------------------------------------------------------------------------------------ key-value

    private abstract static class KeyValueView<K, V> extends View<KeyValueStore<K, V>> implements KeyValueStore<K, V> {
        KeyValueView(final KeyValueStore<K, V> inner, final boolean readOnly) {
            super(inner, readOnly);
        }

        @Override
        public final V get(final K key) {
            return inner.get(key);
        }

        @Override
        public final KeyValueIterator<K, V> range(final K from, final K to) {
            return inner.range(from, to);
        }

        @Override
        public final KeyValueIterator<K, V> reverseRange(final K from, final K to) {
            return inner.reverseRange(from, to);
        }

        @Override
        public final KeyValueIterator<K, V> all() {
            return inner.all();
        }

        @Override
        public final KeyValueIterator<K, V> reverseAll() {
            return inner.reverseAll();
        }

        @Override
        public final <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(final P prefix,
                                                                                    final PS prefixKeySerializer) {
            return inner.prefixScan(prefix, prefixKeySerializer);
        }

        @Override
        public final long approximateNumEntries() {
            return inner.approximateNumEntries();
        }
    }

    private static class KeyValueReadWrite<K, V> extends KeyValueView<K, V> {
        KeyValueReadWrite(final KeyValueStore<K, V> inner) {
            super(inner, false);
        }

        @Override
        public final void put(final K key, final V value) {
            inner.put(key, value);
        }

        @Override
        public final V putIfAbsent(final K key, final V value) {
            return inner.putIfAbsent(key, value);
        }

        @Override
        public final void putAll(final List<KeyValue<K, V>> entries) {
            inner.putAll(entries);
        }

        @Override
        public final V delete(final K key) {
            return inner.delete(key);
        }
    }

    private static final class TimestampedKeyValueReadWrite<K, V> extends KeyValueReadWrite<K, ValueAndTimestamp<V>>
        implements TimestampedKeyValueStore<K, V> {
        TimestampedKeyValueReadWrite(final TimestampedKeyValueStore<K, V> inner) {
            super(inner);
        }
    }

    private static final class TimestampedKeyValueWithHeadersReadWrite<K, V>
        extends KeyValueReadWrite<K, ValueTimestampHeaders<V>> implements TimestampedKeyValueStoreWithHeaders<K, V> {
        TimestampedKeyValueWithHeadersReadWrite(final TimestampedKeyValueStoreWithHeaders<K, V> inner) {
            super(inner);
        }
    }

    private static class KeyValueReadOnly<K, V> extends KeyValueView<K, V> {
        KeyValueReadOnly(final KeyValueStore<K, V> inner) {
            super(inner, true);
        }

        @Override
        public final void put(final K key, final V value) {
            throw refused();
        }

        @Override
        public final V putIfAbsent(final K key, final V value) {
            throw refused();
        }

        @Override
        public final void putAll(final List<KeyValue<K, V>> entries) {
            throw refused();
        }

        @Override
        public final V delete(final K key) {
            throw refused();
        }
    }

    private static final class TimestampedKeyValueReadOnly<K, V> extends KeyValueReadOnly<K, ValueAndTimestamp<V>>
        implements TimestampedKeyValueStore<K, V> {
        TimestampedKeyValueReadOnly(final TimestampedKeyValueStore<K, V> inner) {
            super(inner);
        }
    }

    private static final class TimestampedKeyValueWithHeadersReadOnly<K, V>
        extends KeyValueReadOnly<K, ValueTimestampHeaders<V>> implements TimestampedKeyValueStoreWithHeaders<K, V> {
        TimestampedKeyValueWithHeadersReadOnly(final TimestampedKeyValueStoreWithHeaders<K, V> inner) {
            super(inner);
        }
    }

    // ------------------------------------------------------------------------------------------------ versioned

    private abstract static class VersionedView<K, V> extends View<VersionedKeyValueStore<K, V>>
        implements VersionedKeyValueStore<K, V> {
        VersionedView(final VersionedKeyValueStore<K, V> inner, final boolean readOnly) {
            super(inner, readOnly);
        }

        @Override
        public final VersionedRecord<V> get(final K key) {
            return inner.get(key);
        }

        @Override
        public final VersionedRecord<V> get(final K key, final long asOfTimestamp) {
            return inner.get(key, asOfTimestamp);
        }
    }

    private static final class VersionedReadWrite<K, V> extends VersionedView<K, V> {
        VersionedReadWrite(final VersionedKeyValueStore<K, V> inner) {
            super(inner, false);
        }

        @Override
        public long put(final K key, final V value, final long timestamp) {
            return inner.put(key, value, timestamp);
        }

        @Override
        public VersionedRecord<V> delete(final K key, final long timestamp) {
            return inner.delete(key, timestamp);
        }
    }

    private static final class VersionedReadOnly<K, V> extends VersionedView<K, V> {
        VersionedReadOnly(final VersionedKeyValueStore<K, V> inner) {
            super(inner, true);
        }

        @Override
        public long put(final K key, final V value, final long timestamp) {
            throw refused();
        }

        @Override
        public VersionedRecord<V> delete(final K key, final long timestamp) {
            throw refused();
        }
    }

    // ------------------------------------------------------------------------------------------------ window

    /** The long-based reads; the {@code Instant} overloads keep {@code WindowStore}'s defaults, as in Kafka. */
    private abstract static class WindowView<K, V> extends View<WindowStore<K, V>> implements WindowStore<K, V> {
        WindowView(final WindowStore<K, V> inner, final boolean readOnly) {
            super(inner, readOnly);
        }

        @Override
        public final V fetch(final K key, final long time) {
            return inner.fetch(key, time);
        }

        @Override
        public final WindowStoreIterator<V> fetch(final K key, final long timeFrom, final long timeTo) {
            return inner.fetch(key, timeFrom, timeTo);
        }

        @Override
        public final WindowStoreIterator<V> backwardFetch(final K key, final long timeFrom, final long timeTo) {
            return inner.backwardFetch(key, timeFrom, timeTo);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, V> fetch(final K keyFrom, final K keyTo, final long timeFrom,
                                                            final long timeTo) {
            return inner.fetch(keyFrom, keyTo, timeFrom, timeTo);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, V> backwardFetch(final K keyFrom, final K keyTo,
                                                                    final long timeFrom, final long timeTo) {
            return inner.backwardFetch(keyFrom, keyTo, timeFrom, timeTo);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, V> fetchAll(final long timeFrom, final long timeTo) {
            return inner.fetchAll(timeFrom, timeTo);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, V> backwardFetchAll(final long timeFrom, final long timeTo) {
            return inner.backwardFetchAll(timeFrom, timeTo);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, V> all() {
            return inner.all();
        }

        @Override
        public final KeyValueIterator<Windowed<K>, V> backwardAll() {
            return inner.backwardAll();
        }
    }

    private static class WindowReadWrite<K, V> extends WindowView<K, V> {
        WindowReadWrite(final WindowStore<K, V> inner) {
            super(inner, false);
        }

        @Override
        public final void put(final K key, final V value, final long windowStartTimestamp) {
            inner.put(key, value, windowStartTimestamp);
        }
    }

    private static final class TimestampedWindowReadWrite<K, V> extends WindowReadWrite<K, ValueAndTimestamp<V>>
        implements TimestampedWindowStore<K, V> {
        TimestampedWindowReadWrite(final TimestampedWindowStore<K, V> inner) {
            super(inner);
        }
    }

    private static final class TimestampedWindowWithHeadersReadWrite<K, V>
        extends WindowReadWrite<K, ValueTimestampHeaders<V>> implements TimestampedWindowStoreWithHeaders<K, V> {
        TimestampedWindowWithHeadersReadWrite(final TimestampedWindowStoreWithHeaders<K, V> inner) {
            super(inner);
        }
    }

    private static class WindowReadOnly<K, V> extends WindowView<K, V> {
        WindowReadOnly(final WindowStore<K, V> inner) {
            super(inner, true);
        }

        @Override
        public final void put(final K key, final V value, final long windowStartTimestamp) {
            throw refused();
        }
    }

    private static final class TimestampedWindowReadOnly<K, V> extends WindowReadOnly<K, ValueAndTimestamp<V>>
        implements TimestampedWindowStore<K, V> {
        TimestampedWindowReadOnly(final TimestampedWindowStore<K, V> inner) {
            super(inner);
        }
    }

    // ------------------------------------------------------------------------------------------------ session

    private abstract static class SessionView<K, AGG> extends View<SessionStore<K, AGG>>
        implements SessionStore<K, AGG> {
        SessionView(final SessionStore<K, AGG> inner, final boolean readOnly) {
            super(inner, readOnly);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> fetch(final K key) {
            return inner.fetch(key);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> fetch(final K keyFrom, final K keyTo) {
            return inner.fetch(keyFrom, keyTo);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> backwardFetch(final K key) {
            return inner.backwardFetch(key);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> backwardFetch(final K keyFrom, final K keyTo) {
            return inner.backwardFetch(keyFrom, keyTo);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> findSessions(final long earliestSessionEndTime,
                                                                     final long latestSessionEndTime) {
            return inner.findSessions(earliestSessionEndTime, latestSessionEndTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> findSessions(final K key, final long earliestSessionEndTime,
                                                                     final long latestSessionStartTime) {
            return inner.findSessions(key, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> findSessions(final K key, final Instant earliestSessionEndTime,
                                                                     final Instant latestSessionStartTime) {
            return inner.findSessions(key, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> findSessions(final K keyFrom, final K keyTo,
                                                                     final long earliestSessionEndTime,
                                                                     final long latestSessionStartTime) {
            return inner.findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> findSessions(final K keyFrom, final K keyTo,
                                                                     final Instant earliestSessionEndTime,
                                                                     final Instant latestSessionStartTime) {
            return inner.findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> backwardFindSessions(final K key,
                                                                             final long earliestSessionEndTime,
                                                                             final long latestSessionStartTime) {
            return inner.backwardFindSessions(key, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> backwardFindSessions(final K key,
                                                                             final Instant earliestSessionEndTime,
                                                                             final Instant latestSessionStartTime) {
            return inner.backwardFindSessions(key, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> backwardFindSessions(final K keyFrom, final K keyTo,
                                                                             final long earliestSessionEndTime,
                                                                             final long latestSessionStartTime) {
            return inner.backwardFindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final KeyValueIterator<Windowed<K>, AGG> backwardFindSessions(final K keyFrom, final K keyTo,
                                                                             final Instant earliestSessionEndTime,
                                                                             final Instant latestSessionStartTime) {
            return inner.backwardFindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime);
        }

        @Override
        public final AGG fetchSession(final K key, final long sessionStartTime, final long sessionEndTime) {
            return inner.fetchSession(key, sessionStartTime, sessionEndTime);
        }

        @Override
        public final AGG fetchSession(final K key, final Instant sessionStartTime, final Instant sessionEndTime) {
            return inner.fetchSession(key, sessionStartTime, sessionEndTime);
        }
    }

    private static class SessionReadWrite<K, AGG> extends SessionView<K, AGG> {
        SessionReadWrite(final SessionStore<K, AGG> inner) {
            super(inner, false);
        }

        @Override
        public final void remove(final Windowed<K> sessionKey) {
            inner.remove(sessionKey);
        }

        @Override
        public final void put(final Windowed<K> sessionKey, final AGG aggregate) {
            inner.put(sessionKey, aggregate);
        }
    }

    private static final class SessionWithHeadersReadWrite<K, AGG>
        extends SessionReadWrite<K, AggregationWithHeaders<AGG>> implements SessionStoreWithHeaders<K, AGG> {
        SessionWithHeadersReadWrite(final SessionStoreWithHeaders<K, AGG> inner) {
            super(inner);
        }
    }

    private static final class SessionReadOnly<K, AGG> extends SessionView<K, AGG> {
        SessionReadOnly(final SessionStore<K, AGG> inner) {
            super(inner, true);
        }

        @Override
        public void remove(final Windowed<K> sessionKey) {
            throw refused();
        }

        @Override
        public void put(final Windowed<K> sessionKey, final AGG aggregate) {
            throw refused();
        }
    }
}
