package io.pspf.streams.kstream.internals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.kstream.Named;

import io.pspf.runtime.graph.GraphBuilder;

/**
 * The DSL's side of a {@code StreamsBuilder}: Kafka's naming scheme and the graph the DSL writes into.
 *
 * <p>Names are taken when an operator is called: every operator takes the next index of one shared counter,
 * whether or not the user named it, so generated names ({@code KSTREAM-FILTER-0000000003}) come out exactly as
 * Kafka Streams generates them. The graph writes themselves are queued and applied, in call order, by
 * {@link #flush()} when the topology is built — so a structural error (a duplicate name, an unknown store) is
 * raised by {@code build()}, where Kafka Streams raises it.
 */
public final class InternalStreamsBuilder {
    private final GraphBuilder graph;
    private final List<Consumer<GraphBuilder>> writes = new ArrayList<>();
    private final Map<Set<String>, String> sourcesByTopics = new HashMap<>();
    private final org.apache.kafka.streams.TopologyConfig topologyConfig;
    private java.util.Properties buildProperties;
    private int applied;
    private int index;

    public InternalStreamsBuilder(final GraphBuilder graph) {
        this(graph, null);
    }

    public InternalStreamsBuilder(final GraphBuilder graph, final org.apache.kafka.streams.TopologyConfig topologyConfig) {
        this.graph = graph;
        this.topologyConfig = topologyConfig;
    }

    /** The builder's topology settings, or null when it was made without any. */
    public org.apache.kafka.streams.TopologyConfig topologyConfig() {
        return topologyConfig;
    }

    /**
     * The store suppliers for DSL stores that the operator's {@code Materialized} does not choose: those the
     * topology settings name ({@code dsl.store.suppliers.class}, {@code default.dsl.store}), else PSPF's
     * persistent stores.
     */
    public org.apache.kafka.streams.state.DslStoreSuppliers dslStoreSuppliers() {
        if (topologyConfig != null) {
            final java.util.Optional<org.apache.kafka.streams.state.DslStoreSuppliers> configured =
                topologyConfig.resolveDslStoreSuppliers();
            if (configured.isPresent()) {
                return configured.get();
            }
        }
        return DefaultDslStoreSuppliers.INSTANCE;
    }

    public GraphBuilder graph() {
        return graph;
    }

    /** Queues a graph write, applied in order by {@link #flush()}. */
    public void write(final Consumer<GraphBuilder> write) {
        writes.add(write);
    }

    /** The properties given to {@code build(Properties)}, read by optimizations when the writes are applied. */
    public void setBuildProperties(final java.util.Properties properties) {
        this.buildProperties = properties;
    }

    /** Applies the queued writes not applied yet; a failing write is not retried. */
    public void flush() {
        while (applied < writes.size()) {
            writes.get(applied++).accept(graph);
        }
    }

    /**
     * The DSL source already reading exactly {@code topics}, which Kafka merges a new source into; null if none.
     * A source reading some but not all of them is an error, raised at build time as in Kafka.
     */
    public String sourceFor(final java.util.Collection<String> topics, final String newName) {
        final Set<String> wanted = new HashSet<>(topics);
        final String same = sourcesByTopics.get(wanted);
        if (same != null) {
            return same;
        }
        for (final Set<String> existing : sourcesByTopics.keySet()) {
            for (final String topic : wanted) {
                if (existing.contains(topic)) {
                    write(g -> {
                        throw new TopologyException("Two source nodes are subscribed to overlapping but not equal input topics");
                    });
                    return null;
                }
            }
        }
        sourcesByTopics.put(wanted, newName);
        return null;
    }

    /** Checks a user-given node name as Kafka's {@code Named} does; null passes. */
    public static String validated(final String name) {
        if (name != null) {
            NameRules.check(name);
        }
        return name;
    }

    private static final class NameRules extends Named {
        private NameRules() {
            super((String) null);
        }

        static void check(final String name) {
            validate(name);
        }
    }

    /** Takes the next index and returns {@code prefix} followed by it, ten digits wide. */
    public String newProcessorName(final String prefix) {
        return prefix + String.format("%010d", index++);
    }

    /** Takes the next index; returns the user's name when given, else a generated one. */
    public String name(final String userName, final String prefix) {
        final String generated = newProcessorName(prefix);
        return userName != null ? userName : generated;
    }

    /** Takes the next index for a store name: {@code prefix + "STATE-STORE-"} followed by it. */
    public String newStoreName(final String prefix) {
        return prefix + "STATE-STORE-" + String.format("%010d", index++);
    }

    /**
     * A table over {@code topic} ({@code StreamsBuilder.table}): a source node and the table's processor, with
     * a store when the table is (or later becomes) materialized.
     */
    public <K, V> org.apache.kafka.streams.kstream.KTable<K, V> table(final String topic, final ConfigAccess.ConsumedReader<K, V> consumed,
                                                                      final org.apache.kafka.streams.kstream.Materialized<K, V, ?> materialized) {
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, this, topic + "-");
        final String consumedName = validated(consumed.name());
        final String sourceName = name(consumedName == null ? null : consumedName + "-source", KStreamImpl.SOURCE);
        final String tableName = name(consumedName, KTableImpl.SOURCE);
        final TableSource<K, V> source = new TableSource<>(spec);
        write(g -> g.addSource(consumed.offsetReset(), sourceName, consumed.timestampExtractor(),
            consumed.keySerde() == null ? null : consumed.keySerde().deserializer(),
            consumed.valueSerde() == null ? null : consumed.valueSerde().deserializer(), topic));
        write(g -> g.addProcessor(tableName, source, sourceName));
        write(g -> {
            if (source.materialized()) {
                final org.apache.kafka.streams.state.StoreBuilder<?> store = spec.keyValueStore(this);
                if (reuseSourceTopics()) {
                    store.withLoggingDisabled();
                }
                g.addStateStore(store, tableName);
                if (reuseSourceTopics()) {
                    g.connectSourceStoreAndTopic(spec.storeName(), topic);
                }
            }
        });
        return new KTableImpl<>(this, tableName, consumed.keySerde(), consumed.valueSerde(), spec.queryableStoreName(),
            source, spec.isVersioned());
    }

    /** Whether {@code topology.optimization} lets a source table use its topic as its changelog. */
    boolean reuseSourceTopics() {
        return optimizationEnabled(org.apache.kafka.streams.StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
    }

    /**
     * Whether {@code topology.optimization} of the properties given to {@code build(Properties)} turns on
     * {@code optimization}, one of StreamsConfig's optimization names; read when the writes are applied.
     */
    boolean optimizationEnabled(final String optimization) {
        // only StreamsBuilder.build(Properties) optimizes: Kafka 4.4 ignores topology.optimization in the
        // builder's TopologyConfig and in the driver's or KafkaStreams' config
        final Object value = buildProperties == null ? null
            : buildProperties.get(org.apache.kafka.streams.StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG);
        return value != null
            && org.apache.kafka.streams.StreamsConfig.verifyTopologyOptimizationConfigs(value.toString()).contains(optimization);
    }
}
