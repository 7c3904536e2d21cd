package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Processor API and DSL programs with key-value stores from {@code Stores} (Kafka's on one side, PSPF's
 * {@code io.pspf.streams.state.Stores} on the other), run differentially: output, changelog topics and the stores'
 * contents at the end must be identical.
 */
class StoreProgramTest {
    static final StringDeserializer SD = new StringDeserializer();
    static final StringSerializer SS = new StringSerializer();
    static final String STORE = "Counts";

    /** Counts words in values, forwarding (word, count) for each. */
    static ProcessorSupplier<String, String, String, Long> wordCount(final String storeName) {
        return () -> new ContextualProcessor<>() {
            private KeyValueStore<String, Long> store;

            @Override
            public void init(final ProcessorContext<String, Long> context) {
                super.init(context);
                store = context.getStateStore(storeName);
            }

            @Override
            public void process(final Record<String, String> record) {
                if (record.value() == null) {
                    return;
                }
                for (final String word : record.value().toLowerCase().split("\\W+")) {
                    if (word.isEmpty()) {
                        continue;
                    }
                    final Long count = store.get(word);
                    final long next = count == null ? 1 : count + 1;
                    store.put(word, next);
                    context().forward(new Record<>(word, next, record.timestamp()));
                }
            }
        };
    }

    static Differential.Scenario sentences(final Differential.Scenario scenario) {
        return scenario
            .pipe("in", "1", "the quick brown fox", 10L)
            .pipe("in", "2", "The lazy dog", 11L)
            .pipe("in", "3", null, 12L)
            .pipe("in", "4", "", 5L)
            .pipe("in", "5", "fox, fox and DOG!", 20L)
            .store(STORE);
    }

    static Differential.Scenario wordCountProgram(final Function<Side, StoreBuilder<?>> store) {
        return sentences(Differential.papi(papi -> papi
            .addSource("src", SD, SD, "in")
            .addProcessor("count", wordCount(STORE), "src")
            .addStateStore(store.apply(papi), "count")
            .addSink("sink", "counts", SS, new LongSerializer(), "count")));
    }

    @Nested
    class WordCount {
        @Test
        void shouldCountWordsInInMemoryStore() {
            final var kafka = wordCountProgram(side -> side.stores().inMemory(STORE, Serdes.String(), Serdes.Long())).run();
            assertEquals(11, kafka.records("counts").size());
            assertEquals(7, kafka.store(STORE).size());
        }

        @Test
        void shouldCountWordsInPersistentStore() {
            wordCountProgram(side -> side.stores().keyValueStoreBuilder(
                side.stores().persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long())).run();
        }

        @Test
        void shouldCountWordsInTimestampedPersistentStoreBehindPlainInterface() {
            wordCountProgram(side -> side.stores().keyValueStoreBuilder(
                side.stores().persistentTimestampedKeyValueStore(STORE), Serdes.String(), Serdes.Long())).run();
        }

        @Test
        void shouldCountWordsWithoutChangelogWhenLoggingDisabled() {
            final var kafka = wordCountProgram(side -> side.stores().inMemory(STORE, Serdes.String(), Serdes.Long())
                .withLoggingDisabled()).run();
            assertEquals(Set.of("counts"), kafka.topics());
        }

        @Test
        void shouldCountWordsWithCachingEnabled() {
            wordCountProgram(side -> side.stores().inMemory(STORE, Serdes.String(), Serdes.Long())
                .withCachingEnabled()).run();
        }

        @Test
        void shouldCountWordsWithCachingEnabledInPersistentStore() {
            wordCountProgram(side -> side.stores().keyValueStoreBuilder(
                side.stores().persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long()).withCachingEnabled()).run();
        }

        @Test
        void shouldConnectStoreWithConnectProcessorAndStateStores() {
            sentences(Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("count", wordCount(STORE), "src")
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long()))
                .connectProcessorAndStateStores("count", STORE)
                .addSink("sink", "counts", SS, new LongSerializer(), "count"))).run();
        }

        @Test
        void shouldAddAndConnectStoreDeclaredBySupplierStores() {
            sentences(Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("count", withStores(wordCount(STORE),
                    papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long())), "src")
                .addSink("sink", "counts", SS, new LongSerializer(), "count"))).run();
        }

        @Test
        void shouldShareOneStoreBetweenTwoProcessors() {
            sentences(Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("count", wordCount(STORE), "src")
                .addProcessor("count-again", wordCount(STORE), "src")
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long()), "count", "count-again")
                .addSink("sink", "counts", SS, new LongSerializer(), "count", "count-again"))).run();
        }

        @Test
        void shouldCountWordsWithDslProcessAndStoreConnectedByName() {
            sentences(Differential.dsl(dsl -> {
                dsl.addStateStore(dsl.stores().inMemory(STORE, Serdes.String(), Serdes.Long()));
                dsl.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                    .process(wordCount(STORE), Named.as("counter"), STORE)
                    .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
            })).run();
        }

        @Test
        void shouldCountWordsWithDslProcessAndStoreFromSupplierStores() {
            sentences(Differential.dsl(dsl -> dsl.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .process(withStores(wordCount(STORE), dsl.stores().inMemory(STORE, Serdes.String(), Serdes.Long())))
                .to("counts", Produced.with(Serdes.String(), Serdes.Long())))).run();
        }

        @Test
        void shouldCountValuesPerKeyWithDslProcessValuesAndStores() {
            sentences(Differential.dsl(dsl -> {
                dsl.addStateStore(dsl.stores().inMemory(STORE, Serdes.String(), Serdes.Long()));
                dsl.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                    .selectKey((k, v) -> v == null ? "none" : String.valueOf(v.length() % 3))
                    .processValues(countPerKey(STORE), STORE)
                    .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
            })).run();
        }

        @Test
        void shouldCountValuesPerKeyWithDslProcessValuesAndSupplierStores() {
            sentences(Differential.dsl(dsl -> dsl.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .processValues(withStores(countPerKey(STORE), dsl.stores().inMemory(STORE, Serdes.String(), Serdes.Long())),
                    Named.as("per-key"))
                .to("counts", Produced.with(Serdes.String(), Serdes.Long())))).run();
        }
    }

    static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> withStores(
        final ProcessorSupplier<KIn, VIn, KOut, VOut> supplier, final StoreBuilder<?> store) {
        return new ProcessorSupplier<>() {
            @Override
            public org.apache.kafka.streams.processor.api.Processor<KIn, VIn, KOut, VOut> get() {
                return supplier.get();
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(store);
            }
        };
    }

    static <K, VIn, VOut> FixedKeyProcessorSupplier<K, VIn, VOut> withStores(
        final FixedKeyProcessorSupplier<K, VIn, VOut> supplier, final StoreBuilder<?> store) {
        return new FixedKeyProcessorSupplier<>() {
            @Override
            public org.apache.kafka.streams.processor.api.FixedKeyProcessor<K, VIn, VOut> get() {
                return supplier.get();
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(store);
            }
        };
    }

    static FixedKeyProcessorSupplier<String, String, Long> countPerKey(final String storeName) {
        return () -> new ContextualFixedKeyProcessor<>() {
            private KeyValueStore<String, Long> store;

            @Override
            public void init(final org.apache.kafka.streams.processor.api.FixedKeyProcessorContext<String, Long> context) {
                super.init(context);
                store = context.getStateStore(storeName);
            }

            @Override
            public void process(final FixedKeyRecord<String, String> record) {
                final Long count = store.get(record.key());
                final long next = count == null ? 1 : count + 1;
                store.put(record.key(), next);
                context().forward(record.withValue(next));
            }
        };
    }

    // ================================================================================================ store operations

    /** Applies commands in values: "put k v", "delete k", "putIfAbsent k v", "range a b", "all", "reverse", "prefix p". */
    static ProcessorSupplier<String, String, String, String> commands(final String storeName) {
        return () -> new ContextualProcessor<>() {
            private KeyValueStore<String, String> store;

            @Override
            public void init(final ProcessorContext<String, String> context) {
                super.init(context);
                store = context.getStateStore(storeName);
            }

            @Override
            public void process(final Record<String, String> record) {
                final String[] c = record.value().split(" ");
                final String result = switch (c[0]) {
                    case "put" -> {
                        store.put(c[1], c.length > 2 ? c[2] : null);
                        yield "ok";
                    }
                    case "delete" -> String.valueOf(store.delete(c[1]));
                    case "putIfAbsent" -> String.valueOf(store.putIfAbsent(c[1], c[2]));
                    case "putAll" -> {
                        store.putAll(List.of(KeyValue.pair(c[1], c[2]), KeyValue.pair(c[3], c[4])));
                        yield "ok";
                    }
                    case "get" -> String.valueOf(store.get(c[1]));
                    case "range" -> list(store.range(c[1].equals("-") ? null : c[1], c[2].equals("-") ? null : c[2]));
                    case "reverseRange" -> list(store.reverseRange(c[1], c[2]));
                    case "all" -> list(store.all());
                    case "reverse" -> list(store.reverseAll());
                    case "prefix" -> list(store.prefixScan(c[1], new StringSerializer()));
                    case "count" -> String.valueOf(store.approximateNumEntries());
                    default -> throw new IllegalArgumentException(c[0]);
                };
                context().forward(record.withValue(record.value() + " -> " + result));
            }
        };
    }

    static String list(final KeyValueIterator<String, String> it) {
        final StringBuilder sb = new StringBuilder("[");
        try (it) {
            while (it.hasNext()) {
                final KeyValue<String, String> kv = it.next();
                sb.append(kv.key).append('=').append(kv.value).append(' ');
            }
        }
        return sb.append(']').toString();
    }

    static Differential.Scenario commandProgram(final Function<Side, StoreBuilder<?>> store) {
        return commandProgram(store, true);
    }

    /** {@code exactCount}: whether to ask approximateNumEntries(), which RocksDB only estimates. */
    static Differential.Scenario commandProgram(final Function<Side, StoreBuilder<?>> store, final boolean exactCount) {
        final Differential.Scenario scenario = Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("cmd", commands("kv"), "src")
                .addStateStore(store.apply(papi), "cmd")
                .addSink("sink", "out", SS, SS, "cmd"))
            .pipe("in", "k", "put b 2", 1L)
            .pipe("in", "k", "put a 1", 2L)
            .pipe("in", "k", "put ab 12", 3L)
            .pipe("in", "k", "put c 3", 4L)
            .pipe("in", "k", "putIfAbsent a 9", 5L)
            .pipe("in", "k", "putIfAbsent d 4", 6L)
            .pipe("in", "k", "get a", 7L)
            .pipe("in", "k", "range a b", 8L)
            .pipe("in", "k", "range - b", 8L)
            .pipe("in", "k", "range b -", 8L)
            .pipe("in", "k", "range c a", 8L)
            .pipe("in", "k", "reverseRange a c", 8L)
            .pipe("in", "k", "prefix a", 9L)
            .pipe("in", "k", "reverse", 10L)
            .pipe("in", "k", "delete b", 11L)
            .pipe("in", "k", "delete zz", 12L)
            .pipe("in", "k", "put c", 13L)
            .pipe("in", "k", "putAll x 1 y 2", 14L)
            .pipe("in", "k", "all", 15L)
            .store("kv");
        return exactCount ? scenario.pipe("in", "k", "count", 16L) : scenario;
    }

    @Nested
    class StoreOperations {
        @Test
        void shouldApplyKeyValueStoreOperationsLikeKafkaInMemory() {
            commandProgram(side -> side.stores().inMemory("kv", Serdes.String(), Serdes.String())).run();
        }

        @Test
        void shouldApplyKeyValueStoreOperationsLikeKafkaPersistent() {
            commandProgram(side -> side.stores().keyValueStoreBuilder(side.stores().persistentKeyValueStore("kv"),
                Serdes.String(), Serdes.String()), false).run();
        }

        @Test
        void shouldApplyKeyValueStoreOperationsLikeKafkaWithCaching() {
            commandProgram(side -> side.stores().inMemory("kv", Serdes.String(), Serdes.String()).withCachingEnabled())
                .run();
        }

        @Test
        void shouldKeepTimestampsInTimestampedStore() {
            Differential.papi(papi -> papi
                    .addSource("src", SD, SD, "in")
                    .addProcessor("proc", () -> new ContextualProcessor<String, String, String, String>() {
                        private TimestampedKeyValueStore<String, String> store;

                        @Override
                        public void init(final ProcessorContext<String, String> context) {
                            super.init(context);
                            store = context.getStateStore("ts");
                        }

                        @Override
                        public void process(final Record<String, String> record) {
                            final ValueAndTimestamp<String> old = store.get(record.key());
                            store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
                            context().forward(record.withValue("old=" + old));
                        }
                    }, "src")
                    .addStateStore(papi.stores().timestampedKeyValueStoreBuilder(
                        papi.stores().persistentTimestampedKeyValueStore("ts"), Serdes.String(), Serdes.String()), "proc")
                    .addSink("sink", "out", SS, SS, "proc"))
                .pipe("in", "a", "1", 5L)
                .pipe("in", "a", "2", 3L)
                .pipe("in", "b", "3", 9L)
                .store("ts")
                .run();
        }
    }

    // ================================================================================================ punctuation over a store

    @Test
    void shouldEmitStoreContentsFromStreamTimePunctuation() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("count", () -> new ContextualProcessor<String, String, String, Long>() {
                    private KeyValueStore<String, Long> store;

                    @Override
                    public void init(final ProcessorContext<String, Long> context) {
                        super.init(context);
                        store = context.getStateStore(STORE);
                        context.schedule(Duration.ofMillis(10), PunctuationType.STREAM_TIME, ts -> {
                            try (KeyValueIterator<String, Long> it = store.all()) {
                                while (it.hasNext()) {
                                    final KeyValue<String, Long> kv = it.next();
                                    context.forward(new Record<>(kv.key, kv.value, ts));
                                }
                            }
                        });
                    }

                    @Override
                    public void process(final Record<String, String> record) {
                        final Long count = store.get(record.key());
                        store.put(record.key(), count == null ? 1 : count + 1);
                    }
                }, "src")
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long()), "count")
                .addSink("sink", "out", SS, new LongSerializer(), "count"))
            .pipe("in", "a", "x", 1L)
            .pipe("in", "b", "x", 4L)
            .pipe("in", "a", "x", 10L)
            .pipe("in", "c", "x", 25L)
            .pipe("in", "a", "x", 27L)
            .store(STORE)
            .run();
    }

    // ================================================================================================ bad topologies

    @Nested
    class BadStoreTopologies {
        @Test
        void shouldRejectStoreConnectedToUnknownProcessor() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long()), "no-such-processor"))
                .runExpectingFailure();
        }

        @Test
        void shouldRejectTwoStoresWithTheSameName() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long()))
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long())))
                .runExpectingFailure();
        }

        @Test
        void shouldRejectStoreConnectedToSource() {
            Differential.papi(papi -> papi
                .addSource("src", "in")
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long()), "src"))
                .runExpectingFailure();
        }

        @Test
        void shouldFailWhenProcessorUsesStoreItIsNotConnectedTo() {
            sentences(Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("count", wordCount(STORE), "src")
                .addProcessor("other", ProcessorApiTest.forward(), "src")
                .addStateStore(papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long()), "other")
                .addSink("sink", "counts", SS, new LongSerializer(), "count")))
                .runExpectingFailure();
        }

        @Test
        void shouldFailWhenProcessorAsksForUnknownStore() {
            sentences(Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("count", wordCount("nope"), "src")
                .addSink("sink", "counts", SS, new LongSerializer(), "count")))
                .runExpectingFailure();
        }

        @Test
        void shouldAcceptTheSameStoreBuilderAddedDirectlyAndThroughSupplierStores() {
            Differential.papi(papi -> {
                final StoreBuilder<KeyValueStore<String, Long>> store = papi.stores().inMemory(STORE, Serdes.String(), Serdes.Long());
                papi.addSource("src", SD, SD, "in")
                    .addStateStore(store)
                    .addProcessor("count", withStores(wordCount(STORE), store), "src")
                    .addSink("sink", "counts", SS, new LongSerializer(), "count");
            }).pipe("in", "k", "a b a", 1L).store(STORE).run();
        }
    }
}
