package io.pspf.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;

/** Kafka Streams 4.4's own TopologyTestDriver. Keep in step with {@link PspfEngine}: only the imports differ. */
public final class KafkaEngine implements Engine {
    private final String name;
    private final String dslStore;

    /**
     * @param name     the engine's name in RESULT lines
     * @param dslStore {@code default.dsl.store} for the DSL workloads' stores, or null for the default
     */
    public KafkaEngine(final String name, final String dslStore) {
        this.name = name;
        this.dslStore = dslStore;
    }

    @Override
    public String name() {
        return name;
    }

    static Topology topology(final Workload workload, final boolean storeLogging, final Properties config) {
        if (workload == Workload.WORDCOUNT) {
            final StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(config)));
            b.stream(Workload.IN, Consumed.with(Serdes.String(), Serdes.String()))
             .flatMapValues(v -> Arrays.asList(Workload.SPLIT.split(v)))
             .groupBy((k, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
             .count(storeLogging ? Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(Workload.STORE)
                 : Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(Workload.STORE).withLoggingDisabled())
             .toStream()
             .to(Workload.OUT, Produced.with(Serdes.String(), Serdes.Long()));
            return b.build();
        }
        if (workload == Workload.WINDOWED_COUNT) {
            final StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(config)));
            b.stream(Workload.IN, Consumed.with(Serdes.String(), Serdes.String()))
             .groupByKey()
             .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(Workload.WINDOW_MS)))
             .count(storeLogging ? Materialized.with(Serdes.String(), Serdes.Long())
                 : Materialized.<String, Long, WindowStore<Bytes, byte[]>>with(Serdes.String(), Serdes.Long()).withLoggingDisabled())
             .toStream()
             .map((wk, count) -> KeyValue.pair(wk.key() + "@" + wk.window().start(), count))
             .to(Workload.OUT, Produced.with(Serdes.String(), Serdes.Long()));
            return b.build();
        }
        if (workload == Workload.STREAM_TABLE_JOIN) {
            final StreamsBuilder b = new StreamsBuilder(new TopologyConfig(new StreamsConfig(config)));
            final KTable<String, String> regions = b.table(Workload.TABLE, Consumed.with(Serdes.String(), Serdes.String()),
                storeLogging ? Materialized.as(Workload.STORE)
                    : Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(Workload.STORE).withLoggingDisabled());
            b.stream(Workload.IN, Consumed.with(Serdes.String(), Serdes.String()))
             .join(regions, Workload::joined)
             .to(Workload.OUT, Produced.with(Serdes.String(), Serdes.String()));
            return b.build();
        }
        if (workload == Workload.STATELESS) {
            final StreamsBuilder b = new StreamsBuilder();
            b.stream(Workload.IN, Consumed.with(Serdes.String(), Serdes.String()))
             .filter((k, v) -> Workload.keep(k))
             .mapValues(v -> Workload.upper(v))
             .to(Workload.OUT, Produced.with(Serdes.String(), Serdes.String()));
            return b.build();
        }
        final Topology t = new Topology();
        t.addSource("source", new StringDeserializer(), new StringDeserializer(), Workload.IN);
        if (workload == Workload.WINDOWED_FLOOR) {
            t.addProcessor("count", Workload.WindowedCountFloorProcessor::new, "source");
            t.addSink("sink", Workload.OUT, new StringSerializer(), new LongSerializer(), "count");
            return t;
        }
        t.addProcessor("wordcount", Workload.WordCountProcessor::new, "source");
        StoreBuilder<KeyValueStore<String, Long>> store =
            Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(Workload.STORE), Serdes.String(), Serdes.Long());
        if (!storeLogging) {
            store = store.withLoggingDisabled();
        }
        t.addStateStore(store, "wordcount");
        t.addSink("sink", Workload.OUT, new StringSerializer(), new LongSerializer(), "wordcount");
        return t;
    }

    @Override
    public Engine.Session open(final Workload workload, final Properties config, final boolean storeLogging) {
        if (dslStore != null) {
            config.put(StreamsConfig.DEFAULT_DSL_STORE_CONFIG, dslStore);
        }
        return new Session(workload, new TopologyTestDriver(topology(workload, storeLogging, config), config));
    }

    static final class Session implements Engine.Session {
        private final Workload workload;
        private final TopologyTestDriver driver;
        private final TestInputTopic<String, String> in;
        private final TestOutputTopic<String, String> outString;
        private final TestOutputTopic<String, Long> outLong;
        private final TestInputTopic<String, String> table;
        private final Map<String, TestOutputTopic<byte[], byte[]>> others = new HashMap<>();

        Session(final Workload workload, final TopologyTestDriver driver) {
            this.workload = workload;
            this.driver = driver;
            this.in = driver.createInputTopic(Workload.IN, new StringSerializer(), new StringSerializer());
            this.outString = driver.createOutputTopic(Workload.OUT, new StringDeserializer(), new StringDeserializer());
            this.outLong = driver.createOutputTopic(Workload.OUT, new StringDeserializer(), new LongDeserializer());
            this.table = workload == Workload.STREAM_TABLE_JOIN
                ? driver.createInputTopic(Workload.TABLE, new StringSerializer(), new StringSerializer()) : null;
        }

        @Override
        public void pipeTable(final String key, final String value, final long timestampMs) {
            table.pipeInput(key, value, timestampMs);
        }

        @Override
        public void pipe(final String key, final String value, final long timestampMs) {
            in.pipeInput(key, value, timestampMs);
        }

        @Override
        public long drain(final Check check) {
            if (workload.longValues()) {
                for (final TestRecord<String, Long> r : outLong.readRecordsToList()) {
                    check.add(r.key(), r.value(), r.timestamp());
                }
            } else {
                for (final TestRecord<String, String> r : outString.readRecordsToList()) {
                    check.add(r.key(), r.value(), r.timestamp());
                }
            }
            long drained = 0;
            for (final String topic : driver.producedTopicNames()) {
                if (!topic.equals(Workload.OUT)) {
                    drained += others.computeIfAbsent(topic, t ->
                        driver.createOutputTopic(t, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
                        .readRecordsToList().size();
                }
            }
            return drained;
        }

        @Override
        public KeyValueStore<String, Long> store() {
            return driver.getKeyValueStore(Workload.STORE);
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
