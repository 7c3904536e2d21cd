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
    private int applied;
    private int index;

    public InternalStreamsBuilder(final GraphBuilder graph) {
        this.graph = graph;
    }

    public GraphBuilder graph() {
        return graph;
    }

    /** Queues a graph write, applied in order by {@link #flush()}. */
    public void write(final Consumer<GraphBuilder> write) {
        writes.add(write);
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

    /** Takes the next index for a store name. */
    public String newStoreName(final String prefix) {
        return prefix + String.format("%010d", index++);
    }
}
