package io.pspf.streams.kstream.internals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.apache.kafka.common.serialization.Serde;
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
 *
 * <p>Repartition merging ({@code merge.repartition.topics}, read from {@code build(Properties)} only) rewrites
 * the queue instead of a graph. At DSL time each stream carries an {@link Ancestry}; key changers and merge nodes
 * are registered as {@link Changer}s with the position of their write, and each optimizable repartition as a
 * {@link Repartition} (its four writes, topic, serdes) filed under its nearest key changer when no value changer
 * is nearer. On the first flush each changer with filed repartitions gets one topic (the first one's name, the
 * first non-null serdes, three indices taken then) written right after it; the old repartitions' writes are
 * skipped; and nodes whose parent is resolved through {@link #parent(String, String)} are redirected: the
 * changer's children on the way to a merged repartition hang below the new source, and readers of a removed
 * source read what that repartition hung below. What this cannot trace (streams from tables, joins, split
 * branches, {@code repartition()}) is never filed, and keeps its topics.
 */
public final class InternalStreamsBuilder {
    private final GraphBuilder graph;
    private final List<Consumer<GraphBuilder>> writes = new ArrayList<>();
    private final Map<Set<String>, String> sourcesByTopics = new HashMap<>();
    private final org.apache.kafka.streams.TopologyConfig topologyConfig;
    private java.util.Properties buildProperties;
    private int applied;
    private int index;
    private final List<Changer> keyChangers = new ArrayList<>();
    private final List<Changer> mergeNodes = new ArrayList<>();
    private final Set<Integer> skippedWrites = new HashSet<>();
    private final Map<Integer, List<Consumer<GraphBuilder>>> writesAfter = new HashMap<>();
    private final Map<String, String> splicedSources = new HashMap<>();
    private final Map<String, String> movedChildren = new HashMap<>();

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

    /**
     * Applies the queued writes not applied yet; a failing write is not retried. On the first flush, with
     * {@code merge.repartition.topics} on, the repartition topics are merged first (see the class comment).
     */
    public void flush() {
        if (applied == 0 && !writes.isEmpty()
            && optimizationEnabled(org.apache.kafka.streams.StreamsConfig.MERGE_REPARTITION_TOPICS)) {
            mergeRepartitionTopics();
        }
        while (applied < writes.size()) {
            final int at = applied++;
            if (!skippedWrites.contains(at)) {
                writes.get(at).accept(graph);
            }
            final List<Consumer<GraphBuilder>> inserted = writesAfter.remove(at);
            if (inserted != null) {
                inserted.forEach(write -> write.accept(graph));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ merging repartitions

    /**
     * A node that changes keys or values (or a merge node), as the repartition merging sees it: its write, and for
     * key changers and merges the optimizable repartitions filed under it in DSL order.
     */
    static final class Changer {
        final String name;
        final boolean keyChanging;
        final int writeIndex;
        final Ancestry ancestry;
        final List<Repartition> repartitions = new ArrayList<>();

        private Changer(final String name, final boolean keyChanging, final int writeIndex, final Ancestry ancestry) {
            this.name = name;
            this.keyChanging = keyChanging;
            this.writeIndex = writeIndex;
            this.ancestry = ancestry;
        }
    }

    /**
     * Where a stream's node sits below the changers and merge nodes it can see: the nearest key-or-value changer
     * and the nearest key changer (Kafka searches parents depth-first, first parent first), and for each changer
     * or merge node above, the node on the way down that is that changer's direct child. Streams the DSL cannot
     * trace (from tables, joins, {@code repartition()} or {@code split()}) have {@link #EMPTY}.
     */
    static final class Ancestry {
        static final Ancestry EMPTY = new Ancestry(null, null, null, Map.of());
        final Changer self;
        final Changer nearest;
        final Changer nearestKey;
        final Map<Changer, String> tops;

        private Ancestry(final Changer self, final Changer nearest, final Changer nearestKey, final Map<Changer, String> tops) {
            this.self = self;
            this.nearest = nearest;
            this.nearestKey = nearestKey;
            this.tops = tops;
        }

        /** The ancestry of a node {@code childName} without flags below streams with ancestries {@code parents}. */
        static Ancestry below(final String childName, final Ancestry... parents) {
            final Map<Changer, String> tops = new LinkedHashMap<>();
            Changer nearest = null;
            Changer nearestKey = null;
            for (final Ancestry parent : parents) {
                if (parent.self != null) {
                    tops.putIfAbsent(parent.self, childName);
                }
            }
            for (final Ancestry parent : parents) {
                parent.tops.forEach(tops::putIfAbsent);
                nearest = nearest != null ? nearest : parent.nearest;
                nearestKey = nearestKey != null ? nearestKey : parent.nearestKey;
            }
            return new Ancestry(null, nearest, nearestKey, tops);
        }

        /** The node between {@code changer} and this one that is {@code changer}'s child; null if this is it. */
        String topFor(final Changer changer) {
            return self == changer ? null : tops.get(changer);
        }

        boolean hasAncestorOrSelf(final Changer changer) {
            return self == changer || tops.containsKey(changer);
        }
    }

    /** An optimizable repartition: its four writes, its topic and serdes, and the stream it hangs below. */
    static final class Repartition {
        final String topic;
        final String sourceName;
        final String parentName;
        final Ancestry ancestry;
        final Serde<?> keySerde;
        final Serde<?> valueSerde;
        final java.util.function.BooleanSupplier dropNullKeys;
        final int firstWrite;
        final int endWrite;

        Repartition(final String topic, final String sourceName, final String parentName, final Ancestry ancestry,
                    final Serde<?> keySerde, final Serde<?> valueSerde,
                    final java.util.function.BooleanSupplier dropNullKeys, final int firstWrite, final int endWrite) {
            this.topic = topic;
            this.sourceName = sourceName;
            this.parentName = parentName;
            this.ancestry = ancestry;
            this.keySerde = keySerde;
            this.valueSerde = valueSerde;
            this.dropNullKeys = dropNullKeys;
            this.firstWrite = firstWrite;
            this.endWrite = endWrite;
        }
    }

    /** The index the next queued write gets. */
    int nextWriteIndex() {
        return writes.size();
    }

    /**
     * Registers the node whose write was just queued as a changer: a key changer (selectKey, map, flatMap,
     * groupBy's key selection), a value changer (mapValues, flatMapValues), or with neither flag a merge node.
     * Returns the new node's ancestry.
     */
    Ancestry changer(final String nodeName, final boolean keyChanging, final boolean valueChanging,
                     final Ancestry... parents) {
        final Ancestry inherited = Ancestry.below(nodeName, parents);
        final Changer changer = new Changer(nodeName, keyChanging, writes.size() - 1, inherited);
        if (keyChanging) {
            keyChangers.add(changer);
        } else if (!valueChanging) {
            mergeNodes.add(changer);
        }
        final boolean flagged = keyChanging || valueChanging;
        return new Ancestry(changer, flagged ? changer : inherited.nearest,
            keyChanging ? changer : inherited.nearestKey, inherited.tops);
    }

    /** Files an optimizable repartition under its key changer, when no value changer lies between them. */
    void repartitionCreated(final Repartition repartition) {
        final Ancestry ancestry = repartition.ancestry;
        if (ancestry.nearest != null && ancestry.nearest == ancestry.nearestKey) {
            ancestry.nearestKey.repartitions.add(repartition);
        }
    }

    /**
     * The node {@code child} is written below instead of {@code parent}: the same, unless the merging moved
     * {@code child} below a merged topic or removed the repartition topic {@code parent} reads.
     */
    String parent(final String child, final String parent) {
        final String moved = movedChildren.get(child + "\n" + parent);
        if (moved != null) {
            return moved;
        }
        final String spliced = splicedSources.get(parent);
        return spliced != null ? spliced : parent;
    }

    /**
     * {@link #parent(String, String)} for each of {@code parents}; a parent replaced by a merged topic's source
     * goes last, as in Kafka, which removes the old parent and appends the new one.
     */
    String[] parents(final String child, final String... parents) {
        final List<String> kept = new ArrayList<>();
        final List<String> moved = new ArrayList<>();
        for (final String parent : parents) {
            final String resolved = parent(child, parent);
            (movedChildren.containsKey(child + "\n" + parent) ? moved : kept).add(resolved);
        }
        kept.addAll(moved);
        return kept.toArray(new String[0]);
    }

    /** Kafka's {@code mergeRepartitionTopics}: plans the rewrite the queued writes then follow. */
    private void mergeRepartitionTopics() {
        final Map<Changer, List<Repartition>> entries = new LinkedHashMap<>();
        for (final Changer keyChanger : keyChangers) {
            entries.put(keyChanger, keyChanger.repartitions);
        }
        // a merge node below key changers whose repartitions all lie below it takes their repartitions over
        final Map<Changer, List<Changer>> attached = new LinkedHashMap<>();
        for (final Changer merge : mergeNodes) {
            final List<Changer> keyChangersAbove = new ArrayList<>();
            for (final Map.Entry<Changer, List<Repartition>> entry : entries.entrySet()) {
                final boolean allBelow = entry.getValue().stream()
                    .allMatch(repartition -> repartition.ancestry.hasAncestorOrSelf(merge));
                if (allBelow && merge.ancestry.tops.containsKey(entry.getKey())) {
                    keyChangersAbove.add(entry.getKey());
                }
            }
            attached.put(merge, keyChangersAbove);
        }
        for (final Map.Entry<Changer, List<Changer>> entry : attached.entrySet()) {
            final List<Repartition> union = new ArrayList<>();
            for (final Changer keyChanger : entry.getValue()) {
                final List<Repartition> taken = entries.remove(keyChanger);
                if (taken != null) {
                    union.addAll(taken);
                }
            }
            entries.put(entry.getKey(), union);
        }
        entries.forEach((changer, repartitions) -> {
            if (!repartitions.isEmpty()) {
                mergeInto(changer, repartitions);
            }
        });
    }

    /** Replaces {@code repartitions} by one topic written right after {@code changer}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void mergeInto(final Changer changer, final List<Repartition> repartitions) {
        newProcessorName(KStreamImpl.SINK);
        newProcessorName(KStreamImpl.FILTER);
        newProcessorName(KStreamImpl.SOURCE);
        final String topic = repartitions.get(0).topic;
        Serde keySerde = null;
        Serde valueSerde = null;
        for (final Repartition repartition : repartitions) {
            keySerde = keySerde != null ? keySerde : repartition.keySerde;
            valueSerde = valueSerde != null ? valueSerde : repartition.valueSerde;
        }
        final Serde keys = keySerde;
        final Serde values = valueSerde;
        final String sinkName = topic + "-sink";
        final String filterName = topic + "-filter";
        final String sourceName = topic + "-source";
        final java.util.function.BooleanSupplier dropNullKeys =
            () -> repartitions.stream().allMatch(repartition -> repartition.dropNullKeys.getAsBoolean());
        final List<Consumer<GraphBuilder>> inserted = new ArrayList<>();
        inserted.add(g -> g.addInternalTopic(topic, -1));
        inserted.add(g -> g.addProcessor(filterName,
            StatelessProcessors.filter((key, value) -> key != null || !dropNullKeys.getAsBoolean(), false), changer.name));
        inserted.add(g -> g.addSink(sinkName, topic, null, KStreamImpl.serializer(keys), KStreamImpl.serializer(values),
            null, filterName));
        inserted.add(g -> g.addSource(null, sourceName, new org.apache.kafka.streams.processor.FailOnInvalidTimestamp(),
            KStreamImpl.deserializer(keys), KStreamImpl.deserializer(values), topic));
        writesAfter.put(changer.writeIndex, inserted);
        for (final Repartition repartition : repartitions) {
            for (int at = repartition.firstWrite; at < repartition.endWrite; at++) {
                skippedWrites.add(at);
            }
            final String top = repartition.ancestry.topFor(changer);
            if (top != null && movedChildren.containsKey(top + "\n" + changer.name)) {
                // Kafka moved this node below the new topic for an earlier repartition, which cut it off from the
                // key changer, and then fails to find it again
                throw new org.apache.kafka.streams.errors.StreamsException(
                    "Found a null keyChangingChild node for OptimizableRepartitionNode{ repartitionTopic='"
                        + repartition.topic + "', sourceName='" + repartition.sourceName + "' }");
            }
            if (top == null) {
                splicedSources.put(repartition.sourceName, sourceName);
            } else {
                splicedSources.put(repartition.sourceName, repartition.parentName);
                movedChildren.put(top + "\n" + changer.name, sourceName);
            }
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

    /**
     * Kafka's internal {@code __enable.process.processValue.fix__} topology setting: with it, {@code process}
     * changes keys and values and {@code processValues} changes values, for the repartition merging.
     */
    boolean processValueFixEnabled() {
        final Object value = topologyConfig == null ? null
            : topologyConfig.originals().get("__enable.process.processValue.fix__");
        return value instanceof Boolean ? (Boolean) value : value instanceof String && Boolean.parseBoolean((String) value);
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
