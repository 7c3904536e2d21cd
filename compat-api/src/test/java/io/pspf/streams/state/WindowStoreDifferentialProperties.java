package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random sequences of window store operations run against Kafka's window stores (in-memory and RocksDB, with and
 * without caching, with and without duplicates) and PSPF's: every result, including iteration order and expiry,
 * must be equal. Timestamps are multiples of a step so that windows collide and expire.
 */
class WindowStoreDifferentialProperties {
    private static final String[] KEYS = {"a", "ab", "b", "ba", "c"};

    /** One operation: kind, two keys (either may be null for ranges), a value and two times (in steps). */
    record Op(int kind, String key, String other, String value, int time, int otherTime) {
        @Override
        public String toString() {
            return kind + "(" + key + "," + other + "," + value + "," + time + "," + otherTime + ")";
        }
    }

    /** A store configuration: persistent or not, caching, duplicates, and the time scale. */
    record Config(boolean persistent, boolean caching, boolean duplicates) {
        long step() {
            return persistent ? 5_000L : 5L;
        }

        long retention() {
            return persistent ? 200_000L : 50L;
        }

        long windowSize() {
            return persistent ? 10_000L : 10L;
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        final Arbitrary<String> keys = Arbitraries.of(KEYS);
        final Arbitrary<String> nullableKeys = Arbitraries.of(KEYS).injectNull(0.15);
        final Arbitrary<String> values = Arbitraries.of("1", "2", "3").injectNull(0.1);
        final Arbitrary<Integer> times = Arbitraries.integers().between(0, 120);
        return Combinators.combine(Arbitraries.integers().between(0, 12), keys, nullableKeys, values, times, times)
            .as(Op::new).list().ofMinSize(1).ofMaxSize(50);
    }

    /**
     * Cache sizes: small ones make the caching layer evict (and flush) as it goes, so that which entries each read
     * marks as recently used shows in the results; the large one keeps everything cached until a commit.
     */
    @Provide
    Arbitrary<Long> cacheSizes() {
        return Arbitraries.of(200L, 500L, 1_000L, 10_000_000L);
    }

    @Provide
    Arbitrary<Config> configs() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false))
            .as(Config::new);
    }

    @Property(tries = 100)
    void pspfWindowStoresAnswerLikeKafkas(@ForAll("ops") final List<Op> ops, @ForAll("configs") final Config config,
                                          @ForAll("cacheSizes") final long cacheBytes) {
        final Duration retention = Duration.ofMillis(config.retention());
        final Duration size = Duration.ofMillis(config.windowSize());
        final WindowBytesStoreSupplier kafkaSupplier = config.persistent()
            ? org.apache.kafka.streams.state.Stores.persistentWindowStore("store", retention, size, config.duplicates())
            : org.apache.kafka.streams.state.Stores.inMemoryWindowStore("store", retention, size, config.duplicates());
        final WindowBytesStoreSupplier pspfSupplier = config.persistent()
            ? Stores.persistentWindowStore("store", retention, size, config.duplicates())
            : Stores.inMemoryWindowStore("store", retention, size, config.duplicates());
        StoreBuilder<WindowStore<String, String>> kafkaBuilder =
            org.apache.kafka.streams.state.Stores.windowStoreBuilder(kafkaSupplier, Serdes.String(), Serdes.String());
        StoreBuilder<WindowStore<String, String>> pspfBuilder =
            Stores.windowStoreBuilder(pspfSupplier, Serdes.String(), Serdes.String());
        if (config.caching()) {
            kafkaBuilder = kafkaBuilder.withCachingEnabled();
            pspfBuilder = pspfBuilder.withCachingEnabled();
        }
        try (StoreHarness harness = StoreHarness.kafka(kafkaBuilder, cacheBytes)) {
            final WindowStore<String, String> kafka = harness.driver().getWindowStore("store");
            final WindowStore<String, String> pspf = StoreHarness.pspf(pspfBuilder, cacheBytes);
            final List<String> trace = new ArrayList<>();
            for (final Op op : ops) {
                trace.add(op.toString());
                final Object expected = apply(kafka, op, config.step());
                Statistics.label("results").collect(outcome(expected));
                assertEquals(expected, apply(pspf, op, config.step()),
                    config + ", cache " + cacheBytes + " bytes, after " + trace);
            }
        }
    }

    private static Object apply(final WindowStore<String, String> store, final Op op, final long step) {
        try {
            return applyOrThrow(store, op, op.time * step, op.otherTime * step);
        } catch (final RuntimeException e) {
            return "throws " + e.getClass().getName();
        }
    }

    private static Object applyOrThrow(final WindowStore<String, String> store, final Op op, final long time,
                                       final long otherTime) {
        final long from = Math.min(time, otherTime);
        final long to = Math.max(time, otherTime);
        switch (op.kind) {
            case 0:
            case 1:
            case 2:
                store.put(op.key, op.value, time);
                return null;
            case 3:
                return store.fetch(op.key, time);
            case 4:
                return list(store.fetch(op.key, from, to));
            case 5:
                return list(store.backwardFetch(op.key, from, to));
            case 6:
                return list(store.fetch(op.key, op.other, from, to));
            case 7:
                return list(store.backwardFetch(op.other, op.key, from, to));
            case 8:
                return list(store.fetchAll(from, to));
            case 9:
                return list(store.backwardFetchAll(from, to));
            case 10:
                return list(store.all());
            case 11:
                return list(store.backwardAll());
            default:
                store.commit(Map.of());
                return "committed";
        }
    }

    private static <K> List<String> list(final KeyValueIterator<K, String> iterator) {
        final List<String> list = new ArrayList<>();
        try (iterator) {
            while (iterator.hasNext()) {
                final KeyValue<K, String> next = iterator.next();
                final Object key = next.key instanceof Windowed
                    ? ((Windowed<?>) next.key).key() + "@" + ((Windowed<?>) next.key).window().start() + "-"
                        + ((Windowed<?>) next.key).window().end()
                    : next.key;
                list.add(key + "=" + next.value);
            }
        }
        return list;
    }

    /** Classifies a result for the statistics jqwik reports, to show that the runs read real data. */
    static String outcome(final Object result) {
        if (result == null) {
            return "null";
        }
        if (result instanceof String && ((String) result).startsWith("throws")) {
            return "exception";
        }
        if (result instanceof List) {
            return ((List<?>) result).isEmpty() ? "empty list" : "non-empty list";
        }
        return "value";
    }
}
