package io.pspf.runtime.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.processor.TopicNameExtractor;

/**
 * PSPF's {@link TopologyDescription}: the same structure and the same text as Kafka Streams prints, so that a
 * described topology reads identically on both. Nodes within a sub-topology, and each node's successors and
 * predecessors, are ordered by the size of the sub-graph below them (larger first), then by name.
 */
public final class Description implements TopologyDescription {
    private final Set<Subtopology> subtopologies = new TreeSet<>(Comparator.comparingInt(Subtopology::id));
    private final Set<GlobalStore> globalStores = new TreeSet<>(Comparator.comparingInt(GlobalStore::id));

    /**
     * Builds the description the way Kafka Streams does, quirks included: nodes are visited in hash order,
     * each predecessor link adds the child's current size to the predecessor and, transitively, to all of its
     * predecessors, and successor/predecessor sets are sorted by the sizes the nodes have when they are inserted.
     * The printed order of successors therefore matches Kafka's even where it is not strictly by final size.
     */
    static Description of(final GraphBuilder graph, final Map<Integer, Set<String>> groups) {
        final Description description = new Description();
        for (final Map.Entry<Integer, Set<String>> group : groups.entrySet()) {
            final Map<String, AbstractNode> byName = new HashMap<>();
            for (final String name : group.getValue()) {
                byName.put(name, node(graph, graph.node(name)));
            }
            for (final AbstractNode node : byName.values()) {
                for (final String predecessorName : graph.node(node.name).predecessors) {
                    final AbstractNode predecessor = byName.get(predecessorName);
                    node.predecessors.add(predecessor);
                    predecessor.successors.add(node);
                    grow(predecessor, node.size);
                }
            }
            String globalSource = null;
            for (final String name : group.getValue()) {
                if (graph.isGlobalSource(name)) {
                    globalSource = name;
                }
            }
            if (globalSource != null) {
                final AbstractNode source = byName.get(globalSource);
                final AbstractNode processor = (AbstractNode) source.successors().iterator().next();
                description.globalStores.add(new GlobalStoreNode((SourceNode) source, (ProcessorNode) processor, group.getKey()));
            } else {
                final Set<Node> nodes = new TreeSet<>(NODE_ORDER);
                nodes.addAll(new java.util.HashSet<>(byName.values()));
                description.subtopologies.add(new SubtopologyNode(group.getKey(), nodes));
            }
        }
        return description;
    }

    private static void grow(final AbstractNode node, final int delta) {
        node.size += delta;
        for (final Node predecessor : node.predecessors) {
            grow((AbstractNode) predecessor, delta);
        }
    }

    private static AbstractNode node(final GraphBuilder graph, final NodeSpec spec) {
        if (spec instanceof NodeSpec.Source) {
            final NodeSpec.Source source = (NodeSpec.Source) spec;
            return new SourceNode(spec.name, source.pattern == null ? new java.util.HashSet<>(source.topics) : null, source.pattern);
        }
        if (spec instanceof NodeSpec.Sink) {
            final NodeSpec.Sink sink = (NodeSpec.Sink) spec;
            return new SinkNode(spec.name, sink.topic, sink.topicExtractor);
        }
        return new ProcessorNode(spec.name, new java.util.HashSet<>(((NodeSpec.Processor) spec).stores));
    }

    static final Comparator<Node> NODE_ORDER = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        final int sizeA = ((AbstractNode) a).size;
        final int sizeB = ((AbstractNode) b).size;
        return sizeA != sizeB ? sizeB - sizeA : a.name().compareTo(b.name());
    };

    @Override
    public Set<TopologyDescription.Subtopology> subtopologies() {
        return Collections.unmodifiableSet(subtopologies);
    }

    @Override
    public Set<TopologyDescription.GlobalStore> globalStores() {
        return Collections.unmodifiableSet(globalStores);
    }

    @Override
    public String toString() {
        final StringBuilder text = new StringBuilder("Topologies:\n ");
        final List<Object> ordered = new ArrayList<>();
        final List<Subtopology> subs = new ArrayList<>(subtopologies);
        final List<GlobalStore> globals = new ArrayList<>(globalStores);
        int s = 0;
        int g = 0;
        int expected = 0;
        while (s < subs.size() && g < globals.size()) {
            if (subs.get(s).id() == expected) {
                ordered.add(subs.get(s++));
            } else {
                ordered.add(globals.get(g++));
            }
            expected++;
        }
        while (s < subs.size()) {
            ordered.add(subs.get(s++));
        }
        while (g < globals.size()) {
            ordered.add(globals.get(g++));
        }
        for (final Object part : ordered) {
            text.append("  ").append(part);
        }
        return text.toString();
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Description)) {
            return false;
        }
        final Description that = (Description) o;
        return subtopologies.equals(that.subtopologies) && globalStores.equals(that.globalStores);
    }

    @Override
    public int hashCode() {
        return Objects.hash(subtopologies, globalStores);
    }

    private static String names(final Set<Node> nodes) {
        if (nodes.isEmpty()) {
            return "none";
        }
        final StringBuilder text = new StringBuilder();
        for (final Node node : nodes) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(node.name());
        }
        return text.toString();
    }

    // ------------------------------------------------------------------------------------------------ nodes

    abstract static class AbstractNode implements Node {
        final String name;
        final Set<Node> successors = new TreeSet<>(NODE_ORDER);
        final Set<Node> predecessors = new TreeSet<>(NODE_ORDER);
        int size = 1;

        AbstractNode(final String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<Node> predecessors() {
            return Collections.unmodifiableSet(predecessors);
        }

        @Override
        public Set<Node> successors() {
            return Collections.unmodifiableSet(successors);
        }

        @Override
        public boolean equals(final Object o) {
            if (this == o) {
                return true;
            }
            if (o == null || o.getClass() != getClass()) {
                return false;
            }
            final AbstractNode that = (AbstractNode) o;
            return name.equals(that.name) && sameNames(predecessors, that.predecessors)
                && sameNames(successors, that.successors) && sameDetail(that);
        }

        abstract boolean sameDetail(AbstractNode other);

        private static boolean sameNames(final Set<Node> a, final Set<Node> b) {
            final Set<String> namesA = new TreeSet<>();
            a.forEach(n -> namesA.add(n.name()));
            final Set<String> namesB = new TreeSet<>();
            b.forEach(n -> namesB.add(n.name()));
            return namesA.equals(namesB);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    static final class SourceNode extends AbstractNode implements Source {
        private final Set<String> topics;
        private final Pattern pattern;

        SourceNode(final String name, final Set<String> topics, final Pattern pattern) {
            super(name);
            this.topics = topics == null ? null : Collections.unmodifiableSet(topics);
            this.pattern = pattern;
        }

        @Override
        public Set<String> topicSet() {
            return topics;
        }

        @Override
        public Pattern topicPattern() {
            return pattern;
        }

        @Override
        boolean sameDetail(final AbstractNode other) {
            final SourceNode that = (SourceNode) other;
            return Objects.equals(topics, that.topics)
                && Objects.equals(pattern == null ? null : pattern.pattern(), that.pattern == null ? null : that.pattern.pattern());
        }

        @Override
        public String toString() {
            return "Source: " + name + " (topics: " + (topics == null ? pattern.toString() : topics.toString()) + ")\n      --> "
                + names(successors());
        }
    }

    static final class ProcessorNode extends AbstractNode implements Processor {
        private final Set<String> stores;

        ProcessorNode(final String name, final Set<String> stores) {
            super(name);
            this.stores = Collections.unmodifiableSet(stores);
        }

        @Override
        public Set<String> stores() {
            return stores;
        }

        @Override
        boolean sameDetail(final AbstractNode other) {
            return stores.equals(((ProcessorNode) other).stores);
        }

        @Override
        public String toString() {
            return "Processor: " + name + " (stores: " + stores + ")\n      --> " + names(successors())
                + "\n      <-- " + names(predecessors());
        }
    }

    static final class SinkNode extends AbstractNode implements Sink {
        private final String topic;
        private final TopicNameExtractor<?, ?> extractor;

        SinkNode(final String name, final String topic, final TopicNameExtractor<?, ?> extractor) {
            super(name);
            this.topic = topic;
            this.extractor = extractor;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public TopicNameExtractor<?, ?> topicNameExtractor() {
            return topic == null ? extractor : null;
        }

        @Override
        boolean sameDetail(final AbstractNode other) {
            final SinkNode that = (SinkNode) other;
            return Objects.equals(topic, that.topic) && Objects.equals(topicNameExtractor(), that.topicNameExtractor());
        }

        @Override
        public String toString() {
            if (topic != null) {
                return "Sink: " + name + " (topic: " + topic + ")\n      <-- " + names(predecessors());
            }
            return "Sink: " + name + " (extractor class: " + extractor + ")\n      <-- " + names(predecessors());
        }
    }

    static final class SubtopologyNode implements Subtopology {
        private final int id;
        private final Set<Node> nodes;

        SubtopologyNode(final int id, final Set<Node> nodes) {
            this.id = id;
            this.nodes = Collections.unmodifiableSet(nodes);
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public Set<Node> nodes() {
            return nodes;
        }

        @Override
        public String toString() {
            final StringBuilder text = new StringBuilder("Sub-topology: ").append(id).append("\n");
            for (final Node node : nodes) {
                text.append("    ").append(node).append("\n");
            }
            return text.append("\n").toString();
        }

        @Override
        public boolean equals(final Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof SubtopologyNode)) {
                return false;
            }
            final SubtopologyNode that = (SubtopologyNode) o;
            return id == that.id && new ArrayList<>(nodes).equals(new ArrayList<>(that.nodes));
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, nodes);
        }
    }

    static final class GlobalStoreNode implements GlobalStore {
        private final SourceNode source;
        private final ProcessorNode processor;
        private final int id;

        GlobalStoreNode(final SourceNode source, final ProcessorNode processor, final int id) {
            this.source = source;
            this.processor = processor;
            this.id = id;
        }

        @Override
        public Source source() {
            return source;
        }

        @Override
        public Processor processor() {
            return processor;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public String toString() {
            return "Sub-topology: " + id + " for global store (will not generate tasks)\n    " + source + "\n    "
                + processor + "\n";
        }

        @Override
        public boolean equals(final Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof GlobalStoreNode)) {
                return false;
            }
            final GlobalStoreNode that = (GlobalStoreNode) o;
            return id == that.id && source.equals(that.source) && processor.equals(that.processor);
        }

        @Override
        public int hashCode() {
            return Objects.hash(source, processor, id);
        }
    }
}
