package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.Suppressed.BufferConfig;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code KTable.suppress} on Kafka's and PSPF's test drivers: {@code untilTimeLimit} with every buffer config
 * (unbounded, max records, max bytes, emit early, shut down when full), named suppressions, tombstones, headers,
 * out-of-order records, the buffer's changelog (bytes, headers, and no timestamp) and its logging settings.
 */
class SuppressTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());

    /** The inputs of the design notes (section 7), with headers, a tombstone and a late key. */
    static Differential.Scenario input(final Differential.Scenario s) {
        return s.pipe("t", "a", "1", 0L, header("h", "a1"))
            .pipe("t", "a", "2", 5L, header("h", "a2"))
            .pipe("t", "b", "3", 6L)
            .pipe("t", "c", "4", 9L)
            .pipe("t", "a", "5", 10L)
            .pipe("t", "x", "6", 3L, header("h", "x6"))
            .pipe("t", "b", null, 12L)
            .pipe("t", "y", "7", 30L)
            .pipe("t", "z", "8", 31L)
            .pipe("t", "c", null, 50L)
            .pipe("t", "w", "9", 80L);
    }

    static void ok(final Differential.Observation o, final String topic) {
        assertTrue(!o.records(topic).isEmpty(), "Kafka produced nothing on " + topic);
    }

    static Differential.Scenario suppressed(final Suppressed<? super String> suppressed) {
        return Differential.dsl(d -> d.<String, String>table("t", STRINGS).suppress(suppressed).toStream().to("out"));
    }

    @Test
    void untilTimeLimitUnbounded() {
        final Differential.Observation o = input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(10),
            BufferConfig.unbounded()))).run();
        assertEquals(List.of("a=5", "x=6", "b=null", "c=4", "y=7", "z=8", "c=null"), o.keyValues("out"));
    }

    @Test
    void untilTimeLimitMaxRecordsEmitsEarly() {
        final Differential.Observation o = input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(10),
            BufferConfig.maxRecords(2)))).run();
        assertTrue(o.keyValues("out").get(0).equals("a=2"), o.keyValues("out").toString());
    }

    @Test
    void untilTimeLimitMaxBytesEmitsEarly() {
        // each entry weighs a few dozen bytes (key, values, the record context): the bound is hit at different points
        for (final long maxBytes : new long[] {60L, 100L, 150L, 260L}) {
            ok(input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(10), BufferConfig.maxBytes(maxBytes)))).run(),
                "out");
        }
    }

    @Test
    void untilTimeLimitBoundedBothWays() {
        ok(input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(20),
            BufferConfig.maxRecords(3).withMaxBytes(200L).emitEarlyWhenFull()))).run(), "out");
        ok(input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(20),
            BufferConfig.maxBytes(500L).withMaxRecords(2)))).run(), "out");
        ok(input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(20),
            BufferConfig.maxRecords(2).withNoBound()))).run(), "out");
    }

    // Without a cache, the failure comes straight from process(); with one, it surfaces from the upstream store's
    // cache flush, wrapped in a ProcessorStateException.
    @Test
    void shutDownWhenFullOnRecords() {
        final Differential.Observation o = input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(10),
            BufferConfig.maxRecords(2).shutDownWhenFull()))).runExpectingFailure();
        assertTrue(Differential.exception(o.failures().get(0)).contains("buffer exceeded its max capacity"),
            Differential.exception(o.failures().get(0)));
    }

    @Test
    void shutDownWhenFullOnBytes() {
        // the first four entries weigh 97 bytes
        input(suppressed(Suppressed.untilTimeLimit(Duration.ofMillis(10),
            BufferConfig.maxBytes(90L).shutDownWhenFull()))).runExpectingFailure();
        input(suppressed(Suppressed.<String>untilTimeLimit(Duration.ofMillis(10),
            BufferConfig.unbounded().withMaxRecords(2)).withName("full"))).continueAfterException()
            .runExpectingFailure();
    }

    @Test
    void namedSuppressionUsesNoIndex() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>table("t", STRINGS)
            .suppress(Suppressed.<String>untilTimeLimit(Duration.ofMillis(10), BufferConfig.unbounded()).withName("sup"))
            .toStream().to("out"))).run();
        ok(o, "out");
        assertTrue(o.topics().contains(Differential.APP_ID + "-sup-store-changelog"), o.topics().toString());
    }

    @Test
    void loggingDisabledAndTopicConfig() {
        ok(input(Differential.dsl(d -> {
            final KTable<String, String> t = d.table("t", STRINGS);
            t.suppress(Suppressed.untilTimeLimit(Duration.ofMillis(5), BufferConfig.unbounded().withLoggingDisabled()))
                .toStream().to("out");
            t.suppress(Suppressed.untilTimeLimit(Duration.ofMillis(5), BufferConfig.maxRecords(5)
                .withLoggingEnabled(Map.of("retention.ms", "100")))).toStream().to("out2");
        })).run(), "out");
    }

    @Test
    void zeroTimeLimitAndLongTimeLimit() {
        ok(input(Differential.dsl(d -> {
            final KTable<String, String> t = d.table("t", STRINGS);
            t.suppress(Suppressed.untilTimeLimit(Duration.ZERO, BufferConfig.unbounded())).toStream().to("out");
            t.suppress(Suppressed.untilTimeLimit(Duration.ofDays(1), BufferConfig.maxRecords(1))).toStream().to("out2");
        })).run(), "out2");
    }

    @Test
    void suppressAfterAggregationAndFilter() {
        ok(input(Differential.dsl(d -> d.<String, String>stream("t", STRINGS).groupByKey().count()
            .filter((k, v) -> v < 3)
            .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(10), BufferConfig.maxRecords(3)))
            .toStream().to("out", Produced.with(Serdes.String(), Serdes.Long())))).run(), "out");
    }

    @Test
    void suppressedTableJoinsThroughItsValueGetter() {
        ok(input(Differential.dsl(d -> {
            final KTable<String, String> suppressed = d.<String, String>table("t", STRINGS)
                .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(10), BufferConfig.unbounded()));
            d.<String, String>stream("s", STRINGS).leftJoin(suppressed, (a, b) -> a + "&" + b).to("out");
            suppressed.mapValues(v -> v + "!", Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("mv"))
                .toStream().to("out2");
        }).pipe("s", "a", "s1", 1L).pipe("s", "b", "s2", 7L)).pipe("s", "a", "s3", 81L).pipe("s", "y", "s4", 82L)
            .store("mv").run(), "out");
    }

    @Test
    void suppressAfterSuppress() {
        ok(input(Differential.dsl(d -> d.<String, String>table("t", STRINGS)
            .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(3), BufferConfig.maxRecords(3)))
            .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(7), BufferConfig.unbounded()))
            .toStream().to("out"))).run(), "out");
    }

    @Test
    void defaultSerdes() {
        ok(input(Differential.dsl(d -> d.<String, String>table("t")
            .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(10), BufferConfig.maxBytes(200L)))
            .toStream().to("out"))).run(), "out");
    }

    // ------------------------------------------------------------------------------------------------ windowed

    /** The inputs of the design notes (5.3): out of order, late, a null value and a null key. */
    static Differential.Scenario windowedInput(final Differential.Scenario s) {
        return s.pipe("in", "a", "1", 0L, header("h", "1"))
            .pipe("in", "a", "2", 9L)
            .pipe("in", "a", "3", 10L)
            .pipe("in", "a", "4", 3L)
            .pipe("in", "b", "5", 20L, header("h", "5"))
            .pipe("in", "a", "6", 4L)
            .pipe("in", "a", "7", 14L)
            .pipe("in", "a", null, 21L)
            .pipe("in", null, "8", 21L)
            .pipe("in", "a", "9", 26L)
            .pipe("in", "c", "10", 60L);
    }

    static final Materialized<String, Long, org.apache.kafka.streams.state.WindowStore<Bytes, byte[]>> COUNTS =
        Materialized.with(Serdes.String(), Serdes.Long());

    static void windowedOut(final KTable<org.apache.kafka.streams.kstream.Windowed<String>, Long> table) {
        table.toStream((k, v) -> k.key() + "@" + k.window().start() + "/" + k.window().end())
            .to("out", Produced.with(Serdes.String(), Serdes.Long()));
    }

    @Test
    void untilWindowClosesAfterTimeWindows() {
        final Differential.Observation o = windowedInput(Differential.dsl(d -> windowedOut(d.<String, String>stream("in", STRINGS)
            .groupByKey().windowedBy(org.apache.kafka.streams.kstream.TimeWindows.ofSizeAndGrace(Duration.ofMillis(10),
                Duration.ofMillis(5))).count(COUNTS)
            .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))))).run();
        assertTrue(o.keyValues("out").size() >= 2, o.keyValues("out").toString());
    }

    @Test
    void untilWindowClosesAfterFilteredHoppingWindowsBoundedAndNamed() {
        ok(windowedInput(Differential.dsl(d -> windowedOut(d.<String, String>stream("in", STRINGS)
            .groupByKey().windowedBy(org.apache.kafka.streams.kstream.TimeWindows.ofSizeAndGrace(Duration.ofMillis(10),
                Duration.ofMillis(2)).advanceBy(Duration.ofMillis(5))).count(COUNTS)
            .filter((k, v) -> v < 3)
            .suppress(Suppressed.untilWindowCloses(BufferConfig.maxRecords(4).shutDownWhenFull()).withName("final"))))).run(),
            "out");
    }

    @Test
    void untilWindowClosesAfterSlidingAndSessionWindows() {
        ok(windowedInput(Differential.dsl(d -> {
            final var grouped = d.<String, String>stream("in", STRINGS).groupByKey();
            windowedOut(grouped.windowedBy(org.apache.kafka.streams.kstream.SlidingWindows.ofTimeDifferenceAndGrace(
                Duration.ofMillis(10), Duration.ofMillis(5))).count(COUNTS)
                .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())));
            grouped.windowedBy(org.apache.kafka.streams.kstream.SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10),
                Duration.ofMillis(5))).count(Materialized.with(Serdes.String(), Serdes.Long()))
                .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
                .toStream((k, v) -> k.key() + "@" + k.window().start() + "/" + k.window().end())
                .to("out2", Produced.with(Serdes.String(), Serdes.Long()));
        })).run(), "out2");
    }

    @Test
    void untilWindowClosesBufferFull() {
        windowedInput(Differential.dsl(d -> windowedOut(d.<String, String>stream("in", STRINGS)
            .groupByKey().windowedBy(org.apache.kafka.streams.kstream.TimeWindows.ofSizeAndGrace(Duration.ofMillis(10),
                Duration.ofMillis(20))).count(COUNTS)
            .suppress(Suppressed.untilWindowCloses(BufferConfig.maxBytes(100L).shutDownWhenFull()))))).runExpectingFailure();
    }

    @Test
    void untilTimeLimitOnWindows() {
        ok(windowedInput(Differential.dsl(d -> windowedOut(d.<String, String>stream("in", STRINGS)
            .groupByKey().windowedBy(org.apache.kafka.streams.kstream.TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(10)))
            .count(COUNTS)
            .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(4), BufferConfig.maxRecords(2)))))).run(), "out");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
            Arguments.of("null suppressed", (Consumer<Dsl>) d -> d.table("t", STRINGS).suppress(null)),
            Arguments.of("untilWindowCloses on a table", (Consumer<Dsl>) d -> d.table("t", STRINGS)
                .suppress(anyKey(Suppressed.untilWindowCloses(BufferConfig.unbounded())))),
            Arguments.of("untilWindowCloses after filter and mapValues", (Consumer<Dsl>) d -> d.<String, String>table("t", STRINGS)
                .filter((k, v) -> true).mapValues(v -> v).suppress(anyKey(Suppressed.untilWindowCloses(BufferConfig.unbounded())))),
            Arguments.of("versioned table", (Consumer<Dsl>) d -> d.table("t", STRINGS, Materialized.<String, String>as(
                d.stores().<VersionedBytesStoreSupplier>call("persistentVersionedKeyValueStore", "v", Duration.ofMillis(10))))
                .suppress(Suppressed.untilTimeLimit(Duration.ofMillis(1), BufferConfig.unbounded()))));
    }

    /** Kafka checks the key type at run time only: an until-window-closes on a plain table fails when it is added. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <K> Suppressed<K> anyKey(final Suppressed<?> suppressed) {
        return (Suppressed) suppressed;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakesFailAsInKafka(final String description, final Consumer<Dsl> topology) {
        Differential.dsl(topology).pipe("t", "a", "1", 1L).runExpectingFailure();
    }
}
