package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * Tables, key-value aggregations and primary-key joins, run through Kafka's and PSPF's test drivers by the
 * {@link Differential} harness (all four configurations: both guarantees, cache off and default). Inputs mix
 * out-of-order timestamps, tombstones, null keys and headers.
 */
class StatefulTableTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    static final Produced<String, Long> LONGS = Produced.with(Serdes.String(), Serdes.Long());

    static Differential.Scenario input(final Differential.Scenario s, final String topic) {
        return s.pipe(topic, "a", "1", 10L, header("h", "1"))
            .pipe(topic, "a", "2", 5L, header("h", "2"))
            .pipe(topic, "b", "1", 7L)
            .pipe(topic, "9", null, 30L)
            .pipe(topic, null, "n", 31L)
            .pipe(topic, "a", null, 40L, header("h", "6"))
            .pipe(topic, "b", "3", 41L)
            .pipe(topic, "a", "4", 42L);
    }

    static void ok(final Differential.Observation o) {
        assertTrue(!o.records("out").isEmpty(), "Kafka produced nothing on out");
    }

    // ------------------------------------------------------------------------------------------------ tables

    @Test
    void tableUnmaterialized() {
        ok(input(Differential.dsl(d -> d.<String, String>table("in", STRINGS).toStream().to("out")), "in").run());
    }

    @Test
    void tableMaterialized() {
        ok(input(Differential.dsl(d -> d.<String, String>table("in", STRINGS, Materialized.as("s")).toStream().to("out")), "in")
            .store("s").run());
    }

    @Test
    void tableWithDefaultSerdesAndNames() {
        ok(input(Differential.dsl(d -> d.<String, String>table("in", Consumed.as("cname")).toStream(Named.as("ts")).to("out")), "in")
            .config(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class)
            .config(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class).run());
    }

    @Test
    void tableOptimizedReusesSourceTopic() {
        final Properties props = new Properties();
        props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
        ok(input(Differential.dsl(d -> d.buildProperties(props)
            .<String, String>table("in", STRINGS, Materialized.as("s")).toStream().to("out")), "in").store("s").run());
    }

    @Test
    void toTable() {
        ok(input(Differential.dsl(d -> d.stream("in", STRINGS).toTable(Materialized.as("t")).toStream().to("out")), "in")
            .store("t").run());
    }

    @Test
    void toTableAfterKeyChange() {
        ok(input(Differential.dsl(d -> d.stream("in", STRINGS).selectKey((k, v) -> v).toTable(Named.as("tt"))
            .toStream().to("out")), "in").run());
    }

    @Test
    void flatMapValuesToTableCollapsesInCache() {
        ok(input(Differential.dsl(d -> d.<String, String>stream("in", STRINGS)
            .flatMapValues(v -> java.util.Arrays.asList(v + "1", v + "2")).toTable(Materialized.as("t")).toStream().to("out")), "in")
            .run());
    }

    @Test
    void tableFilterAndMapValues() {
        ok(input(Differential.dsl(d -> {
            final KTable<String, String> t = d.table("in", STRINGS);
            t.filter((k, v) -> !"2".equals(v)).toStream().to("out");
            t.filterNot((k, v) -> "1".equals(v), Materialized.as("fn")).toStream().to("out2");
            t.mapValues(v -> v + "!").toStream().to("out");
            t.mapValues((k, v) -> k + v, Materialized.as("mv")).toStream().to("out2");
        }), "in").store("fn", "mv").run());
    }

    @Test
    void filterOnMaterializedSourceSuppressesDoubleDeletes() {
        ok(input(Differential.dsl(d -> d.<String, String>table("in", STRINGS, Materialized.as("s"))
            .filter((k, v) -> !"2".equals(v)).toStream().to("out")), "in").run());
    }

    @Test
    void toStreamWithMapper() {
        ok(input(Differential.dsl(d -> d.<String, String>table("in", STRINGS).toStream((k, v) -> k + v).to("out")), "in").run());
    }

    // ------------------------------------------------------------------------------------------------ grouped streams

    @Test
    void groupByKeyCount() {
        ok(input(Differential.dsl(d -> d.stream("in", STRINGS).groupByKey().count().toStream().to("out", LONGS)), "in").run());
    }

    @Test
    void groupByCountWithRepartition() {
        ok(input(Differential.dsl(d -> d.<String, String>stream("in", STRINGS).groupBy((k, v) -> v).count(Materialized.as("c"))
            .toStream().to("out", LONGS)), "in").store("c").run());
    }

    @Test
    void namedGroupingSharesRepartitionTopic() {
        ok(input(Differential.dsl(d -> {
            final var grouped = d.<String, String>stream("in", STRINGS).groupBy((k, v) -> v, Grouped.as("g"));
            grouped.count().toStream().to("out", LONGS);
            grouped.reduce((a, b) -> a + "+" + b).toStream().to("out2");
        }), "in").run());
    }

    @Test
    void reduceAndAggregate() {
        ok(input(Differential.dsl(d -> {
            final KStream<String, String> s = d.stream("in", STRINGS);
            s.groupByKey().reduce((a, b) -> a + "+" + b, Materialized.as("r")).toStream().to("out");
            s.groupByKey().aggregate(() -> "I", (k, v, agg) -> agg + "|" + v,
                Materialized.with(Serdes.String(), Serdes.String())).toStream().to("out2");
        }), "in").store("r").run());
    }

    @Test
    void countThenFilterUsesOldValues() {
        ok(input(Differential.dsl(d -> d.stream("in", STRINGS).groupByKey().count()
            .filter((k, v) -> v < 2).toStream().to("out", LONGS)), "in").run());
    }

    @Test
    void selectKeyGroupByKeyReduce() {
        ok(input(Differential.dsl(d -> d.<String, String>stream("in", STRINGS).selectKey((k, v) -> v)
            .groupByKey(Grouped.with(Serdes.String(), Serdes.String())).reduce((a, b) -> a + b).toStream().to("out")), "in").run());
    }

    // ------------------------------------------------------------------------------------------------ grouped tables

    @Test
    void tableGroupByCountReduceAggregate() {
        ok(input(Differential.dsl(d -> {
            final KTable<String, String> t = d.table("in", STRINGS);
            t.groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(Serdes.String(), Serdes.String())).count()
                .toStream().to("out", LONGS);
            t.groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(Serdes.String(), Serdes.String()))
                .reduce((a, b) -> a + "+" + b, (a, b) -> a + "-" + b, Materialized.as("tr")).toStream().to("out2");
            t.groupBy((k, v) -> KeyValue.pair("all", v), Grouped.with(Serdes.String(), Serdes.String()))
                .aggregate(() -> "", (k, v, agg) -> agg + "+" + v, (k, v, agg) -> agg + "-" + v,
                    Materialized.with(Serdes.String(), Serdes.String())).toStream().to("out2");
        }), "in").store("tr").run());
    }

    // ------------------------------------------------------------------------------------------------ joins

    static Differential.Scenario twoSides(final Differential.Scenario s) {
        return s.pipe("l", "a", "L1", 10L, header("h", "l1"))
            .pipe("r", "a", "R1", 5L)
            .pipe("l", "a", "L2", 3L)
            .pipe("r", "a", "R2", 20L, header("h", "r2"))
            .pipe("r", "b", "Rb", 7L)
            .pipe("l", "a", null, 8L)
            .pipe("r", "a", null, 9L)
            .pipe("l", null, "Ln", 23L)
            .pipe("l", "b", "L3", 25L)
            .pipe("l", "c", "L4", 26L);
    }

    @Test
    void tableTableJoins() {
        ok(twoSides(Differential.dsl(d -> {
            final KTable<String, String> l = d.table("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS);
            l.join(r, (a, b) -> a + "&" + b).toStream().to("out");
            l.leftJoin(r, (a, b) -> a + "&" + b, Materialized.as("lj")).toStream().to("out2");
            l.outerJoin(r, (a, b) -> a + "&" + b, Named.as("oj")).toStream().to("out3");
        })).store("lj").run());
    }

    @Test
    void streamTableJoins() {
        ok(twoSides(Differential.dsl(d -> {
            final KStream<String, String> l = d.stream("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS);
            l.join(r, (a, b) -> a + "&" + b).to("out");
            l.leftJoin(r, (k, a, b) -> k + ":" + a + "&" + b, Joined.as("lj")).to("out2");
        })).run());
    }

    @Test
    void streamTableJoinAfterKeyChange() {
        ok(twoSides(Differential.dsl(d -> {
            final KStream<String, String> l = d.<String, String>stream("l", STRINGS).selectKey((k, v) -> k == null ? null : "a");
            final KTable<String, String> r = d.table("r", STRINGS);
            l.join(r, (a, b) -> a + "&" + b).to("out");
            l.leftJoin(r, (a, b) -> a + "&" + b).to("out2");
        })).run());
    }
}
