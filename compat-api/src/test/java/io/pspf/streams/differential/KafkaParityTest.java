package io.pspf.streams.differential;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * Behaviours a review of the engine found to differ from Kafka Streams 4.4, each run on both drivers: handler
 * routing for punctuators and class-cast failures, header ownership of produced records, RETRY on serialization
 * errors, the test driver's global task, explicit punctuation start times, init and close order, the record context
 * after processing, and what a topic name extractor sees.
 */
class KafkaParityTest {
    static final StringDeserializer SD = new StringDeserializer();
    static final StringSerializer SS = new StringSerializer();

    /** Logs each failure it sees and resumes. */
    public static final class LoggingResumeHandler implements ProcessingExceptionHandler {
        @Override
        public Response handleError(final ErrorHandlerContext context, final Record<?, ?> record, final Exception exception) {
            Differential.current().log("handler node=" + context.processorNodeId() + " record=" + (record == null ? null : record.key())
                + " exception=" + exception.getClass().getSimpleName());
            return Response.resume();
        }

        @Override
        public void configure(final Map<String, ?> configs) {
        }
    }

    /** Answers RETRY to a serialization failure. */
    public static final class RetryingProductionHandler implements ProductionExceptionHandler {
        @Override
        public Response handleSerializationError(final ErrorHandlerContext context, final ProducerRecord record,
                                                 final Exception exception, final SerializationExceptionOrigin origin) {
            Differential.current().log("serialization handler " + origin);
            return Response.retry();
        }

        @Override
        public void configure(final Map<String, ?> configs) {
        }
    }

    static ProcessorSupplier<String, String, String, String> forward(final Side side, final String name) {
        return () -> new ContextualProcessor<>() {
            @Override
            public void init(final ProcessorContext<String, String> context) {
                super.init(context);
                side.log("init " + name);
            }

            @Override
            public void process(final Record<String, String> record) {
                context().forward(record);
            }

            @Override
            public void close() {
                side.log("close " + name + " metadata=" + context().recordMetadata().map(m -> m.topic() + "/" + m.offset()));
            }
        };
    }

    @Test
    void shouldHandAPunctuatorFailureToTheProcessingExceptionHandler() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("p", () -> new Processor<String, String, String, String>() {
                    @Override
                    public void init(final ProcessorContext<String, String> context) {
                        context.schedule(Duration.ofMillis(10), PunctuationType.WALL_CLOCK_TIME, ts -> {
                            papi.log("punctuate " + ts);
                            throw new IllegalStateException("punctuation boom");
                        });
                    }

                    @Override
                    public void process(final Record<String, String> record) {
                        papi.log("process " + record.key());
                    }
                }, "src"))
            .config(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LoggingResumeHandler.class)
            .advanceWallClock(Duration.ofMillis(10))
            .advanceWallClock(Duration.ofMillis(10))
            .pipe("in", "k", "v", 1L)
            .run();
    }

    @Test
    void shouldLetTheParentsHandlerDealWithAClassCastFailureInAChild() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("a", forward(papi, "a"), "src")
                .addProcessor("b", () -> new ContextualProcessor<String, String, String, String>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        throw new ClassCastException("b cannot cast");
                    }
                }, "a")
                .addSink("sink", "out", SS, SS, "a"))
            .config(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LoggingResumeHandler.class)
            .pipe("in", "k", "v", 1L)
            .pipe("in", "k2", "v2", 2L)
            .run();
    }

    @Test
    void shouldKeepProducedRecordsApartFromLaterHeaderChanges() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addSink("sink", "out", SS, SS, "src")
                .addProcessor("late", () -> new ContextualProcessor<String, String, String, String>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        record.headers().add("late", new byte[] {1});
                        context().forward(record);
                    }
                }, "src")
                .addSink("sink2", "out2", SS, SS, "late"))
            .pipe("in", "k", "v", 1L)
            .run();
    }

    /** Fails on the value "bad". */
    public static final class PickySerializer implements Serializer<String> {
        @Override
        public byte[] serialize(final String topic, final String data) {
            if ("bad".equals(data)) {
                throw new IllegalArgumentException("cannot serialize bad");
            }
            return data == null ? null : data.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public byte[] serialize(final String topic, final Headers headers, final String data) {
            return serialize(topic, data);
        }
    }

    @Test
    void shouldTreatRetryForASerializationErrorAsFail() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addSink("sink", "out", SS, new PickySerializer(), "src"))
            .config(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, RetryingProductionHandler.class)
            .pipe("in", "k", "good", 1L)
            .pipe("in", "k", "bad", 2L)
            .runExpectingFailure();
    }

    @Test
    void shouldStartAnExplicitlyTimedPunctuationAtTheNextAlignedTimeAfterNow() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("p", () -> new Processor<String, String, String, String>() {
                    @Override
                    public void init(final ProcessorContext<String, String> context) {
                        context.schedule(Instant.ofEpochMilli(0), Duration.ofMillis(10), PunctuationType.WALL_CLOCK_TIME,
                            ts -> papi.log("punctuate " + ts));
                    }

                    @Override
                    public void process(final Record<String, String> record) {
                    }
                }, "src"))
            .wallClockStart(Instant.ofEpochMilli(1005))
            .advanceWallClock(Duration.ofMillis(1))
            .advanceWallClock(Duration.ofMillis(4))
            .advanceWallClock(Duration.ofMillis(25))
            .run();
    }

    @Test
    void shouldInitAndCloseProcessorsInTopologyOrderAcrossSubtopologiesSeeingTheLastRecordContext() {
        Differential.papi(papi -> papi
                .addSource("srcA", SD, SD, "a")
                .addProcessor("p1", forward(papi, "p1"), "srcA")
                .addSource("srcB", SD, SD, "b")
                .addProcessor("p2", forward(papi, "p2"), "srcB")
                .addProcessor("p3", forward(papi, "p3"), "p1")
                .addSink("sink", "out", SS, SS, "p3", "p2"))
            .pipe("a", "k", "v", 1L)
            .pipe("b", "k", "w", 2L)
            .run();
    }

    /** Routes by key and logs what it is given; prints the same on both sides in {@code describe()}. */
    static final class LoggingExtractor implements org.apache.kafka.streams.processor.TopicNameExtractor<String, String> {
        @Override
        public String extract(final String key, final String value,
                              final org.apache.kafka.streams.processor.RecordContext context) {
            Differential.current().log("extract rawKey=" + (context.sourceRawKey() == null ? null : "present")
                + " topic=" + context.topic());
            return "out-" + key;
        }

        @Override
        public String toString() {
            return "LoggingExtractor";
        }
    }

    @Test
    void shouldGiveATopicNameExtractorNoSourceRawKeyAndUseItsTopicAsReturned() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addSink("sink", new LoggingExtractor(), SS, SS, "src"))
            .pipe("in", "k", "v", 1L)
            .run();
    }

    static Papi globalTopology(final Papi papi, final boolean failInProcessor) {
        return papi
            .addGlobalStore(papi.stores().inMemory("global", org.apache.kafka.common.serialization.Serdes.Integer(),
                    org.apache.kafka.common.serialization.Serdes.String()).withLoggingDisabled(),
                "gsrc", new org.apache.kafka.common.serialization.IntegerDeserializer(), SD, "global-in", "gproc",
                () -> new ContextualProcessor<Integer, String, Void, Void>() {
                    @Override
                    public void process(final Record<Integer, String> record) {
                        papi.log("global " + record.key() + "=" + record.value());
                        if (failInProcessor) {
                            throw new IllegalStateException("global boom");
                        }
                    }
                })
            .addSource("src", SD, SD, "in")
            .addSink("sink", "out", SS, SS, "src");
    }

    @Test
    void shouldSkipUndeserializableGlobalRecordsInTheTestDriverAsKafkaDoes() {
        Differential.papi(papi -> globalTopology(papi, false))
            .pipeRaw("global-in", new byte[] {1}, new byte[] {'x'}, 1L)            // not a 4-byte integer key
            .pipeRaw("global-in", new byte[] {0, 0, 0, 7}, new byte[] {'v'}, 2L)
            .config(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndFailExceptionHandler.class)
            .run();
    }

    @Test
    void shouldLetGlobalProcessorFailuresPropagateUnlessTheGlobalHandlerIsEnabled() {
        Differential.papi(papi -> globalTopology(papi, true))
            .config(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LoggingResumeHandler.class)
            .pipeRaw("global-in", new byte[] {0, 0, 0, 7}, new byte[] {'v'}, 1L)
            .runExpectingFailure();
    }
}
