package io.pspf.runtime.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A frozen sub-topology: the node specs of one group in the order they were added, the stores they use, and the
 * topics they read and write (internal topics decorated with the application id). Tasks are built from it.
 */
public final class Subtopology {
    private final int id;
    private final List<NodeSpec> nodes;
    private final Map<String, StoreSpec> stores;
    private final Map<String, NodeSpec.Source> sourceByTopic = new LinkedHashMap<>();
    private final List<NodeSpec.Source> patternSources = new ArrayList<>();
    private final Set<String> sinkTopics = new LinkedHashSet<>();
    private final Set<String> repartitionSourceTopics = new LinkedHashSet<>();
    private final GraphBuilder graph;
    private final String applicationId;

    Subtopology(final int id, final List<NodeSpec> nodes, final Map<String, StoreSpec> stores,
                final GraphBuilder graph, final String applicationId) {
        this.id = id;
        this.nodes = List.copyOf(nodes);
        this.stores = Collections.unmodifiableMap(new LinkedHashMap<>(stores));
        this.graph = graph;
        this.applicationId = applicationId;
        for (final NodeSpec node : nodes) {
            if (node instanceof NodeSpec.Source) {
                final NodeSpec.Source source = (NodeSpec.Source) node;
                if (source.pattern != null) {
                    patternSources.add(source);
                }
                for (final String topic : source.topics) {
                    final String decorated = graph.decorate(topic, applicationId);
                    sourceByTopic.put(decorated, source);
                    if (graph.isInternalTopic(topic)) {
                        repartitionSourceTopics.add(decorated);
                    }
                }
            } else if (node instanceof NodeSpec.Sink && ((NodeSpec.Sink) node).topic != null) {
                sinkTopics.add(graph.decorate(((NodeSpec.Sink) node).topic, applicationId));
            }
        }
    }

    public int id() {
        return id;
    }

    public List<NodeSpec> nodes() {
        return nodes;
    }

    public Map<String, StoreSpec> stores() {
        return stores;
    }

    /** Decorated source topic name -> the source node reading it (pattern sources excluded). */
    public Map<String, NodeSpec.Source> sourceByTopic() {
        return Collections.unmodifiableMap(sourceByTopic);
    }

    public List<NodeSpec.Source> patternSources() {
        return Collections.unmodifiableList(patternSources);
    }

    /** The source node for a concrete topic, resolving pattern subscriptions; null if none reads it. */
    public NodeSpec.Source sourceFor(final String topic) {
        final NodeSpec.Source source = sourceByTopic.get(topic);
        if (source != null) {
            return source;
        }
        for (final NodeSpec.Source patternSource : patternSources) {
            final Pattern pattern = patternSource.pattern;
            if (pattern.matcher(topic).matches()) {
                return patternSource;
            }
        }
        return null;
    }

    public Set<String> sinkTopics() {
        return Collections.unmodifiableSet(sinkTopics);
    }

    public Set<String> repartitionSourceTopics() {
        return Collections.unmodifiableSet(repartitionSourceTopics);
    }

    public String decorate(final String topic) {
        return graph.decorate(topic, applicationId);
    }

    public String applicationId() {
        return applicationId;
    }

    /** The changelog topic of a store: {@code <application.id>-<store>-changelog}. */
    public String changelogTopic(final String storeName) {
        return applicationId + "-" + storeName + "-changelog";
    }
}
