package io.pspf.streams;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.ResultOrder;
import org.apache.kafka.streams.query.TimestampedKeyQuery;
import org.apache.kafka.streams.query.TimestampedRangeQuery;
import org.apache.kafka.streams.query.VersionedKeyQuery;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.query.WindowRangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlySessionStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Answers IQv2 queries from a store's typed interface, with the result shapes Kafka's stores give: a key or range query
 * on a timestamped store returns plain values, the timestamped queries return values with timestamps, a window key
 * query fetches the key's windows in a time range, a window range query fetches a session store's key or a window
 * store's windows in a time range, and a versioned key query reads the version valid at a time.
 */
final class InteractiveQueries {
    private InteractiveQueries() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <R> QueryResult<R> run(final StateStore store, final Query<R> query, final PositionBound bound,
                                  final QueryConfig config) {
        final long start = System.nanoTime();
        final Position position = store.getPosition();
        if (!bound.isUnbounded() && !satisfies(position, bound.position())) {
            return QueryResult.notUpToBound(position, bound, null);
        }
        final Object result;
        if (query instanceof KeyQuery && store instanceof ReadOnlyKeyValueStore && !(store instanceof VersionedKeyValueStore)) {
            final Object value = ((ReadOnlyKeyValueStore) store).get(((KeyQuery) query).getKey());
            result = store instanceof TimestampedKeyValueStore && value != null ? ((ValueAndTimestamp) value).value() : value;
        } else if (query instanceof TimestampedKeyQuery && store instanceof TimestampedKeyValueStore) {
            result = ((TimestampedKeyValueStore) store).get(((TimestampedKeyQuery) query).key());
        } else if (query instanceof RangeQuery && store instanceof ReadOnlyKeyValueStore && !(store instanceof VersionedKeyValueStore)) {
            final RangeQuery range = (RangeQuery) query;
            final KeyValueIterator iterator = range((ReadOnlyKeyValueStore) store, range.getLowerBound(), range.getUpperBound(),
                range.resultOrder() == ResultOrder.DESCENDING);
            result = store instanceof TimestampedKeyValueStore ? new ValuesOnly(iterator) : iterator;
        } else if (query instanceof TimestampedRangeQuery && store instanceof TimestampedKeyValueStore) {
            final TimestampedRangeQuery range = (TimestampedRangeQuery) query;
            result = range((ReadOnlyKeyValueStore) store, range.lowerBound(), range.upperBound(),
                range.resultOrder() == ResultOrder.DESCENDING);
        } else if (query instanceof WindowKeyQuery && store instanceof ReadOnlyWindowStore) {
            final WindowKeyQuery windowQuery = (WindowKeyQuery) query;
            if (!windowQuery.getTimeFrom().isPresent() || !windowQuery.getTimeTo().isPresent()) {
                return QueryResult.forUnknownQueryType(query, store);
            }
            final WindowStoreIterator iterator = ((ReadOnlyWindowStore) store).fetch(windowQuery.getKey(),
                (Instant) windowQuery.getTimeFrom().get(), (Instant) windowQuery.getTimeTo().get());
            result = store instanceof TimestampedWindowStore ? new WindowValuesOnly(iterator) : iterator;
        } else if (query instanceof WindowRangeQuery && store instanceof ReadOnlySessionStore
            && ((WindowRangeQuery) query).getKey().isPresent()) {
            result = ((ReadOnlySessionStore) store).fetch(((WindowRangeQuery) query).getKey().get());
        } else if (query instanceof WindowRangeQuery && store instanceof ReadOnlyWindowStore
            && ((WindowRangeQuery) query).getTimeFrom().isPresent() && ((WindowRangeQuery) query).getTimeTo().isPresent()) {
            final WindowRangeQuery windowQuery = (WindowRangeQuery) query;
            final KeyValueIterator iterator = ((ReadOnlyWindowStore) store).fetchAll(
                (Instant) windowQuery.getTimeFrom().get(), (Instant) windowQuery.getTimeTo().get());
            result = store instanceof TimestampedWindowStore ? new ValuesOnly(iterator) : iterator;
        } else if (query instanceof VersionedKeyQuery && store instanceof VersionedKeyValueStore) {
            final VersionedKeyQuery versioned = (VersionedKeyQuery) query;
            final VersionedKeyValueStore versionedStore = (VersionedKeyValueStore) store;
            final Optional<Instant> asOf = versioned.asOfTimestamp();
            final VersionedRecord record = asOf.isPresent()
                ? versionedStore.get(versioned.key(), asOf.get().toEpochMilli()) : versionedStore.get(versioned.key());
            result = record;
        } else {
            return QueryResult.forUnknownQueryType(query, store);
        }
        final QueryResult<R> answer = QueryResult.forResult((R) result);
        answer.setPosition(position);
        if (config.isCollectExecutionInfo()) {
            answer.addExecutionInfo("Handled in " + store.getClass() + " in " + (System.nanoTime() - start) + "ns");
        }
        return answer;
    }

    /** Whether {@code position} is at least {@code bound} in every partition the bound names. */
    private static boolean satisfies(final Position position, final Position bound) {
        for (final String topic : bound.getTopics()) {
            final Map<Integer, Long> wanted = bound.getPartitionPositions(topic);
            final Map<Integer, Long> have = position.getPartitionPositions(topic);
            for (final Map.Entry<Integer, Long> e : wanted.entrySet()) {
                final Long offset = have.get(e.getKey());
                if (offset == null || offset < e.getValue()) {
                    return false;
                }
            }
        }
        return true;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KeyValueIterator range(final ReadOnlyKeyValueStore store, final Optional<?> lower, final Optional<?> upper,
                                          final boolean descending) {
        if (!lower.isPresent() && !upper.isPresent()) {
            return descending ? store.reverseAll() : store.all();
        }
        return descending ? store.reverseRange(lower.orElse(null), upper.orElse(null))
            : store.range(lower.orElse(null), upper.orElse(null));
    }

    /** A key-value iterator over values with timestamps, showing the values only. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static class ValuesOnly implements KeyValueIterator {
        private final KeyValueIterator inner;

        ValuesOnly(final KeyValueIterator inner) {
            this.inner = inner;
        }

        @Override
        public boolean hasNext() {
            return inner.hasNext();
        }

        @Override
        public Object next() {
            final KeyValue next = (KeyValue) inner.next();
            return KeyValue.pair(next.key, next.value == null ? null : ((ValueAndTimestamp) next.value).value());
        }

        @Override
        public Object peekNextKey() {
            return inner.peekNextKey();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** A window store iterator over values with timestamps, showing the values only. */
    @SuppressWarnings("rawtypes")
    private static final class WindowValuesOnly extends ValuesOnly implements WindowStoreIterator {
        WindowValuesOnly(final WindowStoreIterator inner) {
            super(inner);
        }
    }
}
