package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.ValueJoinerWithKey;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KStream-KStream windowed joins (inner, left, outer; every overload) on Kafka's and PSPF's test drivers:
 * out-of-order and late records, null keys and values, headers, asymmetric windows, grace expiry, duplicates, the
 * wall-clock interval of the outer-join emission, store suppliers and their checks, repartitioning and self-joins.
 * The changelogs of the window stores and of the shared store of left/outer joins are compared byte for byte.
 */
class StreamJoinTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    static final JoinWindows WINDOWS = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5));
    static final ValueJoiner<String, String, String> J = (a, b) -> a + "&" + b;
    static final ValueJoinerWithKey<String, String, String, String> JK = (k, a, b) -> k + ":" + a + "&" + b;
    static final String EMIT_INTERVAL = "__emit.interval.ms.kstreams.outer.join.spurious.results.fix__";

    /** The inputs of the design notes (6.1), with headers, a late record, null keys and values on both sides. */
    static Differential.Scenario twoSides(final Differential.Scenario s) {
        return s.pipe("l", "a", "L1", 10L, header("h", "l1"))
            .pipe("r", "a", "R1", 15L, header("h", "r1"))
            .pipe("l", "a", "L2", 30L)
            .pipe("r", "b", "R2", 31L)
            .pipe("l", "a", "L3", 3L)
            .pipe("r", "a", "R3", 21L)
            .pipe("l", "c", "L4", 50L, header("h", "l4"))
            .pipe("l", "a", null, 51L)
            .pipe("l", null, "Ln", 51L)
            .pipe("r", null, "Rn", 52L)
            .pipe("r", "c", null, 53L)
            .pipe("r", "z", "R9", 100L);
    }

    /** Duplicates (same key, same timestamp, same side), records just inside and just outside the windows. */
    static Differential.Scenario dense(final Differential.Scenario s) {
        return s.pipe("l", "k", "A", 100L)
            .pipe("l", "k", "B", 100L, header("dup", "1"))
            .pipe("r", "k", "x", 90L)
            .pipe("r", "k", "y", 111L)
            .pipe("l", "k", "C", 121L)
            .pipe("r", "m", "p", 122L)
            .pipe("r", "m", "q", 122L)
            .pipe("l", "n", "D", 123L)
            .pipe("r", "k", "z", 80L)
            .pipe("l", "k", "E", 95L)
            .pipe("r", "k", "w", 135L)
            .pipe("l", "q", "F", 160L)
            .pipe("r", "q", "G", 161L)
            .pipe("l", "k", "H", 200L)
            .pipe("r", "k", "late", 180L)
            .pipe("r", "s", "S", 300L);
    }

    static void ok(final Differential.Observation o, final String topic) {
        assertTrue(!o.records(topic).isEmpty(), "Kafka produced nothing on " + topic);
    }

    static KStream<String, String> left(final Dsl d) {
        return d.stream("l", STRINGS);
    }

    static KStream<String, String> right(final Dsl d) {
        return d.stream("r", STRINGS);
    }

    // ------------------------------------------------------------------------------------------------ the three joins

    @Test
    void innerJoin() {
        final Differential.Observation o = twoSides(Differential.dsl(d -> left(d).join(right(d), J, WINDOWS).to("out"))).run();
        assertEquals(List.of("a=L1&R1", "a=L2&R3"), o.keyValues("out"));
    }

    @Test
    void leftJoin() {
        final Differential.Observation o = twoSides(Differential.dsl(d -> left(d).leftJoin(right(d), J, WINDOWS).to("out"))).run();
        assertEquals(List.of("a=L1&R1", "a=L3&null", "a=L2&R3", "null=Ln&null", "c=L4&null"), o.keyValues("out"));
    }

    @Test
    void outerJoin() {
        final Differential.Observation o = twoSides(Differential.dsl(d -> left(d).outerJoin(right(d), J, WINDOWS).to("out"))).run();
        assertEquals(List.of("a=L1&R1", "a=L3&null", "a=L2&R3", "b=null&R2", "null=Ln&null", "null=null&Rn", "c=L4&null"),
            o.keyValues("out"));
    }

    @Test
    void denseInputsAllJoins() {
        ok(dense(Differential.dsl(d -> {
            left(d).join(right(d), J, WINDOWS).to("out");
            left(d).leftJoin(right(d), J, WINDOWS).to("out2");
            left(d).outerJoin(right(d), J, WINDOWS).to("out3");
        })).run(), "out3");
    }

    @Test
    void overloadsWithKeyAndStreamJoined() {
        final StreamJoined<String, String, String> serdes = StreamJoined.with(Serdes.String(), Serdes.String(), Serdes.String());
        ok(twoSides(Differential.dsl(d -> {
            left(d).join(right(d), JK, WINDOWS).to("out");
            left(d).join(right(d), J, WINDOWS, serdes).to("out");
            left(d).join(right(d), JK, WINDOWS, serdes.withName("ij")).to("out");
            left(d).leftJoin(right(d), JK, WINDOWS).to("out2");
            left(d).leftJoin(right(d), J, WINDOWS, serdes.withStoreName("ls")).to("out2");
            left(d).leftJoin(right(d), JK, WINDOWS, serdes.withName("lj").withStoreName("lj-store")).to("out2");
            left(d).outerJoin(right(d), JK, WINDOWS).to("out3");
            left(d).outerJoin(right(d), J, WINDOWS, StreamJoined.as("os")).to("out3");
            left(d).outerJoin(right(d), JK, WINDOWS, StreamJoined.<String, String, String>as("os2").withName("oj")).to("out3");
        })).run(), "out3");
    }

    @Test
    void namedJoinsOnDefaultSerdes() {
        ok(twoSides(Differential.dsl(d -> {
            final KStream<String, String> l = d.stream("l");
            final KStream<String, String> r = d.stream("r");
            l.outerJoin(r, J, WINDOWS, StreamJoined.<String, String, String>as("sj").withName("jn")).to("out");
        })).run(), "out");
    }

    // ------------------------------------------------------------------------------------------------ windows

    @Test
    void beforeAndAfter() {
        ok(dense(Differential.dsl(d -> {
            final JoinWindows beforeOnly = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5))
                .after(Duration.ZERO);
            final JoinWindows afterOnly = JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(20)).before(Duration.ofMillis(3));
            left(d).join(right(d), J, beforeOnly).to("out");
            left(d).outerJoin(right(d), J, beforeOnly).to("out2");
            left(d).leftJoin(right(d), J, afterOnly).to("out3");
            right(d).outerJoin(left(d), J, afterOnly).to("out4");
        })).run(), "out4");
    }

    @Test
    void noGraceDropsLateRecordsFromTheWindowStores() {
        final JoinWindows noGrace = JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(5));
        ok(dense(Differential.dsl(d -> {
            left(d).join(right(d), J, noGrace).to("out");
            left(d).outerJoin(right(d), J, noGrace).to("out2");
        })).run(), "out2");
    }

    @Test
    @SuppressWarnings("deprecation")
    void deprecatedWindowsEmitNonJoinedAtOnce() {
        final JoinWindows old = JoinWindows.of(Duration.ofMillis(10));
        ok(twoSides(Differential.dsl(d -> {
            left(d).leftJoin(right(d), J, old).to("out");
            left(d).outerJoin(right(d), J, old.grace(Duration.ofMillis(3))).to("out2");
        })).run(), "out2");
    }

    @Test
    void emitIntervalFollowsTheWallClock() {
        ok(Differential.dsl(d -> left(d).outerJoin(right(d), J, WINDOWS).to("out"))
            .config(EMIT_INTERVAL, 1000L)
            .pipe("l", "a", "1", 10L)
            .pipe("l", "b", "2", 40L)
            .pipe("r", "c", "3", 41L)
            .pipe("l", "d", "4", 70L)
            .advanceWallClock(Duration.ofMillis(999))
            .pipe("l", "e", "5", 100L)
            .advanceWallClock(Duration.ofMillis(1))
            .pipe("r", "f", "6", 100L)
            .pipe("r", "g", "7", 130L)
            .advanceWallClock(Duration.ofMillis(5000))
            .pipe("l", "h", "8", 131L)
            .pipe("l", "i", "9", 200L)
            .advanceWallClock(Duration.ofMillis(1000))
            .pipe("l", "j", "10", 200L).run(), "out");
    }

    @Test
    void emitIntervalAsString() {
        ok(Differential.dsl(d -> left(d).leftJoin(right(d), J, WINDOWS).to("out"))
            .config(EMIT_INTERVAL, "50")
            .pipe("l", "a", "1", 10L)
            .pipe("l", "b", "2", 40L)
            .advanceWallClock(Duration.ofMillis(60))
            .pipe("l", "c", "3", 70L).run(), "out");
    }

    // ------------------------------------------------------------------------------------------------ stores

    @Test
    void storeSuppliers() {
        final Duration retention = Duration.ofMillis(25);
        final Duration size = Duration.ofMillis(20);
        ok(twoSides(Differential.dsl(d -> {
            final WindowBytesStoreSupplier thisStore = d.stores().call("inMemoryWindowStore", "mine", retention, size, true);
            final WindowBytesStoreSupplier otherStore = d.stores().call("persistentWindowStore", "theirs", retention, size, true);
            final WindowBytesStoreSupplier thisPersistent = d.stores().call("persistentWindowStore", "p1", retention, size, true);
            final WindowBytesStoreSupplier otherInMemory = d.stores().call("inMemoryWindowStore", "p2", retention, size, true);
            left(d).outerJoin(right(d), J, WINDOWS, StreamJoined.<String, String, String>with(thisStore, otherStore)
                .withKeySerde(Serdes.String())).to("out");
            left(d).leftJoin(right(d), J, WINDOWS, StreamJoined.<String, String, String>with(thisPersistent, otherInMemory)
                .withStoreName("ignored").withLoggingDisabled()).to("out2");
        })).run(), "out");
    }

    @Test
    void oneSupplierAndOneStoreName() {
        ok(twoSides(Differential.dsl(d -> {
            final WindowBytesStoreSupplier otherStore = d.stores().call("inMemoryWindowStore", "theirs",
                Duration.ofMillis(25), Duration.ofMillis(20), true);
            left(d).outerJoin(right(d), J, WINDOWS, StreamJoined.<String, String, String>as("base")
                .withOtherStoreSupplier(otherStore)).to("out");
        })).run(), "out");
    }

    @Test
    void loggingDisabledAndTopicConfig() {
        ok(twoSides(Differential.dsl(d -> {
            left(d).outerJoin(right(d), J, WINDOWS, StreamJoined.<String, String, String>as("quiet").withLoggingDisabled())
                .to("out");
            left(d).leftJoin(right(d), J, WINDOWS, StreamJoined.<String, String, String>as("loud")
                .withLoggingEnabled(Map.of("retention.ms", "1000"))).to("out2");
        })).run(), "out");
    }

    @Test
    void dslStoreSuppliers() {
        ok(twoSides(Differential.dsl(d -> left(d).outerJoin(right(d), J, WINDOWS,
            StreamJoined.<String, String, String>with(new BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers())
                .withName("mem")).to("out"))).run(), "out");
    }

    @Test
    void dslStoreSuppliersFromTheTopologyConfig() {
        ok(twoSides(Differential.dsl(d -> left(d).leftJoin(right(d), J, WINDOWS).to("out"))
            .config(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers.class))
            .run(), "out");
    }

    static Stream<Arguments> supplierMistakes() {
        final Duration retention = Duration.ofMillis(25);
        final Duration size = Duration.ofMillis(20);
        return Stream.of(
            Arguments.of("same names", (Consumer<Dsl>) d -> left(d).join(right(d), J, WINDOWS, StreamJoined.with(
                d.stores().<WindowBytesStoreSupplier>call("inMemoryWindowStore", "same", retention, size, true),
                d.stores().<WindowBytesStoreSupplier>call("inMemoryWindowStore", "same", retention, size, true)))),
            Arguments.of("no duplicates", (Consumer<Dsl>) d -> left(d).join(right(d), J, WINDOWS, StreamJoined.with(
                d.stores().<WindowBytesStoreSupplier>call("inMemoryWindowStore", "a", retention, size, false),
                d.stores().<WindowBytesStoreSupplier>call("inMemoryWindowStore", "b", retention, size, true)))),
            Arguments.of("other side without duplicates", (Consumer<Dsl>) d -> left(d).join(right(d), J, WINDOWS,
                StreamJoined.with(
                    d.stores().<WindowBytesStoreSupplier>call("inMemoryWindowStore", "a", retention, size, true),
                    d.stores().<WindowBytesStoreSupplier>call("persistentWindowStore", "b", retention, size, false)))),
            Arguments.of("wrong size", (Consumer<Dsl>) d -> left(d).leftJoin(right(d), J, WINDOWS,
                StreamJoined.<String, String, String>with(Serdes.String(), Serdes.String(), Serdes.String())
                    .withThisStoreSupplier(new Described(d.stores().call("inMemoryWindowStore", "a", retention,
                        Duration.ofMillis(10), true))))),
            Arguments.of("wrong retention", (Consumer<Dsl>) d -> left(d).outerJoin(right(d), J, WINDOWS,
                StreamJoined.<String, String, String>as("x").withOtherStoreSupplier(new Described(d.stores().call(
                    "persistentWindowStore", "b", Duration.ofMillis(30), size, true))))),
            Arguments.of("illegal name", (Consumer<Dsl>) d -> left(d).join(right(d), J, WINDOWS, StreamJoined.<String, String, String>as("x")
                .withName("bad name!"))),
            Arguments.of("too long a suffixed name", (Consumer<Dsl>) d -> left(d).join(right(d), J, WINDOWS,
                StreamJoined.<String, String, String>as("x").withName("n".repeat(240)))),
            Arguments.of("null other", (Consumer<Dsl>) d -> left(d).join(null, J, WINDOWS)),
            Arguments.of("null joiner", (Consumer<Dsl>) d -> left(d).leftJoin(right(d), (ValueJoiner<String, String, String>) null,
                WINDOWS)),
            Arguments.of("null joiner with key", (Consumer<Dsl>) d -> left(d).outerJoin(right(d),
                (ValueJoinerWithKey<String, String, String, String>) null, WINDOWS)),
            Arguments.of("null joiner and other", (Consumer<Dsl>) d -> left(d).join(null, (ValueJoiner<String, String, String>) null,
                WINDOWS)),
            Arguments.of("null windows", (Consumer<Dsl>) d -> left(d).outerJoin(right(d), J, null)),
            Arguments.of("null streamJoined", (Consumer<Dsl>) d -> left(d).leftJoin(right(d), JK, WINDOWS, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("supplierMistakes")
    void mistakesFailAsInKafka(final String description, final Consumer<Dsl> topology) {
        Differential.dsl(topology).pipe("l", "a", "1", 1L).runExpectingFailure();
    }

    /** A supplier with a fixed {@code toString}, so that Kafka's mismatch message can be compared. */
    static final class Described implements WindowBytesStoreSupplier {
        private final WindowBytesStoreSupplier inner;

        Described(final WindowBytesStoreSupplier inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public WindowStore<Bytes, byte[]> get() {
            return inner.get();
        }

        @Override
        public String metricsScope() {
            return "described";
        }

        @Override
        public long segmentIntervalMs() {
            return inner.segmentIntervalMs();
        }

        @Override
        public long windowSize() {
            return inner.windowSize();
        }

        @Override
        public boolean retainDuplicates() {
            return inner.retainDuplicates();
        }

        @Override
        public long retentionPeriod() {
            return inner.retentionPeriod();
        }

        @Override
        public String toString() {
            return "Described(" + name() + ")";
        }
    }

    // ------------------------------------------------------------------------------------------------ repartitioning

    @Test
    void repartitionsBothSidesAfterAKeyChange() {
        ok(twoSides(Differential.dsl(d -> {
            final KStream<String, String> l = left(d).selectKey((k, v) -> v == null ? null : v.substring(0, 1));
            final KStream<String, String> r = right(d).map((k, v) -> new org.apache.kafka.streams.KeyValue<>(
                v == null ? k : "L", v));
            l.join(r, J, WINDOWS).to("out");
            l.outerJoin(r, J, WINDOWS).to("out2");
        })).run(), "out2");
    }

    @Test
    void namedRepartitionTopics() {
        ok(twoSides(Differential.dsl(d -> {
            final KStream<String, String> l = left(d).selectKey((k, v) -> k);
            l.leftJoin(right(d).selectKey((k, v) -> k), J, WINDOWS,
                StreamJoined.<String, String, String>with(Serdes.String(), Serdes.String(), Serdes.String()).withName("rj"))
                .to("out");
            l.join(right(d), JK, WINDOWS, StreamJoined.as("other")).to("out2");
        })).run(), "out");
    }

    @Test
    void leftJoinKeepsNullKeysInTheRepartitionTopic() {
        ok(twoSides(Differential.dsl(d -> left(d).selectKey((k, v) -> k)
            .leftJoin(right(d).selectKey((k, v) -> k), J, WINDOWS).to("out"))).run(), "out");
    }

    // ------------------------------------------------------------------------------------------------ self-joins

    static Differential.Scenario selfInput(final Differential.Scenario s) {
        return s.pipe("l", "a", "1", 10L)
            .pipe("l", "a", "2", 15L, header("h", "2"))
            .pipe("l", "a", "3", 5L)
            .pipe("l", "b", "4", 16L)
            .pipe("l", "a", null, 17L)
            .pipe("l", null, "5", 18L)
            .pipe("l", "a", "6", 40L)
            .pipe("l", "a", "7", 21L)
            .pipe("l", "a", "8", 2L);
    }

    @Test
    void selfJoinWithoutOptimization() {
        ok(selfInput(Differential.dsl(d -> {
            final KStream<String, String> s = left(d);
            s.join(s, J, WINDOWS).to("out");
        })).run(), "out");
    }

    @Test
    void selfJoinOptimized() {
        final Properties all = new Properties();
        all.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        // set on the driver only, the optimization does not apply: Kafka reads it from build(Properties)
        ok(selfInput(Differential.dsl(d -> {
            final KStream<String, String> s = left(d);
            s.join(s, JK, WINDOWS).to("out");
        }).config(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE)).run(), "out");
        ok(selfInput(Differential.dsl(d -> {
            final KStream<String, String> s = left(d);
            d.buildProperties(all);
            s.join(s, JK, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(4)).after(Duration.ofMillis(9))).to("out");
        })).run(), "out");
    }

    @Test
    void selfJoinOptimizedByName() {
        final Properties single = new Properties();
        single.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.SINGLE_STORE_SELF_JOIN);
        ok(selfInput(Differential.dsl(d -> {
            d.buildProperties(single);
            final KStream<String, String> s = left(d);
            s.join(s, J, WINDOWS, StreamJoined.<String, String, String>as("self").withName("sj")).to("out");
            s.leftJoin(s, J, WINDOWS).to("out2");
            s.outerJoin(s, J, WINDOWS).to("out3");
        })).run(), "out3");
    }

    @Test
    void selfJoinAfterRepartition() {
        final Properties single = new Properties();
        single.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.SINGLE_STORE_SELF_JOIN);
        ok(selfInput(Differential.dsl(d -> {
            d.buildProperties(single);
            final KStream<String, String> s = left(d).selectKey((k, v) -> v == null ? k : "x");
            s.join(s, J, WINDOWS).to("out", Produced.with(Serdes.String(), Serdes.String()));
        })).run(), "out");
    }
}
