package io.pspf.streams.differential;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Random topologies that mix stateless and stateful operators — a few stream operators, then one stateful stage
 * (a grouped-stream aggregation, {@code toTable}, a stream-table join, a table-table join or a table grouping),
 * then table operators and {@code toStream} — fed random input with null keys and values, tombstones and
 * out-of-order timestamps to the stream and to the tables' topics. The {@link Differential} harness must find no
 * difference between Kafka Streams and PSPF (outputs, changelogs, repartition topics, describe()). On failure
 * jqwik prints the shrunk topology (each record prints as the DSL call it stands for), the input and the seed.
 */
class GeneratedStatefulProperties {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());

    // ------------------------------------------------------------------------------------------------ model

    /** kind 0: filter(v has even length); 1: mapValues(v + "'"); 2: selectKey(first letter of v); 3: flatMapValues(2 copies). */
    record StreamOp(int kind) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> ".filter((k, v) -> v == null || v.length() % 2 == 0)";
                case 1 -> ".mapValues(v -> v + \"'\")";
                case 2 -> ".selectKey((k, v) -> v == null || v.isEmpty() ? null : v.substring(0, 1))";
                default -> ".flatMapValues(v -> [v, v + \"2\"])";
            };
        }
    }

    /** kind 0: filter(length odd); 1: filterNot(contains "a"); 2: mapValues(v + "~"). mat 0: none; 1: Materialized.as; 2: with serdes. */
    record TableOp(int kind, int mat, boolean named) {
        @Override
        public String toString() {
            final String fn = switch (kind) {
                case 0 -> "filter((k, v) -> v.length() % 2 == 1";
                case 1 -> "filterNot((k, v) -> v.contains(\"a\")";
                default -> "mapValues(v -> v + \"~\"";
            };
            return "." + fn + (named ? ", Named.as(...)" : "") + (mat == 1 ? ", Materialized.as(...)" : mat == 2 ? ", Materialized.with(String, String)" : "") + ")";
        }
    }

    sealed interface Stage permits Aggregate, ToTable, StreamTableJoin, TableTableJoin, TableGroupBy {
    }

    /** grouping 0: groupByKey(); 1: groupBy(v); 2: groupBy(v, Grouped.as); 3: groupByKey(Grouped.as). kind 0 count, 1 reduce, 2 aggregate. */
    record Aggregate(int grouping, int kind, int mat, boolean named) implements Stage {
    }

    record ToTable(int mat, boolean named) implements Stage {
    }

    /** The stream joins table("t") (materialized when {@code materialized}) after {@code tableOps}. */
    record StreamTableJoin(boolean left, boolean materialized, List<TableOp> tableOps) implements Stage {
    }

    /** table("t") joins table("t2") or the stream turned into a table. kind 0 inner, 1 left, 2 outer. */
    record TableTableJoin(int kind, int mat, boolean named, boolean otherFromStream) implements Stage {
    }

    /** table("t").groupBy(value's first letter -> key). kind 0 count, 1 reduce, 2 aggregate. */
    record TableGroupBy(int kind, int mat) implements Stage {
    }

    /**
     * {@code optimize}: built with {@code topology.optimization=all}; {@code sideCount}: when the last stream
     * operator is selectKey, a second {@code groupByKey().count()} on it writes to "side" (a second repartition to
     * merge).
     */
    record Spec(List<StreamOp> pre, Stage stage, List<TableOp> post, boolean toStreamMapper, boolean optimize,
                boolean sideCount) {
        Set<String> topics() {
            final Set<String> topics = new TreeSet<>();
            topics.add("in");
            if (stage instanceof StreamTableJoin || stage instanceof TableTableJoin || stage instanceof TableGroupBy) {
                topics.add("t");
            }
            if (stage instanceof TableTableJoin j && !j.otherFromStream()) {
                topics.add("t2");
            }
            return topics;
        }

        void build(final Dsl dsl) {
            if (optimize) {
                final java.util.Properties props = new java.util.Properties();
                props.put(org.apache.kafka.streams.StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG,
                    org.apache.kafka.streams.StreamsConfig.OPTIMIZE);
                dsl.buildProperties(props);
            }
            final int[] names = {0};
            KStream<String, String> s = dsl.stream("in", STRINGS);
            for (final StreamOp op : pre) {
                s = switch (op.kind()) {
                    case 0 -> s.filter((k, v) -> v == null || v.length() % 2 == 0);
                    case 1 -> s.mapValues(v -> v + "'");
                    case 2 -> s.selectKey((k, v) -> v == null || v.isEmpty() ? null : v.substring(0, 1));
                    default -> s.flatMapValues(v -> Arrays.asList(v, v + "2"));
                };
            }
            if (sideCount && !pre.isEmpty() && pre.get(pre.size() - 1).kind() == 2) {
                s.groupByKey().count().toStream().to("side", Produced.with(Serdes.String(), Serdes.Long()));
            }
            KTable<String, String> table = null;
            if (stage instanceof Aggregate a) {
                final KGroupedStream<String, String> grouped = switch (a.grouping()) {
                    case 0 -> s.groupByKey();
                    case 1 -> s.groupBy((k, v) -> v);
                    case 2 -> s.groupBy((k, v) -> v, Grouped.as("grp"));
                    default -> s.groupByKey(Grouped.<String, String>as("grpk").withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
                };
                final Named named = Named.as("agg");
                switch (a.kind()) {
                    case 0 -> {
                        final KTable<String, Long> counts = a.mat() == 1
                            ? (a.named() ? grouped.count(named, Materialized.as("cnt")) : grouped.count(Materialized.as("cnt")))
                            : a.mat() == 2 ? grouped.count(Materialized.with(Serdes.String(), Serdes.Long()))
                            : a.named() ? grouped.count(named) : grouped.count();
                        table = counts.mapValues(v -> String.valueOf(v), Materialized.with(Serdes.String(), Serdes.String()));
                    }
                    case 1 -> table = a.mat() == 0 ? grouped.reduce((x, y) -> x + "+" + y)
                        : a.named() ? grouped.reduce((x, y) -> x + "+" + y, Named.as("op"), materialized(a.mat(), "red"))
                        : grouped.reduce((x, y) -> x + "+" + y, materialized(a.mat(), "red"));
                    default -> table = a.mat() == 0 ? grouped.aggregate(() -> "", (k, v, agg) -> agg + "|" + v,
                            Materialized.with(Serdes.String(), Serdes.String()))
                        : a.named() ? grouped.aggregate(() -> "", (k, v, agg) -> agg + "|" + v, Named.as("op"), materialized(a.mat(), "agg"))
                        : grouped.aggregate(() -> "", (k, v, agg) -> agg + "|" + v, materialized(a.mat(), "agg"));
                }
            } else if (stage instanceof ToTable t) {
                table = t.mat() == 0 ? (t.named() ? s.toTable(Named.as("tt")) : s.toTable())
                    : t.named() ? s.toTable(Named.as("tt"), materialized(t.mat(), "tts")) : s.toTable(materialized(t.mat(), "tts"));
            } else if (stage instanceof StreamTableJoin j) {
                KTable<String, String> right = j.materialized() ? dsl.table("t", STRINGS, Materialized.as("tstore")) : dsl.table("t", STRINGS);
                right = tableOps(right, j.tableOps(), names);
                final KStream<String, String> joined = j.left()
                    ? s.leftJoin(right, (v, w) -> v + "&" + w) : s.join(right, (k, v, w) -> k + ":" + v + "&" + w);
                joined.to("out");
                return;
            } else if (stage instanceof TableTableJoin j) {
                final KTable<String, String> left = dsl.table("t", STRINGS);
                final KTable<String, String> right = j.otherFromStream() ? s.toTable() : dsl.table("t2", STRINGS);
                final Named named = Named.as("ttj");
                table = switch (j.kind()) {
                    case 0 -> j.mat() == 0 ? (j.named() ? left.join(right, (v, w) -> v + "&" + w, named) : left.join(right, (v, w) -> v + "&" + w))
                        : j.named() ? left.join(right, (v, w) -> v + "&" + w, Named.as("op"), materialized(j.mat(), "jn"))
                            : left.join(right, (v, w) -> v + "&" + w, materialized(j.mat(), "jn"));
                    case 1 -> j.mat() == 0 ? left.leftJoin(right, (v, w) -> v + "&" + w)
                        : j.named() ? left.leftJoin(right, (v, w) -> v + "&" + w, Named.as("op"), materialized(j.mat(), "jn"))
                            : left.leftJoin(right, (v, w) -> v + "&" + w, materialized(j.mat(), "jn"));
                    default -> j.mat() == 0 ? left.outerJoin(right, (v, w) -> v + "&" + w)
                        : j.named() ? left.outerJoin(right, (v, w) -> v + "&" + w, Named.as("op"), materialized(j.mat(), "jn"))
                            : left.outerJoin(right, (v, w) -> v + "&" + w, materialized(j.mat(), "jn"));
                };
            } else if (stage instanceof TableGroupBy g) {
                final var grouped = dsl.<String, String>table("t", STRINGS)
                    .groupBy((k, v) -> KeyValue.pair(v.isEmpty() ? "-" : v.substring(0, 1), k), Grouped.with(Serdes.String(), Serdes.String()));
                table = switch (g.kind()) {
                    case 0 -> grouped.count().mapValues(v -> String.valueOf(v));
                    case 1 -> g.mat() == 0 ? grouped.reduce((x, y) -> x + "+" + y, (x, y) -> x + "-" + y)
                        : grouped.reduce((x, y) -> x + "+" + y, (x, y) -> x + "-" + y, materialized(g.mat(), "tred"));
                    default -> grouped.aggregate(() -> "", (k, v, agg) -> agg + "+" + v, (k, v, agg) -> agg + "-" + v,
                        g.mat() == 0 ? Materialized.with(Serdes.String(), Serdes.String()) : materialized(g.mat(), "tagg"));
                };
            }
            table = tableOps(table, post, names);
            final KStream<String, String> out = toStreamMapper ? table.toStream((k, v) -> k + "#") : table.toStream();
            out.to("out");
        }

        private static Materialized<String, String, KeyValueStore<Bytes, byte[]>> materialized(final int mat, final String name) {
            return mat == 1 ? Materialized.as(name) : Materialized.with(Serdes.String(), Serdes.String());
        }

        private static KTable<String, String> tableOps(final KTable<String, String> table, final List<TableOp> ops, final int[] names) {
            KTable<String, String> t = table;
            for (final TableOp op : ops) {
                final int n = names[0]++;
                final Named named = Named.as("top" + n);
                final Materialized<String, String, KeyValueStore<Bytes, byte[]>> mat = op.mat() == 1
                    ? Materialized.as("ts" + n) : Materialized.with(Serdes.String(), Serdes.String());
                t = switch (op.kind()) {
                    case 0 -> op.mat() == 0 ? (op.named() ? t.filter((k, v) -> v.length() % 2 == 1, named) : t.filter((k, v) -> v.length() % 2 == 1))
                        : op.named() ? t.filter((k, v) -> v.length() % 2 == 1, named, mat) : t.filter((k, v) -> v.length() % 2 == 1, mat);
                    case 1 -> op.mat() == 0 ? t.filterNot((k, v) -> v.contains("a"))
                        : op.named() ? t.filterNot((k, v) -> v.contains("a"), named, mat) : t.filterNot((k, v) -> v.contains("a"), mat);
                    default -> op.mat() == 0 ? (op.named() ? t.mapValues(v -> v + "~", named) : t.mapValues(v -> v + "~"))
                        : op.named() ? t.mapValues(v -> v + "~", named, mat) : t.mapValues(v -> v + "~", mat);
                };
            }
            return t;
        }
    }

    // ------------------------------------------------------------------------------------------------ generators

    static Arbitrary<TableOp> tableOp() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2),
            Arbitraries.of(true, false)).as(TableOp::new);
    }

    static Arbitrary<Stage> stage() {
        final Arbitrary<Boolean> b = Arbitraries.of(true, false);
        final Arbitrary<Integer> three = Arbitraries.integers().between(0, 2);
        return Arbitraries.frequencyOf(
            Tuple.of(4, Combinators.combine(Arbitraries.integers().between(0, 3), three, three, b).as(Aggregate::new)),
            Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, 1), b).as(ToTable::new)),
            Tuple.of(2, Combinators.combine(b, b, tableOp().list().ofMaxSize(2)).as(StreamTableJoin::new)),
            Tuple.of(2, Combinators.combine(three, Arbitraries.integers().between(0, 1), b, b).as(TableTableJoin::new)),
            Tuple.of(2, Combinators.combine(three, Arbitraries.integers().between(0, 1)).as(TableGroupBy::new)));
    }

    @Provide
    Arbitrary<Spec> topologies() {
        return Combinators.combine(Arbitraries.integers().between(0, 3).map(StreamOp::new).list().ofMaxSize(2), stage(),
            tableOp().list().ofMaxSize(3), Arbitraries.of(false, false, false, true), Arbitraries.of(false, true),
            Arbitraries.of(false, true)).as(Spec::new);
    }

    /** One input record. */
    record In(String topic, String key, String value, long timestamp) {
        @Override
        public String toString() {
            return topic + ":" + (key == null ? "null" : '"' + key + '"') + "=" + (value == null ? "null" : '"' + value + '"')
                + "@" + timestamp;
        }
    }

    @Provide
    Arbitrary<List<In>> inputs() {
        return Combinators.combine(
            Arbitraries.of("in", "in", "t", "t2"),
            Arbitraries.of("a", "b", "c", "ab").injectNull(0.1),
            Arbitraries.of("", "x", "ab", "abc", "bcd", "ca").injectNull(0.2),
            Arbitraries.longs().between(0, 40)).as(In::new).list().ofMinSize(4).ofMaxSize(16);
    }

    @Property(tries = 500)
    void generatedStatefulTopologyBehavesLikeKafka(@ForAll("topologies") final Spec topology,
                                                   @ForAll("inputs") final List<In> input,
                                                   @ForAll final Differential.Config config) {
        final Differential.Scenario scenario = Differential.dsl(topology::build).configs(config);
        final Set<String> topics = topology.topics();
        final List<In> used = new ArrayList<>();
        for (final In in : input) {
            if (topics.contains(in.topic())) {
                used.add(in);
                scenario.pipe(in.topic(), in.key(), in.value(), in.timestamp());
            }
        }
        final Differential.Observation kafka = scenario.run();
        Statistics.label("stage").collect(topology.stage().getClass().getSimpleName());
        Statistics.label("Kafka's output").collect(kafka.failures().isEmpty()
            ? (kafka.records("out").isEmpty() ? "no records on out" : "records on out")
            : "Kafka threw " + Differential.exception(kafka.failures().get(0)).split("\n")[0]);
    }
}
