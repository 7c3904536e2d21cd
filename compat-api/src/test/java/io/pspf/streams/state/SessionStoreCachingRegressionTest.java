package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.Test;

/**
 * Regressions found by {@link SessionStoreDifferentialProperties}: each runs one operation sequence against Kafka's
 * cached persistent session store and PSPF's, and checks both the answer Kafka gives and that PSPF gives the same.
 */
class SessionStoreCachingRegressionTest {
    private static final Duration RETENTION = Duration.ofMillis(200_000L); // segment interval 100 000 ms

    /**
     * Kafka's cache walks a persistent store backwards from the segment of the largest cached session end, and in
     * that first segment reads only sessions ending at or before {@code min(latestSessionStartTime, largest end)}:
     * a cached session [0, 5000] is not found by {@code backwardFindSessions(key, 0, 0)}, though it overlaps.
     * (Property failure: {@code [0(b,null,1,0,1), 6(b,null,null,0,0)]}, persistent, caching.)
     */
    @Test
    void backwardFindSessionsOverACachedPersistentStoreSkipsCachedSessionsEndingAfterTheLatestStart() {
        final List<Object> kafka = run(true, store -> {
            store.put(session("b", 0, 5_000), "1");
            return List.of(list(store.backwardFindSessions("b", 0, 0)), list(store.findSessions("b", 0, 0)),
                list(store.backwardFindSessions("b", 0, 5_000)), list(store.backwardFetch("b")));
        });
        assertEquals(List.of(List.of(), List.of("b@0-5000=1"), List.of("b@0-5000=1"), List.of("b@0-5000=1")), kafka);
        assertEquals(kafka, run(false, store -> {
            store.put(session("b", 0, 5_000), "1");
            return List.of(list(store.backwardFindSessions("b", 0, 0)), list(store.findSessions("b", 0, 0)),
                list(store.backwardFindSessions("b", 0, 5_000)), list(store.backwardFetch("b")));
        }));
    }

    /** Once committed to the store below, the session is found there; its later cached update and delete are missed. */
    @Test
    void backwardFindSessionsOverACachedPersistentStoreShowsTheStoredSessionWhenItsCachedUpdateIsMissed() {
        final Function<SessionStore<String, String>, List<Object>> ops = store -> {
            store.put(session("b", 0, 5_000), "1");
            store.commit(java.util.Map.of());
            final List<Object> results = new ArrayList<>();
            results.add(list(store.backwardFindSessions("b", 0, 0)));
            store.put(session("b", 0, 5_000), "2"); // dirty in the cache, missed: the stale stored value shows
            results.add(list(store.backwardFindSessions("b", 0, 0)));
            store.remove(session("b", 0, 5_000)); // a missed cached delete does not hide the stored session
            results.add(list(store.backwardFindSessions("b", 0, 0)));
            return results;
        };
        final List<Object> kafka = run(true, ops);
        assertEquals(List.of(List.of("b@0-5000=1"), List.of("b@0-5000=1"), List.of("b@0-5000=1")), kafka);
        assertEquals(kafka, run(false, ops));
    }

    /**
     * Kafka's caching layer reads the cache of a key-range find from {@code keyFrom} on, whatever the times, and
     * every entry read is marked recently used; reading only the segments from the earliest end on (as PSPF did)
     * left other entries to be evicted first. Here the evicted session [220, 230] advanced the in-memory store's
     * stream time before [25, 35] was flushed, so that it expired; in Kafka [25, 35] is still there.
     * (Property failure with a 500-byte cache, in-memory store, retention 50.)
     */
    @Test
    void keyRangeFindsOverACachedInMemoryStoreMarkEveryCachedSessionFromTheLowerKeyOnAsRecentlyUsed() {
        final Function<SessionStore<String, String>, List<Object>> ops = store -> {
            final List<Object> results = new ArrayList<>();
            store.put(session("ba", 25, 35), "1");
            store.put(session("a", 0, 0), "1");
            store.put(session("a", 0, 5), "1");
            store.put(session("a", 220, 230), "1");
            store.put(session("c", 0, 30), null);
            results.add(list(store.backwardFindSessions(null, "b", 230, 230)));
            store.put(session("c", 10, 15), null);
            store.put(session("c", 0, 10), "3");
            store.put(session("ab", 120, 120), "3");
            results.add(list(store.fetch("ba")));
            return results;
        };
        final List<Object> kafka = run(true, false, 500L, Duration.ofMillis(50L), ops);
        assertEquals(List.of(List.of("a@220-230=1"), List.of("ba@25-35=1")), kafka);
        assertEquals(kafka, run(false, false, 500L, Duration.ofMillis(50L), ops));
    }

    /**
     * Where Kafka's backward find over a cached persistent store throws (its bound lies before the segment of the
     * largest session end), it has read nothing from its cache; PSPF answers, but must not mark the entries it
     * reads as recently used, or later evictions (and so what a later find sees) differ.
     * (Property failure with a 500-byte cache.)
     */
    @Test
    void aBackwardFindThatKafkaRejectsLeavesTheCacheEvictionOrderAlone() {
        final Function<SessionStore<String, String>, List<Object>> ops = store -> {
            final List<Object> results = new ArrayList<>();
            store.put(session("b", 5_000, 5_000), "1");
            store.put(session("c", 5_000, 35_000), "1");
            store.put(session("ab", 180_000, 180_000), "2");
            store.put(session("a", 595_000, 595_000), "3");
            store.put(session("b", 520_000, 520_000), "2");
            store.put(session("c", 595_000, 595_000), "1");
            store.put(session("c", 600_000, 605_000), "1");
            try {
                list(store.backwardFindSessions("ab", 25_000, 35_000));
            } catch (final IllegalStateException e) {
                results.add("throws " + e.getClass().getName());
            }
            store.remove(session("b", 0, 25_000));
            results.add(list(store.backwardFetch("b", "c")));
            return results;
        };
        final List<Object> kafka = run(true, true, 500L, RETENTION, ops);
        final List<String> found = List.of("c@600000-605000=1", "c@595000-595000=1", "b@520000-520000=2",
            "c@5000-35000=1");
        assertEquals(List.of("throws java.lang.IllegalStateException", found), kafka);
        assertEquals(List.of(found), run(false, true, 500L, RETENTION, ops));
    }

    /** Kafka's caching layer and its RocksDB session store leave {@code findSessions(earliestEnd, latestEnd)} out. */
    @Test
    void findSessionsByEndTimesIsUnsupportedByCachingAndPersistentStoresAsInKafka() {
        for (final boolean persistent : new boolean[] {true, false}) {
            for (final boolean caching : new boolean[] {true, false}) {
                final Function<SessionStore<String, String>, List<Object>> ops = store -> {
                    store.put(session("a", 5, 10), "1");
                    try {
                        return List.of(list(store.findSessions(0L, 100L)));
                    } catch (final UnsupportedOperationException e) {
                        return List.of("throws " + e.getClass().getName() + ": " + e.getMessage());
                    }
                };
                final List<Object> kafka = runWith(true, persistent, caching, ops);
                assertEquals(persistent || caching
                    ? List.of("throws java.lang.UnsupportedOperationException: "
                        + "This API is not supported by this implementation of SessionStore.")
                    : List.of(List.of("a@5-10=1")), kafka, "persistent " + persistent + ", caching " + caching);
                assertEquals(kafka, runWith(false, persistent, caching, ops),
                    "persistent " + persistent + ", caching " + caching);
            }
        }
    }

    private static List<Object> runWith(final boolean kafka, final boolean persistent, final boolean caching,
                                        final Function<SessionStore<String, String>, List<Object>> operations) {
        final SessionBytesStoreSupplier supplier = kafka
            ? (persistent ? org.apache.kafka.streams.state.Stores.persistentSessionStore("store", RETENTION)
                : org.apache.kafka.streams.state.Stores.inMemorySessionStore("store", RETENTION))
            : (persistent ? Stores.persistentSessionStore("store", RETENTION)
                : Stores.inMemorySessionStore("store", RETENTION));
        StoreBuilder<SessionStore<String, String>> builder = kafka
            ? org.apache.kafka.streams.state.Stores.sessionStoreBuilder(supplier, Serdes.String(), Serdes.String())
            : Stores.sessionStoreBuilder(supplier, Serdes.String(), Serdes.String());
        if (caching) {
            builder = builder.withCachingEnabled();
        }
        return open(kafka, builder, 10_000_000L, operations);
    }

    private static List<Object> run(final boolean kafka, final Function<SessionStore<String, String>, List<Object>> operations) {
        return run(kafka, true, 10_000_000L, RETENTION, operations);
    }

    private static List<Object> run(final boolean kafka, final boolean persistent, final long cacheBytes,
                                    final Duration retention,
                                    final Function<SessionStore<String, String>, List<Object>> operations) {
        final SessionBytesStoreSupplier supplier = kafka
            ? (persistent ? org.apache.kafka.streams.state.Stores.persistentSessionStore("store", retention)
                : org.apache.kafka.streams.state.Stores.inMemorySessionStore("store", retention))
            : (persistent ? Stores.persistentSessionStore("store", retention)
                : Stores.inMemorySessionStore("store", retention));
        final StoreBuilder<SessionStore<String, String>> builder = (kafka
            ? org.apache.kafka.streams.state.Stores.sessionStoreBuilder(supplier, Serdes.String(), Serdes.String())
            : Stores.sessionStoreBuilder(supplier, Serdes.String(), Serdes.String())).withCachingEnabled();
        return open(kafka, builder, cacheBytes, operations);
    }

    private static List<Object> open(final boolean kafka, final StoreBuilder<SessionStore<String, String>> builder,
                                     final long cacheBytes,
                                     final Function<SessionStore<String, String>, List<Object>> operations) {
        if (kafka) {
            try (StoreHarness harness = StoreHarness.kafka(builder, cacheBytes)) {
                return operations.apply(harness.driver().getSessionStore("store"));
            }
        }
        return operations.apply(StoreHarness.pspf(builder, cacheBytes));
    }

    private static Windowed<String> session(final String key, final long start, final long end) {
        return new Windowed<>(key, new SessionWindow(start, end));
    }

    private static List<String> list(final KeyValueIterator<Windowed<String>, String> iterator) {
        final List<String> list = new ArrayList<>();
        try (iterator) {
            while (iterator.hasNext()) {
                final KeyValue<Windowed<String>, String> next = iterator.next();
                list.add(next.key.key() + "@" + next.key.window().start() + "-" + next.key.window().end() + "="
                    + next.value);
            }
        }
        return list;
    }
}
