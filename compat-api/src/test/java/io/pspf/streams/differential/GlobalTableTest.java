package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.ValueJoinerWithKey;
import org.apache.kafka.streams.kstream.ValueJoinerWithStreamAndMappedKey;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Global tables ({@code StreamsBuilder.globalTable}, every overload) and KStream-GlobalKTable joins (every
 * overload) on Kafka's and PSPF's test drivers: global updates, deletes, null keys and out-of-order updates, stream
 * records whose mapped key is null or absent, headers, named nodes, and the global store's contents.
 */
class GlobalTableTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    static final KeyValueMapper<String, String, String> FIRST_CHAR = (k, v) -> v == null || v.isEmpty() || v.startsWith("-")
        ? null : v.substring(0, 1);
    static final ValueJoiner<String, String, String> J = (a, b) -> a + "&" + b;
    static final ValueJoinerWithKey<String, String, String, String> JK = (k, a, b) -> k + ":" + a + "&" + b;
    static final ValueJoinerWithStreamAndMappedKey<String, String, String, String, String> JM =
        (k, m, a, b) -> k + "/" + m + ":" + a + "&" + b;

    /** Global rows a, b (then a updated, b deleted, an out-of-order c); stream values map to keys by first char. */
    static Differential.Scenario input(final Differential.Scenario s) {
        return s.pipe("g", "a", "A1", 10L, header("g", "1"))
            .pipe("s", "k1", "a-one", 5L, header("s", "1"))
            .pipe("s", "k2", "b-two", 6L)
            .pipe("g", "b", "B1", 12L)
            .pipe("s", "k3", "b-three", 7L)
            .pipe("g", null, "N", 13L)
            .pipe("g", "a", "A2", 3L)
            .pipe("s", "k4", "a-four", 20L)
            .pipe("s", "k5", "-none", 21L)
            .pipe("s", null, "a-nullkey", 22L)
            .pipe("s", "k6", null, 23L)
            .pipe("g", "b", null, 30L)
            .pipe("s", "k7", "b-seven", 31L)
            .pipe("g", "c", "C1", 1L)
            .pipe("s", "k8", "c-eight", 32L, header("s", "8"));
    }

    static void ok(final Differential.Observation o, final String topic) {
        assertTrue(!o.records(topic).isEmpty(), "Kafka produced nothing on " + topic);
    }

    static KStream<String, String> stream(final Dsl d) {
        return d.stream("s", STRINGS);
    }

    @Test
    void joinAndLeftJoin() {
        final Differential.Observation o = input(Differential.dsl(d -> {
            final GlobalKTable<String, String> g = d.globalTable("g", STRINGS);
            d.log("queryable " + g.queryableStoreName());
            stream(d).join(g, FIRST_CHAR, J).to("out");
            stream(d).leftJoin(g, FIRST_CHAR, J).to("out2");
        })).store("g-STATE-STORE-0000000000").run();
        assertEquals(List.of("k1=a-one&A1", "k3=b-three&B1", "k4=a-four&A2", "null=a-nullkey&A2", "k8=c-eight&C1"),
            o.keyValues("out"));
        assertTrue(o.effects().contains("queryable g-STATE-STORE-0000000000"), o.effects().toString());
        assertTrue(o.keyValues("out2").contains("k5=-none&null"), o.keyValues("out2").toString());
    }

    @Test
    void everyJoinOverload() {
        ok(input(Differential.dsl(d -> {
            final GlobalKTable<String, String> g = d.globalTable("g", STRINGS);
            final KStream<String, String> s = stream(d);
            s.join(g, FIRST_CHAR, J).to("out");
            s.join(g, FIRST_CHAR, JK).to("out");
            s.join(g, FIRST_CHAR, JM).to("out");
            s.join(g, FIRST_CHAR, J, Named.as("j1")).to("out");
            s.join(g, FIRST_CHAR, JK, Named.as("j2")).to("out");
            s.join(g, FIRST_CHAR, JM, Named.as("j3")).to("out");
            s.leftJoin(g, FIRST_CHAR, J).to("out2");
            s.leftJoin(g, FIRST_CHAR, JK).to("out2");
            s.leftJoin(g, FIRST_CHAR, JM).to("out2");
            s.leftJoin(g, FIRST_CHAR, J, Named.as("l1")).to("out2");
            s.leftJoin(g, FIRST_CHAR, JK, Named.as("l2")).to("out2");
            s.leftJoin(g, FIRST_CHAR, JM, Named.as("l3")).to("out2");
        })).run(), "out2");
    }

    @Test
    void everyGlobalTableOverload() {
        final Differential.Observation o = input(Differential.dsl(d -> {
            final GlobalKTable<String, String> g1 = d.globalTable("g");
            final GlobalKTable<String, String> g2 = d.globalTable("g2", Materialized.as("named2"));
            final GlobalKTable<String, String> g3 = d.globalTable("g3", Consumed.as("third"),
                Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("named3").withKeySerde(Serdes.String()));
            final GlobalKTable<String, String> g4 = d.globalTable("g4", STRINGS.withName("fourth"));
            d.log("queryable " + g1.queryableStoreName() + " " + g2.queryableStoreName() + " "
                + g3.queryableStoreName() + " " + g4.queryableStoreName());
            stream(d).join(g1, FIRST_CHAR, J).to("out");
            stream(d).leftJoin(g2, FIRST_CHAR, J).to("out");
            stream(d).leftJoin(g3, FIRST_CHAR, J).to("out");
            stream(d).leftJoin(g4, FIRST_CHAR, J).to("out");
        }).pipe("g2", "a", "X", 1L).pipe("g3", "b", "Y", 1L).pipe("g4", "c", "Z", 1L))
            .store("g-STATE-STORE-0000000000", "named2", "named3").run();
        ok(o, "out");
        assertEquals("queryable g-STATE-STORE-0000000000 named2 named3 g4-STATE-STORE-0000000007", o.effects().get(0));
    }

    @Test
    void globalStoreSuppliersAndCaching() {
        ok(input(Differential.dsl(d -> {
            final KeyValueBytesStoreSupplier inMemory = d.stores().call("inMemoryKeyValueStore", "mem");
            final GlobalKTable<String, String> g = d.globalTable("g", STRINGS,
                Materialized.<String, String>as(inMemory).withCachingDisabled());
            stream(d).leftJoin(g, FIRST_CHAR, JM).to("out");
        })).store("mem").run(), "out");
    }

    @Test
    void joinAfterAKeyChangeKeepsTheRepartitionNeed() {
        ok(input(Differential.dsl(d -> stream(d).selectKey((k, v) -> v == null ? k : v.substring(v.length() - 1))
            .join(d.globalTable("g", STRINGS), FIRST_CHAR, J)
            .groupByKey().count().toStream().to("out", Produced.with(Serdes.String(), Serdes.Long())))).run(), "out");
    }

    @Test
    void keySelectorSeesEveryRecord() {
        ok(input(Differential.dsl(d -> stream(d).leftJoin(d.globalTable("g", STRINGS), (k, v) -> {
            d.log("select " + k + " " + v);
            return FIRST_CHAR.apply(k, v);
        }, J).to("out"))).run(), "out");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
            Arguments.of("unnamed materialized", (Consumer<Dsl>) d -> stream(d).join(
                d.globalTable("g", Materialized.with(Serdes.String(), Serdes.String())), FIRST_CHAR, J).to("out")),
            Arguments.of("unnamed materialized with consumed", (Consumer<Dsl>) d -> d.globalTable("g", STRINGS,
                Materialized.with(null, null))),
            Arguments.of("versioned", (Consumer<Dsl>) d -> d.globalTable("g", Materialized.<String, String>as(
                d.stores().<VersionedBytesStoreSupplier>call("persistentVersionedKeyValueStore", "v", Duration.ofMillis(10))))),
            Arguments.of("null topic", (Consumer<Dsl>) d -> d.globalTable(null)),
            Arguments.of("null consumed", (Consumer<Dsl>) d -> d.globalTable("g", (Consumed<String, String>) null)),
            Arguments.of("null materialized", (Consumer<Dsl>) d -> d.globalTable("g",
                (Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null)),
            Arguments.of("null materialized with consumed", (Consumer<Dsl>) d -> d.globalTable("g", STRINGS, null)),
            Arguments.of("null topic with materialized", (Consumer<Dsl>) d -> d.globalTable(null, Materialized.as("m"))),
            Arguments.of("null global table", (Consumer<Dsl>) d -> stream(d).join((GlobalKTable<String, String>) null,
                FIRST_CHAR, J)),
            Arguments.of("null key selector", (Consumer<Dsl>) d -> stream(d).leftJoin(d.globalTable("g", STRINGS), null, JK)),
            Arguments.of("null joiner", (Consumer<Dsl>) d -> stream(d).join(d.globalTable("g", STRINGS), FIRST_CHAR,
                (ValueJoiner<String, String, String>) null)),
            Arguments.of("null joiner with key and null table", (Consumer<Dsl>) d -> stream(d).join(null, FIRST_CHAR,
                (ValueJoinerWithKey<String, String, String, String>) null)),
            Arguments.of("null mapped-key joiner and null table", (Consumer<Dsl>) d -> stream(d).leftJoin(null, FIRST_CHAR,
                (ValueJoinerWithStreamAndMappedKey<String, String, String, String, String>) null)),
            Arguments.of("null named", (Consumer<Dsl>) d -> stream(d).leftJoin(d.globalTable("g", STRINGS), FIRST_CHAR, J,
                null)),
            Arguments.of("illegal name", (Consumer<Dsl>) d -> stream(d).join(d.globalTable("g", STRINGS), FIRST_CHAR, J,
                Named.as("a b"))),
            Arguments.of("duplicate global topic", (Consumer<Dsl>) d -> {
                d.globalTable("g", STRINGS);
                d.globalTable("g", STRINGS);
            }),
            Arguments.of("global topic also a stream", (Consumer<Dsl>) d -> {
                d.globalTable("g", STRINGS);
                d.stream("g", STRINGS).to("out");
            }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakesFailAsInKafka(final String description, final Consumer<Dsl> topology) {
        Differential.dsl(topology).pipe("s", "a", "1", 1L).runExpectingFailure();
    }
}
