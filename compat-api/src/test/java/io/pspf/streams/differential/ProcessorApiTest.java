package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.FailOnInvalidTimestamp;
import org.apache.kafka.streams.processor.LogAndSkipOnInvalidTimestamp;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Processor API programs as users write them, run differentially: punctuation in stream time and wall-clock time,
 * forwarding to named children, record metadata, failures and their handlers, timestamp extractors, and topologies
 * Kafka rejects.
 */
class ProcessorApiTest {
    static final StringDeserializer SD = new StringDeserializer();
    static final StringSerializer SS = new StringSerializer();

    /** Forwards every record unchanged. */
    static ProcessorSupplier<String, String, String, String> forward() {
        return () -> new ContextualProcessor<>() {
            @Override
            public void process(final Record<String, String> record) {
                context().forward(record);
            }
        };
    }

    /** source "src" on "in" → processor "proc" → sink "sink" on "out". */
    static Differential.Scenario chain(final ProcessorSupplier<String, String, String, String> processor) {
        return Differential.papi(papi -> papi
            .addSource("src", SD, SD, "in")
            .addProcessor("proc", processor, "src")
            .addSink("sink", "out", SS, SS, "proc"));
    }

    // ================================================================================================ punctuation

    /** Schedules a punctuation of the given type every {@code interval}ms and reports each call. */
    static ProcessorSupplier<String, String, String, String> punctuating(final Side side, final PunctuationType type,
                                                                          final long interval) {
        return () -> new Processor<>() {
            private ProcessorContext<String, String> context;

            @Override
            public void init(final ProcessorContext<String, String> context) {
                this.context = context;
                context.schedule(Duration.ofMillis(interval), type, ts -> {
                    side.log(type + " punctuation at " + ts + " streamTime=" + context.currentStreamTimeMs()
                        + " wallClock=" + context.currentSystemTimeMs() + " metadata="
                        + context.recordMetadata().map(m -> m.topic() + "/" + m.partition() + "/" + m.offset())
                        .orElse("none"));
                    context.forward(new Record<>("punctuation", type + "@" + ts, ts));
                });
            }

            @Override
            public void process(final Record<String, String> record) {
                context.forward(record.withValue(record.value() + " streamTime=" + context.currentStreamTimeMs()));
            }
        };
    }

    @Nested
    class Punctuation {
        @Test
        void shouldPunctuateOnStreamTimeAndSkipMissedIntervalsAcrossGaps() {
            final var kafka = Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", punctuating(papi, PunctuationType.STREAM_TIME, 10), "src")
                    .addSink("sink", "out", SS, SS, "proc"))
                .pipe("in", "a", "1", 0L)
                .pipe("in", "a", "2", 5L)
                .pipe("in", "a", "3", 9L)
                .pipe("in", "a", "4", 10L)
                .pipe("in", "a", "5", 11L)
                .pipe("in", "a", "6", 35L)   // a gap: one punctuation, not three
                .pipe("in", "a", "7", 20L)   // out of order: stream time stays at 35
                .pipe("in", "a", "8", 39L)
                .pipe("in", "a", "9", 40L)
                .advanceWallClock(Duration.ofMillis(1000)) // wall-clock time does not drive stream-time punctuation
                .run();
            assertTrue(kafka.effects().size() >= 3, kafka::toString);
        }

        @Test
        void shouldPunctuateOnWallClockTimeOnlyWhenTheClockAdvances() {
            final var kafka = Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", punctuating(papi, PunctuationType.WALL_CLOCK_TIME, 10), "src")
                    .addSink("sink", "out", SS, SS, "proc"))
                .wallClockStart(Instant.ofEpochMilli(1000))
                .pipe("in", "a", "1", 5000L)
                .advanceWallClock(Duration.ofMillis(5))
                .advanceWallClock(Duration.ofMillis(5))
                .advanceWallClock(Duration.ofMillis(3))
                .pipe("in", "a", "2", 1L)
                .advanceWallClock(Duration.ofMillis(37)) // several intervals at once: one punctuation
                .advanceWallClock(Duration.ZERO)
                .advanceWallClock(Duration.ofMillis(10))
                .run();
            assertTrue(kafka.effects().size() >= 3, kafka::toString);
        }

        @Test
        void shouldRunBothPunctuationTypesAndStopAfterCancel() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new Processor<String, String, String, String>() {
                        private Cancellable streamTime;
                        private int calls;

                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            streamTime = context.schedule(Duration.ofMillis(5), PunctuationType.STREAM_TIME, ts -> {
                                papi.log("stream " + ts);
                                if (++calls == 2) {
                                    streamTime.cancel();
                                }
                            });
                            context.schedule(Duration.ofMillis(7), PunctuationType.WALL_CLOCK_TIME,
                                ts -> papi.log("wall " + ts));
                            context.schedule(Duration.ofMillis(5), PunctuationType.STREAM_TIME,
                                ts -> papi.log("second stream punctuator " + ts));
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                            papi.log("process " + record.value() + "@" + record.timestamp());
                        }
                    }, "src"))
                .pipe("in", "k", "a", 0L)
                .pipe("in", "k", "b", 6L)
                .advanceWallClock(Duration.ofMillis(7))
                .pipe("in", "k", "c", 12L)
                .pipe("in", "k", "d", 30L)
                .advanceWallClock(Duration.ofMillis(20))
                .run();
        }

        @Test
        void shouldPunctuateFromAStartTimeOnScheduleWithStartTime() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new Processor<String, String, String, String>() {
                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            context.schedule(Instant.ofEpochMilli(3), Duration.ofMillis(10), PunctuationType.STREAM_TIME,
                                ts -> papi.log("stream " + ts));
                            context.schedule(Instant.ofEpochMilli(1005), Duration.ofMillis(10),
                                PunctuationType.WALL_CLOCK_TIME, ts -> papi.log("wall " + ts));
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                        }
                    }, "src"))
                .wallClockStart(Instant.ofEpochMilli(1000))
                .pipe("in", "k", "a", 0L)
                .pipe("in", "k", "b", 3L)
                .pipe("in", "k", "c", 14L)
                .advanceWallClock(Duration.ofMillis(4))
                .advanceWallClock(Duration.ofMillis(1))
                .advanceWallClock(Duration.ofMillis(12))
                .run();
        }

        @Test
        void shouldRejectZeroPunctuationInterval() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new Processor<String, String, String, String>() {
                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            context.schedule(Duration.ZERO, PunctuationType.STREAM_TIME, ts -> { });
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                        }
                    }, "src"))
                .pipe("in", "k", "a", 0L)
                .runExpectingFailure();
        }

        @Test
        void shouldWrapExceptionThrownByPunctuator() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new Processor<String, String, String, String>() {
                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            context.schedule(Duration.ofMillis(5), PunctuationType.STREAM_TIME, ts -> {
                                throw new IllegalStateException("punctuator failed at " + ts);
                            });
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                        }
                    }, "src"))
                .pipe("in", "k", "a", 0L)
                .pipe("in", "k", "b", 5L)
                .runExpectingFailure();
        }

        @Test
        void shouldRejectNegativeWallClockAdvance() {
            chain(forward()).advanceWallClock(Duration.ofMillis(-1)).runExpectingFailure();
        }
    }

    // ================================================================================================ forwarding

    @Nested
    class Forwarding {
        private Differential.Scenario twoChildren(final ProcessorSupplier<String, String, String, String> router) {
            return Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("router", router, "src")
                .addProcessor("childA", forward(), "router")
                .addProcessor("childB", forward(), "router")
                .addSink("sinkA", "outA", SS, SS, "childA")
                .addSink("sinkB", "outB", SS, SS, "childB"));
        }

        @Test
        void shouldForwardOnlyToTheNamedChild() {
            final var kafka = twoChildren(() -> new ContextualProcessor<>() {
                @Override
                public void process(final Record<String, String> record) {
                    if (record.value().startsWith("a")) {
                        context().forward(record, "childA");
                    } else if (record.value().startsWith("b")) {
                        context().forward(record, "childB");
                    } else {
                        context().forward(record);
                    }
                }
            }).pipe("in", "k", "apple", 1L).pipe("in", "k", "banana", 2L).pipe("in", "k", "cherry", 3L).run();
            assertEquals(List.of("apple", "cherry"), kafka.values("outA"));
            assertEquals(List.of("banana", "cherry"), kafka.values("outB"));
        }

        @Test
        void shouldForwardToChildrenInTheOrderTheyWereAdded() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("router", forward(), "src")
                    .addProcessor("second", logging(papi, "second"), "router")
                    .addProcessor("first", logging(papi, "first"), "router")
                    .addProcessor("third", logging(papi, "third"), "router"))
                .pipe("in", "k", "v", 1L)
                .run();
        }

        @Test
        void shouldFailWhenForwardingToAnUnknownChild() {
            twoChildren(() -> new ContextualProcessor<>() {
                @Override
                public void process(final Record<String, String> record) {
                    context().forward(record, "nobody");
                }
            }).pipe("in", "k", "v", 1L).runExpectingFailure();
        }

        @Test
        void shouldFailWhenForwardingToAGrandchildByName() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("router", () -> new ContextualProcessor<String, String, String, String>() {
                        @Override
                        public void process(final Record<String, String> record) {
                            context().forward(record, "grandchild");
                        }
                    }, "src")
                    .addProcessor("child", forward(), "router")
                    .addProcessor("grandchild", forward(), "child"))
                .pipe("in", "k", "v", 1L)
                .runExpectingFailure();
        }

        @Test
        void shouldForwardSeveralRecordsPerInputWithOwnTimestampsAndHeaders() {
            chain(() -> new ContextualProcessor<>() {
                @Override
                public void process(final Record<String, String> record) {
                    for (int i = 0; i < 3; i++) {
                        final Record<String, String> copy = record.withKey(record.key() + i)
                            .withTimestamp(record.timestamp() + i * 100)
                            .withHeaders(new org.apache.kafka.common.header.internals.RecordHeaders(record.headers().toArray()));
                        copy.headers().add("i", new byte[] {(byte) i});
                        context().forward(copy);
                    }
                }
            }).pipe("in", "k", "v", 1L, Differential.header("h", "x")).run();
        }

        @Test
        void shouldMergeTwoSourcesIntoOneProcessor() {
            Differential.papi(papi -> papi
                    .addSource("a", SD, SD, "topicA")
                    .addSource("b", SD, SD, "topicB")
                    .addProcessor("proc", withMetadata(), "a", "b")
                    .addSink("sink", "out", SS, SS, "proc"))
                .pipe("topicA", "k", "1", 1L)
                .pipe("topicB", "k", "2", 2L)
                .pipe("topicA", "k", "3", 3L)
                .pipe("topicB", "k", "4", 0L)
                .run();
        }

        @Test
        void shouldRunTwoIndependentSubtopologies() {
            Differential.papi(papi -> papi
                    .addSource("a", SD, SD, "topicA")
                    .addProcessor("pa", withMetadata(), "a")
                    .addSink("sa", "outA", SS, SS, "pa")
                    .addSource("b", SD, SD, "topicB")
                    .addProcessor("pb", withMetadata(), "b")
                    .addSink("sb", "outB", SS, SS, "pb"))
                .pipe("topicA", "k", "1", 1L)
                .pipe("topicB", "k", "2", 2L)
                .run();
        }

        @Test
        void shouldFeedASinkTopicBackIntoTheSourceReadingIt() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", withMetadata(), "src")
                    .addSink("sink", "middle", SS, SS, "proc")
                    .addSource("src2", SD, SD, "middle")
                    .addProcessor("proc2", withMetadata(), "src2")
                    .addSink("sink2", "out", SS, SS, "proc2"))
                .pipe("in", "k", "v", 7L)
                .pipe("in", "k", "w", 8L)
                .run();
        }

        @Test
        void shouldReadEveryTopicMatchingASourcePattern() {
            Differential.papi(papi -> papi
                    .addSource("src", Pattern.compile("in-.*"))
                    .addProcessor("proc", withMetadata(), "src")
                    .addSink("sink", "out", "proc"))
                .pipe("in-1", "k", "v", 1L)
                .pipe("in-2", "k", "w", 2L)
                .run();
        }

        @Test
        void shouldFailToPipeIntoATopicNoSourceReads() {
            chain(forward()).pipe("unknown", "k", "v", 1L).runExpectingFailure();
        }

        @Test
        void shouldRouteWithTopicNameExtractorAndRecordContext() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addSink("sink", (String k, String v, org.apache.kafka.streams.processor.RecordContext ctx) ->
                        "out-" + ctx.topic() + "-" + ctx.offset() + "-" + ctx.partition() + "-" + ctx.timestamp()
                            + "-" + ctx.headers().toArray().length, SS, SS, "src"))
                .pipe("in", "k", "v", 1L)
                .pipe("in", "k", "w", 2L, Differential.header("x", "y"))
                .run();
        }

        @Test
        void shouldCallSinkPartitioner() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addSink("sink", "out", SS, SS, (String topic, String k, String v, int n) -> {
                        papi.log("partitions for " + topic + " " + k + " n=" + n);
                        return Optional.of(Set.of(0));
                    }, "src"))
                .pipe("in", "k", "v", 1L)
                .run();
        }

        @Test
        void shouldDropRecordWhenSinkPartitionerReturnsNoPartition() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addSink("sink", "out", SS, SS, (String topic, String k, String v, int n) ->
                        "drop".equals(v) ? Optional.of(Set.<Integer>of()) : Optional.empty(), "src"))
                .pipe("in", "k", "drop", 1L)
                .pipe("in", "k", "keep", 2L)
                .run();
        }
    }

    static ProcessorSupplier<String, String, String, String> logging(final Side side, final String name) {
        return () -> new ContextualProcessor<>() {
            @Override
            public void process(final Record<String, String> record) {
                side.log(name + " got " + record.key() + "=" + record.value());
            }
        };
    }

    /** Forwards each record with its metadata and context in the value. */
    static ProcessorSupplier<String, String, String, String> withMetadata() {
        return () -> new ContextualProcessor<>() {
            @Override
            public void process(final Record<String, String> record) {
                final String meta = context().recordMetadata()
                    .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("none");
                context().forward(record.withValue(record.value() + " [" + meta + " task=" + context().taskId()
                    + " app=" + context().applicationId() + " streamTime=" + context().currentStreamTimeMs() + "]"));
            }
        };
    }

    // ================================================================================================ context

    @Nested
    class Context {
        @Test
        void shouldPutTopicPartitionAndOffsetOfRecordMetadataIntoOutput() {
            final var kafka = chain(withMetadata())
                .pipe("in", "k", "a", 5L).pipe("in", "k", "b", 3L).pipe("in", null, null, 9L).run();
            assertTrue(kafka.values("out").get(1).contains("in/0/1"), kafka::toString);
        }

        @Test
        void shouldExposeAppConfigsAndSerdesToProcessors() {
            chain(() -> new ContextualProcessor<>() {
                @Override
                public void process(final Record<String, String> record) {
                    final Map<String, Object> configs = context().appConfigs();
                    context().forward(record.withValue("app=" + configs.get(StreamsConfig.APPLICATION_ID_CONFIG)
                        + " guarantee=" + configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)
                        + " custom=" + configs.get("my.custom.setting")
                        + " prefixed=" + new TreeMap<>(context().appConfigsWithPrefix("my."))
                        + " keySerde=" + context().keySerde().getClass().getName()
                        + " valueSerde=" + context().valueSerde().getClass().getName()));
                }
            }).config("my.custom.setting", "hello").pipe("in", "k", "v", 1L).run();
        }

        @Test
        void shouldGiveStreamTimeAsHighestTimestampSeenSoFar() {
            chain(withMetadata())
                .pipe("in", "k", "a", 10L).pipe("in", "k", "b", 3L).pipe("in", "k", "c", 12L).pipe("in", "k", "d", 11L)
                .run();
        }

        @Test
        void shouldRejectForwardFromPunctuatorWithoutTimestampChangeWhenRecordIsNull() {
            chain(() -> new ContextualProcessor<>() {
                @Override
                public void process(final Record<String, String> record) {
                    context().forward(null);
                }
            }).pipe("in", "k", "v", 1L).runExpectingFailure();
        }

        @Test
        void shouldShareOrCopyHeadersBetweenSiblingsLikeKafka() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("parent", forward(), "src")
                    .addProcessor("first", () -> new ContextualProcessor<String, String, String, String>() {
                        @Override
                        public void process(final Record<String, String> record) {
                            record.headers().add("added-by-first", new byte[] {1});
                            context().forward(record);
                        }
                    }, "parent")
                    .addProcessor("second", () -> new ContextualProcessor<String, String, String, String>() {
                        @Override
                        public void process(final Record<String, String> record) {
                            papi.log("second sees " + Differential.headers(record.headers()));
                            context().forward(record);
                        }
                    }, "parent")
                    .addSink("s1", "out1", SS, SS, "first")
                    .addSink("s2", "out2", SS, SS, "second"))
                .pipe("in", "k", "v", 1L, Differential.header("orig", "o"))
                .pipe("in", "k", "w", 2L)
                .run();
        }

        @Test
        void shouldSeeNoRecordMetadataInInit() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new ContextualProcessor<String, String, String, String>() {
                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            super.init(context);
                            papi.log("init metadata=" + context.recordMetadata()
                                .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset()).orElse("none")
                                + " streamTime=" + context.currentStreamTimeMs()
                                + " wallClock=" + context.currentSystemTimeMs());
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                            context().forward(record);
                        }
                    }, "src")
                    .addSink("sink", "out", SS, SS, "proc"))
                .pipe("in", "k", "v", 1L)
                .run();
        }

        @Test
        void shouldForwardPunctuationRecordWithoutHeadersAndSinkItWithThem() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new ContextualProcessor<String, String, String, String>() {
                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            super.init(context);
                            context.schedule(Duration.ofMillis(10), PunctuationType.WALL_CLOCK_TIME, ts -> {
                                final Record<String, String> r = new Record<>("p", "tick", ts);
                                r.headers().add("from", "punctuator".getBytes(StandardCharsets.UTF_8));
                                context.forward(r);
                                context.forward(new Record<>("p", "tock", ts, null));
                            });
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                            context().forward(record);
                        }
                    }, "src")
                    .addSink("sink", "out", SS, SS, "proc"))
                .pipe("in", "k", "v", 1L, Differential.header("h", "x"))
                .advanceWallClock(Duration.ofMillis(10))
                .run();
        }

        @Test
        void shouldAllowCommitRequestsFromProcessors() {
            chain(() -> new ContextualProcessor<>() {
                @Override
                public void process(final Record<String, String> record) {
                    context().commit();
                    context().forward(record);
                }
            }).pipe("in", "k", "v", 1L).pipe("in", "k", "w", 2L).run();
        }

        @Test
        void shouldCallInitAndCloseOfEveryProcessorOnce() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new Processor<String, String, String, String>() {
                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            papi.log("init proc task=" + context.taskId());
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                            papi.log("process " + record.value());
                        }

                        @Override
                        public void close() {
                            papi.log("close proc");
                        }
                    }, "src"))
                .pipe("in", "k", "v", 1L)
                .run();
        }
    }

    // ================================================================================================ failures

    static final class Boom extends RuntimeException {
        Boom(final String message) {
            super(message);
        }
    }

    static ProcessorSupplier<String, String, String, String> failingOn(final String badValue) {
        return () -> new ContextualProcessor<>() {
            @Override
            public void process(final Record<String, String> record) {
                if (badValue.equals(record.value())) {
                    throw new Boom("cannot process " + record.value());
                }
                context().forward(record);
            }
        };
    }

    /** Reports what Kafka hands a processing exception handler, then resumes. */
    public static final class RecordingProcessingHandler implements ProcessingExceptionHandler {
        @Override
        public void configure(final Map<String, ?> configs) {
            Differential.current().log("processing handler configured");
        }

        @Override
        public Response handleError(final ErrorHandlerContext context, final Record<?, ?> record,
                                    final Exception exception) {
            Differential.current().log("processing handler: " + describe(context) + " record=" + record.key() + "="
                + record.value() + "@" + record.timestamp() + " exception=" + Differential.exception(exception));
            return Response.resume();
        }
    }

    /** Reports what Kafka hands a deserialization exception handler, then resumes. */
    public static final class RecordingDeserializationHandler implements DeserializationExceptionHandler {
        @Override
        public void configure(final Map<String, ?> configs) {
        }

        @Override
        public Response handleError(final ErrorHandlerContext context, final ConsumerRecord<byte[], byte[]> record,
                                    final Exception exception) {
            Differential.current().log("deserialization handler: " + describe(context) + " record=" + record.topic()
                + "/" + record.partition() + "/" + record.offset() + " value=" + Differential.bytes(record.value())
                + " exception=" + Differential.exception(exception));
            return Response.resume();
        }
    }

    static String describe(final ErrorHandlerContext context) {
        return "topic=" + context.topic() + " partition=" + context.partition() + " offset=" + context.offset()
            + " node=" + context.processorNodeId() + " task=" + context.taskId() + " ts=" + context.timestamp()
            + " headers=" + Differential.headers(context.headers())
            + " rawKey=" + Differential.bytes(context.sourceRawKey())
            + " rawValue=" + Differential.bytes(context.sourceRawValue());
    }

    @Nested
    class Failures {
        @Test
        void shouldWrapProcessorExceptionInStreamsExceptionWithDefaultHandler() {
            final var kafka = chain(failingOn("bad"))
                .pipe("in", "k", "good", 1L).pipe("in", "k", "bad", 2L).pipe("in", "k", "after", 3L).run();
            assertEquals(1, kafka.failures().size());
        }

        @Test
        void shouldKeepProcessingAfterAnExceptionWhenTheTestGoesOn() {
            chain(failingOn("bad")).continueAfterException()
                .pipe("in", "k", "good", 1L).pipe("in", "k", "bad", 2L).pipe("in", "k", "after", 3L).run();
        }

        @Test
        void shouldFailWithExplicitLogAndFailProcessingExceptionHandler() {
            chain(failingOn("bad"))
                .config(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                    LogAndFailProcessingExceptionHandler.class.getName())
                .pipe("in", "k", "bad", 2L).runExpectingFailure();
        }

        @Test
        void shouldSkipFailedRecordWithLogAndContinueProcessingExceptionHandler() {
            final var kafka = chain(failingOn("bad"))
                .config(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                    LogAndContinueProcessingExceptionHandler.class.getName())
                .pipe("in", "k", "good", 1L).pipe("in", "k", "bad", 2L).pipe("in", "k", "after", 3L).run();
            assertEquals(List.of("good", "after"), kafka.values("out"));
        }

        @Test
        void shouldHandCustomProcessingExceptionHandlerTheErrorContext() {
            final var kafka = chain(failingOn("bad"))
                .config(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, RecordingProcessingHandler.class.getName())
                .pipe("in", "k", "good", 1L).pipe("in", "k", "bad", 2L, Differential.header("h", "v"))
                .pipe("in", "k", "after", 3L).run();
            assertTrue(kafka.effects().stream().anyMatch(e -> e.startsWith("processing handler: ")), kafka::toString);
        }

        @Test
        void shouldFailDriverConstructionWhenProcessorInitThrows() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new Processor<String, String, String, String>() {
                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            throw new Boom("init failed");
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                        }
                    }, "src"))
                .runExpectingFailure();
        }

        @Test
        void shouldReportExceptionFromProcessorCloseOnDriverClose() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new Processor<String, String, String, String>() {
                        @Override
                        public void process(final Record<String, String> record) {
                        }

                        @Override
                        public void close() {
                            throw new Boom("close failed");
                        }
                    }, "src"))
                .pipe("in", "k", "v", 1L)
                .runExpectingFailure();
        }

        @Test
        void shouldFailOnUndeserializableValueWithDefaultDeserializationHandler() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, new LongDeserializer(), "in")
                    .addSink("sink", "out", SS, new LongSerializer(), "src"))
                .pipeRaw("in", Differential.utf8("k"), new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, 1L)
                .pipeRaw("in", Differential.utf8("k"), new byte[] {1, 2, 3}, 2L)
                .runExpectingFailure();
        }

        @Test
        void shouldFailOnUndeserializableValueWithLogAndFailExceptionHandler() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, new LongDeserializer(), "in")
                    .addSink("sink", "out", SS, new LongSerializer(), "src"))
                .config(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailExceptionHandler.class.getName())
                .pipeRaw("in", Differential.utf8("k"), new byte[] {1, 2, 3}, 2L)
                .runExpectingFailure();
        }

        @Test
        void shouldSkipUndeserializableRecordWithLogAndContinueExceptionHandler() {
            final var kafka = Differential.papi(papi -> papi
                    .addSource("src", new IntegerDeserializer(), new LongDeserializer(), "in")
                    .addProcessor("proc", () -> new ContextualProcessor<Integer, Long, Integer, Long>() {
                        @Override
                        public void process(final Record<Integer, Long> record) {
                            context().forward(record.withValue(record.value() == null ? -1L : record.value() * 10));
                        }
                    }, "src")
                    .addSink("sink", "out", new org.apache.kafka.common.serialization.IntegerSerializer(),
                        new LongSerializer(), "proc"))
                .config(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    LogAndContinueExceptionHandler.class.getName())
                .pipeRaw("in", new byte[] {0, 0, 0, 1}, new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, 1L)
                .pipeRaw("in", new byte[] {0, 0, 0, 2}, new byte[] {1, 2, 3}, 2L)
                .pipeRaw("in", new byte[] {9}, new byte[] {0, 0, 0, 0, 0, 0, 0, 3}, 3L)
                .pipeRaw("in", new byte[] {0, 0, 0, 4}, null, 4L)
                .pipeRaw("in", new byte[] {0, 0, 0, 5}, new byte[] {0, 0, 0, 0, 0, 0, 0, 5}, 5L)
                .run();
            assertEquals(3, kafka.records("out").size());
        }

        @Test
        void shouldAcceptDeprecatedDefaultDeserializationExceptionHandlerKey() {
            final var kafka = Differential.papi(papi -> papi
                    .addSource("src", SD, new LongDeserializer(), "in")
                    .addSink("sink", "out", SS, new LongSerializer(), "src"))
                .config("default.deserialization.exception.handler", LogAndContinueExceptionHandler.class.getName())
                .pipeRaw("in", Differential.utf8("k"), new byte[] {1, 2, 3}, 2L)
                .pipeRaw("in", Differential.utf8("k"), new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, 3L)
                .run();
            assertEquals(1, kafka.records("out").size());
        }

        @Test
        void shouldHandCustomDeserializationExceptionHandlerTheRawRecord() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, new LongDeserializer(), "in")
                    .addSink("sink", "out", SS, new LongSerializer(), "src"))
                .config(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    RecordingDeserializationHandler.class.getName())
                .pipeRaw("in", Differential.utf8("k"), new byte[] {1, 2, 3}, 2L, Differential.header("h", "v"))
                .pipeRaw("in", Differential.utf8("k"), new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, 3L)
                .run();
        }

        @Test
        void shouldFailWhenSinkSerializerRejectsValueType() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addSink("sink", "out", SS, new LongSerializer(), "src"))
                .pipe("in", "k", "v", 1L)
                .runExpectingFailure();
        }
    }

    // ================================================================================================ timestamps

    /** Returns the value parsed as a number as the timestamp: "-1" gives an invalid (negative) one. */
    public static final class ValueTimestampExtractor implements TimestampExtractor {
        @Override
        public long extract(final ConsumerRecord<Object, Object> record, final long partitionTime) {
            Differential.current().log("extract " + record.value() + " partitionTime=" + partitionTime);
            return Long.parseLong(String.valueOf(record.value()));
        }
    }

    @Nested
    class Timestamps {
        private Differential.Scenario negativeTimestamps(final Differential.Scenario scenario) {
            return scenario.pipe("in", "k", "10", 1L).pipe("in", "k", "-1", 2L).pipe("in", "k", "20", 3L)
                .pipe("in", "k", "15", 4L);
        }

        @Test
        void shouldUseTimestampFromCustomExtractorOnSource() {
            final var kafka = negativeTimestamps(Differential.papi(papi -> papi
                .addSource(new ValueTimestampExtractor(), "src", "in")
                .addProcessor("proc", withMetadata(), "src")
                .addSink("sink", "out", "proc"))).run();
            assertEquals(20L, kafka.records("out").get(1).timestamp(), kafka::toString);
        }

        @Test
        void shouldUseDefaultTimestampExtractorFromConfig() {
            negativeTimestamps(chain(withMetadata()))
                .config(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, ValueTimestampExtractor.class.getName())
                .run();
        }

        @Test
        void shouldUseExtractorOfAddSourceWithOffsetResetAndDeserializers() {
            negativeTimestamps(Differential.papi(papi -> papi
                .addSource(AutoOffsetReset.earliest(), "src", new ValueTimestampExtractor(), SD, SD, "in")
                .addSink("sink", "out", SS, SS, "src"))).run();
        }

        @Test
        void shouldFailOnNegativeRecordTimestampWithFailOnInvalidTimestamp() {
            chain(withMetadata())
                .config(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, FailOnInvalidTimestamp.class.getName())
                .pipe("in", "k", "a", 1L).pipe("in", "k", "b", -5L)
                .runExpectingFailure();
        }

        @Test
        void shouldSkipNegativeRecordTimestampWithLogAndSkipOnInvalidTimestamp() {
            chain(withMetadata())
                .config(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, LogAndSkipOnInvalidTimestamp.class.getName())
                .pipe("in", "k", "a", 1L).pipe("in", "k", "b", -5L).pipe("in", "k", "c", 2L)
                .run();
        }

        @Test
        void shouldUsePartitionTimeForNegativeRecordTimestampWithUsePartitionTimeOnInvalidTimestamp() {
            chain(withMetadata())
                .config(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG,
                    UsePartitionTimeOnInvalidTimestamp.class.getName())
                .pipe("in", "k", "a", 7L).pipe("in", "k", "b", -5L).pipe("in", "k", "c", 2L)
                .run();
        }

        @Test
        void shouldProcessRecordWithNegativeTimestampWithDefaultExtractor() {
            chain(withMetadata()).pipe("in", "k", "a", 1L).pipe("in", "k", "b", -5L).pipe("in", "k", "c", 2L).run();
        }
    }

    // ================================================================================================ bad topologies

    @Nested
    class BadTopologies {
        @Test
        void shouldRejectNullTopicName() {
            Differential.papi(papi -> papi.addSource("src", (String) null)).runExpectingFailure();
        }

        @Test
        void shouldRejectNullTopicAmongTopics() {
            Differential.papi(papi -> papi.addSource("src", "a", null)).runExpectingFailure();
        }

        @Test
        void shouldRejectNullSourceName() {
            Differential.papi(papi -> papi.addSource((String) null, "in")).runExpectingFailure();
        }

        @Test
        void shouldRejectSourceWithoutTopics() {
            Differential.papi(papi -> papi.addSource("src")).runExpectingFailure();
        }

        @Test
        void shouldRejectNullPattern() {
            Differential.papi(papi -> papi.addSource("src", (Pattern) null)).runExpectingFailure();
        }

        @Test
        void shouldRejectTopicReadByTwoSources() {
            Differential.papi(papi -> papi.addSource("a", "in").addSource("b", "in")).runExpectingFailure();
        }

        @Test
        void shouldRejectDuplicateProcessorNames() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("proc", forward(), "src")
                .addProcessor("proc", forward(), "src")).runExpectingFailure();
        }

        @Test
        void shouldRejectProcessorNamedLikeASource() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("src", forward(), "src")).runExpectingFailure();
        }

        @Test
        void shouldRejectUnknownParent() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("proc", forward(), "nope")).runExpectingFailure();
        }

        @Test
        void shouldRejectProcessorWithoutParents() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("proc", forward())).runExpectingFailure();
        }

        @Test
        void shouldRejectProcessorThatIsItsOwnParent() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("proc", forward(), "proc")).runExpectingFailure();
        }

        @Test
        void shouldRejectSinkAsParent() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addSink("sink", "out", "src")
                .addProcessor("proc", forward(), "sink")).runExpectingFailure();
        }

        @Test
        void shouldRejectSinkWithUnknownParent() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addSink("sink", "out", "nope")).runExpectingFailure();
        }

        @Test
        void shouldRejectSinkWithNullTopic() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addSink("sink", (String) null, "src")).runExpectingFailure();
        }

        @Test
        void shouldRejectSinkWithNullTopicNameExtractor() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addSink("sink", (org.apache.kafka.streams.processor.TopicNameExtractor<String, String>) null, "src"))
                .runExpectingFailure();
        }

        @Test
        void shouldRejectNullProcessorSupplier() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("proc", (ProcessorSupplier<String, String, String, String>) null, "src"))
                .runExpectingFailure();
        }

        @Test
        void shouldRejectSupplierReturningTheSameProcessorTwice() {
            final Processor<String, String, String, String> shared = new ContextualProcessor<>() {
                @Override
                public void process(final Record<String, String> record) {
                }
            };
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("proc", () -> shared, "src")).runExpectingFailure();
        }

        @Test
        void shouldRejectConnectingUnknownStore() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor("proc", forward(), "src")
                .connectProcessorAndStateStores("proc", "no-such-store")).runExpectingFailure();
        }

        @Test
        void shouldRejectConnectingStoreToUnknownProcessor() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .connectProcessorAndStateStores("no-such-processor", "store")).runExpectingFailure();
        }

        @Test
        void shouldRejectNullName() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addProcessor(null, forward(), "src")).runExpectingFailure();
        }

        @Test
        void shouldRunEmptyTopology() {
            Differential.papi(papi -> { }).run();
        }

        @Test
        void shouldFailWithoutDefaultSerdesWhenSourceHasNoDeserializers() {
            Differential.papi(papi -> papi
                    .addSource("src", "in")
                    .addSink("sink", "out", SS, SS, "src"))
                .withoutConfig(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG)
                .withoutConfig(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG)
                .pipe("in", "k", "v", 1L)
                .runExpectingFailure();
        }

        @Test
        void shouldFailWithoutDefaultSerdesWhenSinkHasNoSerializers() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addSink("sink", "out", "src"))
                .withoutConfig(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG)
                .withoutConfig(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG)
                .pipe("in", "k", "v", 1L)
                .runExpectingFailure();
        }

        @Test
        void shouldFailWithoutDefaultSerdesInDslWithoutConsumed() {
            Differential.dsl(dsl -> dsl.stream("in").to("out"))
                .withoutConfig(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG)
                .withoutConfig(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG)
                .pipe("in", "k", "v", 1L)
                .runExpectingFailure();
        }

        @Test
        void shouldFailOnUnknownDefaultSerdeClass() {
            chain(forward()).config(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, "no.such.Serde")
                .runExpectingFailure();
        }

        @Test
        void shouldFailOnInvalidProcessingGuarantee() {
            chain(forward()).config(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_twice")
                .runExpectingFailure();
        }
    }
}
