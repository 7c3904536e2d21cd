package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Printed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every stateless {@code KStream} operator and overload, run through Kafka's and PSPF's test drivers by the
 * {@link Differential} harness: outputs, side effects, printed text and {@code describe()} must be identical. Each
 * test also checks what Kafka did, so a test cannot pass by both sides doing nothing.
 */
class StatelessOperatorTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());

    static KStream<String, String> in(final Dsl dsl) {
        return dsl.stream("in", STRINGS);
    }

    /** A few records with ordinary, null and empty keys and values, and a header. */
    static Differential.Scenario mixedInput(final Differential.Scenario s) {
        return s.pipe("in", "a", "apple", 10L)
            .pipe("in", "b", "banana", 11L, header("h", "1"))
            .pipe("in", null, "nokey", 12L)
            .pipe("in", "c", null, 13L)
            .pipe("in", "", "", 9L)
            .pipe("in", "a", "avocado", 14L);
    }

    // ================================================================================================ sources

    @Nested
    class Sources {
        @Test
        void shouldReadWithDefaultSerdesWhenNoConsumedIsGiven() {
            final var kafka = mixedInput(Differential.dsl(dsl -> dsl.<String, String>stream("in").to("out"))).run();
            assertEquals(6, kafka.records("out").size());
        }

        @Test
        void shouldNameSourceAfterConsumedAs() {
            mixedInput(Differential.dsl(dsl -> dsl.stream("in", Consumed.<String, String>as("my-source")
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.String())).to("out"))).run();
        }

        @Test
        void shouldUseTimestampExtractorAndOffsetResetOfConsumed() {
            mixedInput(Differential.dsl(dsl -> dsl.stream("in", Consumed.with(Serdes.String(), Serdes.String())
                    .withTimestampExtractor((record, partitionTime) -> partitionTime + 1)
                    .withOffsetResetPolicy(org.apache.kafka.streams.AutoOffsetReset.earliest()))
                .to("out"))).run();
        }

        @Test
        void shouldReadEveryTopicOfACollectionIntoOneStream() {
            Differential.dsl(dsl -> dsl.stream(List.of("a", "b", "c"), STRINGS).mapValues((k, v) -> k + v).to("out"))
                .pipe("b", "k1", "1", 2L).pipe("a", "k2", "2", 1L).pipe("c", "k3", "3", 3L).run();
        }

        @Test
        void shouldReadEveryMatchingTopicOfAPatternIntoOneStream() {
            final var kafka = Differential.dsl(dsl -> dsl.stream(Pattern.compile("topic-[0-9]+"), STRINGS).to("out"))
                .pipe("topic-1", "k1", "1", 2L).pipe("topic-22", "k2", "2", 1L).run();
            assertEquals(2, kafka.records("out").size());
        }

        @Test
        void shouldDecodeValuesWithConsumedValueSerde() {
            Differential.dsl(dsl -> dsl.stream("in", Consumed.with(Serdes.String(), Serdes.Long()))
                    .mapValues(v -> v == null ? "none" : Long.toString(v * 2)).to("out"))
                .pipeRaw("in", Differential.utf8("k"), new byte[] {0, 0, 0, 0, 0, 0, 0, 21}, 1L)
                .pipeRaw("in", Differential.utf8("k"), null, 2L)
                .run();
        }

        @Test
        void shouldReadTwoTopicsIntoTwoSubtopologies() {
            Differential.dsl(dsl -> {
                dsl.stream("a", STRINGS).mapValues(v -> "A" + v).to("outA");
                dsl.stream("b", STRINGS).mapValues(v -> "B" + v).to("outB");
            }).pipe("a", "k", "1", 1L).pipe("b", "k", "2", 2L).run();
        }
    }

    // ================================================================================================ filter

    @Nested
    class Filter {
        @Test
        void shouldForwardOnlyMatchingRecordsOnFilter() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .filter((k, v) -> v != null && v.startsWith("a")).to("out"))).run();
            assertEquals(List.of("apple", "avocado"), kafka.values("out"));
        }

        @Test
        void shouldNameFilterNodeAfterNamedOnFilter() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .filter((k, v) -> k != null, Named.as("only-keyed")).to("out"))).run();
            assertEquals(5, kafka.values("out").size());
        }

        @Test
        void shouldDropMatchingRecordsOnFilterNot() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .filterNot((k, v) -> v != null && v.startsWith("a")).to("out"))).run();
            assertEquals(Arrays.asList("banana", "nokey", null, ""), kafka.values("out"));
        }

        @Test
        void shouldNameFilterNotNodeAfterNamedOnFilterNot() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .filterNot((k, v) -> v == null, Named.as("drop-tombstones")).to("out"))).run();
            assertEquals(5, kafka.values("out").size());
        }

        @Test
        void shouldPassTombstonesThroughFilterThatAcceptsThem() {
            final var kafka = Differential.dsl(dsl -> in(dsl).filter((k, v) -> true).to("out"))
                .pipe("in", "k", null, 1L).pipe("in", null, null, 2L).run();
            assertEquals(Arrays.asList(null, null), kafka.values("out"));
        }

        @Test
        void shouldPropagateExceptionFromFilterPredicate() {
            Differential.dsl(dsl -> in(dsl).filter((k, v) -> v.isEmpty()).to("out"))
                .pipe("in", "k", null, 1L).runExpectingFailure();
        }
    }

    // ================================================================================================ selectKey / map

    @Nested
    class KeyChanging {
        @Test
        void shouldReplaceKeyWithMapperResultOnSelectKey() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .selectKey((k, v) -> v == null ? null : v.substring(0, Math.min(1, v.length()))).to("out"))).run();
            assertEquals(Arrays.asList("a", "b", "n", null, "", "a"), kafka.keys("out"));
        }

        @Test
        void shouldNameSelectKeyNodeAfterNamed() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .selectKey((k, v) -> "K" + k, Named.as("rekey")).to("out"))).run();
        }

        @Test
        void shouldRepartitionAfterSelectKeyWhenRepartitionIsCalled() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .selectKey((k, v) -> "K" + k).repartition().mapValues(v -> v + "!").to("out"))).run();
            assertTrue(kafka.topics().stream().anyMatch(t -> t.endsWith("-repartition")), kafka::toString);
        }

        @Test
        void shouldMapKeyAndValueOnMap() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .map((k, v) -> KeyValue.pair(v, k)).to("out"))).run();
            assertEquals("apple=a", kafka.keyValues("out").get(0));
        }

        @Test
        void shouldNameMapNodeAfterNamedOnMap() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .map((k, v) -> KeyValue.pair(k + "x", v + "y"), Named.as("swap")).to("out"))).run();
        }

        @Test
        void shouldMapToOtherTypesAndWriteWithProducedSerdes() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .map((k, v) -> KeyValue.pair(v == null ? -1 : v.length(), v == null ? 0L : (long) v.hashCode()))
                .to("out", Produced.with(Serdes.Integer(), Serdes.Long())))).run();
            assertEquals(6, kafka.records("out").size());
        }

        @Test
        void shouldFailLikeKafkaWhenMapReturnsNullPair() {
            Differential.dsl(dsl -> in(dsl).map((k, v) -> (KeyValue<String, String>) null).to("out"))
                .pipe("in", "k", "v", 1L).runExpectingFailure();
        }
    }

    // ================================================================================================ mapValues

    @Nested
    class MapValues {
        @Test
        void shouldReplaceValueOnMapValuesWithValueMapper() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .mapValues((ValueMapper<String, String>) v -> v + "-mapped").to("out"))).run();
            assertEquals("apple-mapped", kafka.values("out").get(0));
            assertEquals("null-mapped", kafka.values("out").get(3));
        }

        @Test
        void shouldNameMapValuesNodeAfterNamedWithValueMapper() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .mapValues((ValueMapper<String, String>) v -> v + "!", Named.as("exclaim")).to("out"))).run();
        }

        @Test
        void shouldSeeKeyOnMapValuesWithValueMapperWithKey() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .mapValues((ValueMapperWithKey<String, String, String>) (k, v) -> k + ":" + v).to("out"))).run();
            assertEquals("a:apple", kafka.values("out").get(0));
            assertEquals("null:nokey", kafka.values("out").get(2));
        }

        @Test
        void shouldNameMapValuesNodeAfterNamedWithValueMapperWithKey() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .mapValues((ValueMapperWithKey<String, String, String>) (k, v) -> k + v, Named.as("kv"))
                .to("out"))).run();
        }

        @Test
        void shouldProduceTombstoneWhenMapValuesReturnsNull() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .mapValues(v -> (String) null).to("out"))).run();
            assertEquals(6, kafka.values("out").size());
        }

        @Test
        void shouldChangeValueTypeOnMapValuesAndUseProducedValueSerde() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .mapValues(v -> v == null ? null : v.length())
                .to("out", Produced.valueSerde(Serdes.Integer())))).run();
            assertEquals(4, kafka.records("out").get(0).value().length);
        }
    }

    // ================================================================================================ flatMap

    @Nested
    class FlatMap {
        @Test
        void shouldEmitEveryPairInOrderOnFlatMap() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .flatMap((k, v) -> v == null ? List.<KeyValue<String, String>>of()
                    : List.of(KeyValue.pair(k, v), KeyValue.pair(v, k)))
                .to("out"))).run();
            assertEquals(List.of("a=apple", "apple=a"), kafka.keyValues("out").subList(0, 2));
        }

        @Test
        void shouldNameFlatMapNodeAfterNamed() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .flatMap((k, v) -> List.of(KeyValue.pair(k, v)), Named.as("fm")).to("out"))).run();
        }

        @Test
        void shouldEmitNothingForEmptyIterableOnFlatMap() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .flatMap((k, v) -> List.<KeyValue<String, String>>of()).to("out"))).run();
            assertTrue(kafka.records("out").isEmpty());
        }

        @Test
        void shouldFailLikeKafkaWhenFlatMapReturnsNull() {
            Differential.dsl(dsl -> in(dsl).flatMap((k, v) -> (List<KeyValue<String, String>>) null).to("out"))
                .pipe("in", "k", "v", 1L).runExpectingFailure();
        }

        @Test
        void shouldEmitEveryValueOnFlatMapValuesWithValueMapper() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .flatMapValues((ValueMapper<String, Iterable<String>>) v ->
                    v == null ? List.of() : Arrays.asList(v.split("a", -1)))
                .to("out"))).run();
            assertEquals(List.of("", "pple"), kafka.values("out").subList(0, 2));
        }

        @Test
        void shouldNameFlatMapValuesNodeAfterNamedWithValueMapper() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .flatMapValues((ValueMapper<String, Iterable<String>>) v -> Arrays.asList(v, v), Named.as("twice"))
                .to("out"))).run();
        }

        @Test
        void shouldSeeKeyOnFlatMapValuesWithValueMapperWithKey() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .flatMapValues((ValueMapperWithKey<String, String, Iterable<String>>) (k, v) -> Arrays.asList(k, v))
                .to("out"))).run();
            assertEquals(Arrays.asList("a", "apple"), kafka.values("out").subList(0, 2));
        }

        @Test
        void shouldNameFlatMapValuesNodeAfterNamedWithValueMapperWithKey() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .flatMapValues((ValueMapperWithKey<String, String, Iterable<String>>) (k, v) -> List.of("x"),
                    Named.as("xs"))
                .to("out"))).run();
        }
    }

    // ================================================================================================ peek / foreach / print

    @Nested
    class SideEffects {
        @Test
        void shouldCallActionAndForwardUnchangedOnPeek() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .peek((k, v) -> dsl.log("peek " + k + "=" + v)).to("out"))).run();
            assertEquals(6, kafka.effects().size());
            assertEquals(6, kafka.values("out").size());
        }

        @Test
        void shouldNamePeekNodeAfterNamed() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .peek((k, v) -> dsl.log(k + "/" + v), Named.as("look")).to("out"))).run();
        }

        @Test
        void shouldCallActionForEveryRecordOnForeach() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .foreach((k, v) -> dsl.log("each " + k + "=" + v)))).run();
            assertEquals("each a=apple", kafka.effects().get(0));
        }

        @Test
        void shouldNameForeachNodeAfterNamed() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .foreach((k, v) -> dsl.log(k + "=" + v), Named.as("sink-ish")))).run();
        }

        @Test
        void shouldPrintEveryRecordToSystemOutOnPrint() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl).print(Printed.toSysOut()))).run();
            assertTrue(kafka.stdout().contains("[KSTREAM-SOURCE-0000000000]: a, apple"), kafka::stdout);
        }

        @Test
        void shouldPrintWithLabelAndMapperAndNameOnPrint() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl).print(Printed.<String, String>toSysOut()
                .withLabel("lbl").withKeyValueMapper((k, v) -> k + "->" + v).withName("printer")))).run();
            assertTrue(kafka.stdout().contains("[lbl]: a->apple"), kafka::stdout);
        }

        @Test
        void shouldPrintEveryRecordToFileOnPrintToFile() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .print(Printed.<String, String>toFile(dsl.file("printed.txt")).withLabel("file")))).run();
            assertEquals("[file]: a, apple", kafka.file("printed.txt").get(0));
        }

        @Test
        void shouldPrintAfterOtherOperatorsAndKeepForwarding() {
            mixedInput(Differential.dsl(dsl -> {
                final KStream<String, String> mapped = in(dsl).mapValues(v -> v + "?");
                mapped.print(Printed.toSysOut());
                mapped.to("out");
            })).run();
        }
    }

    // ================================================================================================ split

    @Nested
    class Split {
        private String describeBranches(final Map<String, KStream<String, String>> branches) {
            return "branches " + new TreeMap<>(branches).keySet();
        }

        @Test
        void shouldRouteEachRecordToFirstMatchingBranchOrDefaultOnUnnamedSplit() {
            final var kafka = mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split()
                    .branch((k, v) -> v != null && v.startsWith("a"))
                    .branch((k, v) -> v != null && v.contains("a"))
                    .defaultBranch();
                dsl.log(describeBranches(branches));
                branches.forEach((name, stream) -> stream.mapValues(v -> name + ":" + v).to("out"));
            })).run();
            assertEquals(6, kafka.values("out").size());
        }

        @Test
        void shouldPrefixBranchNamesWithSplitNameOnNamedSplit() {
            final var kafka = mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split(Named.as("split-"))
                    .branch((k, v) -> v == null, Branched.as("nulls"))
                    .branch((k, v) -> v.length() > 5, Branched.as("long"))
                    .defaultBranch(Branched.as("rest"));
                dsl.log(describeBranches(branches));
                branches.forEach((name, stream) -> stream.to("out-" + name));
            })).run();
            assertEquals("branches [split-long, split-nulls, split-rest]", kafka.effects().get(0));
        }

        @Test
        void shouldApplyChainFunctionAndKeepItsResultInMapOnBranchedWithFunction() {
            mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split(Named.as("s"))
                    .branch((k, v) -> k != null, Branched.withFunction(s -> s.mapValues(v -> v + "#"), "keyed"))
                    .branch((k, v) -> true, Branched.withFunction(s -> s.mapValues(v -> "nokey")))
                    .noDefaultBranch();
                dsl.log(describeBranches(branches));
                branches.values().forEach(s -> s.to("out"));
            })).run();
        }

        @Test
        void shouldLeaveBranchOutOfMapWhenChainFunctionReturnsNull() {
            final var kafka = mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split()
                    .branch((k, v) -> k != null, Branched.withFunction(s -> {
                        s.to("keyed");
                        return null;
                    }))
                    .defaultBranch();
                dsl.log(describeBranches(branches));
                branches.values().forEach(s -> s.to("out"));
            })).run();
            assertEquals(1, kafka.values("out").size());
        }

        @Test
        void shouldHandBranchToConsumerAndLeaveItOutOfMapOnBranchedWithConsumer() {
            final var kafka = mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split(Named.as("c-"))
                    .branch((k, v) -> v != null, Branched.withConsumer(s -> s.to("with-value"), "values"))
                    .branch((k, v) -> true, Branched.withConsumer(s -> s.to("tombstones")))
                    .noDefaultBranch();
                dsl.log(describeBranches(branches));
            })).run();
            assertEquals("branches []", kafka.effects().get(0));
        }

        @Test
        void shouldDropUnmatchedRecordsOnNoDefaultBranch() {
            final var kafka = mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split()
                    .branch((k, v) -> "a".equals(k))
                    .noDefaultBranch();
                dsl.log(describeBranches(branches));
                branches.values().forEach(s -> s.to("out"));
            })).run();
            assertEquals(List.of("apple", "avocado"), kafka.values("out"));
        }

        @Test
        void shouldNameDefaultBranchAfterBranchedOnDefaultBranch() {
            mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split(Named.as("x"))
                    .branch((k, v) -> false)
                    .defaultBranch(Branched.withFunction(s -> s.mapValues(v -> "d:" + v), "dflt"));
                dsl.log(describeBranches(branches));
                branches.values().forEach(s -> s.to("out"));
            })).run();
        }

        @Test
        void shouldPropagateExceptionFromBranchPredicate() {
            Differential.dsl(dsl -> in(dsl).split().branch((k, v) -> v.isEmpty()).defaultBranch()
                    .values().forEach(s -> s.to("out")))
                .pipe("in", "k", null, 1L).runExpectingFailure();
        }
    }

    // ================================================================================================ merge

    @Nested
    class Merge {
        @Test
        void shouldForwardRecordsOfBothStreamsOnMerge() {
            final var kafka = Differential.dsl(dsl -> {
                final KStream<String, String> a = dsl.stream("a", STRINGS);
                final KStream<String, String> b = dsl.stream("b", STRINGS);
                a.merge(b).to("out");
            }).pipe("a", "k1", "from-a", 1L).pipe("b", "k2", "from-b", 2L).pipe("a", "k3", "again-a", 0L).run();
            assertEquals(List.of("from-a", "from-b", "again-a"), kafka.values("out"));
        }

        @Test
        void shouldNameMergeNodeAfterNamed() {
            Differential.dsl(dsl -> {
                final KStream<String, String> a = dsl.stream("a", STRINGS);
                final KStream<String, String> b = dsl.stream("b", STRINGS).mapValues(v -> v + "b");
                a.merge(b, Named.as("both")).to("out");
            }).pipe("a", "k1", "x", 1L).pipe("b", "k2", "y", 2L).run();
        }

        @Test
        void shouldMergeBranchesOfOneSplitBackTogether() {
            mixedInput(Differential.dsl(dsl -> {
                final Map<String, KStream<String, String>> branches = in(dsl).split(Named.as("p-"))
                    .branch((k, v) -> k == null, Branched.as("nokey"))
                    .defaultBranch(Branched.as("other"));
                branches.get("p-nokey").mapValues(v -> "N" + v)
                    .merge(branches.get("p-other").mapValues(v -> "O" + v)).to("out");
            })).run();
        }

        @Test
        void shouldForwardTwiceWhenStreamIsMergedWithItself() {
            mixedInput(Differential.dsl(dsl -> {
                final KStream<String, String> s = in(dsl).mapValues(v -> v);
                s.merge(s).to("out");
            })).run();
        }

        @Test
        void shouldMergeStreamsReadFromSeveralTopicsAndPatterns() {
            Differential.dsl(dsl -> {
                final KStream<String, String> many = dsl.stream(List.of("t1", "t2"), STRINGS);
                final KStream<String, String> pattern = dsl.stream(Pattern.compile("p-.*"), STRINGS);
                many.merge(pattern).mapValues((k, v) -> k + v).to("out");
            }).pipe("t1", "a", "1", 1L).pipe("t2", "b", "2", 2L).pipe("p-x", "c", "3", 3L).run();
        }
    }

    // ================================================================================================ repartition

    @Nested
    class Repartition {
        @Test
        void shouldRouteThroughGeneratedRepartitionTopicAndDropNullKeysOnRepartition() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl).repartition().to("out"))).run();
            // six inputs, one with a null key: Kafka drops it before the repartition topic
            assertEquals(5, kafka.values("out").size());
        }

        @Test
        void shouldUseGivenNameForRepartitionTopicAndNodesOnRepartitionedAs() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .repartition(Repartitioned.as("by-value")).to("out"))).run();
            assertTrue(kafka.topics().contains(Differential.APP_ID + "-by-value-repartition"), kafka::toString);
        }

        @Test
        void shouldWriteRepartitionTopicWithRepartitionedSerdes() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .mapValues(v -> v == null ? null : (long) v.length())
                .repartition(Repartitioned.with(Serdes.String(), Serdes.Long()).withName("longs"))
                .mapValues(v -> v == null ? null : v * 2)
                .to("out", Produced.valueSerde(Serdes.Long())))).run();
        }

        @Test
        void shouldAcceptNumberOfPartitionsOnRepartitioned() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .repartition(Repartitioned.<String, String>numberOfPartitions(3).withName("three")).to("out"))).run();
        }

        @Test
        void shouldCallPartitionerOnRepartitionedStreamPartitioner() {
            mixedInput(Differential.dsl(dsl -> {
                final StreamPartitioner<String, String> partitioner = (topic, k, v, n) -> {
                    dsl.log("partition " + topic + " " + k + " of " + n);
                    return Optional.of(Set.of(0));
                };
                in(dsl).repartition(Repartitioned.streamPartitioner(partitioner)).to("out");
            })).run();
        }

        @Test
        void shouldRepartitionWithDefaultSerdesAfterTypeChangingMap() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .map((k, v) -> KeyValue.pair(v, k)).repartition().to("out"))).run();
        }

        @Test
        void shouldKeepTimestampsAndHeadersThroughRepartitionTopic() {
            Differential.dsl(dsl -> in(dsl).selectKey((k, v) -> v).repartition(Repartitioned.as("r")).to("out"))
                .pipe("in", "a", "x", 100L, header("h1", "v1"), header("h2", null))
                .pipe("in", "b", "y", 50L)
                .run();
        }
    }

    // ================================================================================================ to

    @Nested
    class To {
        @Test
        void shouldWriteEveryRecordToTopicOnTo() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl).to("out"))).run();
            assertEquals(6, kafka.records("out").size());
        }

        @Test
        void shouldUseProducedSerdesAndNameOnTo() {
            mixedInput(Differential.dsl(dsl -> in(dsl).mapValues(v -> v == null ? null : v.getBytes(StandardCharsets.UTF_16))
                .to("out", Produced.with(Serdes.String(), Serdes.ByteArray()).withName("bytes-sink")))).run();
        }

        @Test
        void shouldCallPartitionerOnProducedStreamPartitioner() {
            mixedInput(Differential.dsl(dsl -> in(dsl).to("out", Produced.streamPartitioner((topic, k, v, n) -> {
                dsl.log("partition " + topic + " " + k + "/" + v + " of " + n);
                return Optional.empty();
            })))).run();
        }

        @Test
        void shouldRouteEachRecordToExtractedTopicOnToWithTopicNameExtractor() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .to((TopicNameExtractor<String, String>) (k, v, ctx) -> "out-" + (k == null ? "none" : k.isEmpty()
                    ? "empty" : k) + "-" + ctx.topic()))).run();
            assertTrue(kafka.topics().contains("out-a-in"), kafka::toString);
        }

        @Test
        void shouldUseProducedSerdesWithTopicNameExtractor() {
            mixedInput(Differential.dsl(dsl -> in(dsl).mapValues(v -> v == null ? 0 : v.length())
                .to((k, v, ctx) -> v % 2 == 0 ? "even" : "odd",
                    Produced.<String, Integer>valueSerde(Serdes.Integer()).withName("parity")))).run();
        }

        @Test
        void shouldWriteToSeveralTopicsFromOneStream() {
            mixedInput(Differential.dsl(dsl -> {
                final KStream<String, String> s = in(dsl);
                s.to("out1");
                s.mapValues(v -> v + v).to("out2");
                s.to("out1");
            })).run();
        }

        @Test
        void shouldFailLikeKafkaWhenTopicNameExtractorReturnsNull() {
            Differential.dsl(dsl -> in(dsl).to((k, v, ctx) -> null))
                .pipe("in", "k", "v", 1L).runExpectingFailure();
        }

        @Test
        void shouldFailLikeKafkaWhenSerializerDoesNotMatchValueType() {
            Differential.dsl(dsl -> in(dsl).mapValues(v -> 42).to("out"))
                .pipe("in", "k", "v", 1L).runExpectingFailure();
        }

        @Test
        void shouldWriteBackIntoOwnSourceTopicAndReprocess() {
            Differential.dsl(dsl -> {
                final KStream<String, String> s = in(dsl);
                s.filter((k, v) -> v != null && v.length() < 4).mapValues(v -> v + "+").to("in");
                s.to("out");
            }).pipe("in", "k", "a", 1L).run();
        }
    }

    // ================================================================================================ process / processValues

    @Nested
    class Process {
        @Test
        void shouldForwardWhatProcessorForwardsOnProcess() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .process(() -> new ContextualProcessor<String, String, String, Integer>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        context().forward(record.withValue(record.value() == null ? -1 : record.value().length())
                            .withKey(record.key() + "!").withTimestamp(record.timestamp() + 1000));
                    }
                }).to("out", Produced.valueSerde(Serdes.Integer())))).run();
            assertEquals(1010L, kafka.records("out").get(0).timestamp());
        }

        @Test
        void shouldNameProcessNodeAfterNamed() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .process(Forwarder::new, Named.as("fwd")).to("out"))).run();
        }

        @Test
        void shouldDeliverHeadersAddedInProcessorToSink() {
            final var kafka = Differential.dsl(dsl -> in(dsl)
                .process(() -> new ContextualProcessor<String, String, String, String>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        final Headers headers = record.headers();
                        headers.add("added", ("by-" + record.key()).getBytes(StandardCharsets.UTF_8));
                        headers.add("empty", null);
                        context().forward(record);
                    }
                })
                .mapValues(v -> v + "-after")
                .to("out"))
                .pipe("in", "k1", "v1", 1L, header("orig", "o"))
                .pipe("in", "k2", "v2", 2L)
                .run();
            assertEquals("[orig=\"o\", added=\"by-k1\", empty=null]",
                Differential.headers(kafka.records("out").get(0).headers()));
        }

        @Test
        void shouldReplaceHeadersWithRecordWithHeaders() {
            Differential.dsl(dsl -> in(dsl)
                .process(() -> new ContextualProcessor<String, String, String, String>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        context().forward(record.withHeaders(new org.apache.kafka.common.header.internals.RecordHeaders()
                            .add("only", new byte[] {1, 2})));
                    }
                }).to("out"))
                .pipe("in", "k1", "v1", 1L, header("orig", "o"))
                .run();
        }

        @Test
        void shouldForwardWhatFixedKeyProcessorForwardsOnProcessValues() {
            final var kafka = mixedInput(Differential.dsl(dsl -> in(dsl)
                .processValues(() -> new ContextualFixedKeyProcessor<String, String, String>() {
                    @Override
                    public void process(final FixedKeyRecord<String, String> record) {
                        context().forward(record.withValue(record.key() + "|" + record.value()));
                    }
                }).to("out"))).run();
            assertEquals("a|apple", kafka.values("out").get(0));
        }

        @Test
        void shouldNameProcessValuesNodeAfterNamed() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .processValues(ValueForwarder::new, Named.as("values")).to("out"))).run();
        }

        @Test
        void shouldSeeRecordContextInProcessorOnProcess() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .process(() -> new ContextualProcessor<String, String, String, String>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        final String meta = context().recordMetadata()
                            .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("none");
                        context().forward(record.withValue(meta + " task=" + context().taskId()
                            + " app=" + context().applicationId()
                            + " streamTime=" + context().currentStreamTimeMs()
                            + " wallClock=" + context().currentSystemTimeMs()));
                    }
                }).to("out"))).run();
        }

        @Test
        void shouldForwardProcessOutputThroughRepartitionWhenKeyChanged() {
            mixedInput(Differential.dsl(dsl -> in(dsl)
                .process(Forwarder::new)
                .repartition()
                .to("out"))).run();
        }
    }

    static final class Forwarder extends ContextualProcessor<String, String, String, String> {
        @Override
        public void process(final Record<String, String> record) {
            context().forward(record);
        }
    }

    static final class ValueForwarder extends ContextualFixedKeyProcessor<String, String, String> {
        @Override
        public void process(final FixedKeyRecord<String, String> record) {
            context().forward(record);
        }
    }
}
