package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random sequences of versioned store operations (out-of-order puts, deletes, reads as of past timestamps) run
 * against Kafka's RocksDB versioned store and PSPF's: put return codes and every read must be equal.
 */
class VersionedStoreDifferentialProperties {
    private static final String[] KEYS = {"a", "b", "c"};

    /** One operation: kind, key, value, timestamp (in steps of 10 ms). */
    record Op(int kind, String key, String value, int time) {
        @Override
        public String toString() {
            return kind + "(" + key + "," + value + "," + time + ")";
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.of(KEYS),
            Arbitraries.of("1", "2", "3").injectNull(0.15), Arbitraries.integers().between(0, 60)).as(Op::new)
            .list().ofMinSize(1).ofMaxSize(50);
    }

    @Property(tries = 100)
    void pspfVersionedStoresAnswerLikeKafkas(@ForAll("ops") final List<Op> ops) {
        final Duration retention = Duration.ofMillis(100L);
        try (StoreHarness harness = StoreHarness.kafka(org.apache.kafka.streams.state.Stores.versionedKeyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore("store", retention),
            Serdes.String(), Serdes.String()), 0L)) {
            final VersionedKeyValueStore<String, String> kafka = harness.driver().getVersionedKeyValueStore("store");
            final VersionedKeyValueStore<String, String> pspf = StoreHarness.pspf(Stores.versionedKeyValueStoreBuilder(
                Stores.persistentVersionedKeyValueStore("store", retention), Serdes.String(), Serdes.String()), 0L);
            final List<String> trace = new ArrayList<>();
            for (final Op op : ops) {
                trace.add(op.toString());
                final Object expected = apply(kafka, op);
                Statistics.label("results").collect(KeyValueStoreDifferentialProperties.outcome(expected));
                assertEquals(expected, apply(pspf, op), "after " + trace);
            }
        }
    }

    private static Object apply(final VersionedKeyValueStore<String, String> store, final Op op) {
        try {
            return applyOrThrow(store, op, op.time * 10L);
        } catch (final RuntimeException e) {
            return "throws " + e.getClass().getName();
        }
    }

    private static Object applyOrThrow(final VersionedKeyValueStore<String, String> store, final Op op, final long time) {
        switch (op.kind) {
            case 0:
            case 1:
                return store.put(op.key, op.value, time);
            case 2:
                return describe(store.delete(op.key, time));
            case 3:
                return describe(store.get(op.key));
            default:
                return describe(store.get(op.key, time));
        }
    }

    private static String describe(final VersionedRecord<String> record) {
        return record == null ? null : record.value() + "@" + record.timestamp() + "-" + record.validTo();
    }
}
