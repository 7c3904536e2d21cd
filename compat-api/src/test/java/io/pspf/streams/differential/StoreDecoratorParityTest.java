package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

/**
 * What {@code ProcessorContext.getStateStore} hands to processors, run on both drivers: a processor's own store is a
 * read-write view whose {@code init}, {@code close} and {@code commit} throw (and whose {@code flush} does nothing), a
 * global store's state update processor gets the same read-write view, and a global store seen from a regular
 * processor is a read-only view whose writes and lifecycle methods throw "Global store is read only". Each attempt
 * logs the exception class and message, so the two sides' logs must match line for line.
 */
class StoreDecoratorParityTest {
    static final StringDeserializer SD = new StringDeserializer();
    static final StringSerializer SS = new StringSerializer();

    /** Runs {@code call} and describes what it threw ("ok" when nothing). */
    static String attempt(final Runnable call) {
        try {
            call.run();
            return "ok";
        } catch (final RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    static String contents(final KeyValueStore<String, ?> store) {
        final StringBuilder text = new StringBuilder("[");
        try (KeyValueIterator<String, ?> it = store.all()) {
            while (it.hasNext()) {
                final KeyValue<String, ?> kv = it.next();
                text.append(text.length() == 1 ? "" : ", ").append(kv.key).append('=').append(kv.value);
            }
        }
        return text.append(']').toString();
    }

    // ------------------------------------------------------------------------------------------------ (a) own store

    /** Calls the lifecycle methods of its own store, then writes and reads it, and forwards the value. */
    static ProcessorSupplier<String, String, String, String> ownStoreUser(final Side side, final String storeName) {
        return () -> new ContextualProcessor<>() {
            private KeyValueStore<String, String> store;

            @Override
            public void init(final ProcessorContext<String, String> context) {
                super.init(context);
                store = context.getStateStore(storeName);
                side.log("init: close " + attempt(store::close));
            }

            @SuppressWarnings("deprecation")
            @Override
            public void process(final Record<String, String> record) {
                side.log("init " + attempt(() -> store.init(null, null)));
                side.log("close " + attempt(store::close));
                side.log("commit " + attempt(() -> store.commit(Map.of())));
                side.log("flush " + attempt(store::flush));
                side.log("put " + attempt(() -> store.put(record.key(), record.value())));
                side.log("putIfAbsent " + attempt(() -> store.putIfAbsent(record.key() + "-first", record.value())));
                side.log("putAll " + attempt(() -> store.putAll(List.of(KeyValue.pair(record.key() + "-all", "x")))));
                side.log("delete " + attempt(() -> store.delete(record.key() + "-all")));
                side.log("name=" + store.name() + " persistent=" + store.persistent() + " open=" + store.isOpen()
                    + " entries=" + store.approximateNumEntries() + " timestamped="
                    + (store instanceof TimestampedKeyValueStore));
                side.log("contents " + contents(store));
                context().forward(record.withValue(store.get(record.key())));
            }
        };
    }

    @Test
    void shouldRefuseLifecycleCallsOnTheProcessorsOwnStore() {
        final var kafka = Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("p", ownStoreUser(papi, "own"), "src")
                .addStateStore(papi.stores().inMemory("own", Serdes.String(), Serdes.String()), "p")
                .addSink("sink", "out", SS, SS, "p"))
            .pipe("in", "a", "1", 10L)
            .pipe("in", "b", "2", 11L)
            .pipe("in", "a", "3", 12L)
            .store("own")
            .run();
        assertTrue(kafka.toString().contains("This method may only be called by Kafka Streams"), kafka::toString);
    }

    @Test
    void shouldRefuseLifecycleCallsOnTheProcessorsOwnCachedStore() {
        // flush() on the view is a no-op in Kafka 4.4: a cached store's dirty entries reach the changelog at commit
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("p", ownStoreUser(papi, "own"), "src")
                .addStateStore(papi.stores().inMemory("own", Serdes.String(), Serdes.String()).withCachingEnabled(),
                    "p")
                .addSink("sink", "out", SS, SS, "p"))
            .pipe("in", "a", "1", 10L)
            .pipe("in", "b", "2", 11L)
            .pipe("in", "a", "3", 12L)
            .store("own")
            .run();
    }

    @Test
    void shouldKeepTheTimestampedInterfaceOfTheProcessorsOwnStore() {
        Differential.papi(papi -> papi
                .addSource("src", SD, SD, "in")
                .addProcessor("p", () -> new ContextualProcessor<String, String, String, String>() {
                    @Override
                    public void process(final Record<String, String> record) {
                        final KeyValueStore<String, ValueAndTimestamp<String>> store =
                            context().getStateStore("ts");
                        papi.log("timestamped=" + (store instanceof TimestampedKeyValueStore));
                        store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
                        papi.log("close " + attempt(store::close));
                        papi.log("get " + store.get(record.key()));
                    }
                }, "src")
                .addStateStore(papi.stores().timestampedKeyValueStoreBuilder(
                    papi.stores().persistentTimestampedKeyValueStore("ts"), Serdes.String(), Serdes.String()), "p"))
            .pipe("in", "a", "1", 10L)
            .pipe("in", "b", "2", 11L)
            .run();
    }

    // ------------------------------------------------------------------------------------------------ global store

    static StoreBuilder<KeyValueStore<String, String>> globalStore(final Side side) {
        return side.stores().inMemory("global", Serdes.String(), Serdes.String()).withLoggingDisabled();
    }

    /** The state update processor: writes each record, and tries to close the (read-write) view it gets. */
    static ProcessorSupplier<String, String, Void, Void> globalUpdater(final Side side) {
        return () -> new ContextualProcessor<>() {
            private KeyValueStore<String, String> store;

            @Override
            public void init(final ProcessorContext<Void, Void> context) {
                super.init(context);
                store = context.getStateStore("global");
            }

            @SuppressWarnings("deprecation")
            @Override
            public void process(final Record<String, String> record) {
                side.log("global close " + attempt(store::close));
                side.log("global flush " + attempt(store::flush));
                side.log("global put " + attempt(() -> store.put(record.key(), record.value())));
            }
        };
    }

    /** A regular processor that tries to write the global store and to call its lifecycle methods. */
    static ProcessorSupplier<String, String, String, String> globalWriter(final Side side) {
        return () -> new ContextualProcessor<>() {
            private KeyValueStore<String, String> global;

            @Override
            public void init(final ProcessorContext<String, String> context) {
                super.init(context);
                global = context.getStateStore("global");
            }

            @SuppressWarnings("deprecation")
            @Override
            public void process(final Record<String, String> record) {
                side.log("put " + attempt(() -> global.put(record.key(), record.value())));
                side.log("putIfAbsent " + attempt(() -> global.putIfAbsent(record.key(), record.value())));
                side.log("putAll " + attempt(() -> global.putAll(List.of(KeyValue.pair(record.key(), "x")))));
                side.log("delete " + attempt(() -> global.delete(record.key())));
                side.log("init " + attempt(() -> global.init(null, null)));
                side.log("flush " + attempt(global::flush));
                side.log("commit " + attempt(() -> global.commit(Map.of())));
                side.log("close " + attempt(global::close));
                side.log("contents " + contents(global));
                context().forward(record);
            }
        };
    }

    /** A regular processor that reads the global store and forwards what it found. */
    static ProcessorSupplier<String, String, String, String> globalReader(final Side side) {
        return () -> new ContextualProcessor<>() {
            @Override
            public void process(final Record<String, String> record) {
                final KeyValueStore<String, String> global = context().getStateStore("global");
                side.log("name=" + global.name() + " persistent=" + global.persistent() + " open=" + global.isOpen()
                    + " entries=" + global.approximateNumEntries() + " timestamped="
                    + (global instanceof TimestampedKeyValueStore));
                side.log("get " + global.get(record.value()));
                final StringBuilder range = new StringBuilder();
                try (KeyValueIterator<String, String> it = global.range("a", "c")) {
                    it.forEachRemaining(kv -> range.append(kv.key).append('=').append(kv.value).append(' '));
                }
                side.log("range " + range);
                side.log("contents " + contents(global));
                context().forward(record.withValue(global.get(record.value())));
            }
        };
    }

    static Differential.Scenario globalScenario(final boolean write) {
        return Differential.papi(papi -> papi
                .addGlobalStore(globalStore(papi), "gsrc", SD, SD, "global-in", "gproc", globalUpdater(papi))
                .addSource("src", SD, SD, "in")
                .addProcessor("p", write ? globalWriter(papi) : globalReader(papi), "src")
                .addSink("sink", "out", SS, SS, "p"))
            .pipe("global-in", "a", "A1", 1L)
            .pipe("global-in", "b", "B1", 2L)
            .pipe("in", "x", "a", 10L)
            .pipe("global-in", "a", "A2", 3L)
            .pipe("in", "y", "a", 11L)
            .pipe("in", "z", "b", 12L);
    }

    @Test
    void shouldRefuseWritesAndLifecycleCallsOnAGlobalStoreFromARegularProcessor() {
        final var kafka = globalScenario(true).run();
        assertTrue(kafka.toString().contains("Global store is read only"), kafka::toString);
    }

    @Test
    void shouldLetARegularProcessorReadAGlobalStore() {
        globalScenario(false).run();
    }
}
