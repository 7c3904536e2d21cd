package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.junit.jupiter.api.Test;

/**
 * KIP-923: stream-table joins with a grace period on a versioned table, run through Kafka's and PSPF's test drivers
 * (all four configurations). Stream records wait in the join's buffer (whose changelog is compared byte for byte)
 * until the stream time passes them by the grace, then join the table as of their own timestamp; records later
 * than the grace join at once.
 */
class StreamTableGraceJoinTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    static final Joined<String, String, String> JOINED = Joined.with(Serdes.String(), Serdes.String(), Serdes.String());
    static final Duration GRACE = Duration.ofMillis(10);

    static KTable<String, String> versioned(final Dsl d, final String name) {
        final VersionedBytesStoreSupplier supplier = d.stores().call("persistentVersionedKeyValueStore", name,
            Duration.ofMinutes(1));
        return d.table("t", STRINGS, Materialized.as(supplier));
    }

    static String joiner(final String value, final String tableValue) {
        return value + "&" + tableValue;
    }

    /** Out-of-order table and stream records, table tombstones, late stream records, duplicates and headers. */
    static Differential.Scenario input(final Differential.Scenario s) {
        return s.pipe("t", "a", "A1", 5L)
            .pipe("t", "a", "A0", 1L)
            .pipe("s", "a", "x1", 3L, header("h", "1"))
            .pipe("s", "a", "x2", 8L)
            .pipe("t", "a", "A2", 7L)
            .pipe("s", "a", "x3", 20L, header("h", "3"))
            .pipe("s", "a", "x4", 2L, header("h", "4"))
            .pipe("t", "a", null, 12L)
            .pipe("s", "a", "x5", 12L)
            .pipe("s", "b", "y1", 15L, header("h", "y"))
            .pipe("s", "a", null, 100L)
            .pipe("t", "b", "B1", 14L)
            .pipe("s", "c", "z1", 25L)
            .pipe("s", "a", "d1", 25L)
            .pipe("s", "a", "d2", 25L)
            .pipe("s", "b", "y2", 9L)
            .pipe("t", "a", "A3", 24L)
            .pipe("s", "a", "x6", 30L)
            .pipe("s", "a", "x7", 40L)
            .pipe("s", "c", "z2", 41L);
    }

    static void produced(final Differential.Observation o, final int expected) {
        assertEquals(expected, o.records("out").size(), () -> "Kafka's output:\n" + o.text());
    }

    @Test
    void innerJoinWithGrace() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .join(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(GRACE)).to("out")))
            .run();
        // x4 and y2 come too late and join at once; x5 and x3 meet the tombstone; c has no row; x7, z2 stay buffered
        assertEquals(List.of("x1&A0", "x2&A2", "x4&A0", "y1&B1", "d1&A3", "d2&A3", "x6&A3"), o.values("out"));
    }

    @Test
    void leftJoinWithGrace() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .leftJoin(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(GRACE)).to("out")))
            .run();
        assertTrue(o.values("out").containsAll(List.of("x3&null", "x5&null", "z1&null", "y2&null")), o::text);
        produced(o, 11);
    }

    @Test
    void zeroGraceBuffersAndEvictsAtOnce() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .leftJoin(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(Duration.ZERO))
            .to("out"))).run();
        produced(o, 13);
    }

    @Test
    void namedJoinedWithGraceAndDefaultSerdes() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .join(versioned(d, "tv"), StreamTableGraceJoinTest::joiner,
                Joined.<String, String, String>as("jn").withGracePeriod(GRACE)).to("out"))).run();
        assertTrue(o.text().contains("jn-Buffer"), o::text);
        produced(o, 7);
    }

    @Test
    void evictedRecordsKeepTheirRecordContext() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .join(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(GRACE))
            .processValues(() -> new ContextualFixedKeyProcessor<String, String, String>() {
                @Override
                public void process(final FixedKeyRecord<String, String> record) {
                    final String where = context().recordMetadata()
                        .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("none");
                    context().forward(record.withValue(record.value() + "@" + where + "@" + record.timestamp()));
                }
            }).to("out"))).run();
        assertTrue(o.values("out").contains("x1&A0@s/0/0@3"), o::text);
    }

    @Test
    void downstreamTableGetsTheBufferedRecordsContext() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .leftJoin(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(GRACE))
            .toTable(Materialized.as("o")).toStream().to("out"))).store("o").run();
        assertTrue(!o.records("out").isEmpty(), o::text);
    }

    @Test
    void graceJoinAfterKeyChangeRepartitions() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .selectKey((k, v) -> k == null ? null : k)
            .join(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(GRACE)).to("out")))
            .run();
        produced(o, 7);
    }

    @Test
    void unmaterializedFilterOfVersionedTableKeepsVersioning() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .join(versioned(d, "tv").filter((k, v) -> !"A2".equals(v)), StreamTableGraceJoinTest::joiner,
                JOINED.withGracePeriod(GRACE)).to("out"))).run();
        assertTrue(!o.records("out").isEmpty(), o::text);
    }

    @Test
    void leftJoinNullKeyWithGraceFails() {
        // a left join keeps null keys (KIP-962), but the grace buffer refuses them
        Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
                .leftJoin(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(GRACE)).to("out"))
            .pipe("s", "a", "x1", 3L).pipe("s", null, "n", 4L).runExpectingFailure();
    }

    @Test
    void innerJoinDropsNullKeysWithGrace() {
        final Differential.Observation o = Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
                .join(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(GRACE)).to("out"))
            .pipe("t", "a", "A", 1L).pipe("s", "a", "x1", 3L).pipe("s", null, "n", 40L).pipe("s", "a", null, 50L)
            .pipe("s", "a", "x2", 60L).run();
        assertEquals(List.of("x1&A"), o.values("out"));
    }

    @Test
    void historyRetentionShorterThanGraceIsRejected() {
        final Differential.Observation o = Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .join(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(Duration.ofMinutes(2)))
            .to("out")).runExpectingFailure();
        assertTrue(o.buildFailure() != null, o::text);
    }

    @Test
    void graceEqualToHistoryRetentionIsAccepted() {
        final Differential.Observation o = input(Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .leftJoin(versioned(d, "tv"), StreamTableGraceJoinTest::joiner, JOINED.withGracePeriod(Duration.ofMinutes(1)))
            .to("out"))).pipe("s", "a", "x8", 70_000L).run();
        // nothing leaves the buffer until x8 moves the stream time a minute past the others
        produced(o, 13);
    }

    @Test
    void nonVersionedTableIsRejectedAtBuild() {
        final Differential.Observation o = Differential.dsl(d -> d.<String, String>stream("s", STRINGS)
            .join(d.<String, String>table("t", STRINGS, Materialized.as("tkv")), StreamTableGraceJoinTest::joiner,
                JOINED.withGracePeriod(GRACE)).to("out")).runExpectingFailure();
        assertTrue(o.buildFailure() != null, o::text);
    }

    @Test
    void nonVersionedUnmaterializedTableIsRejectedAtBuild() {
        final Function<Dsl, KStream<String, String>> build = d -> d.<String, String>stream("s", STRINGS)
            .join(d.<String, String>table("t", STRINGS).mapValues(v -> v + "!"), StreamTableGraceJoinTest::joiner,
                JOINED.withGracePeriod(GRACE));
        final Differential.Observation o = Differential.dsl(d -> build.apply(d).to("out"))
            .pipe("s", "a", "x1", 3L).runExpectingFailure();
        assertTrue(o.buildFailure() != null, o::text);
    }
}
