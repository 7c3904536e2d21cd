package io.pspf.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;

/**
 * The driver's typed store accessors and {@code QueryableStoreTypes} on the stores the DSL creates (a table, a
 * count, a windowed count, a session count, a versioned table): PSPF's driver must answer every accessor as
 * Kafka's does — the same contents (timestamps stripped by the plain accessors), or the same exception.
 */
class DslStoreAccessTest {
    static final String[] STORES = {"table", "counts", "windowed", "sessions", "versioned"};

    /** Builds the same topology on either builder; returns nothing, the stores are looked up by name. */
    static void topology(final KStream<String, String> in, final Function<String, org.apache.kafka.streams.kstream.KTable<String, String>> table) {
        table.apply("table");
        in.groupByKey().count(Materialized.as("counts"));
        in.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(10))).count(Materialized.as("windowed"));
        in.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(Duration.ofMillis(5))).count(Materialized.as("sessions"));
    }

    static Properties props() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "store-access");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        return props;
    }

    static final List<QueryableStoreType<?>> TYPES = List.of(QueryableStoreTypes.keyValueStore(),
        QueryableStoreTypes.timestampedKeyValueStore(), QueryableStoreTypes.windowStore(),
        QueryableStoreTypes.timestampedWindowStore(), QueryableStoreTypes.sessionStore());

    @Test
    void everyAccessorAnswersAsKafkasDriver() {
        final org.apache.kafka.streams.StreamsBuilder kb = new org.apache.kafka.streams.StreamsBuilder();
        topology(kb.stream("in", Consumed.with(Serdes.String(), Serdes.String())),
            name -> kb.table("t", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as(name)));
        kb.table("v", Consumed.with(Serdes.String(), Serdes.String()),
            Materialized.as(org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore("versioned", Duration.ofMillis(100))));
        final StreamsBuilder pb = new StreamsBuilder();
        topology(pb.stream("in", Consumed.with(Serdes.String(), Serdes.String())),
            name -> pb.table("t", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as(name)));
        pb.table("v", Consumed.with(Serdes.String(), Serdes.String()),
            Materialized.as(org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore("versioned", Duration.ofMillis(100))));

        final List<String> kafka = new ArrayList<>();
        final List<String> pspf = new ArrayList<>();
        try (org.apache.kafka.streams.TopologyTestDriver k = new org.apache.kafka.streams.TopologyTestDriver(kb.build(), props());
             TopologyTestDriver p = new TopologyTestDriver(pb.build(), props())) {
            for (final String topic : new String[] {"in", "t", "v"}) {
                final var ki = k.createInputTopic(topic, new StringSerializer(), new StringSerializer());
                final var pi = p.createInputTopic(topic, new StringSerializer(), new StringSerializer());
                for (int i = 0; i < 6; i++) {
                    ki.pipeInput("k" + (i % 3), "v" + i, 3L * i);
                    pi.pipeInput("k" + (i % 3), "v" + i, 3L * i);
                }
            }
            for (final String store : STORES) {
                describe(kafka, store, k::getStateStore, name -> k.getAllStateStores().get(name), k::getKeyValueStore, k::getTimestampedKeyValueStore,
                    k::getVersionedKeyValueStore, k::getWindowStore, k::getTimestampedWindowStore, k::getSessionStore);
                describe(pspf, store, p::getStateStore, name -> p.getAllStateStores().get(name), p::getKeyValueStore, p::getTimestampedKeyValueStore,
                    p::getVersionedKeyValueStore, p::getWindowStore, p::getTimestampedWindowStore, p::getSessionStore);
            }
            kafka.add("all stores: " + new TreeMap<>(k.getAllStateStores()).keySet());
            pspf.add("all stores: " + new TreeMap<>(p.getAllStateStores()).keySet());
        }
        assertEquals(String.join("\n", kafka), String.join("\n", pspf));
        assertEquals(STORES.length * 13 + 1, kafka.size());
    }

    @SafeVarargs
    private static void describe(final List<String> out, final String store, final Function<String, StateStore> getStateStore,
                                 final Function<String, StateStore> allStores, final Function<String, ?>... accessors) {
        final String[] names = {"getKeyValueStore", "getTimestampedKeyValueStore", "getVersionedKeyValueStore",
            "getWindowStore", "getTimestampedWindowStore", "getSessionStore"};
        for (int i = 0; i < accessors.length; i++) {
            final Function<String, ?> accessor = accessors[i];
            out.add(store + " " + names[i] + ": " + read(() -> contents(accessor.apply(store))));
        }
        out.add(store + " getStateStore: " + read(() -> getStateStore.apply(store).name()));
        final StateStore raw = allStores.apply(store);
        for (final QueryableStoreType<?> type : TYPES) {
            out.add(store + " accepted by " + type.getClass().getSimpleName() + ": " + type.accepts(raw));
        }
        out.add(store + " persistent=" + raw.persistent() + " open=" + raw.isOpen());
    }

    private static String read(final java.util.function.Supplier<Object> supplier) {
        try {
            return String.valueOf(supplier.get());
        } catch (final RuntimeException e) {
            return "threw " + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    /** The store's contents (all() for key-value, window and session stores), or "null" when there is no store. */
    private static Object contents(final Object store) {
        if (store == null) {
            return null;
        }
        final List<String> rows = new ArrayList<>();
        final KeyValueIterator<?, ?> iterator;
        if (store instanceof org.apache.kafka.streams.state.KeyValueStore) {
            iterator = ((org.apache.kafka.streams.state.KeyValueStore<?, ?>) store).all();
        } else if (store instanceof org.apache.kafka.streams.state.WindowStore) {
            iterator = ((org.apache.kafka.streams.state.WindowStore<?, ?>) store).all();
        } else if (store instanceof org.apache.kafka.streams.state.SessionStore) {
            iterator = ((org.apache.kafka.streams.state.SessionStore<Object, ?>) store).fetch("k0", "k2");
        } else if (store instanceof org.apache.kafka.streams.state.VersionedKeyValueStore) {
            final var versioned = (org.apache.kafka.streams.state.VersionedKeyValueStore<String, ?>) store;
            return "latest k0=" + versioned.get("k0") + " k1 as of 4=" + versioned.get("k1", 4L);
        } else {
            return store.getClass().getSimpleName();
        }
        try (KeyValueIterator<?, ?> it = iterator) {
            while (it.hasNext()) {
                final KeyValue<?, ?> kv = it.next();
                rows.add(kv.key + "=" + kv.value);
            }
        }
        return rows;
    }
}
