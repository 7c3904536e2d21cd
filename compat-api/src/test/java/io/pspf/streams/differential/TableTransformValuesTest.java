package io.pspf.streams.differential;

import static io.pspf.streams.differential.Differential.header;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.ValueTransformerWithKey;
import org.apache.kafka.streams.kstream.ValueTransformerWithKeySupplier;
import org.apache.kafka.streams.processor.ProcessorContext;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * {@code KTable.transformValues} on Kafka's and PSPF's test drivers, under all four configurations: results,
 * tombstones, old values, the materialized store, connected stores, what the transformer sees through its context
 * (logged and compared), and the refused {@code forward()}.
 */
class TableTransformValuesTest {
    static final Consumed<String, String> STRINGS = Consumed.with(Serdes.String(), Serdes.String());

    static Differential.Scenario input(final Differential.Scenario s) {
        return s.pipe("in", "a", "1", 10L, header("h", "1"))
            .pipe("in", "a", "2", 5L, header("h", "2"))
            .pipe("in", "b", "1", 7L)
            .pipe("in", "9", null, 30L)
            .pipe("in", null, "n", 31L)
            .pipe("in", "a", null, 40L, header("h", "6"))
            .pipe("in", "b", "3", 41L)
            .pipe("in", "a", "4", 42L);
    }

    static String render(final Headers headers) {
        final StringBuilder sb = new StringBuilder("[");
        for (final Header h : headers) {
            sb.append(h.key()).append('=').append(h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8))
                .append(' ');
        }
        return sb.append(']').toString();
    }

    /**
     * A stateful transformer that logs what it is given and what its context says, numbers its calls (so that
     * each processor's and getter's own instance is visible), and keeps deletes deleted.
     */
    static ValueTransformerWithKeySupplier<String, String, String> logging(final Side side, final String name) {
        return () -> new ValueTransformerWithKey<>() {
            private ProcessorContext context;
            private int calls;

            @Override
            public void init(final ProcessorContext context) {
                this.context = context;
                side.log(name + " init app=" + context.applicationId() + " task=" + context.taskId());
            }

            @Override
            public String transform(final String key, final String value) {
                calls++;
                side.log(name + " transform " + key + "=" + value + " ts=" + context.timestamp() + " topic=" + context.topic()
                    + " partition=" + context.partition() + " offset=" + context.offset() + " headers="
                    + render(context.headers()));
                return value == null ? null : value + "#" + calls;
            }

            @Override
            public void close() {
                side.log(name + " close");
            }
        };
    }

    static Differential.Observation run(final Consumer<Dsl> topology) {
        final Differential.Observation kafka = input(Differential.dsl(topology)).run();
        assertFalse(kafka.records("out").isEmpty(), "Kafka produced nothing on out");
        return kafka;
    }

    @Test
    void unmaterialized() {
        final Differential.Observation kafka = run(d -> d.<String, String>table("in", STRINGS)
            .transformValues(logging(d, "t")).toStream().to("out"));
        assertTrue(kafka.effects().stream().anyMatch(e -> e.startsWith("t transform a=null")), kafka.effects().toString());
    }

    @Test
    void transformerIsCalledForDeletes() {
        final Differential.Observation kafka = run(d -> d.<String, String>table("in", STRINGS)
            .transformValues(() -> new ValueTransformerWithKey<String, String, String>() {
                @Override
                public void init(final ProcessorContext context) {
                }

                @Override
                public String transform(final String key, final String value) {
                    return value == null ? "deleted " + key : key + "=" + value;
                }

                @Override
                public void close() {
                }
            }, Named.as("tv")).toStream().to("out"));
        assertTrue(kafka.values("out").contains("deleted a"), kafka.values("out").toString());
    }

    @Test
    void materializedWithItsOwnStore() {
        final Differential.Observation kafka = input(Differential.dsl(d -> d.<String, String>table("in", STRINGS)
            .transformValues(logging(d, "t"), Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("tv")
                .withValueSerde(Serdes.String()))
            .toStream().to("out"))).store("tv").run();
        assertFalse(kafka.store("tv").isEmpty(), "the store is empty");
    }

    @Test
    void materializedAndNamed() {
        run(d -> d.<String, String>table("in", STRINGS, Materialized.as("src"))
            .transformValues(logging(d, "t"), Materialized.as("tv"), Named.as("named"))
            .filter((k, v) -> !v.startsWith("2"))
            .toStream().to("out"));
    }

    @Test
    void unnamedMaterializedIsNotAStore() {
        run(d -> d.<String, String>table("in", STRINGS)
            .transformValues(logging(d, "t"), Materialized.with(Serdes.String(), Serdes.String()))
            .toStream().to("out"));
    }

    @Test
    void connectedStoreKeepsState() {
        run(d -> {
            d.addStateStore(d.stores().keyValueStoreBuilder(d.stores().persistentKeyValueStore("counts"), Serdes.String(),
                Serdes.Long()));
            d.<String, String>table("in", STRINGS).transformValues(() -> new ValueTransformerWithKey<String, String, String>() {
                private KeyValueStore<String, Long> counts;

                @Override
                public void init(final ProcessorContext context) {
                    counts = context.getStateStore("counts");
                }

                @Override
                public String transform(final String key, final String value) {
                    final Long before = counts.get(key);
                    final long count = before == null ? 1L : before + 1;
                    counts.put(key, count);
                    return value == null ? null : value + "@" + count;
                }

                @Override
                public void close() {
                }
            }, "counts").toStream().to("out");
        });
    }

    @Test
    void oldValuesForADownstreamGrouping() {
        run(d -> {
            final KTable<String, String> t = d.<String, String>table("in", STRINGS).transformValues(logging(d, "t"));
            t.groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), k), Grouped.with(Serdes.String(), Serdes.String()))
                .count().toStream().to("out", Produced.with(Serdes.String(), Serdes.Long()));
        });
    }

    @Test
    void materializedOldValuesForADownstreamGrouping() {
        run(d -> {
            final KTable<String, String> t = d.<String, String>table("in", STRINGS)
                .transformValues(logging(d, "t"), Materialized.as("tv"));
            t.groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), k), Grouped.with(Serdes.String(), Serdes.String()))
                .count().toStream().to("out", Produced.with(Serdes.String(), Serdes.Long()));
        });
    }

    @Test
    void valueGetterTransformsTheParentsRow() {
        // the join reads the unmaterialized transformValues through a getter with a transformer of its own
        final Differential.Observation kafka = input(Differential.dsl(d -> {
            final KTable<String, String> t = d.<String, String>table("in", STRINGS).transformValues(logging(d, "t"));
            final KTable<String, String> other = d.table("other", STRINGS);
            other.join(t, (a, b) -> a + "&" + b).toStream().to("out");
            other.leftJoin(t, (a, b) -> a + "&" + b, Materialized.as("lj")).toStream().to("out2");
        }).pipe("other", "a", "o1", 50L).pipe("other", "b", "o2", 51L).pipe("other", "c", "o3", 52L)
            .pipe("in", "c", "5", 53L).pipe("other", "c", null, 54L)).store("lj").run();
        assertFalse(kafka.records("out").isEmpty(), "Kafka produced nothing on out");
    }

    @Test
    void foreignKeyJoinReadsTheTransformedRows() {
        input(Differential.dsl(d -> d.<String, String>table("in", STRINGS).transformValues(logging(d, "t"))
            .leftJoin(d.<String, String>table("other", STRINGS), v -> v.substring(0, 1), (a, b) -> a + "&" + b)
            .toStream().to("out"))
            .pipe("other", "4", "four", 50L).pipe("in", "c", "41", 51L).pipe("other", "4", "FOUR", 52L)).run();
    }

    @Test
    void punctuationFromTheTransformer() {
        run(d -> d.<String, String>table("in", STRINGS).transformValues(() -> new ValueTransformerWithKey<String, String, String>() {
            private ProcessorContext context;

            @Override
            public void init(final ProcessorContext context) {
                this.context = context;
                context.schedule(Duration.ofMillis(10), PunctuationType.STREAM_TIME, ts -> d.log("punctuate " + ts + " ts="
                    + context.timestamp() + " topic=" + context.topic() + " partition=" + context.partition()
                    + " headers=" + render(context.headers())));
            }

            @Override
            public String transform(final String key, final String value) {
                return value + "@" + context.timestamp() + "/" + context.currentStreamTimeMs();
            }

            @Override
            public void close() {
            }
        }).toStream().to("out"));
    }

    @Test
    void forwardIsRefused() {
        final Differential.Observation kafka = input(Differential.dsl(d -> d.<String, String>table("in", STRINGS)
            .transformValues(() -> new ValueTransformerWithKey<String, String, String>() {
                private ProcessorContext context;

                @Override
                public void init(final ProcessorContext context) {
                    this.context = context;
                }

                @Override
                public String transform(final String key, final String value) {
                    context.forward(key, value);
                    return value;
                }

                @Override
                public void close() {
                }
            }).toStream().to("out"))).runExpectingFailure();
        assertTrue(Differential.exception(kafka.failures().get(0)).contains("ProcessorContext#forward() is not supported"),
            Differential.exception(kafka.failures().get(0)));
    }

    @Test
    void storeNotConnectedIsRefused() {
        input(Differential.dsl(d -> {
            d.addStateStore(d.stores().inMemory("counts", Serdes.String(), Serdes.Long()));
            d.<String, String>table("in", STRINGS).transformValues(() -> new ValueTransformerWithKey<String, String, String>() {
                @Override
                public void init(final ProcessorContext context) {
                    context.getStateStore("counts");
                }

                @Override
                public String transform(final String key, final String value) {
                    return value;
                }

                @Override
                public void close() {
                }
            }).toStream().to("out");
        })).runExpectingFailure();
    }

    @Test
    void nullArguments() {
        final ValueTransformerWithKeySupplier<String, String, String> identity = () -> new ValueTransformerWithKey<>() {
            @Override
            public void init(final ProcessorContext context) {
            }

            @Override
            public String transform(final String key, final String value) {
                return value;
            }

            @Override
            public void close() {
            }
        };
        final List<Consumer<KTable<String, String>>> calls = List.of(
            t -> t.transformValues(null),
            t -> t.transformValues(identity, (String[]) null),
            t -> t.transformValues(identity, (Named) null),
            t -> t.transformValues(identity, (Materialized<String, String, KeyValueStore<Bytes, byte[]>>) null),
            t -> t.transformValues(identity, Materialized.as("m"), (Named) null),
            t -> t.transformValues(identity, "no-such-store").toStream().to("out"),
            t -> t.transformValues(identity, "s", null).toStream().to("out"),
            t -> t.transformValues(() -> null).toStream().to("out"));
        for (final Consumer<KTable<String, String>> call : calls) {
            Differential.dsl(d -> call.accept(d.table("in", STRINGS))).pipe("in", "k", "v", 1L).runExpectingFailure();
        }
    }
}
