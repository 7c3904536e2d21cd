package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.junit.jupiter.api.Test;

/**
 * {@code topology.optimization} = {@code all} and {@code merge.repartition.topics} given to
 * {@code StreamsBuilder.build(Properties)}: the optimizable repartitions below one key changer become one topic.
 * Each topology runs unoptimized and with both settings; describe(), outputs and changelogs must match Kafka's, and
 * Kafka's own describe() is checked for the merged (or kept) topic names.
 */
class OptimizationTest {
    private static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    private static final Produced<String, Long> LONGS = Produced.with(Serdes.String(), Serdes.Long());
    private static final Produced<String, String> TEXT = Produced.with(Serdes.String(), Serdes.String());

    private static Differential.Scenario input(final Differential.Scenario s) {
        return s.pipe("in", "a", "x", 1L)
            .pipe("in", "b", "y", 2L)
            .pipe("in", "c", "x", 3L)
            .pipe("in", "d", null, 4L)
            .pipe("in", "e", "z", 5L)
            .pipe("in", "f", "y", 6L);
    }

    private static Properties optimization(final String value) {
        final Properties props = new Properties();
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, value);
        return props;
    }

    /**
     * Runs {@code topology} with the given input unoptimized, with {@code all} and with
     * {@code merge.repartition.topics}; returns Kafka's describe() text for the two optimized builds.
     */
    private static List<String> runAll(final Consumer<Dsl> topology,
                                       final java.util.function.UnaryOperator<Differential.Scenario> inputs,
                                       final String output) {
        final Differential.Observation none = inputs.apply(Differential.dsl(topology)).run();
        assertFalse(none.records(output).isEmpty(), "Kafka produced nothing on " + output);
        final String[] texts = new String[2];
        int i = 0;
        for (final String value : new String[] {StreamsConfig.OPTIMIZE, StreamsConfig.MERGE_REPARTITION_TOPICS}) {
            final Differential.Observation o = inputs.apply(Differential.dsl(d -> {
                d.buildProperties(optimization(value));
                topology.accept(d);
            })).run();
            assertFalse(o.records(output).isEmpty(), "Kafka produced nothing on " + output + " with " + value);
            texts[i++] = o.text();
        }
        return List.of(texts);
    }

    private static List<String> runAll(final Consumer<Dsl> topology, final String output) {
        return runAll(topology, OptimizationTest::input, output);
    }

    private static void assertAll(final List<String> texts, final boolean contains, final String... fragments) {
        for (final String text : texts) {
            for (final String fragment : fragments) {
                assertTrue(text.contains(fragment) == contains, (contains ? "missing " : "unexpected ") + fragment + "\n" + text);
            }
        }
    }

    private static KStream<String, String> rekeyed(final Dsl d) {
        return d.<String, String>stream("in", STRINGS).selectKey((k, v) -> v);
    }

    // ------------------------------------------------------------------------------------------------ aggregations

    @Test
    void twoAggregationsAfterOneSelectKey() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.groupByKey().count().toStream().to("out1", LONGS);
            s.groupByKey().reduce((a, b) -> a + b).toStream().to("out2", TEXT);
        }, "out2");
        assertAll(texts, true, "Source: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-source",
            "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-filter");
        assertAll(texts, false, "KSTREAM-REDUCE-STATE-STORE-0000000009-repartition");
    }

    @Test
    void singleAggregationIsRenamed() {
        final List<String> texts = runAll(d -> rekeyed(d).groupByKey().count().toStream().to("out1", LONGS), "out1");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-sink");
    }

    @Test
    void groupByWithCountAndReduce() {
        final List<String> texts = runAll(d -> {
            final KGroupedStream<String, String> g = d.<String, String>stream("in", STRINGS)
                .groupBy((k, v) -> v, Grouped.with(Serdes.String(), Serdes.String()));
            g.count().toStream().to("out1", LONGS);
            g.reduce((a, b) -> a + b).toStream().to("out2", TEXT);
        }, "out1");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-source");
    }

    @Test
    void userNamedGroupedFirst() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.groupByKey(Grouped.as("g1")).count().toStream().to("out1", LONGS);
            s.groupByKey().count().toStream().to("out2", LONGS);
        }, "out2");
        assertAll(texts, true, "Source: g1-repartition-source");
        assertAll(texts, false, "KSTREAM-AGGREGATE-STATE-STORE-0000000009-repartition");
    }

    @Test
    void userNamedGroupedSecond() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.groupByKey().count().toStream().to("out1", LONGS);
            s.groupByKey(Grouped.as("g2")).count(Materialized.as("c2")).toStream().to("out2", LONGS);
        }, scenario -> input(scenario).store("c2"), "out2");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-source");
        assertAll(texts, false, "g2-repartition");
    }

    @Test
    void userNamedGroupedBothAndSharedByTwoAggregations() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            final KGroupedStream<String, String> g1 = s.groupByKey(Grouped.as("g1"));
            g1.count().toStream().to("out1", LONGS);
            g1.reduce((a, b) -> a + b).toStream().to("out3", TEXT);
            s.groupByKey(Grouped.as("g2")).count().toStream().to("out2", LONGS);
        }, "out3");
        assertAll(texts, true, "g1-repartition");
        assertAll(texts, false, "g2-repartition");
    }

    @Test
    void serdesAreTheFirstNonNullOnes() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = d.<String, String>stream("in", STRINGS).selectKey((k, v) -> v);
            s.groupByKey().count().toStream().to("out1", LONGS);
            s.groupByKey(Grouped.with(Serdes.String(), Serdes.String())).count().toStream().to("out2", LONGS);
        }, scenario -> input(scenario)
            .config(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class)
            .config(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class), "out2");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-source");
    }

    @Test
    void windowedAggregationAndCount() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(3))).count().toStream()
                .map((Windowed<String> k, Long v) -> KeyValue.pair(k.key() + "@" + k.window().start(), v)).to("out1", LONGS);
            s.groupByKey().count().toStream().to("out2", LONGS);
        }, "out1");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-source");
    }

    @Test
    void cogroupFirstAndCount() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.groupByKey().cogroup((String k, String v, String agg) -> agg + v)
                .aggregate(() -> "", Materialized.with(Serdes.String(), Serdes.String())).toStream().to("out1", TEXT);
            s.groupByKey().count().toStream().to("out2", LONGS);
        }, "out1");
        assertAll(texts, true, "Source: COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition-source");
    }

    @Test
    void toTableFirstAndCount() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.toTable().toStream().to("out1", TEXT);
            s.groupByKey().count().toStream().to("out2", LONGS);
        }, "out2");
        assertAll(texts, true, "Source: KSTREAM-TOTABLE-0000000002-repartition-source");
    }

    // ------------------------------------------------------------------------------------------------ joins

    @Test
    void aggregationAndStreamTableJoin() {
        final List<String> texts = runAll(d -> {
            final KTable<String, String> t = d.table("t", STRINGS);
            final KStream<String, String> s = d.<String, String>stream("in", STRINGS).selectKey((k, v) -> v);
            s.groupByKey().count().toStream().to("out1", LONGS);
            s.join(t, (v, tv) -> v + "|" + tv).to("out2", TEXT);
        }, scenario -> input(scenario.pipe("t", "x", "TX", 0L).pipe("t", "y", "TY", 0L)), "out2");
        assertAll(texts, true, "Source: KSTREAM-AGGREGATE-STATE-STORE-0000000005-repartition-source");
        assertAll(texts, false, "KSTREAM-KEY-SELECT-0000000004-repartition");
    }

    @Test
    void relaxedLeftJoinKeepsNullKeysInTheMergedTopic() {
        final List<String> texts = runAll(d -> {
            final KTable<String, String> t = d.table("t", STRINGS);
            final KStream<String, String> s = rekeyed(d);
            s.groupByKey().count().toStream().to("out1", LONGS);
            s.leftJoin(t, (v, tv) -> v + "|" + tv).to("out2", TEXT);
        }, scenario -> input(scenario.pipe("t", "x", "TX", 0L).pipe("t", "y", "TY", 0L)), "out2");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000005-repartition-source");
    }

    @Test
    void streamStreamJoinAndCount() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            final KStream<String, String> o = d.<String, String>stream("in2", STRINGS).selectKey((k, v) -> v);
            s.join(o, (a, b) -> a + "+" + b, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10)))
                .to("out1", TEXT);
            s.groupByKey().count().toStream().to("out2", LONGS);
        }, scenario -> input(scenario).pipe("in2", "p", "x", 4L).pipe("in2", "q", "y", 5L).pipe("in2", "r", null, 6L),
            "out1");
        assertAll(texts, true, "Source: KSTREAM-KEY-SELECT-0000000001-repartition-source",
            "Source: KSTREAM-KEY-SELECT-0000000003-repartition-source");
    }

    /**
     * Two repartitions below one filter under the key changer: Kafka moves the filter below the new topic for the
     * first one and then cannot find it for the second, and build() throws. The message carries Kafka's graph node
     * (with serde hash codes), so only the type and its start are compared.
     */
    private static void assertBothFailToBuild(final Consumer<Dsl> topology) {
        for (final String value : new String[] {StreamsConfig.OPTIMIZE, StreamsConfig.MERGE_REPARTITION_TOPICS}) {
            final Differential.Scenario scenario = input(Differential.dsl(d -> {
                d.buildProperties(optimization(value));
                topology.accept(d);
            }));
            for (final String side : new String[] {Adapters.KAFKA, Adapters.PSPF}) {
                final Throwable failure = scenario.observe(side, Differential.Config.ALOS_NO_CACHE).buildFailure();
                assertTrue(failure instanceof org.apache.kafka.streams.errors.StreamsException
                    && failure.getMessage().startsWith("Found a null keyChangingChild node for "), side + ": " + failure);
            }
        }
        // unoptimized, it builds and runs the same on both
        assertFalse(input(Differential.dsl(topology)).run().records("out2").isEmpty());
    }

    @Test
    void joinAndCountBelowOneFilterFailToBuild() {
        assertBothFailToBuild(d -> {
            final KStream<String, String> s = rekeyed(d).filter((k, v) -> !"z".equals(v));
            final KStream<String, String> o = d.<String, String>stream("in2", STRINGS).selectKey((k, v) -> v);
            s.leftJoin(o, (a, b) -> a + "+" + b, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10)))
                .to("out1", TEXT);
            s.groupByKey().count().toStream().to("out2", LONGS);
        });
    }

    @Test
    void twoAggregationsBelowOneFilterFailToBuild() {
        assertBothFailToBuild(d -> {
            final KStream<String, String> s = rekeyed(d).filter((k, v) -> !"z".equals(v));
            s.groupByKey().count().toStream().to("out1", LONGS);
            s.groupByKey().count().toStream().to("out2", LONGS);
        });
    }

    // ------------------------------------------------------------------------------------------------ in between

    @Test
    void filterAndPeekBetweenKeyChangerAndRepartitions() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            final KStream<String, String> filtered = s.filter((k, v) -> !"z".equals(v));
            filtered.groupByKey().count().toStream().to("out1", LONGS);
            filtered.to("side", TEXT);
            s.peek((k, v) -> { }).groupByKey().reduce((a, b) -> a + b).toStream().to("out2", TEXT);
            s.to("direct", TEXT);
        }, "side");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition-source");
    }

    @Test
    void mapValuesBranchIsNotMerged() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.mapValues(v -> v + "!").groupByKey().count().toStream().to("out1", LONGS);
            s.groupByKey().count().toStream().to("out2", LONGS);
        }, "out1");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000010-repartition-source",
            "KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition");
    }

    @Test
    void repartitionIsNotMerged() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s = rekeyed(d);
            s.repartition().to("out1", TEXT);
            s.groupByKey().count().toStream().to("out2", LONGS);
            s.groupByKey().count().toStream().to("out3", LONGS);
        }, "out1");
        assertAll(texts, true, "KSTREAM-REPARTITION-0000000002-repartition",
            "KSTREAM-AGGREGATE-STATE-STORE-0000000007-repartition-source");
        assertAll(texts, false, "0000000014-repartition");
    }

    @Test
    void mergeNodeBelowBothKeyChangers() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s1 = rekeyed(d);
            final KStream<String, String> s2 = d.<String, String>stream("in2", STRINGS).selectKey((k, v) -> v);
            s1.merge(s2).groupByKey().count().toStream().to("out1", LONGS);
        }, scenario -> input(scenario).pipe("in2", "p", "x", 4L).pipe("in2", "q", null, 5L), "out1");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000005-repartition-source");
    }

    @Test
    void mergeInputBypassesTheTopic() {
        final List<String> texts = runAll(d -> {
            final KStream<String, String> s1 = rekeyed(d);
            final KStream<String, String> s2 = d.<String, String>stream("in2", STRINGS).selectKey((k, v) -> v);
            s1.merge(s2).groupByKey().count().toStream().to("out1", LONGS);
            s1.groupByKey().count().toStream().to("out2", LONGS);
        }, scenario -> input(scenario).pipe("in2", "p", "x", 4L).pipe("in2", "q", "w", 5L), "out1");
        assertAll(texts, true, "KSTREAM-AGGREGATE-STATE-STORE-0000000005-repartition-source");
        assertAll(texts, false, "KSTREAM-AGGREGATE-STATE-STORE-0000000012-repartition");
    }
}
