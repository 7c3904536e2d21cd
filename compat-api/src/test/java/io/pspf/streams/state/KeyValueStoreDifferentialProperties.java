package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random sequences of key-value store operations run against Kafka's store (in Kafka's driver) and PSPF's, with
 * and without a cache (tiny and large): every result must be equal. Keys share prefixes ("a", "ab", "abc") so that
 * byte order, ranges and prefix scans are exercised.
 */
class KeyValueStoreDifferentialProperties {
    private static final String[] KEYS = {"a", "ab", "abc", "b", "ba", "c", "", "z"};

    /** One store operation with its arguments. */
    record Op(int kind, String key, String other, String value) {
        @Override
        public String toString() {
            return kind + "(" + key + "," + other + "," + value + ")";
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        final Arbitrary<String> keys = Arbitraries.of(KEYS);
        final Arbitrary<String> values = Arbitraries.of("1", "2", "3", null);
        return Combinators.combine(Arbitraries.integers().between(0, 10), keys, keys, values).as(Op::new)
            .list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<Integer> kinds() {
        return Arbitraries.integers().between(0, 5);
    }

    @Property(tries = 100)
    void pspfKeyValueStoresAnswerLikeKafkas(@ForAll("ops") final List<Op> ops, @ForAll("kinds") final int kind) {
        final boolean caching = kind >= 2 && kind != 5;
        final long cacheBytes = kind == 3 ? 0L : 10_000_000L;
        final KeyValueBytesStoreSupplier kafkaSupplier;
        final KeyValueBytesStoreSupplier pspfSupplier;
        switch (kind) {
            case 1:
            case 4:
                kafkaSupplier = org.apache.kafka.streams.state.Stores.persistentKeyValueStore("store");
                pspfSupplier = Stores.persistentKeyValueStore("store");
                break;
            case 5:
                kafkaSupplier = org.apache.kafka.streams.state.Stores.lruMap("store", 3);
                pspfSupplier = Stores.lruMap("store", 3);
                break;
            default:
                kafkaSupplier = org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore("store");
                pspfSupplier = Stores.inMemoryKeyValueStore("store");
        }
        StoreBuilder<KeyValueStore<String, String>> kafkaBuilder =
            org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(kafkaSupplier, Serdes.String(), Serdes.String());
        StoreBuilder<KeyValueStore<String, String>> pspfBuilder =
            Stores.keyValueStoreBuilder(pspfSupplier, Serdes.String(), Serdes.String());
        if (caching) {
            kafkaBuilder = kafkaBuilder.withCachingEnabled();
            pspfBuilder = pspfBuilder.withCachingEnabled();
        }
        try (StoreHarness harness = StoreHarness.kafka(kafkaBuilder, cacheBytes)) {
            final KeyValueStore<String, String> kafka = harness.driver().getKeyValueStore("store");
            final KeyValueStore<String, String> pspf = StoreHarness.pspf(pspfBuilder, cacheBytes);
            final List<String> trace = new ArrayList<>();
            for (final Op op : ops) {
                trace.add(op.toString());
                final Object expected = apply(kafka, op);
                Statistics.label("results").collect(outcome(expected));
                assertEquals(expected, apply(pspf, op), "kind " + kind + " after " + trace);
            }
            assertEquals(apply(kafka, new Op(7, null, null, null)), apply(pspf, new Op(7, null, null, null)));
        }
    }

    private static Object apply(final KeyValueStore<String, String> store, final Op op) {
        try {
            return applyOrThrow(store, op);
        } catch (final RuntimeException e) {
            return "throws " + e.getClass().getName();
        }
    }

    private static Object applyOrThrow(final KeyValueStore<String, String> store, final Op op) {
        switch (op.kind) {
            case 0:
            case 1:
                store.put(op.key, op.value);
                return null;
            case 2:
                return store.get(op.key);
            case 3:
                return store.delete(op.key);
            case 4:
                return store.putIfAbsent(op.key, op.value);
            case 5:
                return list(store.range(op.key, op.other));
            case 6:
                return list(store.reverseRange(op.key, op.other));
            case 7:
                return list(store.all());
            case 8:
                return list(store.reverseAll());
            case 9:
                return list(store.prefixScan(op.key, Serdes.String().serializer()));
            default:
                store.commit(java.util.Map.of());
                // RocksDB only estimates its size (overwrites count until compaction)
                return store.persistent() ? null : store.approximateNumEntries();
        }
    }

    private static List<String> list(final KeyValueIterator<String, String> iterator) {
        final List<String> list = new ArrayList<>();
        try (iterator) {
            while (iterator.hasNext()) {
                final KeyValue<String, String> next = iterator.next();
                list.add(next.key + "=" + next.value);
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
