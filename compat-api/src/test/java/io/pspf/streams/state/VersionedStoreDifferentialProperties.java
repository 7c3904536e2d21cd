package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random sequences of versioned store operations (out-of-order puts, deletes, reads as of past timestamps) run
 * against Kafka's RocksDB versioned store and PSPF's: put return codes, every read and every exception (class and
 * message) must be equal. The wider property varies history retention, segment interval, time scale, drift of
 * stream time and negative timestamps, so that versions cross segment boundaries and segments expire.
 */
class VersionedStoreDifferentialProperties {
    private static final String[] KEYS = {"a", "b", "c"};

    /** One operation: kind (0-1 put, 2 delete, 3 get, 4-6 get as of), key, value, time in steps. */
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

    /** Longer sequences over two keys, so that each key builds up history across several segments. */
    @Provide
    Arbitrary<List<Op>> longOps() {
        return Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.of("a", "b"),
            Arbitraries.of("1", "2", "3").injectNull(0.2), Arbitraries.integers().between(0, 60)).as(Op::new)
            .list().ofMinSize(1).ofMaxSize(120);
    }

    /** History retentions in ms, from none to many segments' worth. */
    @Provide
    Arbitrary<Long> retentions() {
        return Arbitraries.of(0L, 20L, 100L, 500L, 3_000L, 70_000L);
    }

    /** Segment intervals in ms; 0 stands for Kafka's default for the retention. */
    @Provide
    Arbitrary<Long> segmentIntervals() {
        return Arbitraries.of(0L, 0L, 10L, 50L, 200L, 1_000L);
    }

    /** How many ms one time step is. */
    @Provide
    Arbitrary<Long> steps() {
        return Arbitraries.of(1L, 10L, 50L);
    }

    /** How many steps stream time drifts forward per operation, so that segments roll over and expire. */
    @Provide
    Arbitrary<Integer> drifts() {
        return Arbitraries.of(0, 0, 1, 3);
    }

    /** Steps subtracted from every time, so that some timestamps are negative. */
    @Provide
    Arbitrary<Integer> offsets() {
        return Arbitraries.of(0, 0, 0, 30);
    }

    @Property(tries = 100)
    void pspfVersionedStoresAnswerLikeKafkas(@ForAll("ops") final List<Op> ops) {
        check(ops, 100L, 0L, 10L, 0, 0);
    }

    @Property(tries = 200)
    void pspfVersionedStoresAnswerLikeKafkasAcrossSegmentsAndRetentions(@ForAll("longOps") final List<Op> ops,
                                                                         @ForAll("retentions") final long retention,
                                                                         @ForAll("segmentIntervals") final long interval,
                                                                         @ForAll("steps") final long step,
                                                                         @ForAll("drifts") final int drift,
                                                                         @ForAll("offsets") final int offset) {
        check(ops, retention, interval, step, drift, offset);
    }

    /** A value replaced by a tombstone at its own timestamp leaves nothing behind, so an older tombstone has no validTo. */
    @Example
    void aTombstoneAtTheLatestTimestampErasesTheLatestValue() {
        final List<Object> kafka = check(List.of(new Op(0, "c", "1", 36), new Op(0, "c", null, 36),
            new Op(0, "a", null, 0), new Op(0, "a", null, 0), new Op(0, "c", null, 26)), 100L, 0L, 10L, 0, 0);
        assertEquals(VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED, kafka.get(4));
    }

    /** Deleting the latest value at its own timestamp keeps the history before it: an older put still gets a validTo. */
    @Example
    void aTombstoneAtTheLatestTimestampKeepsTheHistoryBeforeIt() {
        final List<Object> kafka = check(List.of(new Op(0, "c", "2", 50), new Op(0, "c", "3", 60),
            new Op(0, "c", null, 60), new Op(0, "c", "1", 52), new Op(4, "c", null, 55), new Op(4, "c", null, 61),
            new Op(3, "c", null, 0)), 100L, 0L, 10L, 0, 0);
        assertEquals(Arrays.asList(-1L, -1L, -1L, 600L, "1@520-Optional.empty", null, null), kafka);
    }

    /** A put whose validTo falls in an older segment moves the version it splits there; reads expire with retention. */
    @Example
    void versionsMoveBetweenSegmentsAndExpireWithThem() {
        final List<Object> kafka = check(List.of(new Op(0, "a", "1", 0), new Op(0, "a", "2", 30),
            new Op(0, "a", "3", 12), new Op(4, "a", null, 5), new Op(4, "a", null, 15), new Op(0, "b", "x", 45),
            new Op(4, "a", null, 5), new Op(4, "a", null, 15), new Op(4, "a", null, 31)), 300L, 100L, 10L, 0, 0);
        assertEquals(Arrays.asList(-1L, -1L, 300L, "1@0-Optional.empty", "3@120-Optional.empty", -1L, null,
            "3@120-Optional.empty", "2@300-Optional.empty"), kafka);
    }

    /** Runs the operations on both stores, asserts equal answers and returns Kafka's. */
    private static List<Object> check(final List<Op> ops, final long retentionMs, final long intervalMs, final long step,
                                      final int drift, final int offset) {
        final Duration retention = Duration.ofMillis(retentionMs);
        final org.apache.kafka.streams.state.VersionedBytesStoreSupplier kafkaSupplier = intervalMs == 0L
            ? org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore("store", retention)
            : org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore("store", retention,
                Duration.ofMillis(intervalMs));
        final org.apache.kafka.streams.state.VersionedBytesStoreSupplier pspfSupplier = intervalMs == 0L
            ? Stores.persistentVersionedKeyValueStore("store", retention)
            : Stores.persistentVersionedKeyValueStore("store", retention, Duration.ofMillis(intervalMs));
        final org.apache.kafka.streams.state.StoreBuilder<VersionedKeyValueStore<String, String>> kafkaBuilder =
            org.apache.kafka.streams.state.Stores.versionedKeyValueStoreBuilder(kafkaSupplier, Serdes.String(),
                Serdes.String());
        final org.apache.kafka.streams.state.StoreBuilder<VersionedKeyValueStore<String, String>> pspfBuilder =
            Stores.versionedKeyValueStoreBuilder(pspfSupplier, Serdes.String(), Serdes.String());
        if (offset != 0) {
            // Kafka's changelog producer refuses negative timestamps, after the store took the write
            kafkaBuilder.withLoggingDisabled();
            pspfBuilder.withLoggingDisabled();
        }
        try (StoreHarness harness = StoreHarness.kafka(kafkaBuilder, 0L)) {
            final VersionedKeyValueStore<String, String> kafka = harness.driver().getVersionedKeyValueStore("store");
            final VersionedKeyValueStore<String, String> pspf = StoreHarness.pspf(pspfBuilder, 0L);
            final List<Object> answers = new ArrayList<>();
            final List<String> trace = new ArrayList<>();
            trace.add("retention=" + retentionMs + " interval=" + intervalMs + " step=" + step + " drift=" + drift
                + " offset=" + offset);
            for (int i = 0; i < ops.size(); i++) {
                final Op op = ops.get(i);
                final long time = ((long) i * drift + op.time - offset) * step;
                trace.add(op.kind + "(" + op.key + "," + op.value + "," + time + ")");
                final Object expected = apply(kafka, op, time);
                Statistics.label("results").collect(outcome(op, expected));
                assertEquals(expected, apply(pspf, op, time), "after " + trace);
                answers.add(expected);
            }
            return answers;
        }
    }

    private static Object apply(final VersionedKeyValueStore<String, String> store, final Op op, final long time) {
        try {
            return applyOrThrow(store, op, time);
        } catch (final RuntimeException e) {
            return "throws " + e.getClass().getName() + ": " + e.getMessage();
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

    /** Classifies a result for jqwik's statistics, so that a run shows which answers it covered. */
    private static String outcome(final Op op, final Object result) {
        if (result instanceof String && ((String) result).startsWith("throws")) {
            return ((String) result).split(":")[0];
        }
        if (op.kind <= 1) {
            final long code = (Long) result;
            return code == VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT ? "put: not put"
                : code == VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED ? "put: validTo undefined"
                : "put: validTo";
        }
        final String kind = op.kind == 2 ? "delete" : op.kind == 3 ? "get" : "get as of";
        return kind + (result == null ? ": null" : ": record");
    }

    private static String describe(final VersionedRecord<String> record) {
        return record == null ? null : record.value() + "@" + record.timestamp() + "-" + record.validTo();
    }
}
