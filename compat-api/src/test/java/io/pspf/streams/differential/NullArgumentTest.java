package io.pspf.streams.differential;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.ForeachAction;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.Printed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every null argument of {@code StreamsBuilder#stream}, {@code addStateStore} and every stateless {@code KStream}
 * operator, plus illegal and duplicate names: Kafka's exception (type, message, cause chain, and whether it came from
 * the call itself or from {@code build()}) must be PSPF's.
 */
class NullArgumentTest {
    private static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());
    private static final Predicate<String, String> P = (k, v) -> true;
    private static final KeyValueMapper<String, String, String> KM = (k, v) -> k;
    private static final KeyValueMapper<String, String, KeyValue<String, String>> M = KeyValue::pair;
    private static final KeyValueMapper<String, String, Iterable<KeyValue<String, String>>> FM = (k, v) -> List.of();
    private static final ValueMapper<String, String> VM = v -> v;
    private static final ValueMapperWithKey<String, String, String> VMK = (k, v) -> v;
    private static final ValueMapper<String, Iterable<String>> FVM = v -> List.of();
    private static final ValueMapperWithKey<String, String, Iterable<String>> FVMK = (k, v) -> List.of();
    private static final ForeachAction<String, String> A = (k, v) -> { };
    private static final TopicNameExtractor<String, String> X = (k, v, c) -> "t";
    private static final ProcessorSupplier<String, String, String, String> PS =
        () -> new ContextualProcessor<String, String, String, String>() {
            @Override
            public void process(final Record<String, String> record) {
                context().forward(record);
            }
        };
    private static final FixedKeyProcessorSupplier<String, String, String> FPS =
        () -> new ContextualFixedKeyProcessor<String, String, String>() {
            @Override
            public void process(final FixedKeyRecord<String, String> record) {
                context().forward(record);
            }
        };
    private static final String LONG_NAME = "n".repeat(250);

    private static Arguments call(final String description, final Consumer<Dsl> build) {
        return Arguments.of(description, build);
    }

    private static Arguments op(final String description, final Consumer<KStream<String, String>> operator) {
        return Arguments.of(description, (Consumer<Dsl>) dsl -> operator.accept(dsl.stream("in", STRINGS)));
    }

    static Stream<Arguments> nullArguments() {
        return Stream.of(
            call("stream(null topic)", dsl -> dsl.stream((String) null)),
            call("stream(null topic, consumed)", dsl -> dsl.stream((String) null, STRINGS)),
            call("stream(topic, null consumed)", dsl -> dsl.stream("in", (Consumed<String, String>) null)),
            call("stream(null topic collection)", dsl -> dsl.stream((Collection<String>) null)),
            call("stream(collection holding null)", dsl -> dsl.stream(Arrays.asList("a", null))),
            call("stream(null collection, consumed)", dsl -> dsl.stream((Collection<String>) null, STRINGS)),
            call("stream(collection, null consumed)", dsl -> dsl.stream(List.of("a"), (Consumed<String, String>) null)),
            call("stream(null pattern)", dsl -> dsl.stream((Pattern) null)),
            call("stream(null pattern, consumed)", dsl -> dsl.stream((Pattern) null, STRINGS)),
            call("stream(pattern, null consumed)", dsl -> dsl.stream(Pattern.compile("a.*"), (Consumed<String, String>) null)),
            call("addStateStore(null)", dsl -> dsl.addStateStore((StoreBuilder<?>) null)),
            op("filter(null)", s -> s.filter(null)),
            op("filter(predicate, null named)", s -> s.filter(P, null)),
            op("filter(null, named)", s -> s.filter(null, Named.as("f"))),
            op("filterNot(null)", s -> s.filterNot(null)),
            op("filterNot(predicate, null named)", s -> s.filterNot(P, null)),
            op("selectKey(null)", s -> s.selectKey(null)),
            op("selectKey(mapper, null named)", s -> s.selectKey(KM, null)),
            op("map(null)", s -> s.map(null)),
            op("map(mapper, null named)", s -> s.map(M, null)),
            op("mapValues(null ValueMapper)", s -> s.mapValues((ValueMapper<String, String>) null)),
            op("mapValues(null ValueMapperWithKey)", s -> s.mapValues((ValueMapperWithKey<String, String, String>) null)),
            op("mapValues(ValueMapper, null named)", s -> s.mapValues(VM, null)),
            op("mapValues(ValueMapperWithKey, null named)", s -> s.mapValues(VMK, null)),
            op("mapValues(null ValueMapper, named)", s -> s.mapValues((ValueMapper<String, String>) null, Named.as("m"))),
            op("flatMap(null)", s -> s.flatMap(null)),
            op("flatMap(mapper, null named)", s -> s.flatMap(FM, null)),
            op("flatMapValues(null ValueMapper)", s -> s.flatMapValues((ValueMapper<String, Iterable<String>>) null)),
            op("flatMapValues(null ValueMapperWithKey)",
                s -> s.flatMapValues((ValueMapperWithKey<String, String, Iterable<String>>) null)),
            op("flatMapValues(ValueMapper, null named)", s -> s.flatMapValues(FVM, null)),
            op("flatMapValues(ValueMapperWithKey, null named)", s -> s.flatMapValues(FVMK, null)),
            op("print(null)", s -> s.print(null)),
            op("foreach(null)", s -> s.foreach(null)),
            op("foreach(action, null named)", s -> s.foreach(A, null)),
            op("peek(null)", s -> s.peek(null)),
            op("peek(action, null named)", s -> s.peek(A, null)),
            op("split(null named)", s -> s.split(null)),
            op("split().branch(null)", s -> s.split().branch(null)),
            op("split().branch(predicate, null branched)", s -> s.split().branch(P, null)),
            op("split().branch(null, branched)", s -> s.split().branch(null, Branched.as("b"))),
            op("split().defaultBranch(null)", s -> s.split().defaultBranch(null)),
            op("merge(null)", s -> s.merge(null)),
            op("merge(stream, null named)", s -> s.merge(s, null)),
            op("repartition(null)", s -> s.repartition(null)),
            op("to(null topic)", s -> s.to((String) null)),
            op("to(null topic, produced)", s -> s.to((String) null, Produced.as("p"))),
            op("to(topic, null produced)", s -> s.to("out", null)),
            op("to(null extractor)", s -> s.to((TopicNameExtractor<String, String>) null)),
            op("to(null extractor, produced)", s -> s.to((TopicNameExtractor<String, String>) null, Produced.as("p"))),
            op("to(extractor, null produced)", s -> s.to(X, null)),
            op("process(null)", s -> s.process((ProcessorSupplier<String, String, String, String>) null)),
            op("process(null, named)", s -> s.process((ProcessorSupplier<String, String, String, String>) null, Named.as("p"))),
            op("process(supplier, null named)", s -> s.process(PS, (Named) null)),
            op("process(supplier, null store names)", s -> s.process(PS, (String[]) null)),
            op("process(supplier, null store name)", s -> s.process(PS, "store", null)),
            op("process(supplier, named, null store name)", s -> s.process(PS, Named.as("p"), (String) null)),
            op("processValues(null)", s -> s.processValues((FixedKeyProcessorSupplier<String, String, String>) null)),
            op("processValues(null, named)",
                s -> s.processValues((FixedKeyProcessorSupplier<String, String, String>) null, Named.as("p"))),
            op("processValues(supplier, null named)", s -> s.processValues(FPS, (Named) null)),
            op("processValues(supplier, null store names)", s -> s.processValues(FPS, (String[]) null)),
            op("processValues(supplier, null store name)", s -> s.processValues(FPS, "store", null))
        );
    }

    static Stream<Arguments> badNames() {
        return Stream.of(
            op("filter named with a space", s -> s.filter(P, Named.as("a b")).to("out")),
            op("filter named with 250 characters", s -> s.filter(P, Named.as(LONG_NAME)).to("out")),
            op("filter named empty", s -> s.filter(P, Named.as("")).to("out")),
            op("two filters with the same name", s -> {
                s.filter(P, Named.as("same")).to("out");
                s.filterNot(P, Named.as("same")).to("out2");
            }),
            op("filter and mapValues with the same name", s -> s.filter(P, Named.as("same")).mapValues(VM, Named.as("same"))),
            op("to named with a space", s -> s.to("out", Produced.as("a b"))),
            op("repartition named with a space", s -> s.repartition(Repartitioned.as("a b")).to("out")),
            op("split named with a space", s -> s.split(Named.as("a b")).defaultBranch()),
            op("branch named with a space", s -> s.split().branch(P, Branched.as("a b")).defaultBranch()),
            op("two branches with the same name", s -> s.split().branch(P, Branched.as("x")).branch(P, Branched.as("x"))
                .defaultBranch()),
            op("to an empty topic name", s -> s.to("")),
            op("process with a store that was never added", s -> s.process(PS, "no-such-store").to("out")),
            op("processValues with a store that was never added", s -> s.processValues(FPS, "no-such-store").to("out")),
            call("source named with a space", dsl -> dsl.stream("in", Consumed.<String, String>as("a b")).to("out")),
            call("two sources with the same name", dsl -> {
                dsl.stream("a", Consumed.as("src")).to("out");
                dsl.stream("b", Consumed.as("src")).to("out");
            }),
            call("the same topic read by two streams", dsl -> {
                dsl.stream("in").to("out");
                dsl.stream("in").to("out2");
            }),
            call("a topic read by a stream and matched by a pattern", dsl -> {
                dsl.stream("in").to("out");
                dsl.stream(Pattern.compile("i.*")).to("out2");
            }),
            call("stream(empty topic collection)", dsl -> dsl.stream(List.<String>of()).to("out"))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void shouldThrowKafkasExceptionForNullArgument(final String call, final Consumer<Dsl> build) {
        // Kafka accepts a few nulls when building (a null branch predicate) and fails only on the first record
        Differential.dsl(build).pipe("in", "k", "v", 1L).runExpectingFailure();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNames")
    void shouldRejectOrAcceptNamesAndTopicsExactlyLikeKafka(final String call, final Consumer<Dsl> build) {
        Differential.dsl(build).pipe("in", "k", "v", 1L).run();
    }
}
