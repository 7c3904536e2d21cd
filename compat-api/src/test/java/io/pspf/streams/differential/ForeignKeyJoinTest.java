package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.junit.jupiter.api.Test;

/**
 * Foreign-key table joins ({@code KTable.join/leftJoin(other, foreignKeyExtractor, joiner, ...)}) on Kafka's and
 * PSPF's test drivers, under all four configurations (cache on and off): the subscription and response topics
 * (compared byte for byte, value hashes included), the subscription store's changelog, the result, the result
 * store, the names and the describe() text.
 */
class ForeignKeyJoinTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    static final ValueJoiner<String, String, String> JOINER = (a, b) -> a + "&" + b;
    static final String SUBSCRIPTIONS = Differential.APP_ID + "-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic";
    static final String RESPONSES = Differential.APP_ID + "-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic";

    /** Left rows are "foreignKey:payload"; a value without a colon has no foreign key. */
    static String fk(final String value) {
        final int colon = value.indexOf(':');
        return colon < 0 ? null : value.substring(0, colon);
    }

    /** Right rows arrive before and after their subscribers; both sides change, move and are deleted. */
    static Differential.Scenario twoTables(final Differential.Scenario s) {
        return s.pipe("r", "A", "ra1", 5L, header("h", "r1"))
            .pipe("l", "x", "A:x1", 10L, header("h", "l1"))
            .pipe("l", "y", "B:y1", 11L)
            .pipe("r", "B", "rb1", 12L)
            .pipe("l", "z", "A:z1", 3L)
            .pipe("r", "A", "ra2", 20L, header("h", "r2"))
            .pipe("l", "x", "B:x2", 21L)
            .pipe("l", "y", "B:y2", 22L)
            .pipe("l", "z", "nofk", 23L)
            .pipe("r", "B", null, 24L)
            .pipe("l", "x", null, 25L)
            .pipe("r", "B", "rb2", 26L)
            .pipe("l", "z", "A:z2", 27L)
            .pipe("r", "A", null, 28L)
            .pipe("l", "w", "C:w1", 29L)
            .pipe("r", "C", "rc1", 30L)
            .pipe("l", "v", "nofk", 31L)
            .pipe("l", "v", "C:v1", 32L)
            .pipe("l", "w", "C:w1", 33L)
            .pipe("r", "9", null, 34L)
            .pipe("l", "9", null, 35L)
            .pipe("l", null, "A:n", 36L);
    }

    static void ok(final Differential.Observation o) {
        assertFalse(o.records("out").isEmpty(), "Kafka produced nothing on out");
    }

    static Differential.Scenario join(final boolean left, final Function<String, String> function,
                                      final BiFunction<String, String, String> biFunction) {
        return Differential.dsl(d -> {
            final KTable<String, String> l = d.table("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS);
            final KTable<String, String> joined;
            if (function != null) {
                joined = left ? l.leftJoin(r, function, JOINER) : l.join(r, function, JOINER);
            } else {
                joined = left ? l.leftJoin(r, biFunction, JOINER) : l.join(r, biFunction, JOINER);
            }
            joined.toStream().to("out");
        });
    }

    // ------------------------------------------------------------------------------------------------ inner and left

    @Test
    void innerJoinWithFunctionExtractor() {
        final Differential.Observation kafka = twoTables(join(false, ForeignKeyJoinTest::fk, null)).run();
        ok(kafka);
        assertTrue(kafka.values("out").contains("A:x1&ra1"), kafka.values("out").toString());
        assertFalse(kafka.records(SUBSCRIPTIONS).isEmpty(), "no subscriptions");
        assertFalse(kafka.records(RESPONSES).isEmpty(), "no responses");
    }

    @Test
    void innerJoinWithBiFunctionExtractor() {
        ok(twoTables(join(false, null, (k, v) -> "y".equals(k) ? "C" : fk(v))).run());
    }

    @Test
    void leftJoinWithFunctionExtractorKeepsRowsWithoutMatchOrForeignKey() {
        final Differential.Observation kafka = twoTables(join(true, ForeignKeyJoinTest::fk, null)).run();
        ok(kafka);
        assertTrue(kafka.values("out").contains("nofk&null"), kafka.values("out").toString());
        // a left row without a foreign key subscribes with a null key
        assertTrue(kafka.keys(SUBSCRIPTIONS).contains(null), kafka.keys(SUBSCRIPTIONS).toString());
    }

    @Test
    void leftJoinWithBiFunctionExtractor() {
        ok(twoTables(join(true, null, (k, v) -> "z".equals(k) ? null : fk(v))).run());
    }

    @Test
    void foreignKeyChangesMoveTheSubscription() {
        final Differential.Observation kafka = Differential.dsl(d -> d.<String, String>table("l", STRINGS)
                .join(d.<String, String>table("r", STRINGS), ForeignKeyJoinTest::fk, JOINER).toStream().to("out"))
            .pipe("r", "A", "ra", 1L).pipe("r", "B", "rb", 2L)
            .pipe("l", "k", "A:1", 3L).pipe("l", "k", "B:2", 4L).pipe("l", "k", "B:3", 5L).pipe("l", "k", "A:4", 6L)
            .pipe("r", "B", "rb2", 7L).pipe("r", "A", "ra2", 8L).pipe("l", "k", "D:5", 9L).pipe("r", "A", "ra3", 10L)
            .pipe("r", "D", "rd", 11L)
            .run();
        assertEquals(List.of("A:1&ra", "B:2&rb", "B:3&rb", "A:4&ra", "A:4&ra2", "D:5&rd"), kafka.values("out").stream()
            .filter(java.util.Objects::nonNull).toList());
    }

    @Test
    void manyToOneFansRightChangesOut() {
        final Differential.Observation kafka = Differential.dsl(d -> d.<String, String>table("l", STRINGS)
                .leftJoin(d.<String, String>table("r", STRINGS), ForeignKeyJoinTest::fk, JOINER).toStream().to("out"))
            .pipe("l", "k3", "A:3", 1L).pipe("l", "k1", "A:1", 2L).pipe("l", "k2", "A:2", 3L).pipe("l", "k10", "A:10", 4L)
            .pipe("l", "m", "B:m", 5L)
            .pipe("r", "A", "ra", 6L).pipe("r", "A", "ra2", 7L).pipe("r", "B", "rb", 8L).pipe("r", "A", null, 9L)
            .pipe("l", "k1", null, 10L).pipe("r", "A", "ra3", 11L)
            .run();
        ok(kafka);
        assertTrue(kafka.values("out").contains("A:10&ra2"), kafka.values("out").toString());
    }

    @Test
    void nullForeignKeysInInnerAndLeftJoins() {
        ok(Differential.dsl(d -> {
            final KTable<String, String> l = d.table("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS);
            l.join(r, ForeignKeyJoinTest::fk, JOINER).toStream().to("out");
            l.leftJoin(r, ForeignKeyJoinTest::fk, JOINER).toStream().to("out2");
        })
            .pipe("r", "A", "ra", 1L)
            .pipe("l", "k", "none", 2L).pipe("l", "k", "A:1", 3L).pipe("l", "k", "none", 4L).pipe("l", "k", null, 5L)
            .pipe("l", "k", "none", 6L).pipe("l", "j", "A:j", 7L).pipe("l", "j", null, 8L)
            .run());
    }

    @Test
    void joinerReturningNullDeletesTheResult() {
        ok(twoTables(Differential.dsl(d -> d.<String, String>table("l", STRINGS)
            .leftJoin(d.<String, String>table("r", STRINGS), ForeignKeyJoinTest::fk,
                (a, b) -> b == null ? null : a + "&" + b, Materialized.as("res"))
            .toStream().to("out"))).store("res").run());
    }

    // ------------------------------------------------------------------------------------------------ names and stores

    @Test
    void materializedResultStoreAndItsContents() {
        final Differential.Observation kafka = twoTables(Differential.dsl(d -> d.<String, String>table("l", STRINGS)
            .leftJoin(d.<String, String>table("r", STRINGS), ForeignKeyJoinTest::fk, JOINER,
                Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("fkj").withValueSerde(Serdes.String()))
            .toStream().to("out"))).store("fkj").run();
        ok(kafka);
        assertFalse(kafka.store("fkj").isEmpty(), "the result store is empty");
    }

    @Test
    void tableJoinedNameNamesEverything() {
        final Differential.Observation kafka = twoTables(Differential.dsl(d -> d.<String, String>table("l", STRINGS)
            .join(d.<String, String>table("r", STRINGS), (k, v) -> fk(v), JOINER, TableJoined.as("fkj"),
                Materialized.as("res"))
            .toStream(Named.as("ts")).to("out"))).store("res").run();
        ok(kafka);
        assertTrue(kafka.topics().contains(Differential.APP_ID + "-fkj-subscription-registration-topic"),
            kafka.topics().toString());
        assertTrue(kafka.topics().contains(Differential.APP_ID + "-fkj-subscription-store-changelog"), kafka.topics().toString());
    }

    @Test
    void unnamedMaterializedUsesAnIndex() {
        final Differential.Observation kafka = twoTables(Differential.dsl(d -> {
            final KTable<String, String> joined = d.<String, String>table("l", STRINGS)
                .join(d.<String, String>table("r", STRINGS), ForeignKeyJoinTest::fk, JOINER,
                    Materialized.with(Serdes.String(), Serdes.String()));
            // Kafka reports the generated store name even though the result is not materialized
            d.log("queryableStoreName " + joined.queryableStoreName());
            joined.toStream().to("out");
        })).run();
        ok(kafka);
        assertEquals("queryableStoreName KTABLE-FK-JOIN-OUTPUT-STATE-STORE-0000000019", kafka.effects().get(0));
    }

    @Test
    void selfJoinOnATableOfItsOwn() {
        ok(Differential.dsl(d -> {
            final KTable<String, String> t = d.table("l", STRINGS);
            t.leftJoin(t, ForeignKeyJoinTest::fk, JOINER).toStream().to("out");
        })
            .pipe("l", "A", "B:a", 1L).pipe("l", "B", "none", 2L).pipe("l", "C", "A:c", 3L).pipe("l", "B", "C:b", 4L)
            .pipe("l", "A", null, 5L).pipe("l", "C", "C:c", 6L)
            .run());
    }

    @Test
    void joinedResultJoinedAgain() {
        ok(twoTables(Differential.dsl(d -> {
            final KTable<String, String> l = d.table("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS);
            l.leftJoin(r, ForeignKeyJoinTest::fk, JOINER)
                .leftJoin(r, v -> v.substring(0, 1), (a, b) -> a + "+" + b, TableJoined.as("again"))
                .toStream().to("out");
        })).run());
    }

    @Test
    void resultMaterializedLaterByAPrimaryKeyJoin() {
        ok(twoTables(Differential.dsl(d -> {
            final KTable<String, String> l = d.table("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS);
            final KTable<String, String> joined = l.leftJoin(r, ForeignKeyJoinTest::fk, JOINER);
            joined.join(l, (a, b) -> a + "|" + b).toStream().to("out");
            joined.toStream().to("out2");
        })).run());
    }

    @Test
    void twoJoinsOnTheSameTables() {
        ok(twoTables(Differential.dsl(d -> {
            final KTable<String, String> l = d.table("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS, Materialized.as("rs"));
            l.join(r, ForeignKeyJoinTest::fk, JOINER).toStream().to("out");
            l.leftJoin(r, (k, v) -> k.toUpperCase(), JOINER, TableJoined.as("second")).toStream().to("out2");
        })).store("rs").run());
    }

    // ------------------------------------------------------------------------------------------------ other shapes

    @Test
    void leftSideComputedFromItsParent() {
        ok(twoTables(Differential.dsl(d -> d.<String, String>table("l", STRINGS)
            .mapValues(v -> v + "!")
            .filter((k, v) -> !v.startsWith("B:y2"))
            .join(d.<String, String>table("r", STRINGS).mapValues(v -> v.toUpperCase()), ForeignKeyJoinTest::fk, JOINER)
            .toStream().to("out"))).run());
    }

    @Test
    void staleResponsesAreDroppedByTheValueHash() {
        // one input record makes two left updates; without a cache the first update's response arrives when the
        // row already holds the second value, and is dropped because the hashes differ
        final Differential.Observation kafka = Differential.dsl(d -> d.<String, String>stream("l", STRINGS)
                .flatMapValues(v -> Arrays.asList("A:" + v, "B:" + v))
                .toTable()
                .join(d.<String, String>table("r", STRINGS), ForeignKeyJoinTest::fk, JOINER).toStream().to("out"))
            .pipe("r", "A", "ra", 1L).pipe("r", "B", "rb", 2L)
            .pipe("l", "k", "1", 3L).pipe("l", "k", "2", 4L).pipe("r", "A", "ra2", 5L).pipe("r", "B", "rb2", 6L)
            .run();
        ok(kafka);
        assertFalse(kafka.values("out").contains("A:1&ra"), kafka.values("out").toString());
    }

    @Test
    void defaultSerdesFromTheConfig() {
        ok(twoTables(Differential.dsl(d -> d.<String, String>table("l")
            .leftJoin(d.<String, String>table("r"), ForeignKeyJoinTest::fk, JOINER, Materialized.as("res"))
            .toStream().to("out")))
            .config(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class)
            .config(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class).store("res").run());
    }

    @Test
    void upgradeFromAnOldVersion() {
        ok(twoTables(join(true, ForeignKeyJoinTest::fk, null)).config(StreamsConfig.UPGRADE_FROM_CONFIG, "3.3").run());
    }

    @Test
    void foreignKeysOfAnotherType() {
        ok(Differential.dsl(d -> d.<String, String>table("l", STRINGS)
                .join(d.table("r", Consumed.with(Serdes.Integer(), Serdes.String())),
                    v -> v.length(), (a, b) -> a + "&" + b)
                .toStream().to("out"))
            .pipeRaw("r", new byte[] {0, 0, 0, 3}, "three".getBytes(), 1L)
            .pipe("l", "k", "abc", 2L).pipe("l", "j", "xyz", 3L).pipe("l", "k", "abcd", 4L)
            .pipeRaw("r", new byte[] {0, 0, 0, 4}, "four".getBytes(), 5L)
            .run());
    }

    @Test
    void versionedTablesDropOutOfOrderUpdates() {
        ok(twoTables(Differential.dsl(d -> {
            final Duration history = Duration.ofMinutes(1);
            final VersionedBytesStoreSupplier left = d.stores().call("persistentVersionedKeyValueStore", "lv", history);
            final VersionedBytesStoreSupplier right = d.stores().call("persistentVersionedKeyValueStore", "rv", history);
            d.<String, String>table("l", STRINGS, Materialized.as(left))
                .leftJoin(d.<String, String>table("r", STRINGS, Materialized.as(right)), ForeignKeyJoinTest::fk, JOINER)
                .toStream().to("out");
        })).run());
    }

    // ------------------------------------------------------------------------------------------------ partitioners

    static StreamPartitioner<String, Void> partitioner(final Set<Integer> partitions) {
        return new StreamPartitioner<>() {
            @Override
            public Optional<Set<Integer>> partitions(final String topic, final String key, final Void value,
                                                     final int numPartitions) {
                return partitions == null ? Optional.empty() : Optional.of(partitions);
            }
        };
    }

    @Test
    void tableJoinedPartitioners() {
        ok(twoTables(Differential.dsl(d -> {
            final KTable<String, String> l = d.table("l", STRINGS);
            final KTable<String, String> r = d.table("r", STRINGS);
            l.join(r, ForeignKeyJoinTest::fk, JOINER, TableJoined.with(partitioner(Set.of(0)), partitioner(null)))
                .toStream().to("out");
            l.leftJoin(r, ForeignKeyJoinTest::fk, JOINER, TableJoined.<String, String>with(partitioner(null),
                partitioner(Set.of(0))).withName("p")).toStream().to("out2");
        })).run());
    }

    /** With a cache Kafka reports the failure as a failed cache flush; under exactly-once the failed step's records stay uncommitted. */
    @Test
    void partitionerAnsweringMoreThanOnePartitionFails() {
        final Differential.Observation kafka = twoTables(Differential.dsl(d -> d.<String, String>table("l", STRINGS)
            .join(d.<String, String>table("r", STRINGS), ForeignKeyJoinTest::fk, JOINER,
                TableJoined.with(null, partitioner(Set.of(0, 1))))
            .toStream().to("out"))).runExpectingFailure();
        assertTrue(Differential.exception(kafka.failures().get(0)).contains("singleton"),
            Differential.exception(kafka.failures().get(0)));
    }

    // ------------------------------------------------------------------------------------------------ arguments

    @Test
    void nullArgumentsAndBadNames() {
        final List<java.util.function.BiConsumer<KTable<String, String>, KTable<String, String>>> calls = List.of(
            (l, r) -> l.join(null, ForeignKeyJoinTest::fk, JOINER),
            (l, r) -> l.join(r, (BiFunction<String, String, String>) null, JOINER),
            (l, r) -> l.join(r, ForeignKeyJoinTest::fk, null),
            (l, r) -> l.join(r, ForeignKeyJoinTest::fk, JOINER, (TableJoined<String, String>) null),
            (l, r) -> l.leftJoin(r, ForeignKeyJoinTest::fk, JOINER,
                (Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null),
            (l, r) -> l.leftJoin(r, (k, v) -> v, JOINER, TableJoined.as("bad name")),
            (l, r) -> l.leftJoin(r, (k, v) -> v, JOINER, TableJoined.as("n".repeat(240))),
            (l, r) -> l.join(r, (k, v) -> v, JOINER, Materialized.as("bad store")));
        for (final var call : calls) {
            Differential.dsl(d -> call.accept(d.table("l", STRINGS), d.table("r", STRINGS)))
                .pipe("l", "k", "v", 1L).runExpectingFailure();
        }
    }
}
