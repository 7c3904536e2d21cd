package io.pspf.streams;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.processor.ConnectedStoreProvider;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

import io.pspf.runtime.graph.GraphBuilder;

/**
 * A logical processing graph: sources, processors, sinks and state stores, exactly as Kafka Streams'
 * {@code org.apache.kafka.streams.Topology}. Build it with the Processor API methods below, or let a
 * {@link StreamsBuilder} build it from the DSL; run it with {@link TopologyTestDriver} (or {@code PspfStreams}).
 *
 * <p>Every method validates its arguments as Kafka does: a null argument fails with a
 * {@link NullPointerException} naming it, a structural error (duplicate name, unknown parent, unknown store)
 * with a {@link TopologyException} naming the culprit.
 */
public class Topology {

    /**
     * Where to start reading a source topic that has no committed offset.
     *
     * @deprecated as in Kafka Streams 4; use {@link org.apache.kafka.streams.AutoOffsetReset} instead.
     */
    @Deprecated
    public enum AutoOffsetReset {
        /** Start from the earliest record. */
        EARLIEST,
        /** Start after the latest record. */
        LATEST
    }

    final GraphBuilder graph = new GraphBuilder();
    final TopologyConfig topologyConfig;

    /** An empty topology. */
    public Topology() {
        this.topologyConfig = null;
    }

    /**
     * An empty topology with per-topology settings.
     *
     * @param topologyConfigs the topology's settings; must not be null
     */
    public Topology(final TopologyConfig topologyConfigs) {
        this.topologyConfig = Objects.requireNonNull(topologyConfigs, "topologyConfigs cannot be null");
    }

    @SuppressWarnings("deprecation")
    private static org.apache.kafka.streams.AutoOffsetReset convert(final AutoOffsetReset reset) {
        if (reset == null) {
            return null;
        }
        return reset == AutoOffsetReset.EARLIEST ? org.apache.kafka.streams.AutoOffsetReset.earliest()
            : org.apache.kafka.streams.AutoOffsetReset.latest();
    }
    /**
     * Adds a source node reading the given topics.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final String name, final String... topics) {
        graph.addSource(null, name, null, null, null, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final String name, final Pattern topicPattern) {
        graph.addSource(null, name, null, null, null, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized Topology addSource(final AutoOffsetReset offsetReset, final String name, final String... topics) {
        graph.addSource(convert(offsetReset), name, null, null, null, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized Topology addSource(final AutoOffsetReset offsetReset, final String name, final Pattern topicPattern) {
        graph.addSource(convert(offsetReset), name, null, null, null, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final String name, final String... topics) {
        graph.addSource(offsetReset, name, null, null, null, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final String name, final Pattern topicPattern) {
        graph.addSource(offsetReset, name, null, null, null, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with a timestamp extractor for this source.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final TimestampExtractor timestampExtractor, final String name, final String... topics) {
        graph.addSource(null, name, timestampExtractor, null, null, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with a timestamp extractor for this source.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final TimestampExtractor timestampExtractor, final String name, final Pattern topicPattern) {
        graph.addSource(null, name, timestampExtractor, null, null, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy, with a timestamp extractor for this source.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized Topology addSource(final AutoOffsetReset offsetReset, final TimestampExtractor timestampExtractor, final String name, final String... topics) {
        graph.addSource(convert(offsetReset), name, timestampExtractor, null, null, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy, with a timestamp extractor for this source.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized Topology addSource(final AutoOffsetReset offsetReset, final TimestampExtractor timestampExtractor, final String name, final Pattern topicPattern) {
        graph.addSource(convert(offsetReset), name, timestampExtractor, null, null, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy, with a timestamp extractor for this source.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final TimestampExtractor timestampExtractor, final String name, final String... topics) {
        graph.addSource(offsetReset, name, timestampExtractor, null, null, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy, with a timestamp extractor for this source.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final TimestampExtractor timestampExtractor, final String name, final Pattern topicPattern) {
        graph.addSource(offsetReset, name, timestampExtractor, null, null, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized <K, V> Topology addSource(final String name, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final String... topics) {
        graph.addSource(null, name, null, keyDeserializer, valueDeserializer, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized <K, V> Topology addSource(final String name, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final Pattern topicPattern) {
        graph.addSource(null, name, null, keyDeserializer, valueDeserializer, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized <K, V> Topology addSource(final AutoOffsetReset offsetReset, final String name, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final String... topics) {
        graph.addSource(convert(offsetReset), name, null, keyDeserializer, valueDeserializer, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized <K, V> Topology addSource(final AutoOffsetReset offsetReset, final String name, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final Pattern topicPattern) {
        graph.addSource(convert(offsetReset), name, null, keyDeserializer, valueDeserializer, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized <K, V> Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final String name, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final String... topics) {
        graph.addSource(offsetReset, name, null, keyDeserializer, valueDeserializer, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized <K, V> Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final String name, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final Pattern topicPattern) {
        graph.addSource(offsetReset, name, null, keyDeserializer, valueDeserializer, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy, with a timestamp extractor for this source and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized <K, V> Topology addSource(final AutoOffsetReset offsetReset, final String name, final TimestampExtractor timestampExtractor, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final String... topics) {
        graph.addSource(convert(offsetReset), name, timestampExtractor, keyDeserializer, valueDeserializer, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy, with a timestamp extractor for this source and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    @Deprecated
    public synchronized <K, V> Topology addSource(final AutoOffsetReset offsetReset, final String name, final TimestampExtractor timestampExtractor, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final Pattern topicPattern) {
        graph.addSource(convert(offsetReset), name, timestampExtractor, keyDeserializer, valueDeserializer, topicPattern);
        return this;
    }

    /**
     * Adds a source node reading the given topics, with the given offset reset policy, with a timestamp extractor for this source and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized <K, V> Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final String name, final TimestampExtractor timestampExtractor, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final String... topics) {
        graph.addSource(offsetReset, name, timestampExtractor, keyDeserializer, valueDeserializer, topics);
        return this;
    }

    /**
     * Adds a source node reading every topic matching the pattern, with the given offset reset policy, with a timestamp extractor for this source and deserializers (else the default serdes).
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a topic is already read by another source
     */
    public synchronized <K, V> Topology addSource(final org.apache.kafka.streams.AutoOffsetReset offsetReset, final String name, final TimestampExtractor timestampExtractor, final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final Pattern topicPattern) {
        graph.addSource(offsetReset, name, timestampExtractor, keyDeserializer, valueDeserializer, topicPattern);
        return this;
    }

    /**
     * Adds a sink writing to {@code topic} with the default serdes, placed by the default partitioner.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a parent is unknown or a sink
     */
    public synchronized Topology addSink(final String name, final String topic, final String... parentNames) {
        graph.addSink(name, topic, null, null, null, null, parentNames);
        return this;
    }

    /** Adds a sink writing to {@code topic}, placed by {@code partitioner}. */
    public synchronized <K, V> Topology addSink(final String name, final String topic,
                                                final StreamPartitioner<? super K, ? super V> partitioner,
                                                final String... parentNames) {
        graph.addSink(name, topic, null, null, null, partitioner, parentNames);
        return this;
    }

    /** Adds a sink writing to {@code topic} with the given serializers. */
    public synchronized <K, V> Topology addSink(final String name, final String topic, final Serializer<K> keySerializer,
                                                final Serializer<V> valueSerializer, final String... parentNames) {
        graph.addSink(name, topic, null, keySerializer, valueSerializer, null, parentNames);
        return this;
    }

    /** Adds a sink writing to {@code topic} with the given serializers and partitioner. */
    public synchronized <K, V> Topology addSink(final String name, final String topic, final Serializer<K> keySerializer,
                                                final Serializer<V> valueSerializer,
                                                final StreamPartitioner<? super K, ? super V> partitioner,
                                                final String... parentNames) {
        graph.addSink(name, topic, null, keySerializer, valueSerializer, partitioner, parentNames);
        return this;
    }

    /** Adds a sink writing each record to the topic {@code topicExtractor} picks for it. */
    public synchronized <K, V> Topology addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                                final String... parentNames) {
        graph.addExtractorSink(name, topicExtractor, null, null, null, parentNames);
        return this;
    }

    /** Adds a sink writing to extracted topics, placed by {@code partitioner}. */
    public synchronized <K, V> Topology addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                                final StreamPartitioner<? super K, ? super V> partitioner,
                                                final String... parentNames) {
        graph.addExtractorSink(name, topicExtractor, null, null, partitioner, parentNames);
        return this;
    }

    /** Adds a sink writing to extracted topics with the given serializers. */
    public synchronized <K, V> Topology addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                                final Serializer<K> keySerializer, final Serializer<V> valueSerializer,
                                                final String... parentNames) {
        graph.addExtractorSink(name, topicExtractor, keySerializer, valueSerializer, null, parentNames);
        return this;
    }

    /** Adds a sink writing to extracted topics with the given serializers and partitioner. */
    public synchronized <K, V> Topology addSink(final String name, final TopicNameExtractor<? super K, ? super V> topicExtractor,
                                                final Serializer<K> keySerializer, final Serializer<V> valueSerializer,
                                                final StreamPartitioner<? super K, ? super V> partitioner,
                                                final String... parentNames) {
        graph.addExtractorSink(name, topicExtractor, keySerializer, valueSerializer, partitioner, parentNames);
        return this;
    }

    /**
     * Adds a processor below the given parents. The supplier must hand out a new processor on every call; the
     * stores it declares through {@link ConnectedStoreProvider#stores()} are added and connected to it.
     *
     * @return this topology
     * @throws TopologyException if the name is taken or a parent is unknown or a sink
     * @throws IllegalArgumentException if the supplier returns the same processor twice
     */
    public synchronized <KIn, VIn, KOut, VOut> Topology addProcessor(final String name,
                                                                     final ProcessorSupplier<KIn, VIn, KOut, VOut> supplier,
                                                                     final String... parentNames) {
        GraphBuilder.checkSupplier(supplier);
        graph.addProcessor(name, supplier, parentNames);
        final Set<StoreBuilder<?>> stores = supplier.stores();
        if (stores != null) {
            for (final StoreBuilder<?> store : stores) {
                graph.addStateStore(store, name);
            }
        }
        return this;
    }

    /**
     * Adds a state store and connects it to the named processors.
     *
     * @return this topology
     * @throws TopologyException if another store has the name, or a processor is unknown
     */
    public synchronized <S extends StateStore> Topology addStateStore(final StoreBuilder<S> storeBuilder,
                                                                      final String... processorNames) {
        graph.addStateStore(storeBuilder, processorNames);
        return this;
    }

    /**
     * Adds a read-only state store: a task-local store filled from {@code topic}, which also serves as its
     * changelog. {@code stateUpdateSupplier} writes each record of the topic into the store.
     */
    public synchronized <K, V, S extends StateStore> Topology addReadOnlyStateStore(
        final StoreBuilder<S> storeBuilder, final String sourceName, final Deserializer<K> keyDeserializer,
        final Deserializer<V> valueDeserializer, final String topic, final String processorName,
        final ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier) {
        return addReadOnlyStateStore(storeBuilder, sourceName, null, keyDeserializer, valueDeserializer, topic,
            processorName, stateUpdateSupplier);
    }

    /** As {@link #addReadOnlyStateStore(StoreBuilder, String, Deserializer, Deserializer, String, String, ProcessorSupplier)}, with a timestamp extractor. */
    public synchronized <K, V, S extends StateStore> Topology addReadOnlyStateStore(
        final StoreBuilder<S> storeBuilder, final String sourceName, final TimestampExtractor timestampExtractor,
        final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final String topic,
        final String processorName, final ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier) {
        graph.addReadOnlyStateStore(storeBuilder, sourceName, timestampExtractor,
            keyDeserializer, valueDeserializer, topic, processorName, stateUpdateSupplier);
        return this;
    }

    /**
     * Adds a global store: every instance reads the whole of {@code topic} into its own copy through
     * {@code stateUpdateSupplier}; any processor may read it without connecting it.
     */
    public synchronized <K, V, S extends StateStore> Topology addGlobalStore(
        final StoreBuilder<S> storeBuilder, final String sourceName, final Deserializer<K> keyDeserializer,
        final Deserializer<V> valueDeserializer, final String topic, final String processorName,
        final ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier) {
        Objects.requireNonNull(storeBuilder, "storeBuilder cannot be null");
        Objects.requireNonNull(stateUpdateSupplier, "stateUpdateSupplier cannot be null");
        return addGlobalStore(storeBuilder, sourceName, null, keyDeserializer, valueDeserializer, topic,
            processorName, stateUpdateSupplier);
    }

    /** As {@link #addGlobalStore(StoreBuilder, String, Deserializer, Deserializer, String, String, ProcessorSupplier)}, with a timestamp extractor. */
    public synchronized <K, V, S extends StateStore> Topology addGlobalStore(
        final StoreBuilder<S> storeBuilder, final String sourceName, final TimestampExtractor timestampExtractor,
        final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer, final String topic,
        final String processorName, final ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier) {
        graph.addGlobalStore(storeBuilder, sourceName, timestampExtractor, keyDeserializer, valueDeserializer, topic,
            processorName, stateUpdateSupplier, false);
        return this;
    }

    /**
     * Connects already-added stores to an already-added processor.
     *
     * @return this topology
     * @throws TopologyException if the processor or a store is unknown
     */
    public synchronized Topology connectProcessorAndStateStores(final String processorName, final String... stateStoreNames) {
        graph.connectProcessorAndStateStores(processorName, stateStoreNames);
        return this;
    }

    /**
     * Describes the topology: its sub-topologies, global stores and nodes; {@code toString()} prints the same
     * text as Kafka Streams.
     */
    public synchronized TopologyDescription describe() {
        return graph.describe();
    }
}
