package io.pspf.runtime.graph;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A state store added to the graph: its builder and the processors connected to it. A global store also names
 * the source and processor that keep it up to date.
 */
public final class StoreSpec {
    final StoreBuilder<?> builder;
    final Set<String> users = new LinkedHashSet<>();
    final boolean global;
    final boolean readOnly;
    /** Set when the store's changelog is a source topic (read-only stores, optimized source tables). */
    String sourceChangelogTopic;

    StoreSpec(final StoreBuilder<?> builder, final boolean global, final boolean readOnly) {
        this.builder = builder;
        this.global = global;
        this.readOnly = readOnly;
    }

    public String name() {
        return builder.name();
    }

    public StoreBuilder<?> builder() {
        return builder;
    }

    public Set<String> users() {
        return Collections.unmodifiableSet(users);
    }

    public boolean global() {
        return global;
    }

    public boolean readOnly() {
        return readOnly;
    }

    /** The source topic that serves as this store's changelog, or null when it has its own changelog. */
    public String sourceChangelogTopic() {
        return sourceChangelogTopic;
    }

    public boolean loggingEnabled() {
        return builder.loggingEnabled();
    }
}
