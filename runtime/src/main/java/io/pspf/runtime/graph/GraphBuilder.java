package io.pspf.runtime.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Design note: the mutable processor graph behind {@code Topology} and {@code StreamsBuilder}. It validates each
 * addition the way Kafka Streams does (same exception types and messages), groups nodes into sub-topologies,
 * describes itself, and freezes into {@link Subtopology} values from which tasks build their processors.
 *
 * <p>Node order matters: a node's children are kept in the order they were added, which is the order in which
 * a record is forwarded to them.
 */
public final class GraphBuilder {
    private final Map<String, NodeSpec> nodes = new LinkedHashMap<>();
    private final Map<String, StoreSpec> stores = new LinkedHashMap<>();
    private final Map<String, StoreSpec> globalStores = new LinkedHashMap<>();
    private final Set<String> sourceTopics = new LinkedHashSet<>();
    private final List<Pattern> sourcePatterns = new ArrayList<>();
    private final Set<String> globalTopics = new LinkedHashSet<>();
    private final Map<String, Integer> internalTopics = new LinkedHashMap<>();
    private final List<Set<String>> copartitionGroups = new ArrayList<>();
    /** global source node name -> global processor node name */
    private final Map<String, String> globalSourceToProcessor = new LinkedHashMap<>();

    // ------------------------------------------------------------------------------------------------ sources

    public void addSource(final AutoOffsetReset offsetReset, final String name, final TimestampExtractor extractor,
                          final Deserializer<?> keyDeserializer, final Deserializer<?> valueDeserializer,
                          final String... topics) {
        verifyName(name);
        Objects.requireNonNull(topics, "topics cannot be a null array");
        if (topics.length == 0) {
            throw new TopologyException("topics cannot be empty");
        }
        for (final String topic : topics) {
            Objects.requireNonNull(topic, "topic names cannot be null");
            checkTopicNotRegistered(topic);
            sourceTopics.add(topic);
        }
        final List<String> list = List.copyOf(Arrays.asList(topics));
        register(new NodeSpec.Source(name, list, null, extractor, keyDeserializer, valueDeserializer, offsetReset));
    }

    public void addSource(final AutoOffsetReset offsetReset, final String name, final TimestampExtractor extractor,
                          final Deserializer<?> keyDeserializer, final Deserializer<?> valueDeserializer,
                          final Pattern pattern) {
        verifyName(name);
        Objects.requireNonNull(pattern, "topicPattern cannot be null");
        for (final String topic : sourceTopics) {
            if (pattern.matcher(topic).matches()) {
                throw new TopologyException("Pattern " + pattern + " will match a topic that has already been registered by another source.");
            }
        }
        sourcePatterns.add(pattern);
        register(new NodeSpec.Source(name, List.of(), pattern, extractor, keyDeserializer, valueDeserializer, offsetReset));
    }

    private void checkTopicNotRegistered(final String topic) {
        if (sourceTopics.contains(topic) || globalTopics.contains(topic)) {
            throw new TopologyException("Topic " + topic + " has already been registered by another source.");
        }
        for (final Pattern pattern : sourcePatterns) {
            if (pattern.matcher(topic).matches()) {
                throw new TopologyException("Topic " + topic + " matches a Pattern already registered by another source.");
            }
        }
    }

    private void verifyName(final String name) {
        Objects.requireNonNull(name, "name cannot be null");
        if (nodes.containsKey(name)) {
            throw new TopologyException("Processor " + name + " is already added.");
        }
    }

    // ------------------------------------------------------------------------------------------------ sinks

    public void addSink(final String name, final String topic, final TopicNameExtractor<?, ?> extractor,
                        final Serializer<?> keySerializer, final Serializer<?> valueSerializer,
                        final StreamPartitioner<?, ?> partitioner, final String... predecessors) {
        addSink(topic == null && extractor != null, name, topic, extractor, keySerializer, valueSerializer,
            partitioner, predecessors);
    }

    /** Adds a sink reading its topic from {@code extractor}; a null extractor is reported as one. */
    public void addExtractorSink(final String name, final TopicNameExtractor<?, ?> extractor,
                                 final Serializer<?> keySerializer, final Serializer<?> valueSerializer,
                                 final StreamPartitioner<?, ?> partitioner, final String... predecessors) {
        addSink(true, name, null, extractor, keySerializer, valueSerializer, partitioner, predecessors);
    }

    private void addSink(final boolean extractorSink, final String name, final String topic,
                         final TopicNameExtractor<?, ?> extractor, final Serializer<?> keySerializer,
                         final Serializer<?> valueSerializer, final StreamPartitioner<?, ?> partitioner,
                         final String... predecessors) {
        verifyName(name);
        if (topic == null) {
            Objects.requireNonNull(extractor, extractorSink ? "topicExtractor cannot be null" : "topic cannot be null");
        }
        verifyParents(name, predecessors);
        add(new NodeSpec.Sink(name, predecessors, topic, extractor, keySerializer, valueSerializer, partitioner));
    }

    // ------------------------------------------------------------------------------------------------ processors

    public void addProcessor(final String name, final ProcessorSupplier<?, ?, ?, ?> supplier, final String... predecessors) {
        checkSupplier(supplier);
        verifyName(name);
        checkSupplier(supplier);
        verifyParents(name, predecessors);
        add(new NodeSpec.Processor(name, predecessors, supplier, null));
    }

    public void addFixedKeyProcessor(final String name, final FixedKeyProcessorSupplier<?, ?, ?> supplier,
                                     final String... predecessors) {
        Objects.requireNonNull(supplier, "processorSupplier cannot be null");
        checkSingleReference(supplier::get, supplier);
        verifyName(name);
        verifyParents(name, predecessors);
        add(new NodeSpec.Processor(name, predecessors, null, supplier));
    }

    /** Kafka refuses suppliers that hand out one shared instance: every task needs processors of its own. */
    public static void checkSupplier(final ProcessorSupplier<?, ?, ?, ?> supplier) {
        Objects.requireNonNull(supplier, "processorSupplier cannot be null");
        checkSingleReference(supplier::get, supplier);
    }

    private static void checkSingleReference(final Supplier<?> get, final Object supplier) {
        if (get.get() == get.get()) {
            final String type = supplier.getClass().getName();
            throw new IllegalArgumentException(String.format(
                "%s generates single reference. %s#get() must return a new object each time it is called.", type, type));
        }
    }

    private void verifyParents(final String name, final String[] predecessors) {
        Objects.requireNonNull(predecessors, "predecessorNames cannot be a null array");
        if (predecessors.length == 0) {
            throw new TopologyException("predecessorNames cannot be empty");
        }
        for (final String predecessor : predecessors) {
            Objects.requireNonNull(predecessor, "parent name cannot be null");
            final NodeSpec parent = nodes.get(predecessor);
            if (parent == null) {
                throw new TopologyException("Parent node " + predecessor + " is unknown"
                    + (predecessor.equals(name) ? " (self-reference)." : "."));
            }
            if (parent instanceof NodeSpec.Sink && ((NodeSpec.Sink) parent).topic != null) {
                throw new TopologyException("Sink " + predecessor + " cannot be used a parent.");
            }
        }
    }

    private void register(final NodeSpec spec) {
        spec.sequence = nodes.size();
        nodes.put(spec.name, spec);
    }

    private void add(final NodeSpec spec) {
        register(spec);
        for (final String predecessor : spec.predecessors) {
            nodes.get(predecessor).successors.add(spec.name);
        }
    }

    // ------------------------------------------------------------------------------------------------ stores

    public void addStateStore(final StoreBuilder<?> builder, final String... processorNames) {
        Objects.requireNonNull(builder, "storeBuilder cannot be null");
        Objects.requireNonNull(builder.name(), "state store name cannot be null");
        final StoreSpec existing = stores.get(builder.name());
        if (existing != null && !existing.builder.equals(builder)) {
            throw new TopologyException("A different StateStore has already been added with the name " + builder.name());
        }
        if (globalStores.containsKey(builder.name())) {
            throw new TopologyException("A different GlobalStateStore has already been added with the name " + builder.name());
        }
        if (existing == null) {
            stores.put(builder.name(), new StoreSpec(builder, false, false));
        }
        if (processorNames != null) {
            for (final String processorName : processorNames) {
                Objects.requireNonNull(processorName, "processor cannot be null");
                connect(processorName, builder.name());
            }
        }
    }

    /**
     * Makes a source topic the changelog of a store (a source table under {@code topology.optimization}): the
     * store is restored from the topic and writes no changelog of its own.
     */
    public void connectSourceStoreAndTopic(final String storeName, final String topic) {
        final StoreSpec spec = stores.get(storeName);
        if (spec == null) {
            throw new TopologyException("Invalid topology: StateStore " + storeName + " is not added yet.");
        }
        spec.sourceChangelogTopic = topic;
    }

    public void connectProcessorAndStateStores(final String processorName, final String... storeNames) {
        Objects.requireNonNull(processorName, "processorName cannot be null");
        Objects.requireNonNull(storeNames, "stateStoreNames cannot be a null array");
        if (storeNames.length == 0) {
            throw new TopologyException("stateStoreNames cannot be empty");
        }
        final NodeSpec node = nodes.get(processorName);
        if (node instanceof NodeSpec.Source || node instanceof NodeSpec.Sink && ((NodeSpec.Sink) node).topic != null) {
            throw new TopologyException("State stores cannot be connect to sources or sinks.");
        }
        for (final String storeName : storeNames) {
            Objects.requireNonNull(storeName, "state store name cannot be null");
            connect(processorName, storeName);
        }
    }

    private void connect(final String processorName, final String storeName) {
        if (globalStores.containsKey(storeName)) {
            throw new TopologyException("Global StateStore " + storeName
                + " can be used by a Processor without being specified; it should not be explicitly passed.");
        }
        final StoreSpec store = stores.get(storeName);
        if (store == null) {
            throw new TopologyException("StateStore " + storeName + " is not added yet.");
        }
        final NodeSpec node = nodes.get(processorName);
        if (node == null) {
            throw new TopologyException("Processor " + processorName + " is not added yet.");
        }
        store.users.add(processorName);
        if (!(node instanceof NodeSpec.Processor)) {
            throw new TopologyException("cannot connect a state store " + storeName + " to a source node or a sink node.");
        }
        ((NodeSpec.Processor) node).stores.add(storeName);
    }

    /**
     * A global store: a source reading {@code topic} (whole, on every instance) into {@code storeBuilder} through
     * the processor from {@code stateUpdateSupplier}.
     */
    public void addGlobalStore(final StoreBuilder<?> storeBuilder, final String sourceName,
                               final TimestampExtractor extractor, final Deserializer<?> keyDeserializer,
                               final Deserializer<?> valueDeserializer, final String topic,
                               final String processorName, final ProcessorSupplier<?, ?, ?, ?> stateUpdateSupplier,
                               final boolean reprocessOnRestore) {
        verifyName(sourceName);
        Objects.requireNonNull(topic, "topic cannot be null");
        checkTopicNotRegistered(topic);
        verifyName(processorName);
        if (sourceName.equals(processorName)) {
            throw new TopologyException("sourceName and processorName must be different.");
        }
        checkSupplier(stateUpdateSupplier);
        if (stores.containsKey(storeBuilder.name())) {
            throw new TopologyException("A different StateStore has already been added with the name " + storeBuilder.name());
        }
        if (globalStores.containsKey(storeBuilder.name())) {
            throw new TopologyException("A different GlobalStateStore has already been added with the name " + storeBuilder.name());
        }
        storeBuilder.withLoggingDisabled();
        globalTopics.add(topic);
        register(new NodeSpec.Source(sourceName, List.of(topic), null, extractor, keyDeserializer,
            valueDeserializer, AutoOffsetReset.earliest()));
        final NodeSpec.Processor processor = new NodeSpec.Processor(processorName, new String[] {sourceName},
            stateUpdateSupplier, null);
        processor.stores.add(storeBuilder.name());
        add(processor);
        final StoreSpec spec = new StoreSpec(storeBuilder, true, false);
        spec.users.add(processorName);
        spec.sourceChangelogTopic = topic;
        globalStores.put(storeBuilder.name(), spec);
        globalSourceToProcessor.put(sourceName, processorName);
    }

    /**
     * A read-only store: a regular (task-local) store whose source topic is also its changelog. Added as a source
     * node plus a processor that keeps the store, both in one sub-topology.
     */
    public void addReadOnlyStateStore(final StoreBuilder<?> storeBuilder, final String sourceName,
                                      final TimestampExtractor extractor, final Deserializer<?> keyDeserializer,
                                      final Deserializer<?> valueDeserializer, final String topic,
                                      final String processorName, final ProcessorSupplier<?, ?, ?, ?> supplier) {
        addSource(AutoOffsetReset.earliest(), sourceName, extractor, keyDeserializer, valueDeserializer, topic);
        verifyName(processorName);
        checkSupplier(supplier);
        verifyParents(processorName, new String[] {sourceName});
        add(new NodeSpec.Processor(processorName, new String[] {sourceName}, supplier, null));
        addStateStore(storeBuilder, processorName);
        storeBuilder.withLoggingDisabled();
        final StoreSpec spec = stores.get(storeBuilder.name());
        if (spec.sourceChangelogTopic != null) {
            throw new TopologyException("Source store " + storeBuilder.name() + " is already added.");
        }
        spec.sourceChangelogTopic = topic;
    }

    // ------------------------------------------------------------------------------------------------ internal topics

    /** Declares a repartition topic (undecorated name); {@code partitions} is -1 when it follows its source. */
    public void addInternalTopic(final String topic, final int partitions) {
        internalTopics.put(topic, partitions);
    }

    public void addCopartitionGroup(final Collection<String> topics) {
        copartitionGroups.add(Collections.unmodifiableSet(new LinkedHashSet<>(topics)));
    }

    public boolean isInternalTopic(final String topic) {
        return internalTopics.containsKey(topic);
    }

    public Map<String, Integer> internalTopics() {
        return Collections.unmodifiableMap(internalTopics);
    }

    public List<Set<String>> copartitionGroups() {
        return Collections.unmodifiableList(copartitionGroups);
    }

    // ------------------------------------------------------------------------------------------------ queries

    public boolean hasNode(final String name) {
        return nodes.containsKey(name);
    }

    public NodeSpec node(final String name) {
        return nodes.get(name);
    }

    public Map<String, NodeSpec> nodes() {
        return Collections.unmodifiableMap(nodes);
    }

    public Map<String, StoreSpec> stores() {
        return Collections.unmodifiableMap(stores);
    }

    public Map<String, StoreSpec> globalStores() {
        return Collections.unmodifiableMap(globalStores);
    }

    public Set<String> globalTopics() {
        return Collections.unmodifiableSet(globalTopics);
    }

    public boolean isGlobalSource(final String nodeName) {
        return globalSourceToProcessor.containsKey(nodeName);
    }

    boolean isGlobalNode(final String nodeName) {
        return globalSourceToProcessor.containsKey(nodeName) || globalSourceToProcessor.containsValue(nodeName);
    }

    /** Every store name, regular and global, in the order added. */
    public Set<String> allStoreNames() {
        final Set<String> names = new LinkedHashSet<>(stores.keySet());
        names.addAll(globalStores.keySet());
        return names;
    }

    // ------------------------------------------------------------------------------------------------ grouping

    /**
     * Groups nodes into sub-topologies the way Kafka numbers them: nodes joined by an edge or by a shared store
     * form one group; groups are numbered in the order their first node was added. Global store groups take
     * numbers from the same sequence.
     */
    Map<Integer, Set<String>> nodeGroups() {
        final Map<String, String> parent = new HashMap<>();
        for (final String name : nodes.keySet()) {
            parent.put(name, name);
        }
        for (final NodeSpec node : nodes.values()) {
            for (final String predecessor : node.predecessors) {
                union(parent, node.name, predecessor);
            }
        }
        for (final StoreSpec store : stores.values()) {
            String first = null;
            for (final String user : store.users) {
                if (first == null) {
                    first = user;
                } else {
                    union(parent, first, user);
                }
            }
        }
        final Map<Integer, Set<String>> groups = new LinkedHashMap<>();
        final Map<String, Integer> rootToGroup = new HashMap<>();
        final int[] next = {0};
        for (final String name : nodes.keySet()) {
            final String root = find(parent, name);
            final Integer id = rootToGroup.computeIfAbsent(root, r -> next[0]++);
            groups.computeIfAbsent(id, i -> new java.util.HashSet<>()).add(name);
        }
        return groups;
    }

    private static String find(final Map<String, String> parent, final String name) {
        String current = name;
        while (!parent.get(current).equals(current)) {
            final String up = parent.get(parent.get(current));
            parent.put(current, up);
            current = up;
        }
        return current;
    }

    private static void union(final Map<String, String> parent, final String a, final String b) {
        final String rootA = find(parent, a);
        final String rootB = find(parent, b);
        if (!rootA.equals(rootB)) {
            parent.put(rootA, rootB);
        }
    }

    private boolean isGlobalGroup(final Set<String> group) {
        for (final String name : group) {
            if (globalSourceToProcessor.containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------ building

    /**
     * Freezes the graph into its sub-topologies (global ones excluded), with internal topics decorated by the
     * application id.
     */
    public List<Subtopology> subtopologies(final String applicationId) {
        final List<Subtopology> result = new ArrayList<>();
        for (final Map.Entry<Integer, Set<String>> group : nodeGroups().entrySet()) {
            if (!isGlobalGroup(group.getValue())) {
                result.add(freeze(group.getKey(), group.getValue(), applicationId));
            }
        }
        return result;
    }

    /** The global sub-topology (all global stores), or null when there is none. */
    public Subtopology globalSubtopology(final String applicationId) {
        final Set<String> names = new LinkedHashSet<>();
        for (final Set<String> group : nodeGroups().values()) {
            if (isGlobalGroup(group)) {
                names.addAll(group);
            }
        }
        return names.isEmpty() ? null : freeze(-1, names, applicationId);
    }

    private Subtopology freeze(final int id, final Set<String> names, final String applicationId) {
        final List<NodeSpec> specs = new ArrayList<>();
        for (final NodeSpec node : nodes.values()) {
            if (names.contains(node.name)) {
                specs.add(node);
            }
        }
        final Map<String, StoreSpec> groupStores = new LinkedHashMap<>();
        for (final NodeSpec node : specs) {
            if (node instanceof NodeSpec.Processor) {
                for (final String store : ((NodeSpec.Processor) node).stores) {
                    final StoreSpec spec = stores.containsKey(store) ? stores.get(store) : globalStores.get(store);
                    groupStores.put(store, spec);
                }
            }
        }
        return new Subtopology(id, specs, groupStores, this, applicationId);
    }

    /** The topic name as it exists in a backend: repartition topics carry the application id as prefix. */
    public String decorate(final String topic, final String applicationId) {
        return internalTopics.containsKey(topic) && applicationId != null ? applicationId + "-" + topic : topic;
    }

    // ------------------------------------------------------------------------------------------------ describing

    public Description describe() {
        return Description.of(this, nodeGroups());
    }

    Set<String> globalSourceNames() {
        return globalSourceToProcessor.keySet();
    }
}
