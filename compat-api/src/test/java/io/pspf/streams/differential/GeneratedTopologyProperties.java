package io.pspf.streams.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiFunction;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random stateless topologies — chains and trees of filter, filterNot, mapValues, selectKey, map, flatMap,
 * flatMapValues, peek, split with 1 to 3 branches, merge, repartition and to, over deterministic String functions —
 * fed random input (null keys and values, out-of-order timestamps): the {@link Differential} harness must find no
 * difference between Kafka Streams and PSPF. On failure jqwik prints the topology (as DSL calls) and the input, and
 * the seed to replay them.
 */
class GeneratedTopologyProperties {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());

    // ================================================================================================ function catalogs

    private record Fn<F>(String text, F fn) {
    }

    static final List<Fn<Predicate<String, String>>> PREDICATES = List.of(
        new Fn<>("(k, v) -> v != null && v.hashCode() % 2 == 0", (k, v) -> v != null && (v.hashCode() & 1) == 0),
        new Fn<>("(k, v) -> k == null", (k, v) -> k == null),
        new Fn<>("(k, v) -> v != null && v.length() > 3", (k, v) -> v != null && v.length() > 3),
        new Fn<>("(k, v) -> k != null && k.compareTo(\"m\") < 0", (k, v) -> k != null && k.compareTo("m") < 0),
        new Fn<>("(k, v) -> true", (k, v) -> true),
        new Fn<>("(k, v) -> Objects.hash(k, v) % 3 == 0", (k, v) -> Objects.hash(k, v) % 3 == 0));

    static final List<Fn<ValueMapper<String, String>>> VALUE_MAPPERS = List.of(
        new Fn<>("v -> v == null ? null : v + \"_a\"", v -> v == null ? null : v + "_a"),
        new Fn<>("v -> v + \"!\"", v -> v + "!"),
        new Fn<>("v -> v == null ? \"\" : null", v -> v == null ? "" : null),
        new Fn<>("v -> v == null ? null : reverse(v)", v -> v == null ? null : new StringBuilder(v).reverse().toString()));

    static final List<Fn<ValueMapperWithKey<String, String, String>>> VALUE_MAPPERS_WITH_KEY = List.of(
        new Fn<>("(k, v) -> k + \":\" + v", (k, v) -> k + ":" + v),
        new Fn<>("(k, v) -> v == null ? k : v", (k, v) -> v == null ? k : v));

    static final List<Fn<BiFunction<String, String, String>>> KEY_SELECTORS = List.of(
        new Fn<>("(k, v) -> v == null ? null : v.substring(0, min(2, v.length()))",
            (k, v) -> v == null ? null : v.substring(0, Math.min(2, v.length()))),
        new Fn<>("(k, v) -> k == null ? \"nk\" : k + \"x\"", (k, v) -> k == null ? "nk" : k + "x"),
        new Fn<>("(k, v) -> null", (k, v) -> null),
        new Fn<>("(k, v) -> v", (k, v) -> v));

    static final List<Fn<BiFunction<String, String, KeyValue<String, String>>>> PAIR_MAPPERS = List.of(
        new Fn<>("(k, v) -> pair(v, k)", (k, v) -> KeyValue.pair(v, k)),
        new Fn<>("(k, v) -> pair(k + \"m\", v + \"m\")", (k, v) -> KeyValue.pair(k + "m", v + "m")),
        new Fn<>("(k, v) -> pair(null, v)", (k, v) -> KeyValue.pair(null, v)));

    // ================================================================================================ the model

    /** A stream's operators, then what happens to the result. */
    record Pipeline(List<Op> ops, End end) {
    }

    sealed interface Op permits Filter, MapValues, SelectKey, MapPair, FlatMap, FlatMapValues, Peek, Repartition, Merge {
    }

    record Filter(int predicate, boolean not, boolean named) implements Op {
    }

    record MapValues(int mapper, boolean withKey, boolean named) implements Op {
    }

    record SelectKey(int mapper, boolean named) implements Op {
    }

    record MapPair(int mapper, boolean named) implements Op {
    }

    record FlatMap(int copies, boolean named) implements Op {
    }

    record FlatMapValues(int copies, boolean withKey, boolean named) implements Op {
    }

    record Peek(boolean named, boolean foreach) implements Op {
    }

    /** variant 0: repartition(); 1: Repartitioned.as; 2: with serdes and name; 3: numberOfPartitions(2). */
    record Repartition(int variant) implements Op {
    }

    /** Merges the stream with the stream after {@code other} ops, applied to itself or to the second source. */
    record Merge(List<Op> other, boolean secondSource, boolean named) implements Op {
    }

    sealed interface End permits To, Split, Fork {
    }

    record To(boolean dynamic) implements End {
    }

    record Branch(int predicate, boolean consumer, Pipeline pipeline) {
    }

    /** defaultStyle 0: noDefaultBranch(); 1: defaultBranch(withConsumer); 2: defaultBranch(as) and use the map. */
    record Split(boolean named, List<Branch> branches, int defaultStyle, Pipeline defaultPipeline) implements End {
    }

    /** The stream used by several pipelines. */
    record Fork(List<Pipeline> pipelines) implements End {
    }

    /** A whole topology: what is done to the stream of "in". */
    record Spec(Pipeline main) {
        boolean usesSecondSource() {
            return uses(main);
        }

        private static boolean uses(final Pipeline p) {
            for (final Op op : p.ops()) {
                if (op instanceof Merge m && m.secondSource()) {
                    return true;
                }
            }
            if (p.end() instanceof Split s) {
                return s.branches().stream().anyMatch(b -> uses(b.pipeline())) || uses(s.defaultPipeline());
            }
            if (p.end() instanceof Fork f) {
                return f.pipelines().stream().anyMatch(Spec::uses);
            }
            return false;
        }

        /** Builds the topology on {@code dsl}. */
        void build(final Dsl dsl) {
            new Walk(dsl).pipeline(main, dsl.stream("in", STRINGS), 0);
        }

        @Override
        public String toString() {
            final Walk walk = new Walk(null);
            walk.out.append("builder.stream(\"in\", Consumed.with(String, String))");
            walk.pipeline(main, null, 0);
            return walk.out.toString();
        }
    }

    /**
     * Walks a spec, building it when given a {@link Dsl} and always writing it out as DSL calls; names and topics
     * are numbered in walk order, so the text and the topology always agree.
     */
    static final class Walk {
        private final Dsl dsl;
        private final StringBuilder out = new StringBuilder();
        private KStream<String, String> second;
        private int next;

        Walk(final Dsl dsl) {
            this.dsl = dsl;
        }

        private void line(final int indent, final String text) {
            out.append('\n').append("    ".repeat(indent + 1)).append(text);
        }

        private KStream<String, String> second() {
            if (second == null && dsl != null) {
                second = dsl.stream("in2", STRINGS);
            }
            return second;
        }

        void pipeline(final Pipeline p, final KStream<String, String> stream, final int indent) {
            KStream<String, String> s = stream;
            for (final Op op : p.ops()) {
                s = op(op, s, indent);
            }
            end(p.end(), s, indent);
        }

        private static String named(final boolean named, final String name) {
            return named ? ", Named.as(\"" + name + "\")" : "";
        }

        private KStream<String, String> op(final Op op, final KStream<String, String> s, final int indent) {
            final int id = next++;
            final String name = "op" + id;
            if (op instanceof Filter f) {
                final Fn<Predicate<String, String>> p = PREDICATES.get(f.predicate());
                line(indent, (f.not() ? ".filterNot(" : ".filter(") + p.text() + named(f.named(), name) + ")");
                if (s == null) {
                    return null;
                }
                if (f.not()) {
                    return f.named() ? s.filterNot(p.fn(), Named.as(name)) : s.filterNot(p.fn());
                }
                return f.named() ? s.filter(p.fn(), Named.as(name)) : s.filter(p.fn());
            }
            if (op instanceof MapValues m) {
                if (m.withKey()) {
                    final Fn<ValueMapperWithKey<String, String, String>> fn =
                        VALUE_MAPPERS_WITH_KEY.get(m.mapper() % VALUE_MAPPERS_WITH_KEY.size());
                    line(indent, ".mapValues(" + fn.text() + named(m.named(), name) + ")");
                    return s == null ? null : m.named() ? s.mapValues(fn.fn(), Named.as(name)) : s.mapValues(fn.fn());
                }
                final Fn<ValueMapper<String, String>> fn = VALUE_MAPPERS.get(m.mapper());
                line(indent, ".mapValues(" + fn.text() + named(m.named(), name) + ")");
                return s == null ? null : m.named() ? s.mapValues(fn.fn(), Named.as(name)) : s.mapValues(fn.fn());
            }
            if (op instanceof SelectKey k) {
                final Fn<BiFunction<String, String, String>> fn = KEY_SELECTORS.get(k.mapper());
                line(indent, ".selectKey(" + fn.text() + named(k.named(), name) + ")");
                if (s == null) {
                    return null;
                }
                return k.named() ? s.selectKey((kk, v) -> fn.fn().apply(kk, v), Named.as(name))
                    : s.selectKey((kk, v) -> fn.fn().apply(kk, v));
            }
            if (op instanceof MapPair m) {
                final Fn<BiFunction<String, String, KeyValue<String, String>>> fn = PAIR_MAPPERS.get(m.mapper());
                line(indent, ".map(" + fn.text() + named(m.named(), name) + ")");
                if (s == null) {
                    return null;
                }
                return m.named() ? s.map((k, v) -> fn.fn().apply(k, v), Named.as(name))
                    : s.map((k, v) -> fn.fn().apply(k, v));
            }
            if (op instanceof FlatMap f) {
                final int n = f.copies();
                line(indent, ".flatMap((k, v) -> " + n + " x pair(k == null ? null : k + i, v)" + named(f.named(), name) + ")");
                if (s == null) {
                    return null;
                }
                final org.apache.kafka.streams.kstream.KeyValueMapper<String, String, Iterable<KeyValue<String, String>>> mapper =
                    (k, v) -> {
                        final List<KeyValue<String, String>> pairs = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            pairs.add(KeyValue.pair(k == null ? null : k + i, v));
                        }
                        return pairs;
                    };
                return f.named() ? s.flatMap(mapper, Named.as(name)) : s.flatMap(mapper);
            }
            if (op instanceof FlatMapValues f) {
                final int n = f.copies();
                if (f.withKey()) {
                    line(indent, ".flatMapValues((k, v) -> " + n + " x (k + \"/\" + v + i)" + named(f.named(), name) + ")");
                    if (s == null) {
                        return null;
                    }
                    final ValueMapperWithKey<String, String, Iterable<String>> mapper = (k, v) -> {
                        final List<String> values = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            values.add(k + "/" + v + i);
                        }
                        return values;
                    };
                    return f.named() ? s.flatMapValues(mapper, Named.as(name)) : s.flatMapValues(mapper);
                }
                line(indent, ".flatMapValues(v -> " + n + " x (v + i)" + named(f.named(), name) + ")");
                if (s == null) {
                    return null;
                }
                final ValueMapper<String, Iterable<String>> mapper = v -> {
                    final List<String> values = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        values.add(v + i);
                    }
                    return values;
                };
                return f.named() ? s.flatMapValues(mapper, Named.as(name)) : s.flatMapValues(mapper);
            }
            if (op instanceof Peek p) {
                if (p.foreach()) {
                    line(indent, ".foreach((k, v) -> log(\"" + name + " \" + k + \"=\" + v)" + named(p.named(), name)
                        + ")   [and the stream goes on]");
                } else {
                    line(indent, ".peek((k, v) -> log(\"" + name + " \" + k + \"=\" + v)" + named(p.named(), name) + ")");
                }
                if (s == null) {
                    return null;
                }
                if (p.foreach()) {
                    if (p.named()) {
                        s.foreach((k, v) -> dsl.log(name + " " + k + "=" + v), Named.as(name));
                    } else {
                        s.foreach((k, v) -> dsl.log(name + " " + k + "=" + v));
                    }
                    return s;
                }
                return p.named() ? s.peek((k, v) -> dsl.log(name + " " + k + "=" + v), Named.as(name))
                    : s.peek((k, v) -> dsl.log(name + " " + k + "=" + v));
            }
            if (op instanceof Repartition r) {
                switch (r.variant()) {
                    case 0 -> line(indent, ".repartition()");
                    case 1 -> line(indent, ".repartition(Repartitioned.as(\"" + name + "\"))");
                    case 2 -> line(indent, ".repartition(Repartitioned.with(String, String).withName(\"" + name + "\"))");
                    default -> line(indent, ".repartition(Repartitioned.numberOfPartitions(2))");
                }
                if (s == null) {
                    return null;
                }
                return switch (r.variant()) {
                    case 0 -> s.repartition();
                    case 1 -> s.repartition(Repartitioned.as(name));
                    case 2 -> s.repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName(name));
                    default -> s.repartition(Repartitioned.numberOfPartitions(2));
                };
            }
            if (op instanceof Merge m) {
                line(indent, ".merge(" + (m.secondSource() ? "builder.stream(\"in2\")" : "<this stream>"));
                KStream<String, String> other = s == null ? null : m.secondSource() ? second() : s;
                for (final Op o : m.other()) {
                    other = op(o, other, indent + 1);
                }
                line(indent, named(m.named(), name).replaceFirst("^, ", "  ") + ")");
                if (s == null) {
                    return null;
                }
                return m.named() ? s.merge(other, Named.as(name)) : s.merge(other);
            }
            throw new IllegalStateException("unknown op " + op);
        }

        private void end(final End end, final KStream<String, String> s, final int indent) {
            final int id = next++;
            if (end instanceof To t) {
                if (t.dynamic()) {
                    line(indent, ".to((k, v, ctx) -> \"dyn-\" + (k == null ? \"nokey\" : \"k\" + k.length() % 2))");
                    if (s != null) {
                        s.to((k, v, ctx) -> "dyn-" + (k == null ? "nokey" : "k" + k.length() % 2));
                    }
                } else {
                    line(indent, ".to(\"out-" + id + "\")");
                    if (s != null) {
                        s.to("out-" + id);
                    }
                }
                return;
            }
            if (end instanceof Fork f) {
                line(indent, "[used by " + f.pipelines().size() + " pipelines:]");
                for (int i = 0; i < f.pipelines().size(); i++) {
                    line(indent, "[" + (i + 1) + "] <the stream>");
                    pipeline(f.pipelines().get(i), s, indent + 1);
                }
                return;
            }
            final Split split = (Split) end;
            final String prefix = "s" + id + "-";
            line(indent, split.named() ? ".split(Named.as(\"" + prefix + "\"))" : ".split()");
            BranchedKStream<String, String> branched = s == null ? null : split.named() ? s.split(Named.as(prefix)) : s.split();
            final List<Runnable> later = new ArrayList<>();
            final Map<String, KStream<String, String>>[] result = new Map[1];
            for (final Branch b : split.branches()) {
                final Fn<Predicate<String, String>> p = PREDICATES.get(b.predicate());
                final int branchId = next++;
                final String bname = "b" + branchId + "x";
                if (b.consumer()) {
                    line(indent, ".branch(" + p.text() + ", Branched.withConsumer(s -> s");
                    if (branched != null) {
                        branched = branched.branch(p.fn(), Branched.withConsumer(bs -> pipeline(b.pipeline(), bs, indent + 1), bname));
                    } else {
                        pipeline(b.pipeline(), null, indent + 1);
                    }
                    line(indent, ", \"" + bname + "\"))");
                } else {
                    line(indent, ".branch(" + p.text() + ", Branched.as(\"" + bname + "\"))   [map entry used below]");
                    if (branched != null) {
                        branched = branched.branch(p.fn(), Branched.as(bname));
                    }
                    later.add(() -> {
                        line(indent, "[branch " + bname + ":]");
                        pipeline(b.pipeline(), s == null ? null : byName(result[0], bname), indent + 1);
                    });
                }
            }
            final String dname = "d" + id + "x";
            switch (split.defaultStyle()) {
                case 0 -> {
                    line(indent, ".noDefaultBranch()");
                    result[0] = branched == null ? null : branched.noDefaultBranch();
                }
                case 1 -> {
                    line(indent, ".defaultBranch(Branched.withConsumer(s -> s");
                    if (branched != null) {
                        result[0] = branched.defaultBranch(Branched.withConsumer(
                            ds -> pipeline(split.defaultPipeline(), ds, indent + 1)));
                    } else {
                        pipeline(split.defaultPipeline(), null, indent + 1);
                    }
                    line(indent, "))");
                }
                default -> {
                    line(indent, ".defaultBranch(Branched.as(\"" + dname + "\"))   [map entry used below]");
                    result[0] = branched == null ? null : branched.defaultBranch(Branched.as(dname));
                    later.add(() -> {
                        line(indent, "[branch " + dname + ":]");
                        pipeline(split.defaultPipeline(), s == null ? null : byName(result[0], dname), indent + 1);
                    });
                }
            }
            if (dsl != null) {
                dsl.log("split " + prefix + " branches " + new TreeMap<>(result[0]).keySet());
            }
            later.forEach(Runnable::run);
        }

        private static KStream<String, String> byName(final Map<String, KStream<String, String>> branches,
                                                      final String suffix) {
            for (final Map.Entry<String, KStream<String, String>> e : branches.entrySet()) {
                if (e.getKey().endsWith(suffix)) {
                    return e.getValue();
                }
            }
            throw new IllegalStateException("no branch named *" + suffix + " in " + branches.keySet());
        }
    }

    // ================================================================================================ generators

    static Arbitrary<Op> simpleOp() {
        final Arbitrary<Boolean> b = Arbitraries.of(true, false);
        return Arbitraries.frequencyOf(
            Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, PREDICATES.size() - 1), b, b).as(Filter::new)),
            Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, VALUE_MAPPERS.size() - 1), b, b).as(MapValues::new)),
            Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, KEY_SELECTORS.size() - 1), b).as(SelectKey::new)),
            Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, PAIR_MAPPERS.size() - 1), b).as(MapPair::new)),
            Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 2), b).as(FlatMap::new)),
            Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 2), b, b).as(FlatMapValues::new)),
            Tuple.of(1, Combinators.combine(b, b).as(Peek::new)),
            // -Ddifferential.skipRepartition=true leaves repartition out, to explore past a known repartition difference
            Tuple.of(Boolean.getBoolean("differential.skipRepartition") ? 0 : 1,
                Arbitraries.integers().between(0, 3).map(Repartition::new)));
    }

    static Arbitrary<Op> op() {
        final Arbitrary<Boolean> b = Arbitraries.of(true, false);
        return Arbitraries.frequencyOf(
            Tuple.of(8, simpleOp()),
            Tuple.of(1, Combinators.combine(simpleOp().list().ofMinSize(1).ofMaxSize(2)
                // merging a stream with itself is a separate, hand-written case: keep the two parents distinct
                .filter(ops -> ops.stream().anyMatch(o -> !(o instanceof Peek p && p.foreach()))), b, b).as(Merge::new)));
    }

    static Arbitrary<Pipeline> pipeline(final int depth) {
        final Arbitrary<List<Op>> ops = op().list().ofMaxSize(depth == 2 ? 4 : 2);
        final Arbitrary<End> to = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(new To(false))),
            Tuple.of(1, Arbitraries.just(new To(true))));
        final Arbitrary<End> end;
        if (depth == 0) {
            end = to;
        } else {
            final Arbitrary<Pipeline> inner = Arbitraries.lazy(() -> pipeline(depth - 1));
            final Arbitrary<Branch> branch = Combinators.combine(
                Arbitraries.integers().between(0, PREDICATES.size() - 1), Arbitraries.of(true, false), inner)
                .as(Branch::new);
            final Arbitrary<End> split = Combinators.combine(Arbitraries.of(true, false),
                branch.list().ofMinSize(1).ofMaxSize(3), Arbitraries.integers().between(0, 2), inner).as(Split::new);
            final Arbitrary<End> fork = inner.list().ofMinSize(2).ofMaxSize(3).map(Fork::new);
            end = Arbitraries.frequencyOf(Tuple.of(3, to), Tuple.of(2, split), Tuple.of(1, fork));
        }
        return Combinators.combine(ops, end).as(Pipeline::new);
    }

    /** One input record. */
    record In(String topic, String key, String value, long timestamp) {
        @Override
        public String toString() {
            return topic + ":" + (key == null ? "null" : '"' + key + '"') + "=" + (value == null ? "null" : '"' + value + '"')
                + "@" + timestamp;
        }
    }

    static Arbitrary<In> input() {
        return Combinators.combine(
            Arbitraries.of("in", "in", "in", "in2"),
            Arbitraries.of("", "a", "b", "mango", "zebra", "k1").injectNull(0.2),
            Arbitraries.of("", "x", "apple", "banana", "1234", "avocado").injectNull(0.2),
            Arbitraries.longs().between(0, 60)).as(In::new);
    }

    @Provide
    Arbitrary<Spec> topologies() {
        return pipeline(2).map(Spec::new);
    }

    @Provide
    Arbitrary<List<In>> inputs() {
        return input().list().ofMaxSize(10);
    }

    @Property(tries = 300)
    void generatedStatelessTopologyBehavesLikeKafka(@ForAll("topologies") final Spec topology,
                                                    @ForAll("inputs") final List<In> input,
                                                    @ForAll final Differential.Config config) {
        final Differential.Scenario scenario = Differential.dsl(topology::build).configs(config);
        final boolean second = topology.usesSecondSource();
        for (final In in : input) {
            if (second || in.topic().equals("in")) {
                scenario.pipe(in.topic(), in.key(), in.value(), in.timestamp());
            }
        }
        scenario.run();
    }
}
