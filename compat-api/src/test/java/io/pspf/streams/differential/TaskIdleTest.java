package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code max.task.idle.ms} (KIP-695) on both test drivers: a task whose inputs are not all buffered waits for the
 * empty ones until the mocked wall clock has passed the idle time since they became empty (internal repartition
 * topics count as inputs, as they do in Kafka's driver); at 0 (the default) and -1 it never waits there. Records
 * piped to one input are then held back until another input gets records or the wall clock moves on.
 */
class TaskIdleTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());

    /** Three inputs merged into one output: the order of the output is the order the task chose. */
    static void merge(final Dsl d) {
        final KStream<String, String> a = d.stream("a", STRINGS);
        a.merge(d.stream("b", STRINGS)).merge(d.stream("c", STRINGS)).to("out", Produced.with(Serdes.String(), Serdes.String()));
    }

    /** A stream joined with a table: which table value a stream record meets depends on the order. */
    static void streamTableJoin(final Dsl d) {
        final KTable<String, String> table = d.table("b", STRINGS);
        d.stream("a", STRINGS).join(table, (v, t) -> v + "+" + t).to("out", Produced.with(Serdes.String(), Serdes.String()));
    }

    /** A count after a key change: the repartition topic is an input of the task too. */
    static void rekeyedCount(final Dsl d) {
        d.stream("a", STRINGS).merge(d.stream("b", STRINGS))
            .selectKey((k, v) -> v == null || v.isEmpty() ? null : v.substring(0, 1))
            .groupByKey()
            .count(Materialized.as("counts"))
            .toStream()
            .mapValues(String::valueOf)
            .to("out", Produced.with(Serdes.String(), Serdes.String()));
    }

    @Test
    void recordsOfOneInputWaitForTheOthersUntilTheIdleTimeHasPassed() {
        final Differential.Observation o = Differential.dsl(TaskIdleTest::merge)
            .config(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 1000L)
            .pipe("a", "k", "a1", 100L)
            .pipe("a", "k", "a2", 300L)
            .pipe("b", "k", "b1", 200L)
            .advanceWallClock(Duration.ofMillis(500))
            .pipe("c", "k", "c1", 50L)
            .advanceWallClock(Duration.ofMillis(600))
            .pipe("a", "k", "a3", 400L)
            .advanceWallClock(Duration.ofMillis(500))
            .run();
        // a1 waits for b and c. With all three buffered at 500 ms the lowest timestamp goes first (c1); c is empty
        // again, so the idle time starts over (until 1,500 ms). Past it the task goes on without c: a1, then b1,
        // after which b is empty and waited for in turn
        assertEquals(List.of("c1", "a1", "b1"), o.values("out"));
    }

    @Test
    void withTheDefaultOrMinusOneNothingWaits() {
        for (final long idle : new long[] {0L, -1L}) {
            final Differential.Observation o = Differential.dsl(TaskIdleTest::merge)
                .config(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, idle)
                .pipe("a", "k", "a1", 100L)
                .pipe("b", "k", "b1", 50L)
                .pipe("a", "k", "a2", 10L)
                .run();
            assertEquals(List.of("a1", "b1", "a2"), o.values("out"), "max.task.idle.ms=" + idle);
        }
    }

    @Test
    void aStreamRecordMeetsTheTableUpdateThatCameBeforeItInTime() {
        final Differential.Observation o = Differential.dsl(TaskIdleTest::streamTableJoin)
            .config(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 100L)
            .pipe("b", "k", "t1", 10L)
            .pipe("a", "k", "s1", 50L)
            .pipe("b", "k", "t2", 40L)
            .pipe("a", "k", "s2", 60L)
            .advanceWallClock(Duration.ofMillis(150))
            .run();
        assertEquals(List.of("s1+t2", "s2+t2"), o.values("out"));
    }

    @Test
    void anInternalRepartitionTopicIsAnInputThatIsWaitedFor() {
        Differential.dsl(TaskIdleTest::rekeyedCount)
            .config(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 200L)
            .store("counts")
            .pipe("a", "k", "x1", 10L)
            .pipe("b", "k", "y1", 20L)
            .advanceWallClock(Duration.ofMillis(250))
            .pipe("a", "k", "x2", 30L)
            .advanceWallClock(Duration.ofMillis(250))
            .advanceWallClock(Duration.ofMillis(250))
            .pipe("b", "k", "x3", 40L)
            .run();
    }

    @Test
    void theLongestIdleTimeIsHandledAsKafkaDoes() {
        Differential.dsl(TaskIdleTest::merge)
            .config(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.MAX_VALUE)
            .pipe("a", "k", "a1", 100L)
            .advanceWallClock(Duration.ofDays(365))
            .pipe("b", "k", "b1", 50L)
            .pipe("c", "k", "c1", 70L)
            .pipe("a", "k", "a2", 10L)
            .run();
    }

    // ------------------------------------------------------------------------------------------------ generated

    /** A step: a record piped to input {@code topic} (0 to 2) at {@code timestamp}, or a wall-clock advance. */
    record Step(boolean advance, int topic, long timestamp, long advanceMs) {
        @Override
        public String toString() {
            return advance ? ".advanceWallClock(" + advanceMs + " ms)" : ".pipe(" + "abc".charAt(topic) + ", ts=" + timestamp + ")";
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        final Arbitrary<Step> pipe = Combinators.combine(Arbitraries.integers().between(0, 2),
            Arbitraries.longs().between(0, 50)).as((topic, ts) -> new Step(false, topic, ts, 0));
        final Arbitrary<Step> advance = Arbitraries.longs().between(0, 700).map(ms -> new Step(true, 0, 0, ms));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, pipe), net.jqwik.api.Tuple.of(1, advance))
            .list().ofMinSize(1).ofMaxSize(14);
    }

    @Provide
    Arbitrary<Long> idleTimes() {
        return Arbitraries.of(-1L, 0L, 1L, 200L, 500L, 1000L);
    }

    /**
     * Random pipes to three inputs, random wall-clock advances and a random idle time, through a merge, a stream-table
     * join (inputs a and b; c is not read) and a count after a key change: the drivers agree at every step.
     */
    @Property(tries = 60)
    void bothDriversWaitAndReleaseTheSameRecords(@ForAll("steps") final List<Step> steps,
                                                 @ForAll("idleTimes") final long idle,
                                                 @ForAll("topologies") final int topology) {
        Differential.Scenario scenario = Differential.dsl(topology == 0 ? TaskIdleTest::merge
            : topology == 1 ? TaskIdleTest::streamTableJoin : TaskIdleTest::rekeyedCount)
            .configs(Differential.Config.ALOS_NO_CACHE, Differential.Config.EOS_V2_DEFAULT_CACHE)
            .config(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, idle);
        int n = 0;
        for (final Step step : steps) {
            if (step.advance()) {
                scenario = scenario.advanceWallClock(Duration.ofMillis(step.advanceMs()));
            } else if (topology == 0 || step.topic() < 2) {
                final String topic = String.valueOf("abc".charAt(step.topic()));
                scenario = scenario.pipe(topic, "k" + (n % 3), topic + n, step.timestamp());
            }
            n++;
        }
        scenario.run();
    }

    @Provide
    Arbitrary<Integer> topologies() {
        return Arbitraries.integers().between(0, 2);
    }
}
