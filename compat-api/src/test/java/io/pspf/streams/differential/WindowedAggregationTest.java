package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Merger;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.UnlimitedWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.kstream.Windows;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Windowed aggregations (time, hopping, unlimited and custom windows, sliding windows, session windows), run through
 * Kafka's and PSPF's test drivers by the {@link Differential} harness under all four configurations. Inputs mix
 * out-of-order and late records, records at window boundaries and at the end of the grace period, null keys and
 * values, and headers; outputs go through windowed serdes and, as text, through {@code Windowed.toString()}.
 */
class WindowedAggregationTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    static final Duration TEN = Duration.ofMillis(10);
    static final Duration FIVE = Duration.ofMillis(5);

    static Serde<Windowed<String>> timeKeys(final long size) {
        return WindowedSerdes.timeWindowedSerdeFrom(String.class, size);
    }

    static Serde<Windowed<String>> sessionKeys() {
        return WindowedSerdes.sessionWindowedSerdeFrom(String.class);
    }

    /** Out-of-order, late, boundary, null-key and null-value records; c@60 closes everything before it. */
    static Differential.Scenario input(final Differential.Scenario s) {
        return s.pipe("in", "a", "1", 0L, header("h", "1"))
            .pipe("in", "a", "2", 9L)
            .pipe("in", "a", "3", 10L, header("h", "3"))
            .pipe("in", "a", "4", 3L)
            .pipe("in", "b", "5", 20L)
            .pipe("in", "a", "6", 4L)
            .pipe("in", "a", "7", 14L, header("h", "7"))
            .pipe("in", "a", null, 21L)
            .pipe("in", null, "8", 21L)
            .pipe("in", "a", "9", 26L)
            .pipe("in", "b", "10", 15L)
            .pipe("in", "b", "11", 14L)
            .pipe("in", "c", "12", 60L);
    }

    /** Writes a windowed table both as bytes (windowed serde) and as {@code Windowed.toString()} text. */
    static void write(final KTable<Windowed<String>, String> table, final Serde<Windowed<String>> keys) {
        final KStream<Windowed<String>, String> stream = table.toStream();
        stream.to("out", Produced.with(keys, Serdes.String()));
        stream.map((k, v) -> KeyValue.pair(k.toString(), v)).to("text", Produced.with(Serdes.String(), Serdes.String()));
    }

    static void writeCount(final KTable<Windowed<String>, Long> table, final Serde<Windowed<String>> keys) {
        write(table.mapValues(v -> v == null ? null : Long.toString(v)), keys);
    }

    static void ok(final Differential.Observation o, final int atLeast) {
        assertTrue(o.records("text").size() >= atLeast, "Kafka produced fewer records than expected: " + o.keyValues("text"));
    }

    static KGroupedStream<String, String> grouped(final Dsl d) {
        return d.<String, String>stream("in", STRINGS).groupByKey();
    }

    // ------------------------------------------------------------------------------------------------ time windows

    @Test
    void tumblingCountDropsLateRecordsPerWindow() {
        final Differential.Observation o = input(Differential.dsl(d -> writeCount(grouped(d)
            .windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count(), timeKeys(10)))).run();
        ok(o, 8);
        // a@0/10 reaches 3 at a4@3; a6@4 is late for it (stream time 20, grace 5)
        assertTrue(o.keyValues("text").contains("[a@0/10]=3"), o.keyValues("text").toString());
    }

    @Test
    void tumblingReduceAndAggregate() {
        final Differential.Observation o = input(Differential.dsl(d -> {
            final var windowed = grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE));
            write(windowed.reduce((a, b) -> a + "+" + b), timeKeys(10));
            windowed.aggregate(() -> "I", (k, v, agg) -> agg + "|" + v)
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
        })).run();
        ok(o, 8);
        assertTrue(o.keyValues("text").contains("[a@20/30]=null"), "a null value becomes the reduce result");
    }

    @Test
    void hoppingWindowsUpdateEveryWindowOfARecord() {
        final Differential.Observation o = input(Differential.dsl(d -> writeCount(grouped(d)
            .windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE).advanceBy(Duration.ofMillis(5))).count(), timeKeys(10))))
            .run();
        ok(o, 15);
    }

    @Test
    void recordsAtWindowBoundariesAndAtGraceExpiry() {
        // size 10, grace 5: a@10 opens [10,20); once stream time is 25, [10,20) closed exactly at its end plus grace
        final Differential.Observation o = Differential.dsl(d -> writeCount(grouped(d)
                .windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count(), timeKeys(10)))
            .pipe("in", "a", "1", 10L).pipe("in", "a", "2", 19L).pipe("in", "a", "3", 20L)
            .pipe("in", "a", "4", 24L).pipe("in", "a", "5", 19L)
            .pipe("in", "a", "6", 25L).pipe("in", "a", "7", 19L).pipe("in", "a", "8", 0L).pipe("in", "a", "9", 29L)
            .run();
        ok(o, 7);
        assertEquals("[a@10/20]=3", o.keyValues("text").get(4), "a@19 at stream time 24 is still in grace");
    }

    @Test
    void tumblingWithoutGraceDropsEveryEarlierWindow() {
        ok(input(Differential.dsl(d -> writeCount(grouped(d)
            .windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).count(), timeKeys(10)))).run(), 6);
    }

    @Test
    void emitOnWindowCloseForwardsOnlyClosedWindows() {
        final Differential.Observation o = input(Differential.dsl(d -> writeCount(grouped(d)
            .windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose()).count(),
            timeKeys(10)))).run();
        ok(o, 1);
    }

    @Test
    void emitOnWindowCloseHoppingManyKeys() {
        final Differential.Observation o = Differential.dsl(d -> write(grouped(d)
                .windowedBy(TimeWindows.ofSizeAndGrace(TEN, Duration.ofMillis(2)).advanceBy(Duration.ofMillis(5)))
                .emitStrategy(EmitStrategy.onWindowClose()).reduce((a, b) -> a + "+" + b, Materialized.as("closing")),
                timeKeys(10)))
            .pipe("in", "z", "1", 1L).pipe("in", "b", "2", 2L).pipe("in", "a", "3", 7L).pipe("in", "y", "4", 11L)
            .pipe("in", "b", "5", 12L, header("h", "5")).pipe("in", "a", "6", 16L).pipe("in", "z", "7", 18L)
            .pipe("in", "c", "8", 27L).pipe("in", "a", "9", 44L).pipe("in", "b", "10", 45L).pipe("in", "a", "11", 90L)
            .pipe("in", "q", "12", 100L).store("closing").run();
        ok(o, 6);
    }

    @Test
    void emitOnWindowCloseIsRateLimitedByTheWallClock() {
        // outside the test driver Kafka looks for closed windows at most once a second (wall-clock time)
        final Differential.Observation o = Differential.dsl(d -> {
            final KGroupedStream<String, String> g = grouped(d);
            write(g.windowedBy(TimeWindows.ofSizeAndGrace(TEN, Duration.ZERO)).emitStrategy(EmitStrategy.onWindowClose())
                .reduce((a, b) -> a + b), timeKeys(10));
            g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).emitStrategy(EmitStrategy.onWindowClose())
                .reduce((a, b) -> a + b).toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
        }).config("__emit.interval.ms.kstreams.windowed.aggregation__", 1000L)
            .pipe("in", "a", "1", 1L).pipe("in", "a", "2", 15L).pipe("in", "b", "3", 31L)
            .advanceWallClock(Duration.ofMillis(999)).pipe("in", "a", "4", 45L)
            .advanceWallClock(Duration.ofMillis(1)).pipe("in", "a", "5", 47L).pipe("in", "b", "6", 60L)
            .advanceWallClock(Duration.ofMillis(2000)).pipe("in", "b", "7", 90L)
            .run();
        ok(o, 1);
    }

    @Test
    void emitOnWindowCloseAdvancesWithRepartitionedRecords() {
        ok(input(Differential.dsl(d -> writeCount(d.<String, String>stream("in", STRINGS).selectKey((k, v) -> k)
            .groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(TEN, Duration.ZERO))
            .emitStrategy(EmitStrategy.onWindowClose()).count(), timeKeys(10)))).run(), 2);
    }

    @Test
    void windowedAggregationAfterKeyChangeRepartitions() {
        ok(input(Differential.dsl(d -> {
            final KGroupedStream<String, String> g = d.<String, String>stream("in", STRINGS).groupBy((k, v) -> k == null ? "n" : k);
            writeCount(g.windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count(), timeKeys(10));
        })).run(), 8);
    }

    // ------------------------------------------------------------------------------------------------ sliding windows

    @Test
    void slidingReduceMakesLeftAndRightWindows() {
        final Differential.Observation o = input(Differential.dsl(d -> write(grouped(d)
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE)).reduce((a, b) -> a + "+" + b), timeKeys(10))))
            .run();
        ok(o, 10);
        assertTrue(o.keyValues("text").contains("[a@1/11]=2+3+4"), o.keyValues("text").toString());
    }

    @Test
    void slidingCountAndAggregate() {
        ok(input(Differential.dsl(d -> {
            final var windowed = grouped(d).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE));
            writeCount(windowed.count(), timeKeys(10));
            windowed.aggregate(() -> "I", (k, v, agg) -> agg + "|" + v)
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
        })).run(), 10);
    }

    @Test
    void slidingRecordsAtSameTimestampAndLaterWindows() {
        ok(Differential.dsl(d -> write(grouped(d).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(5)))
                .reduce((a, b) -> a + "+" + b), timeKeys(5)))
            .pipe("in", "a", "1", 10L).pipe("in", "a", "2", 10L).pipe("in", "a", "3", 12L).pipe("in", "a", "4", 15L)
            .pipe("in", "a", "5", 11L).pipe("in", "a", "6", 30L).pipe("in", "a", "7", 27L).pipe("in", "a", "8", 24L)
            .pipe("in", "a", "9", 31L).pipe("in", "a", "10", 35L).pipe("in", "a", "11", 36L)
            .run(), 12);
    }

    @Test
    void slidingEmitOnWindowClose() {
        ok(input(Differential.dsl(d -> write(grouped(d)
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
            .reduce((a, b) -> a + "+" + b), timeKeys(10)))).run(), 3);
    }

    // ------------------------------------------------------------------------------------------------ session windows

    static Differential.Scenario sessionInput(final Differential.Scenario s) {
        return s.pipe("in", "a", "1", 0L, header("h", "1"))
            .pipe("in", "a", "2", 5L, header("h", "2"))
            .pipe("in", "a", "3", 30L)
            .pipe("in", "b", "b1", 31L)
            .pipe("in", "a", "4", 20L, header("h", "4"))
            .pipe("in", "a", "5", 12L)
            .pipe("in", "a", "6", 60L)
            .pipe("in", "a", "7", 10L)
            .pipe("in", null, "x", 61L)
            .pipe("in", "a", null, 61L)
            .pipe("in", "b", "b2", 75L)
            .pipe("in", "a", "8", 71L)
            .pipe("in", "a", "9", 100L);
    }

    @Test
    void sessionReduceMergesAndSendsTombstones() {
        final Differential.Observation o = sessionInput(Differential.dsl(d -> write(grouped(d)
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).reduce((a, b) -> a + "+" + b), sessionKeys())))
            .run();
        ok(o, 8);
        assertTrue(o.keyValues("text").contains("[a@0/0]=null"), o.keyValues("text").toString());
    }

    @Test
    void sessionCountAndAggregateWithMerger() {
        ok(sessionInput(Differential.dsl(d -> {
            final var windowed = grouped(d).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE));
            writeCount(windowed.count(), sessionKeys());
            windowed.aggregate(() -> "I", (k, v, agg) -> agg + "|" + v, (k, left, right) -> left + "&" + right)
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
        })).run(), 8);
    }

    @Test
    void sessionEmitOnWindowClose() {
        ok(sessionInput(Differential.dsl(d -> write(grouped(d)
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
            .reduce((a, b) -> a + "+" + b, Materialized.as("sclose")), sessionKeys())))
            .pipe("in", "c", "c1", 72L).pipe("in", "b", "b3", 70L).store("sclose").run(), 3);
    }

    @Test
    void sessionWithoutGrace() {
        ok(sessionInput(Differential.dsl(d -> writeCount(grouped(d)
            .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).count(), sessionKeys()))).run(), 8);
    }

    @Test
    void hoppingWithAnAdvanceThatDoesNotDivideTheSize() {
        ok(input(Differential.dsl(d -> write(grouped(d)
            .windowedBy(TimeWindows.ofSizeAndGrace(TEN, Duration.ofMillis(4)).advanceBy(Duration.ofMillis(3)))
            .reduce((a, b) -> a + "+" + b), timeKeys(10)))).run(), 20);
    }

    /** Records exactly the time difference (or gap) apart, and late ones exactly at the end of the grace period. */
    static Differential.Scenario boundaries(final Differential.Scenario s) {
        return s.pipe("in", "a", "1", 10L).pipe("in", "a", "2", 20L).pipe("in", "a", "3", 30L).pipe("in", "a", "4", 41L)
            .pipe("in", "a", "5", 45L).pipe("in", "a", "6", 30L).pipe("in", "a", "7", 29L).pipe("in", "a", "8", 60L)
            .pipe("in", "a", "9", 45L).pipe("in", "a", "10", 44L).pipe("in", "a", "11", 70L).pipe("in", "a", "12", 55L);
    }

    @Test
    void slidingWindowsAtBoundaries() {
        ok(boundaries(Differential.dsl(d -> write(grouped(d)
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE)).reduce((a, b) -> a + "+" + b), timeKeys(10))))
            .run(), 10);
    }

    @Test
    void sessionWindowsAtBoundaries() {
        ok(boundaries(Differential.dsl(d -> write(grouped(d)
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).reduce((a, b) -> a + "+" + b), sessionKeys())))
            .run(), 8);
    }

    @Test
    void emitOnWindowCloseAtBoundaries() {
        ok(boundaries(Differential.dsl(d -> {
            final KGroupedStream<String, String> g = grouped(d);
            write(g.windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
                .reduce((a, b) -> a + "+" + b), timeKeys(10));
            g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
                .reduce((a, b) -> a + "+" + b).toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
            g.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
                .reduce((a, b) -> a + "+" + b).toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg2");
        })).run(), 1);
    }

    // ------------------------------------------------------------------------------------------------ names and stores

    @Test
    void namedAndMaterializedTimeWindowAggregations() {
        final Differential.Observation o = input(Differential.dsl(d -> {
            final var windowed = grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE));
            writeCount(windowed.count(Named.as("cnt"), Materialized.as("counts")), timeKeys(10));
            windowed.reduce((a, b) -> a + "+" + b, Named.as("red"),
                    Materialized.<String, String, WindowStore<Bytes, byte[]>>as("reduced").withRetention(Duration.ofMillis(100)))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
            windowed.aggregate(() -> "", (k, v, agg) -> agg + v, Named.as("ag"))
                .toStream(Named.as("ts")).map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
            windowed.count(Materialized.with(Serdes.String(), Serdes.Long()))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg");
        })).store("counts", "reduced").run();
        ok(o, 8);
        assertTrue(!o.store("counts").isEmpty() && !o.store("reduced").isEmpty(), "Kafka's stores are empty");
    }

    @Test
    void namedAndMaterializedSlidingAndSessionAggregations() {
        final Differential.Observation o = sessionInput(Differential.dsl(d -> {
            final KGroupedStream<String, String> g = grouped(d);
            writeCount(g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE))
                .count(Named.as("sc"), Materialized.as("sliding")), timeKeys(10));
            g.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
                .reduce((a, b) -> a + b, Named.as("sr"), Materialized.as("sessions"))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
            g.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
                .aggregate(() -> "", (k, v, agg) -> agg + v, (k, l, r) -> l + r, Named.as("sa"),
                    Materialized.<String, String, SessionStore<Bytes, byte[]>>as("sessions2").withRetention(Duration.ofMillis(50)))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
            g.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).count(Materialized.with(Serdes.String(), Serdes.Long()))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg");
        })).store("sliding", "sessions", "sessions2").run();
        ok(o, 8);
        assertTrue(!o.store("sessions").isEmpty(), "Kafka's session store is empty");
    }

    static <V> void text(final KTable<Windowed<String>, V> table, final String topic) {
        table.toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to(topic);
    }

    @Test
    void everyOverloadNamesItsNodesAndStoresAsKafka() {
        final Differential.Observation o = input(Differential.dsl(d -> {
            final KGroupedStream<String, String> g = grouped(d);
            final TimeWindowedKStream<String, String> time = g.windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE));
            text(time.count(Named.as("t-count")), "t");
            text(time.reduce((a, b) -> a + b, Named.as("t-reduce")), "t");
            text(time.aggregate(() -> "", (k, v, agg) -> agg + v, Materialized.as("t-agg-store")), "t");
            text(time.aggregate(() -> "", (k, v, agg) -> agg + v, Named.as("t-agg"),
                Materialized.with(Serdes.String(), Serdes.String())), "t");
            final TimeWindowedKStream<String, String> sliding = g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE));
            text(sliding.count(Named.as("s-count")), "s");
            text(sliding.count(Materialized.as("s-count-store")), "s");
            text(sliding.count(Materialized.with(Serdes.String(), Serdes.Long())), "s");
            text(sliding.reduce((a, b) -> a + b, Named.as("s-reduce")), "s");
            text(sliding.reduce((a, b) -> a + b, Materialized.as("s-reduce-store")), "s");
            text(sliding.reduce((a, b) -> a + b, Named.as("s-reduce2"), Materialized.with(Serdes.String(), Serdes.String())), "s");
            text(sliding.aggregate(() -> "", (k, v, agg) -> agg + v, Named.as("s-agg")), "s");
            text(sliding.aggregate(() -> "", (k, v, agg) -> agg + v, Materialized.with(Serdes.String(), Serdes.String())), "s");
            text(sliding.aggregate(() -> "", (k, v, agg) -> agg + v, Named.as("s-agg2"), Materialized.as("s-agg-store")), "s");
            final SessionWindowedKStream<String, String> session = g.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE));
            text(session.count(Named.as("w-count")), "w");
            text(session.count(Named.as("w-count2"), Materialized.as("w-count-store")), "w");
            text(session.reduce((a, b) -> a + b, Named.as("w-reduce")), "w");
            text(session.aggregate(() -> "", (k, v, agg) -> agg + v, (k, l, r) -> l + r, Named.as("w-agg")), "w");
            text(session.aggregate(() -> "", (k, v, agg) -> agg + v, (k, l, r) -> l + r,
                Materialized.with(Serdes.String(), Serdes.String())), "w");
        })).store("t-agg-store", "s-count-store", "s-reduce-store", "s-agg-store", "w-count-store").run();
        assertTrue(o.records("t").size() >= 20 && o.records("s").size() >= 20 && o.records("w").size() >= 20,
            "Kafka produced too few records");
    }

    @Test
    void retentionShorterThanSizePlusGraceIsRefused() {
        Differential.dsl(d -> grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE))
            .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("w").withRetention(Duration.ofMillis(14))))
            .runExpectingFailure();
        Differential.dsl(d -> grouped(d).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE))
            .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("w").withRetention(Duration.ofMillis(24))))
            .runExpectingFailure();
        Differential.dsl(d -> grouped(d).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
            .count(Materialized.<String, Long, SessionStore<Bytes, byte[]>>as("w").withRetention(Duration.ofMillis(14))))
            .runExpectingFailure();
    }

    @Test
    void retentionExactlySizePlusGraceAndLonger() {
        ok(input(Differential.dsl(d -> {
            writeCount(grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE))
                .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("w").withRetention(Duration.ofMillis(15))),
                timeKeys(10));
            grouped(d).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE))
                .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("s").withRetention(Duration.ofMillis(25)))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg");
        })).store("w", "s").run(), 8);
    }

    @Test
    void cachingAndLoggingDisabled() {
        ok(input(Differential.dsl(d -> {
            writeCount(grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE))
                .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("w").withCachingDisabled()), timeKeys(10));
            grouped(d).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
                .count(Materialized.<String, Long, SessionStore<Bytes, byte[]>>as("s").withLoggingDisabled())
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg");
        })).store("w", "s").run(), 8);
    }

    @Test
    void userSuppliedWindowAndSessionStores() {
        ok(input(Differential.dsl(d -> {
            final WindowBytesStoreSupplier memory = d.stores().call("inMemoryWindowStore", "mem", Duration.ofMillis(100),
                TEN, false);
            writeCount(grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count(Materialized.as(memory)),
                timeKeys(10));
            final WindowBytesStoreSupplier plain = d.stores().call("persistentTimestampedWindowStore", "plain",
                Duration.ofMillis(100), TEN, false);
            grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
                .count(Materialized.as(plain))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg");
            final SessionBytesStoreSupplier sessions = d.stores().call("inMemorySessionStore", "ses", Duration.ofMillis(100));
            grouped(d).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
                .count(Materialized.as(sessions))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg2");
        })).store("mem", "plain", "ses").run(), 8);
    }

    @Test
    void emitOnWindowCloseFromAStoreWithoutTimestampsFails() {
        // a plain window store keeps no timestamps: the final results would have timestamp -1
        Differential.dsl(d -> {
            final WindowBytesStoreSupplier plain = d.stores().call("persistentWindowStore", "plain", Duration.ofMillis(100),
                TEN, false);
            writeCount(grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).emitStrategy(EmitStrategy.onWindowClose())
                .count(Materialized.as(plain)), timeKeys(10));
        }).pipe("in", "a", "1", 0L).pipe("in", "a", "2", 30L).store("plain").runExpectingFailure();
    }

    @Test
    void emitOnWindowCloseWithInMemoryStoreManyKeys() {
        ok(Differential.dsl(d -> {
            final WindowBytesStoreSupplier memory = d.stores().call("inMemoryWindowStore", "mem", Duration.ofMillis(30),
                TEN, false);
            write(grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, Duration.ofMillis(2)).advanceBy(FIVE))
                .emitStrategy(EmitStrategy.onWindowClose()).reduce((a, b) -> a + b, Materialized.as(memory)), timeKeys(10));
        }).pipe("in", "z", "1", 1L).pipe("in", "b", "2", 2L).pipe("in", "a", "3", 7L).pipe("in", "y", "4", 11L)
            .pipe("in", "b", "5", 12L).pipe("in", "a", "6", 16L).pipe("in", "z", "7", 18L).pipe("in", "c", "8", 27L)
            .pipe("in", "a", "9", 44L).store("mem").run(), 6);
    }

    @Test
    void groupedNameRepartitionsOnceForWindowedAndPlainAggregations() {
        ok(input(Differential.dsl(d -> {
            final KGroupedStream<String, String> g = d.<String, String>stream("in", STRINGS)
                .groupBy((k, v) -> k == null ? "n" : k, Grouped.as("g"));
            writeCount(g.windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count(), timeKeys(10));
            g.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).count()
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg");
            g.count().toStream().mapValues(String::valueOf).to("agg2");
        })).run(), 8);
    }

    // ------------------------------------------------------------------------------------------------ other windows

    @Test
    void unlimitedWindows() {
        ok(input(Differential.dsl(d -> {
            writeCount(grouped(d).windowedBy(UnlimitedWindows.of()).count(), timeKeys(Long.MAX_VALUE));
            grouped(d).windowedBy(UnlimitedWindows.of().startOn(Instant.ofEpochMilli(5))).reduce((a, b) -> a + b)
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), v)).to("agg");
        })).run(), 8);
    }

    @Test
    void unlimitedWindowsRefuseEmitOnWindowClose() {
        Differential.dsl(d -> grouped(d).windowedBy(UnlimitedWindows.of()).emitStrategy(EmitStrategy.onWindowClose()))
            .runExpectingFailure();
    }

    /** Windows of 7 ms starting at multiples of 7, each also opening the one before it; grace 3 ms. */
    static final class SevenWindows extends Windows<TimeWindow> {
        @Override
        public Map<Long, TimeWindow> windowsFor(final long timestamp) {
            final Map<Long, TimeWindow> windows = new LinkedHashMap<>();
            final long start = timestamp / 7 * 7;
            if (start >= 7) {
                windows.put(start - 7, new TimeWindow(start - 7, start + 7));
            }
            windows.put(start, new TimeWindow(start, start + 7));
            return windows;
        }

        @Override
        public long size() {
            return 7;
        }

        @Override
        public long gracePeriodMs() {
            return 3;
        }
    }

    @Test
    void customWindows() {
        ok(input(Differential.dsl(d -> writeCount(grouped(d).windowedBy(new SevenWindows()).count(), timeKeys(7))))
            .run(), 8);
    }

    @Test
    void customWindowsRefuseEmitOnWindowClose() {
        Differential.dsl(d -> grouped(d).windowedBy(new SevenWindows()).emitStrategy(EmitStrategy.onWindowClose()).count())
            .runExpectingFailure();
    }

    // ------------------------------------------------------------------------------------------------ downstream

    @Test
    void windowedTableFilterUsesOldValues() {
        ok(input(Differential.dsl(d -> {
            final KTable<Windowed<String>, Long> counts = grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count();
            writeCount(counts.filter((k, v) -> v < 2), timeKeys(10));
            grouped(d).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).count().filter((k, v) -> v > 1)
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg");
            grouped(d).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE)).count()
                .filter((k, v) -> v > 1, Materialized.with(timeKeys(10), Serdes.Long()))
                .toStream().map((k, v) -> KeyValue.pair(k.toString(), String.valueOf(v))).to("agg2");
        })).run(), 3);
    }

    @Test
    void windowedKeysWithDefaultSerdesFailToSerialize() {
        Differential.dsl(d -> d.<String, String>stream("in").groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE))
            .count().toStream().to("out")).pipe("in", "a", "1", 1L).runExpectingFailure();
    }

    @Test
    void windowedKeysInheritAWindowedSerdeFromTheGroupedKeySerde() {
        final Differential.Observation o = Differential.dsl(d -> {
            final KGroupedStream<String, String> g = grouped(d);
            g.windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count().toStream().to("out");
            g.windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE)).count().toStream().to("out");
        }).pipe("in", "a", "1", 1L).pipe("in", "a", "2", 4L).run();
        assertEquals(5, o.records("out").size());
    }

    @Test
    void windowedKeySerdeComesFromGroupedSerdes() {
        ok(input(Differential.dsl(d -> d.<String, String>stream("in", STRINGS)
            .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
            .windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).reduce((a, b) -> a + b).toStream().to("text"))).run(), 8);
    }

    // ------------------------------------------------------------------------------------------------ metrics

    /** Runs a topology over {@link #input} on both drivers and compares the task's dropped-records-total. */
    static double droppedRecords(final Consumer<Dsl> topology, final boolean sessions) {
        final double[] totals = new double[2];
        int i = 0;
        for (final String side : List.of(Adapters.KAFKA, Adapters.PSPF)) {
            final Adapters.Context context = Adapters.dsl(side);
            topology.accept((Dsl) context);
            final Properties props = Differential.dsl(topology).properties(Differential.Config.ALOS_NO_CACHE);
            props.put(StreamsConfig.STATE_DIR_CONFIG, context.dir().resolve("state").toString());
            final Adapters.Driver driver = context.build().open(props, Differential.WALL_CLOCK_START);
            final Object[][] records = sessions ? SESSION_RECORDS : TIME_RECORDS;
            for (final Object[] r : records) {
                driver.pipe("in", Differential.utf8((String) r[0]), Differential.utf8((String) r[1]),
                    new org.apache.kafka.common.header.internals.RecordHeaders(), (Long) r[2]);
            }
            totals[i++] = driver.droppedRecords();
            driver.close();
        }
        assertEquals(totals[0], totals[1], "dropped-records-total: Kafka " + totals[0] + ", PSPF " + totals[1]);
        return totals[0];
    }

    static final Object[][] TIME_RECORDS = {
        {"a", "1", 0L}, {"a", "2", 9L}, {"a", "3", 10L}, {"a", "4", 3L}, {"b", "5", 20L}, {"a", "6", 4L}, {"a", "7", 14L},
        {"a", null, 21L}, {null, "8", 21L}, {"a", "9", 26L}, {"b", "10", 15L}, {"b", "11", 14L}, {"c", "12", 60L}};

    static final Object[][] SESSION_RECORDS = {
        {"a", "1", 0L}, {"a", "2", 5L}, {"a", "3", 30L}, {"b", "b1", 31L}, {"a", "4", 20L}, {"a", "5", 12L}, {"a", "6", 60L},
        {"a", "7", 10L}, {null, "x", 61L}, {"a", null, 61L}, {"b", "b2", 75L}, {"a", "8", 71L}, {"a", "9", 100L}};

    @Test
    void lateAndNullKeyRecordsAreCountedAsDropped() {
        // tumbling: a6@4 late for [0,10), b10@15 and b11@14 late for [10,20), and the null key
        assertEquals(4.0, droppedRecords(d -> grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE)).count(), false));
        // hopping: one drop per expired window
        assertTrue(droppedRecords(d -> grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE).advanceBy(FIVE))
            .count(), false) > 3.0);
        // sliding drops null values too
        assertTrue(droppedRecords(d -> grouped(d).windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(TEN, FIVE))
            .reduce((a, b) -> a + b), false) >= 4.0);
        assertTrue(droppedRecords(d -> grouped(d).windowedBy(SessionWindows.ofInactivityGapAndGrace(TEN, FIVE))
            .emitStrategy(EmitStrategy.onWindowClose()).count(), true) >= 2.0);
        assertTrue(droppedRecords(d -> grouped(d).windowedBy(TimeWindows.ofSizeAndGrace(TEN, FIVE))
            .emitStrategy(EmitStrategy.onWindowClose()).count(), false) >= 3.0);
    }

    @Test
    void windowAndSessionStoresCountExpiredPutsAsDropped() {
        for (final String kind : List.of("inMemoryWindowStore", "persistentWindowStore", "inMemorySessionStore",
            "persistentSessionStore")) {
            final boolean session = kind.endsWith("SessionStore");
            final double dropped = droppedRecords(d -> {
                final StoreBuilder<?> store;
                if (session) {
                    final SessionBytesStoreSupplier supplier = d.stores().call(kind, "s", Duration.ofMillis(60_000));
                    store = d.stores().call("sessionStoreBuilder", supplier, Serdes.String(), Serdes.String());
                } else {
                    final WindowBytesStoreSupplier supplier = d.stores().call(kind, "s", Duration.ofMillis(60_000), TEN, false);
                    store = d.stores().call("windowStoreBuilder", supplier, Serdes.String(), Serdes.String());
                }
                d.addStateStore(store);
                d.<String, String>stream("in", STRINGS).process(() -> new ContextualProcessor<String, String, Void, Void>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        if (record.key() == null || record.value() == null) {
                            return;
                        }
                        // the record's timestamp times 10 000 as window start (or session end): old ones expire
                        final long time = record.timestamp() * 10_000L;
                        if (session) {
                            context().<SessionStore<String, String>>getStateStore("s")
                                .put(new Windowed<>(record.key(), new SessionWindow(time, time)), record.value());
                        } else {
                            context().<WindowStore<String, String>>getStateStore("s").put(record.key(), record.value(), time);
                        }
                    }
                }, "s");
            }, session);
            assertTrue(dropped >= 1.0, kind + ": Kafka counted no expired put");
        }
    }

    // ------------------------------------------------------------------------------------------------ null arguments

    static Stream<Arguments> nullArguments() {
        final Aggregator<String, String, String> agg = (k, v, a) -> a + v;
        final Merger<String, String> merger = (k, a, b) -> a + b;
        return Stream.<Arguments>of(
            Arguments.of("windowedBy(null Windows)", (Consumer<KGroupedStream<String, String>>) g -> g.windowedBy((TimeWindows) null)),
            Arguments.of("windowedBy(null SlidingWindows)",
                (Consumer<KGroupedStream<String, String>>) g -> g.windowedBy((SlidingWindows) null)),
            Arguments.of("windowedBy(null SessionWindows)",
                (Consumer<KGroupedStream<String, String>>) g -> g.windowedBy((SessionWindows) null)),
            Arguments.of("time count(null named)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).count((Named) null)),
            Arguments.of("time count(null materialized)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).count((Materialized<String, Long, WindowStore<Bytes, byte[]>>) null)),
            Arguments.of("time reduce(null)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).reduce(null)),
            Arguments.of("time reduce(reducer, null named)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).reduce((a, b) -> a, (Named) null)),
            Arguments.of("time aggregate(null, aggregator)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).aggregate(null, agg)),
            Arguments.of("time aggregate(initializer, null)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).aggregate(() -> "", null)),
            Arguments.of("time aggregate(initializer, aggregator, null named)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(TimeWindows.ofSizeWithNoGrace(TEN)).aggregate(() -> "", agg, (Named) null)),
            Arguments.of("sliding count(null named, materialized)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(TEN)).count(null, Materialized.as("x"))),
            Arguments.of("sliding reduce(null)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(TEN)).reduce(null)),
            Arguments.of("sliding aggregate(null, aggregator)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(TEN)).aggregate(null, agg)),
            Arguments.of("session count(null named)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).count((Named) null)),
            Arguments.of("session reduce(null)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).reduce(null)),
            Arguments.of("session reduce(reducer, null materialized)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).reduce((a, b) -> a,
                    (Materialized<String, String, SessionStore<Bytes, byte[]>>) null)),
            Arguments.of("session aggregate(initializer, aggregator, null merger)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).aggregate(() -> "", agg, null)),
            Arguments.of("session aggregate(null, aggregator, merger)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).aggregate(null, agg, merger)),
            Arguments.of("session aggregate(..., null named)", (Consumer<KGroupedStream<String, String>>) g ->
                g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(TEN)).aggregate(() -> "", agg, merger, (Named) null))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullArgumentsFailAsInKafka(final String call, final Consumer<KGroupedStream<String, String>> operation) {
        Differential.dsl(d -> operation.accept(grouped(d))).runExpectingFailure();
    }
}
