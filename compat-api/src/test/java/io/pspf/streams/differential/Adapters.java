package io.pspf.streams.differential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The two implementations of {@link Dsl} and {@link Papi} (Kafka's and PSPF's), and the two drivers behind
 * {@link Driver}. Nothing here decides anything: each method forwards to the same-named method of the wrapped class.
 */
final class Adapters {
    private Adapters() {
    }

    static final String KAFKA = "kafka";
    static final String PSPF = "pspf";

    /** A record as read, raw, from an output topic; the timestamp is null for a record sent without one. */
    record Out(byte[] key, byte[] value, Long timestamp, Headers headers) {
    }

    /** One side's test driver, reduced to what the harness needs. */
    interface Driver {
        void pipe(String topic, byte[] key, byte[] value, Headers headers, long timestamp);

        void advanceWallClockTime(Duration advance);

        Set<String> producedTopicNames();

        List<Out> readAll(String topic);

        /** The contents of the key-value store {@code name} as returned by {@code all()}, or null if there is none. */
        List<KeyValue<Object, Object>> keyValueStore(String name);

        /** Every store name {@code getAllStateStores()} knows, with whether it maps to a store. */
        Map<String, Boolean> allStateStores();

        /** The task's {@code dropped-records-total} metric (0 when it is not registered). */
        double droppedRecords();

        void close();
    }

    /** The topology a building function produced, ready to be run. */
    interface Built {
        String describe();

        Driver open(Properties config, Instant wallClockStart);
    }

    // ------------------------------------------------------------------------------------------------ context

    /** The per-run part of a {@link Side}: the side-effect log and the files. */
    abstract static class Context implements Side {
        private final String side;
        private final StoresApi stores;
        private final List<String> events = new ArrayList<>();
        private final Path dir;
        private final Map<String, Path> files = new LinkedHashMap<>();

        Context(final String side) {
            this.side = side;
            this.stores = new StoresApi(KAFKA.equals(side) ? StoresApi.KAFKA_STORES : StoresApi.PSPF_STORES);
            try {
                this.dir = Files.createTempDirectory("differential-" + side + "-");
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String name() {
            return side;
        }

        @Override
        public StoresApi stores() {
            return stores;
        }

        @Override
        public synchronized void log(final String event) {
            events.add(event);
        }

        @Override
        public String file(final String name) {
            final Path path = dir.resolve(name);
            files.put(name, path);
            return path.toString();
        }

        synchronized List<String> drainEvents() {
            final List<String> drained = new ArrayList<>(events);
            events.clear();
            return drained;
        }

        Map<String, Path> files() {
            return files;
        }

        Path dir() {
            return dir;
        }

        abstract Built build();
    }

    static Context dsl(final String side) {
        return KAFKA.equals(side) ? new KafkaDsl() : new PspfDsl();
    }

    static Context papi(final String side) {
        return KAFKA.equals(side) ? new KafkaPapi() : new PspfPapi();
    }

    // ------------------------------------------------------------------------------------------------ DSL

    static final class KafkaDsl extends Context implements Dsl {
        private final org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();

        KafkaDsl() {
            super(KAFKA);
        }

        private java.util.Properties buildProperties;

        @Override
        public <K, V> KTable<K, V> table(final String topic) {
            return builder.table(topic);
        }

        @Override
        public <K, V> KTable<K, V> table(final String topic,
                                         final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.table(topic, materialized);
        }

        @Override
        public <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed,
                                         final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.table(topic, consumed, materialized);
        }

        @Override
        public Dsl buildProperties(final java.util.Properties properties) {
            this.buildProperties = properties;
            return this;
        }

        @Override
        public <K, V> KStream<K, V> stream(final String topic) {
            return builder.stream(topic);
        }

        @Override
        public <K, V> KStream<K, V> stream(final String topic, final Consumed<K, V> consumed) {
            return builder.stream(topic, consumed);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Collection<String> topics) {
            return builder.stream(topics);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Collection<String> topics, final Consumed<K, V> consumed) {
            return builder.stream(topics, consumed);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Pattern topicPattern) {
            return builder.stream(topicPattern);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Pattern topicPattern, final Consumed<K, V> consumed) {
            return builder.stream(topicPattern, consumed);
        }

        @Override
        public <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed) {
            return builder.table(topic, consumed);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic, final Consumed<K, V> consumed) {
            return builder.globalTable(topic, consumed);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic) {
            return builder.globalTable(topic);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic, final Consumed<K, V> consumed,
                                                     final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.globalTable(topic, consumed, materialized);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic,
                                                     final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.globalTable(topic, materialized);
        }

        @Override
        public Dsl addStateStore(final StoreBuilder<?> storeBuilder) {
            builder.addStateStore(storeBuilder);
            return this;
        }

        @Override
        public <K, V> Dsl addGlobalStore(final StoreBuilder<?> storeBuilder, final String topic,
                                         final Consumed<K, V> consumed,
                                         final ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier) {
            builder.addGlobalStore(storeBuilder, topic, consumed, stateUpdateSupplier);
            return this;
        }

        @Override
        Built build() {
            return kafka(kafkaTopology());
        }

        org.apache.kafka.streams.Topology kafkaTopology() {
            return buildProperties == null ? builder.build() : builder.build(buildProperties);
        }
    }

    static final class PspfDsl extends Context implements Dsl {
        private final io.pspf.streams.StreamsBuilder builder = new io.pspf.streams.StreamsBuilder();

        PspfDsl() {
            super(PSPF);
        }

        private java.util.Properties buildProperties;

        @Override
        public <K, V> KTable<K, V> table(final String topic) {
            return builder.table(topic);
        }

        @Override
        public <K, V> KTable<K, V> table(final String topic,
                                         final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.table(topic, materialized);
        }

        @Override
        public <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed,
                                         final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.table(topic, consumed, materialized);
        }

        @Override
        public Dsl buildProperties(final java.util.Properties properties) {
            this.buildProperties = properties;
            return this;
        }

        @Override
        public <K, V> KStream<K, V> stream(final String topic) {
            return builder.stream(topic);
        }

        @Override
        public <K, V> KStream<K, V> stream(final String topic, final Consumed<K, V> consumed) {
            return builder.stream(topic, consumed);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Collection<String> topics) {
            return builder.stream(topics);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Collection<String> topics, final Consumed<K, V> consumed) {
            return builder.stream(topics, consumed);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Pattern topicPattern) {
            return builder.stream(topicPattern);
        }

        @Override
        public <K, V> KStream<K, V> stream(final Pattern topicPattern, final Consumed<K, V> consumed) {
            return builder.stream(topicPattern, consumed);
        }

        @Override
        public <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed) {
            return builder.table(topic, consumed);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic, final Consumed<K, V> consumed) {
            return builder.globalTable(topic, consumed);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic) {
            return builder.globalTable(topic);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic, final Consumed<K, V> consumed,
                                                     final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.globalTable(topic, consumed, materialized);
        }

        @Override
        public <K, V> GlobalKTable<K, V> globalTable(final String topic,
                                                     final org.apache.kafka.streams.kstream.Materialized<K, V, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>> materialized) {
            return builder.globalTable(topic, materialized);
        }

        @Override
        public Dsl addStateStore(final StoreBuilder<?> storeBuilder) {
            builder.addStateStore(storeBuilder);
            return this;
        }

        @Override
        public <K, V> Dsl addGlobalStore(final StoreBuilder<?> storeBuilder, final String topic,
                                         final Consumed<K, V> consumed,
                                         final ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier) {
            builder.addGlobalStore(storeBuilder, topic, consumed, stateUpdateSupplier);
            return this;
        }

        @Override
        Built build() {
            return pspf(pspfTopology());
        }

        io.pspf.streams.Topology pspfTopology() {
            return buildProperties == null ? builder.build() : builder.build(buildProperties);
        }
    }

    // ------------------------------------------------------------------------------------------------ PAPI

    static final class KafkaPapi extends Context implements Papi {
        private final org.apache.kafka.streams.Topology topology = new org.apache.kafka.streams.Topology();

        KafkaPapi() {
            super(KAFKA);
        }

        @Override
        public Papi addSource(final String name, final String... topics) {
            topology.addSource(name, topics);
            return this;
        }

        @Override
        public Papi addSource(final String name, final Pattern topicPattern) {
            topology.addSource(name, topicPattern);
            return this;
        }

        @Override
        public Papi addSource(final AutoOffsetReset offsetReset, final String name, final String... topics) {
            topology.addSource(offsetReset, name, topics);
            return this;
        }

        @Override
        public Papi addSource(final TimestampExtractor timestampExtractor, final String name, final String... topics) {
            topology.addSource(timestampExtractor, name, topics);
            return this;
        }

        @Override
        public <K, V> Papi addSource(final String name, final Deserializer<K> keyDeserializer,
                                     final Deserializer<V> valueDeserializer, final String... topics) {
            topology.addSource(name, keyDeserializer, valueDeserializer, topics);
            return this;
        }

        @Override
        public <K, V> Papi addSource(final AutoOffsetReset offsetReset, final String name,
                                     final TimestampExtractor timestampExtractor,
                                     final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer,
                                     final String... topics) {
            topology.addSource(offsetReset, name, timestampExtractor, keyDeserializer, valueDeserializer, topics);
            return this;
        }

        @Override
        public Papi addSink(final String name, final String topic, final String... parentNames) {
            topology.addSink(name, topic, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final String topic,
                                   final StreamPartitioner<? super K, ? super V> partitioner,
                                   final String... parentNames) {
            topology.addSink(name, topic, partitioner, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final String topic, final Serializer<K> keySerializer,
                                   final Serializer<V> valueSerializer, final String... parentNames) {
            topology.addSink(name, topic, keySerializer, valueSerializer, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final String topic, final Serializer<K> keySerializer,
                                   final Serializer<V> valueSerializer,
                                   final StreamPartitioner<? super K, ? super V> partitioner,
                                   final String... parentNames) {
            topology.addSink(name, topic, keySerializer, valueSerializer, partitioner, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                   final String... parentNames) {
            topology.addSink(name, topicExtractor, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                   final Serializer<K> keySerializer, final Serializer<V> valueSerializer,
                                   final String... parentNames) {
            topology.addSink(name, topicExtractor, keySerializer, valueSerializer, parentNames);
            return this;
        }

        @Override
        public <KIn, VIn, KOut, VOut> Papi addProcessor(final String name,
                                                        final ProcessorSupplier<KIn, VIn, KOut, VOut> supplier,
                                                        final String... parentNames) {
            topology.addProcessor(name, supplier, parentNames);
            return this;
        }

        @Override
        public <S extends StateStore> Papi addStateStore(final StoreBuilder<S> storeBuilder,
                                                         final String... processorNames) {
            topology.addStateStore(storeBuilder, processorNames);
            return this;
        }

        @Override
        public Papi connectProcessorAndStateStores(final String processorName, final String... stateStoreNames) {
            topology.connectProcessorAndStateStores(processorName, stateStoreNames);
            return this;
        }

        @Override
        public <K, V, S extends StateStore> Papi addGlobalStore(final StoreBuilder<S> storeBuilder,
                                                                final String sourceName,
                                                                final Deserializer<K> keyDeserializer,
                                                                final Deserializer<V> valueDeserializer,
                                                                final String topic, final String processorName,
                                                                final ProcessorSupplier<K, V, Void, Void> supplier) {
            topology.addGlobalStore(storeBuilder, sourceName, keyDeserializer, valueDeserializer, topic,
                processorName, supplier);
            return this;
        }

        @Override
        public <K, V, S extends StateStore> Papi addReadOnlyStateStore(final StoreBuilder<S> storeBuilder,
                                                                       final String sourceName,
                                                                       final Deserializer<K> keyDeserializer,
                                                                       final Deserializer<V> valueDeserializer,
                                                                       final String topic, final String processorName,
                                                                       final ProcessorSupplier<K, V, Void, Void> supplier) {
            topology.addReadOnlyStateStore(storeBuilder, sourceName, keyDeserializer, valueDeserializer, topic,
                processorName, supplier);
            return this;
        }

        @Override
        Built build() {
            return kafka(topology);
        }
    }

    static final class PspfPapi extends Context implements Papi {
        private final io.pspf.streams.Topology topology = new io.pspf.streams.Topology();

        PspfPapi() {
            super(PSPF);
        }

        @Override
        public Papi addSource(final String name, final String... topics) {
            topology.addSource(name, topics);
            return this;
        }

        @Override
        public Papi addSource(final String name, final Pattern topicPattern) {
            topology.addSource(name, topicPattern);
            return this;
        }

        @Override
        public Papi addSource(final AutoOffsetReset offsetReset, final String name, final String... topics) {
            topology.addSource(offsetReset, name, topics);
            return this;
        }

        @Override
        public Papi addSource(final TimestampExtractor timestampExtractor, final String name, final String... topics) {
            topology.addSource(timestampExtractor, name, topics);
            return this;
        }

        @Override
        public <K, V> Papi addSource(final String name, final Deserializer<K> keyDeserializer,
                                     final Deserializer<V> valueDeserializer, final String... topics) {
            topology.addSource(name, keyDeserializer, valueDeserializer, topics);
            return this;
        }

        @Override
        public <K, V> Papi addSource(final AutoOffsetReset offsetReset, final String name,
                                     final TimestampExtractor timestampExtractor,
                                     final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer,
                                     final String... topics) {
            topology.addSource(offsetReset, name, timestampExtractor, keyDeserializer, valueDeserializer, topics);
            return this;
        }

        @Override
        public Papi addSink(final String name, final String topic, final String... parentNames) {
            topology.addSink(name, topic, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final String topic,
                                   final StreamPartitioner<? super K, ? super V> partitioner,
                                   final String... parentNames) {
            topology.addSink(name, topic, partitioner, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final String topic, final Serializer<K> keySerializer,
                                   final Serializer<V> valueSerializer, final String... parentNames) {
            topology.addSink(name, topic, keySerializer, valueSerializer, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final String topic, final Serializer<K> keySerializer,
                                   final Serializer<V> valueSerializer,
                                   final StreamPartitioner<? super K, ? super V> partitioner,
                                   final String... parentNames) {
            topology.addSink(name, topic, keySerializer, valueSerializer, partitioner, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                   final String... parentNames) {
            topology.addSink(name, topicExtractor, parentNames);
            return this;
        }

        @Override
        public <K, V> Papi addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                   final Serializer<K> keySerializer, final Serializer<V> valueSerializer,
                                   final String... parentNames) {
            topology.addSink(name, topicExtractor, keySerializer, valueSerializer, parentNames);
            return this;
        }

        @Override
        public <KIn, VIn, KOut, VOut> Papi addProcessor(final String name,
                                                        final ProcessorSupplier<KIn, VIn, KOut, VOut> supplier,
                                                        final String... parentNames) {
            topology.addProcessor(name, supplier, parentNames);
            return this;
        }

        @Override
        public <S extends StateStore> Papi addStateStore(final StoreBuilder<S> storeBuilder,
                                                         final String... processorNames) {
            topology.addStateStore(storeBuilder, processorNames);
            return this;
        }

        @Override
        public Papi connectProcessorAndStateStores(final String processorName, final String... stateStoreNames) {
            topology.connectProcessorAndStateStores(processorName, stateStoreNames);
            return this;
        }

        @Override
        public <K, V, S extends StateStore> Papi addGlobalStore(final StoreBuilder<S> storeBuilder,
                                                                final String sourceName,
                                                                final Deserializer<K> keyDeserializer,
                                                                final Deserializer<V> valueDeserializer,
                                                                final String topic, final String processorName,
                                                                final ProcessorSupplier<K, V, Void, Void> supplier) {
            topology.addGlobalStore(storeBuilder, sourceName, keyDeserializer, valueDeserializer, topic,
                processorName, supplier);
            return this;
        }

        @Override
        public <K, V, S extends StateStore> Papi addReadOnlyStateStore(final StoreBuilder<S> storeBuilder,
                                                                       final String sourceName,
                                                                       final Deserializer<K> keyDeserializer,
                                                                       final Deserializer<V> valueDeserializer,
                                                                       final String topic, final String processorName,
                                                                       final ProcessorSupplier<K, V, Void, Void> supplier) {
            topology.addReadOnlyStateStore(storeBuilder, sourceName, keyDeserializer, valueDeserializer, topic,
                processorName, supplier);
            return this;
        }

        @Override
        Built build() {
            return pspf(topology);
        }
    }

    // ------------------------------------------------------------------------------------------------ drivers

    static Built kafka(final org.apache.kafka.streams.Topology topology) {
        return new Built() {
            @Override
            public String describe() {
                return topology.describe().toString();
            }

            @Override
            public Driver open(final Properties config, final Instant wallClockStart) {
                return new KafkaDriver(new org.apache.kafka.streams.TopologyTestDriver(topology, config, wallClockStart));
            }
        };
    }

    static Built pspf(final io.pspf.streams.Topology topology) {
        return new Built() {
            @Override
            public String describe() {
                return topology.describe().toString();
            }

            @Override
            public Driver open(final Properties config, final Instant wallClockStart) {
                return new PspfDriver(new io.pspf.streams.TopologyTestDriver(topology, config, wallClockStart));
            }
        };
    }

    private static List<KeyValue<Object, Object>> drain(final KeyValueStore<Object, Object> store) {
        if (store == null) {
            return null;
        }
        final List<KeyValue<Object, Object>> all = new ArrayList<>();
        try (KeyValueIterator<Object, Object> it = store.all()) {
            while (it.hasNext()) {
                all.add(it.next());
            }
        }
        return all;
    }

    /**
     * The contents of a store that is not a key-value store: a window store's {@code all()} (with timestamps when
     * it is timestamped), or all of a session store's sessions; null when it is neither.
     */
    private static List<KeyValue<Object, Object>> windowedContents(final WindowStore<Object, Object> timestamped,
                                                                   final WindowStore<Object, Object> window,
                                                                   final SessionStore<Object, Object> session) {
        final KeyValueIterator<?, ?> iterator;
        if (timestamped != null) {
            iterator = timestamped.all();
        } else if (window != null) {
            iterator = window.all();
        } else if (session != null) {
            iterator = session.findSessions(null, null, 0L, Long.MAX_VALUE);
        } else {
            return null;
        }
        final List<KeyValue<Object, Object>> all = new ArrayList<>();
        try (iterator) {
            while (iterator.hasNext()) {
                final KeyValue<?, ?> next = iterator.next();
                all.add(KeyValue.pair(next.key, next.value));
            }
        }
        return all;
    }

    private static double droppedRecords(final Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics) {
        double total = 0;
        for (final Map.Entry<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metric : metrics.entrySet()) {
            if (metric.getKey().name().equals("dropped-records-total") && metric.getKey().group().equals("stream-task-metrics")) {
                total += ((Number) metric.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }

    private static Map<String, Boolean> presence(final Map<String, StateStore> stores) {
        final Map<String, Boolean> presence = new LinkedHashMap<>();
        for (final String name : new TreeSet<>(stores.keySet())) {
            presence.put(name, stores.get(name) != null);
        }
        return presence;
    }

    static final class KafkaDriver implements Driver {
        private final org.apache.kafka.streams.TopologyTestDriver driver;
        private final Map<String, org.apache.kafka.streams.TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();

        KafkaDriver(final org.apache.kafka.streams.TopologyTestDriver driver) {
            this.driver = driver;
        }

        @Override
        public void pipe(final String topic, final byte[] key, final byte[] value, final Headers headers,
                         final long timestamp) {
            inputs.computeIfAbsent(topic, t -> driver.createInputTopic(t, new ByteArraySerializer(),
                    new ByteArraySerializer(), Instant.EPOCH, Duration.ZERO))
                .pipeInput(new org.apache.kafka.streams.test.TestRecord<>(key, value, headers, timestamp));
        }

        @Override
        public void advanceWallClockTime(final Duration advance) {
            driver.advanceWallClockTime(advance);
        }

        @Override
        public Set<String> producedTopicNames() {
            return driver.producedTopicNames();
        }

        @Override
        public List<Out> readAll(final String topic) {
            final List<Out> out = new ArrayList<>();
            for (final org.apache.kafka.streams.test.TestRecord<byte[], byte[]> r : driver
                .createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList()) {
                out.add(new Out(r.key(), r.value(), r.timestamp(), r.headers()));
            }
            return out;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public List<KeyValue<Object, Object>> keyValueStore(final String name) {
            final List<KeyValue<Object, Object>> keyValues = drain(driver.getKeyValueStore(name));
            return keyValues != null ? keyValues : windowedContents((WindowStore) driver.getTimestampedWindowStore(name),
                driver.getWindowStore(name), driver.getSessionStore(name));
        }

        @Override
        public double droppedRecords() {
            return Adapters.droppedRecords(driver.metrics());
        }

        @Override
        public Map<String, Boolean> allStateStores() {
            return presence(driver.getAllStateStores());
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    static final class PspfDriver implements Driver {
        private final io.pspf.streams.TopologyTestDriver driver;
        private final Map<String, io.pspf.streams.TestInputTopic<byte[], byte[]>> inputs = new HashMap<>();

        PspfDriver(final io.pspf.streams.TopologyTestDriver driver) {
            this.driver = driver;
        }

        @Override
        public void pipe(final String topic, final byte[] key, final byte[] value, final Headers headers,
                         final long timestamp) {
            inputs.computeIfAbsent(topic, t -> driver.createInputTopic(t, new ByteArraySerializer(),
                    new ByteArraySerializer(), Instant.EPOCH, Duration.ZERO))
                .pipeInput(new io.pspf.streams.test.TestRecord<>(key, value, headers, timestamp));
        }

        @Override
        public void advanceWallClockTime(final Duration advance) {
            driver.advanceWallClockTime(advance);
        }

        @Override
        public Set<String> producedTopicNames() {
            return driver.producedTopicNames();
        }

        @Override
        public List<Out> readAll(final String topic) {
            final List<Out> out = new ArrayList<>();
            for (final io.pspf.streams.test.TestRecord<byte[], byte[]> r : driver
                .createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList()) {
                out.add(new Out(r.key(), r.value(), r.timestamp(), r.headers()));
            }
            return out;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public List<KeyValue<Object, Object>> keyValueStore(final String name) {
            final List<KeyValue<Object, Object>> keyValues = drain(driver.getKeyValueStore(name));
            return keyValues != null ? keyValues : windowedContents((WindowStore) driver.getTimestampedWindowStore(name),
                driver.getWindowStore(name), driver.getSessionStore(name));
        }

        @Override
        public double droppedRecords() {
            return Adapters.droppedRecords(driver.metrics());
        }

        @Override
        public Map<String, Boolean> allStateStores() {
            return presence(driver.getAllStateStores());
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
