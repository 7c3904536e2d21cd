package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.CogroupedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code KGroupedStream.cogroup} and {@code CogroupedKStream}: key-value and windowed (time, sliding, session)
 * aggregations of several grouped streams, with and without repartitioning, run through both test drivers by the
 * {@link Differential} harness under all four configurations.
 */
class CogroupTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    static final Duration TEN = Duration.ofMillis(10);
    static final Duration FIVE = Duration.ofMillis(5);
    static final Aggregator<String, String, String> LEFT = (k, v, agg) -> agg + "L" + v;
    static final Aggregator<String, String, String> RIGHT = (k, v, agg) -> agg + "R" + v;

    /** Records on both input topics: out of order, late for the windowed cases, with null keys and values. */
    static Differential.Scenario input(final Differential.Scenario s) {
        return s.pipe("l", "a", "1", 0L, header("h", "1"))
            .pipe("r", "a", "2", 4L)
            .pipe("l", "b", "3", 9L)
            .pipe("r", "a", "4", 12L, header("h", "4"))
            .pipe("r", "b", "5", 2L)
            .pipe("l", "a", "6", 25L)
            .pipe("r", null, "7", 26L)
            .pipe("l", "a", null, 27L)
            .pipe("l", "a", "8", 8L)
            .pipe("r", "a", "9", 31L)
            .pipe("l", "c", "10", 70L);
    }

    static KGroupedStream<String, String> left(final Dsl d) {
        return d.<String, String>stream("l", STRINGS).groupByKey();
    }

    static KGroupedStream<String, String> right(final Dsl d) {
        return d.<String, String>stream("r", STRINGS).groupByKey();
    }

    static void write(final KTable<String, String> table) {
        table.toStream().to("out");
    }

    static void writeWindowed(final KTable<Windowed<String>, String> table) {
        table.toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("out");
    }

    static void ok(final Differential.Observation o, final int atLeast) {
        assertTrue(o.records("out").size() >= atLeast, "Kafka produced fewer records than expected: " + o.keyValues("out"));
    }

    // ------------------------------------------------------------------------------------------------ key-value

    @Test
    void cogroupTwoStreams() {
        final Differential.Observation o = input(Differential.dsl(d -> write(left(d).cogroup(LEFT)
            .cogroup(right(d), RIGHT).aggregate(() -> "", Materialized.with(Serdes.String(), Serdes.String()))))).run();
        ok(o, 7);
        assertTrue(o.keyValues("out").contains("a=L1R2"), o.keyValues("out").toString());
    }

    @Test
    void cogroupSingleStreamWithDefaultSerdes() {
        ok(input(Differential.dsl(d -> {
            write(left(d).cogroup(LEFT).aggregate(() -> "I"));
            write(right(d).cogroup(RIGHT).aggregate(() -> "J"));
        })).run(), 7);
    }

    @Test
    void cogroupNamedAndMaterialized() {
        final Differential.Observation o = input(Differential.dsl(d -> write(left(d).cogroup(LEFT).cogroup(right(d), RIGHT)
            .aggregate(() -> "", Named.as("cg"), Materialized.as("cstore"))))).store("cstore").run();
        ok(o, 7);
        assertTrue(!o.store("cstore").isEmpty(), "Kafka's store is empty");
    }

    @Test
    void cogroupNamedOnly() {
        ok(input(Differential.dsl(d -> write(left(d).cogroup(LEFT).cogroup(right(d), RIGHT)
            .aggregate(() -> "", Named.as("cg"))))).run(), 7);
    }

    @Test
    void cogroupRepartitionsEachKeyChangedStream() {
        ok(input(Differential.dsl(d -> {
            final KGroupedStream<String, String> rekeyed = d.<String, String>stream("l", STRINGS)
                .selectKey((k, v) -> v == null ? null : "k" + v.length()).groupByKey();
            final KGroupedStream<String, String> named = d.<String, String>stream("r", STRINGS)
                .groupBy((k, v) -> k == null ? "none" : k, Grouped.as("gr"));
            write(rekeyed.cogroup(LEFT).cogroup(named, RIGHT).cogroup(d.<String, String>stream("x", STRINGS).groupByKey(),
                (k, v, agg) -> agg + "X" + v).aggregate(() -> "", Materialized.as("c1")));
        })).pipe("x", "a", "x1", 3L).run(), 7);
    }

    @Test
    void aggregatingOneCogroupTwiceReusesItsRepartitionTopic() {
        ok(input(Differential.dsl(d -> {
            final CogroupedKStream<String, String> cogrouped = d.<String, String>stream("l", STRINGS)
                .selectKey((k, v) -> k).groupByKey().cogroup(LEFT).cogroup(right(d), RIGHT);
            write(cogrouped.aggregate(() -> ""));
            cogrouped.aggregate(() -> "2:", Named.as("second")).toStream().to("out2");
        })).run(), 7);
    }

    @Test
    void aNamedGroupingUsedByAnAggregationAndACogroupNeedsTwoTopics() {
        Differential.dsl(d -> {
            final KGroupedStream<String, String> g = d.<String, String>stream("l", STRINGS)
                .groupBy((k, v) -> v, Grouped.as("g"));
            g.count().toStream().mapValues(String::valueOf).to("out");
            write(g.cogroup(LEFT).aggregate(() -> ""));
        }).pipe("l", "a", "1", 1L).runExpectingFailure();
    }

    @Test
    void cogroupingTheSameStreamTwiceKeepsTheLastAggregator() {
        ok(input(Differential.dsl(d -> {
            final KGroupedStream<String, String> l = left(d);
            write(l.cogroup(LEFT).cogroup(right(d), RIGHT).cogroup(l, (k, v, agg) -> agg + "l" + v).aggregate(() -> ""));
        })).run(), 7);
    }

    @Test
    void cogroupedTableFilterUsesOldValues() {
        ok(input(Differential.dsl(d -> write(left(d).cogroup(LEFT).cogroup(right(d), RIGHT).aggregate(() -> "")
            .filter((k, v) -> v.length() < 5)))).run(), 3);
    }

    // ------------------------------------------------------------------------------------------------ windowed

    @Test
    void timeWindowedCogroup() {
        ok(input(Differential.dsl(d -> {
            writeWindowed(left(d).cogroup(LEFT).cogroup(right(d), RIGHT)
                .windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).aggregate(() -> ""));
            left(d).cogroup(LEFT).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE).advanceBy(FIVE))
                .aggregate(() -> "", Named.as("hop"), Materialized.<String, String, WindowStore<Bytes, byte[]>>as("hops")
                    .withRetention(Duration.ofMillis(40)))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("out2");
        })).store("hops").run(), 7);
    }

    @Test
    void slidingWindowedCogroup() {
        ok(input(Differential.dsl(d -> {
            writeWindowed(left(d).cogroup(LEFT).cogroup(right(d), RIGHT)
                .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE)).aggregate(() -> "", Named.as("sl")));
            left(d).cogroup(LEFT).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE))
                .aggregate(() -> "", Materialized.as("slides"))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("out2");
        })).store("slides").run(), 7);
    }

    @Test
    void sessionWindowedCogroup() {
        ok(input(Differential.dsl(d -> {
            writeWindowed(left(d).cogroup(LEFT).cogroup(right(d), RIGHT)
                .windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).aggregate(() -> "", (k, a, b) -> a + "&" + b));
            left(d).cogroup(LEFT).cogroup(right(d), RIGHT).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
                .aggregate(() -> "", (k, a, b) -> a + b, Named.as("ses"),
                    Materialized.<String, String, SessionStore<Bytes, byte[]>>as("sessions").withRetention(Duration.ofMillis(30)))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("out2");
        })).store("sessions").run(), 7);
    }

    @Test
    void everyWindowedCogroupOverload() {
        ok(input(Differential.dsl(d -> {
            final CogroupedKStream<String, String> cogrouped = left(d).cogroup(LEFT).cogroup(right(d), RIGHT);
            writeWindowed(cogrouped.windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE))
                .aggregate(() -> "", Materialized.with(Serdes.String(), Serdes.String())));
            writeWindowed(cogrouped.windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).aggregate(() -> "", Named.as("tw")));
            writeWindowed(cogrouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE)).aggregate(() -> ""));
            writeWindowed(cogrouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE))
                .aggregate(() -> "", Named.as("sw"), Materialized.as("sw-store")));
            writeWindowed(cogrouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
                .aggregate(() -> "", (k, a, b) -> a + b, Named.as("ses")));
            writeWindowed(cogrouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
                .aggregate(() -> "", (k, a, b) -> a + b, Materialized.as("ses-store")));
        })).store("sw-store", "ses-store").run(), 30);
    }

    @Test
    void windowedCogroupRetentionTooShortIsRefused() {
        Differential.dsl(d -> left(d).cogroup(LEFT).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE))
            .aggregate(() -> "", Materialized.<String, String, WindowStore<Bytes, byte[]>>as("w").withRetention(TEN)))
            .runExpectingFailure();
        Differential.dsl(d -> left(d).cogroup(LEFT).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
            .aggregate(() -> "", (k, a, b) -> a + b,
                Materialized.<String, String, SessionStore<Bytes, byte[]>>as("w").withRetention(TEN)))
            .runExpectingFailure();
    }

    @Test
    void windowedCogroupAfterRepartition() {
        ok(input(Differential.dsl(d -> writeWindowed(d.<String, String>stream("l", STRINGS).selectKey((k, v) -> k)
            .groupByKey().cogroup(LEFT).cogroup(right(d), RIGHT)
            .windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).aggregate(() -> "")))).run(), 7);
    }

    // ------------------------------------------------------------------------------------------------ null arguments

    static Stream<Arguments> nullArguments() {
        return Stream.<Arguments>of(
            Arguments.of("cogroup(null aggregator)", (Consumer<Dsl>) d -> left(d).cogroup(null)),
            Arguments.of("cogroup(null grouped stream, aggregator)",
                (Consumer<Dsl>) d -> left(d).cogroup(LEFT).cogroup(null, RIGHT)),
            Arguments.of("cogroup(grouped stream, null aggregator)",
                (Consumer<Dsl>) d -> left(d).cogroup(LEFT).cogroup(right(d), null)),
            Arguments.of("aggregate(null initializer)", (Consumer<Dsl>) d -> left(d).cogroup(LEFT).aggregate(null)),
            Arguments.of("aggregate(initializer, null named)",
                (Consumer<Dsl>) d -> left(d).cogroup(LEFT).aggregate(() -> "", (Named) null)),
            Arguments.of("aggregate(initializer, null materialized)", (Consumer<Dsl>) d -> left(d).cogroup(LEFT)
                .aggregate(() -> "", (Materialized<String, String, org.apache.kafka.streams.state.KeyValueStore<Bytes, byte[]>>) null)),
            Arguments.of("windowedBy(null Windows)",
                (Consumer<Dsl>) d -> left(d).cogroup(LEFT).windowedBy((TimeWindows) null)),
            Arguments.of("windowedBy(null SlidingWindows)",
                (Consumer<Dsl>) d -> left(d).cogroup(LEFT).windowedBy((SlidingWindows) null)),
            Arguments.of("windowedBy(null SessionWindows)",
                (Consumer<Dsl>) d -> left(d).cogroup(LEFT).windowedBy((SessionWindows) null)),
            Arguments.of("time windowed aggregate(null initializer)",
                (Consumer<Dsl>) d -> left(d).cogroup(LEFT).windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).aggregate(null)),
            Arguments.of("time windowed aggregate(initializer, null named)", (Consumer<Dsl>) d -> left(d).cogroup(LEFT)
                .windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).aggregate(() -> "", (Named) null)),
            Arguments.of("session windowed aggregate(initializer, null merger)", (Consumer<Dsl>) d -> left(d).cogroup(LEFT)
                .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).aggregate(() -> "", null)),
            Arguments.of("session windowed aggregate(..., null named)", (Consumer<Dsl>) d -> left(d).cogroup(LEFT)
                .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).aggregate(() -> "", (k, a, b) -> a, (Named) null))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullArgumentsFailAsInKafka(final String call, final Consumer<Dsl> build) {
        Differential.dsl(build).runExpectingFailure();
    }
}
