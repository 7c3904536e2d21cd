package io.pspf.streams.kstream.internals;

import io.pspf.runtime.graph.GraphBuilder;

/**
 * The DSL's side of a {@code StreamsBuilder}: the graph it writes into and Kafka's naming scheme. Every operator
 * takes the next index of one shared counter, whether or not the user named it, so generated names
 * ({@code KSTREAM-FILTER-0000000003}) come out exactly as Kafka Streams generates them.
 */
public final class InternalStreamsBuilder {
    private final GraphBuilder graph;
    private int index;

    public InternalStreamsBuilder(final GraphBuilder graph) {
        this.graph = graph;
    }

    public GraphBuilder graph() {
        return graph;
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
