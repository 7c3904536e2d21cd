package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * Regressions found by {@link WindowStoreDifferentialProperties} with small caches: each runs one operation sequence
 * against Kafka's cached window store and PSPF's, and checks both the answer Kafka gives and that PSPF gives the
 * same. Kafka's caching layer reads (and so marks as recently used) exact key ranges of its cache, wider than the
 * entries a fetch finds; which entry a later put evicts and flushes depends on them.
 */
class WindowStoreCachingRegressionTest {

    /**
     * Over an in-memory store, an open-ended key-range fetch {@code fetch(a, null, 0, 0)} reads every cached entry
     * from {@code a} on (in segment 0 and all later ones), and so marks {@code a@25} recently used after
     * {@code a@0}: the next put evicts {@code a@0}, whose flush is dropped as expired (the evicted {@code a@250}
     * advanced the store's stream time), so that {@code fetch(a, 0)} answers null. Reading only the fetch's
     * segments (as PSPF did) left {@code a@25} to be evicted instead, and {@code a@0} answered "1".
     * (Property failure, seed 1358131973162014050, in-memory, caching, 200-byte cache.)
     */
    @Test
    void anOpenEndedKeyRangeFetchOverAnInMemoryStoreMarksEveryCachedEntryFromTheLowerKeyOn() {
        for (final boolean duplicates : new boolean[] {false, true}) {
            final Function<WindowStore<String, String>, List<Object>> ops = store -> {
                final List<Object> results = new ArrayList<>();
                store.put("a", null, 250);
                store.put("a", null, 25);
                store.put("a", "1", 0);
                results.add(store.fetch("a", 0));
                results.add(store.fetch("a", 0));
                results.add(list(store.fetch("a", null, 0, 0)));
                store.put("a", null, 50);
                results.add(store.fetch("a", 0));
                return results;
            };
            final List<Object> kafka = run(true, false, duplicates, 200L, ops);
            if (!duplicates) {
                assertEquals(Arrays.asList("1", "1", List.of("a@0-10=1"), null), kafka);
            }
            assertEquals(kafka, run(false, false, duplicates, 200L, ops), "duplicates " + duplicates);
        }
    }

    /**
     * Every fetch variant, over every store kind, against small caches: the entries each reads from the cache (and
     * so which a later put evicts and flushes, and what later reads see) are Kafka's.
     */
    @Test
    void everyFetchVariantReadsKafkasCacheRanges() {
        final String[] keys = {"a", "ab", "b", "ba", "c"};
        final List<String> differences = new ArrayList<>();
        for (final boolean persistent : new boolean[] {false, true}) {
            final long step = persistent ? 20_000L : 5L; // both spread puts past the retention
            for (final long cacheBytes : new long[] {200L, 500L, 1_000L}) {
                for (int variant = 0; variant < 12; variant++) {
                    final int v = variant;
                    final Function<WindowStore<String, String>, List<Object>> ops = store -> {
                        final List<Object> results = new ArrayList<>();
                        for (int i = 0; i < 12; i++) {
                            store.put(keys[i % keys.length], String.valueOf(i), (i * 7 % 30) * step);
                        }
                        results.add(read(store, v, keys[1], keys[3], 5 * step, 20 * step));
                        results.add(read(store, v, null, keys[2], 0, 10 * step));
                        results.add(read(store, v, keys[2], null, 10 * step, 10 * step));
                        for (int i = 0; i < 6; i++) {
                            store.put(keys[(i + 2) % keys.length], "n" + i, (i * 11 % 30) * step);
                        }
                        results.add(list(store.all()));
                        return results;
                    };
                    final List<Object> kafka = run(true, persistent, false, cacheBytes, ops);
                    final List<Object> pspf = run(false, persistent, false, cacheBytes, ops);
                    if (!kafka.equals(pspf)) {
                        differences.add("persistent " + persistent + ", cache " + cacheBytes + ", variant " + v
                            + ": Kafka " + kafka + ", PSPF " + pspf);
                    }
                }
            }
        }
        assertEquals(List.of(), differences);
    }

    private static Object read(final WindowStore<String, String> store, final int variant, final String keyFrom,
                               final String keyTo, final long from, final long to) {
        final String key = keyFrom == null ? keyTo : keyFrom;
        switch (variant) {
            case 0:
                return listValues(store.fetch(key, from, to));
            case 1:
                return listValues(store.backwardFetch(key, from, to));
            case 2:
                return list(store.fetch(keyFrom, keyTo, from, to));
            case 3:
                return list(store.backwardFetch(keyFrom, keyTo, from, to));
            case 4:
                return list(store.fetch(key, key, from, to));
            case 5:
                return list(store.backwardFetch(key, key, from, to));
            case 6:
                return list(store.fetchAll(from, to));
            case 7:
                return list(store.backwardFetchAll(from, to));
            case 8:
                return list(store.all());
            case 9:
                return list(store.backwardAll());
            case 10:
                return list(store.fetch(null, null, from, to));
            default:
                return list(store.backwardFetch(null, null, from, to));
        }
    }

    private static List<Object> run(final boolean kafka, final boolean persistent, final boolean duplicates,
                                    final long cacheBytes,
                                    final Function<WindowStore<String, String>, List<Object>> operations) {
        final Duration retention = Duration.ofMillis(persistent ? 200_000L : 50L);
        final Duration size = Duration.ofMillis(persistent ? 10_000L : 10L);
        final WindowBytesStoreSupplier supplier = kafka
            ? (persistent
                ? org.apache.kafka.streams.state.Stores.persistentWindowStore("store", retention, size, duplicates)
                : org.apache.kafka.streams.state.Stores.inMemoryWindowStore("store", retention, size, duplicates))
            : (persistent ? Stores.persistentWindowStore("store", retention, size, duplicates)
                : Stores.inMemoryWindowStore("store", retention, size, duplicates));
        final StoreBuilder<WindowStore<String, String>> builder = (kafka
            ? org.apache.kafka.streams.state.Stores.windowStoreBuilder(supplier, Serdes.String(), Serdes.String())
            : Stores.windowStoreBuilder(supplier, Serdes.String(), Serdes.String())).withCachingEnabled();
        if (kafka) {
            try (StoreHarness harness = StoreHarness.kafka(builder, cacheBytes)) {
                return operations.apply(harness.driver().getWindowStore("store"));
            }
        }
        return operations.apply(StoreHarness.pspf(builder, cacheBytes));
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

    private static List<String> listValues(final KeyValueIterator<Long, String> iterator) {
        final List<String> list = new ArrayList<>();
        try (iterator) {
            while (iterator.hasNext()) {
                final KeyValue<Long, String> next = iterator.next();
                list.add(next.key + "=" + next.value);
            }
        }
        return list;
    }
}
