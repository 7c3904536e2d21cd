package io.pspf.streams.differential;

import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KGroupedTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.ValueJoinerWithKey;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every null argument of the table, grouping, aggregation and primary-key join operators, and bad or duplicate
 * store and processor names: Kafka's exception (type, message, cause chain, and whether it came from the call or
 * from {@code build()}) must be PSPF's.
 */
class StatefulNullArgumentTest {
    private static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    private static final Predicate<String, String> P = (k, v) -> true;
    private static final ValueMapper<String, String> VM = v -> v;
    private static final ValueMapperWithKey<String, String, String> VMK = (k, v) -> v;
    private static final KeyValueMapper<String, String, String> KM = (k, v) -> k;
    private static final KeyValueMapper<String, String, KeyValue<String, String>> PAIR = KeyValue::pair;
    private static final Reducer<String> R = (a, b) -> a;
    private static final Initializer<String> I = () -> "";
    private static final Aggregator<String, String, String> AG = (k, v, a) -> a;
    private static final ValueJoiner<String, String, String> J = (a, b) -> a;
    private static final ValueJoinerWithKey<String, String, String, String> JK = (k, a, b) -> a;
    private static final Materialized<String, String, KeyValueStore<Bytes, byte[]>> MAT = Materialized.as("m");
    private static final Materialized<String, Long, KeyValueStore<Bytes, byte[]>> LMAT = Materialized.as("c");

    private static Arguments call(final String description, final Consumer<Dsl> build) {
        return Arguments.of(description, build);
    }

    private static Arguments table(final String description, final Consumer<KTable<String, String>> operator) {
        return Arguments.of(description, (Consumer<Dsl>) dsl -> operator.accept(dsl.table("t", STRINGS)));
    }

    private static Arguments grouped(final String description, final Consumer<KGroupedStream<String, String>> operator) {
        return Arguments.of(description, (Consumer<Dsl>) dsl -> operator.accept(dsl.<String, String>stream("in", STRINGS).groupByKey()));
    }

    private static Arguments groupedTable(final String description, final Consumer<KGroupedTable<String, String>> operator) {
        return Arguments.of(description, (Consumer<Dsl>) dsl -> operator.accept(dsl.<String, String>table("t", STRINGS).groupBy(PAIR)));
    }

    private static Arguments stream(final String description, final Consumer<KStream<String, String>> operator) {
        return Arguments.of(description, (Consumer<Dsl>) dsl -> operator.accept(dsl.stream("in", STRINGS)));
    }

    static Stream<Arguments> nullArguments() {
        return Stream.of(
            call("table(null topic)", dsl -> dsl.table((String) null)),
            call("table(null topic, consumed)", dsl -> dsl.table(null, STRINGS)),
            call("table(topic, null consumed)", dsl -> dsl.table("t", (Consumed<String, String>) null)),
            call("table(topic, null materialized)", dsl -> dsl.table("t", (Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null)),
            call("table(topic, consumed, null materialized)", dsl -> dsl.table("t", STRINGS, null)),
            call("table(topic, null consumed, materialized)", dsl -> dsl.table("t", null, MAT)),
            stream("toTable(null named)", s -> s.toTable((Named) null)),
            stream("toTable(null materialized)", s -> s.toTable((Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null)),
            stream("toTable(named, null materialized)", s -> s.toTable(Named.as("x"), null)),
            stream("groupByKey(null grouped)", s -> s.groupByKey(null)),
            stream("groupBy(null selector)", s -> s.groupBy(null)),
            stream("groupBy(selector, null grouped)", s -> s.groupBy(KM, null)),
            stream("join(null table, joiner)", s -> s.join((KTable<String, String>) null, J)),
            stream("join(table, null joiner)", s -> s.join(s.toTable(), (ValueJoiner<String, String, String>) null)),
            stream("join(table, joiner, null joined)", s -> s.join(s.toTable(), J, (Joined<String, String, String>) null)),
            stream("leftJoin(null table, joiner)", s -> s.leftJoin((KTable<String, String>) null, JK)),
            stream("leftJoin(table, null joiner)", s -> s.leftJoin(s.toTable(), (ValueJoinerWithKey<String, String, String, String>) null)),
            grouped("count(null named)", g -> g.count((Named) null)),
            grouped("count(null materialized)", g -> g.count((Materialized<String, Long, KeyValueStore<Bytes, byte[]>>) null)),
            grouped("count(null named, materialized)", g -> g.count(null, LMAT)),
            grouped("reduce(null reducer)", g -> g.reduce(null)),
            grouped("reduce(reducer, null materialized)", g -> g.reduce(R, null)),
            grouped("reduce(reducer, null named, materialized)", g -> g.reduce(R, null, MAT)),
            grouped("aggregate(null initializer, aggregator)", g -> g.aggregate(null, AG)),
            grouped("aggregate(initializer, null aggregator)", g -> g.aggregate(I, null)),
            grouped("aggregate(initializer, aggregator, null materialized)", g -> g.aggregate(I, AG, null)),
            grouped("aggregate(initializer, aggregator, null named, materialized)", g -> g.aggregate(I, AG, null, MAT)),
            table("filter(null predicate)", t -> t.filter(null)),
            table("filter(predicate, null named)", t -> t.filter(P, (Named) null)),
            table("filter(predicate, null materialized)", t -> t.filter(P, (Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null)),
            table("filterNot(null predicate, named)", t -> t.filterNot(null, Named.as("x"))),
            table("mapValues(null mapper)", t -> t.mapValues((ValueMapper<String, String>) null)),
            table("mapValues(null mapper with key)", t -> t.mapValues((ValueMapperWithKey<String, String, String>) null)),
            table("mapValues(mapper, null named)", t -> t.mapValues(VM, (Named) null)),
            table("mapValues(mapper, null materialized)", t -> t.mapValues(VMK, (Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null)),
            table("toStream(null named)", t -> t.toStream((Named) null)),
            table("toStream(null mapper)", t -> t.toStream((KeyValueMapper<String, String, String>) null)),
            table("groupBy(null selector)", t -> t.groupBy(null)),
            table("groupBy(selector, null grouped)", t -> t.groupBy(PAIR, null)),
            table("join(null other, joiner)", t -> t.join((KTable<String, String>) null, J)),
            table("join(other, null joiner)", t -> t.join(t, (ValueJoiner<String, String, String>) null)),
            table("leftJoin(other, joiner, null named)", t -> t.leftJoin(t, J, (Named) null)),
            table("outerJoin(other, joiner, null materialized)", t -> t.outerJoin(t, J, (Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null)),
            groupedTable("count(null named)", g -> g.count((Named) null)),
            groupedTable("count(null materialized)", g -> g.count((Materialized<String, Long, KeyValueStore<Bytes, byte[]>>) null)),
            groupedTable("reduce(null adder, subtractor)", g -> g.reduce(null, R)),
            groupedTable("reduce(adder, null subtractor)", g -> g.reduce(R, null)),
            groupedTable("reduce(adder, subtractor, null materialized)", g -> g.reduce(R, R, null)),
            groupedTable("aggregate(null initializer, adder, subtractor)", g -> g.aggregate(null, AG, AG)),
            groupedTable("aggregate(initializer, null adder, subtractor)", g -> g.aggregate(I, null, AG)),
            groupedTable("aggregate(initializer, adder, null subtractor)", g -> g.aggregate(I, AG, null)),
            groupedTable("aggregate(initializer, adder, subtractor, null named)", g -> g.aggregate(I, AG, AG, (Named) null))
        );
    }

    static Stream<Arguments> badNames() {
        return Stream.of(
            call("two tables with one store name", dsl -> {
                dsl.table("t", STRINGS, Materialized.as("s")).toStream().to("out");
                dsl.table("t2", STRINGS, Materialized.as("s")).toStream().to("out");
            }),
            call("store name with a space", dsl -> dsl.table("t", STRINGS, Materialized.as("a b")).toStream().to("out")),
            call("an aggregation and a table with one store name", dsl -> {
                dsl.<String, String>stream("in", STRINGS).groupByKey().count(Materialized.as("s")).toStream().to("out");
                dsl.table("t", STRINGS, Materialized.as("s")).toStream().to("out");
            }),
            call("a table and a stream on one topic", dsl -> {
                dsl.table("in", STRINGS).toStream().to("out");
                dsl.stream("in", STRINGS).to("out2");
            }),
            call("two tables on one topic", dsl -> {
                dsl.table("in", STRINGS).toStream().to("out");
                dsl.table("in", STRINGS).toStream().to("out2");
            }),
            call("Grouped name with a space", dsl -> dsl.<String, String>stream("in", STRINGS).groupBy(KM, Grouped.as("a b")).count()
                .toStream().to("out")),
            call("join of a table with itself", dsl -> {
                final KTable<String, String> t = dsl.table("in", STRINGS);
                t.join(t, J).toStream().to("out");
            })
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void shouldThrowKafkasExceptionForNullArgument(final String call, final Consumer<Dsl> build) {
        Differential.dsl(build).pipe("in", "k", "v", 1L).runExpectingFailure();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNames")
    void shouldRejectOrAcceptNamesExactlyLikeKafka(final String call, final Consumer<Dsl> build) {
        Differential.dsl(build).pipe("in", "k", "v", 1L).run();
    }
}
