package io.pspf.streams;

import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

import io.pspf.streams.kstream.internals.ConfigAccess;
import io.pspf.streams.kstream.internals.GlobalTableImpl;
import io.pspf.streams.kstream.internals.InternalStreamsBuilder;
import io.pspf.streams.kstream.internals.KStreamImpl;

/**
 * The Kafka Streams DSL entry point, as {@code org.apache.kafka.streams.StreamsBuilder}: create streams (and,
 * with later work, tables) from topics, chain operators on them, then {@link #build()} the {@link Topology}.
 * Node names are generated exactly as Kafka Streams generates them, so a described topology is identical.
 */
public class StreamsBuilder {
    /** The topology this builder writes into. */
    protected final Topology topology;
    private final InternalStreamsBuilder internal;

    /** A builder for a topology with default settings. */
    public StreamsBuilder() {
        this.topology = new Topology();
        this.internal = new InternalStreamsBuilder(topology.graph);
    }

    /**
     * A builder for a topology with per-topology settings.
     *
     * @param topologyConfigs the settings; must not be null
     */
    public StreamsBuilder(final TopologyConfig topologyConfigs) {
        this.topology = newTopology(topologyConfigs);
        this.internal = new InternalStreamsBuilder(topology.graph, topologyConfigs);
    }

    /** Creates the topology a builder with settings writes into; a subclass may supply its own. */
    protected Topology newTopology(final TopologyConfig topologyConfigs) {
        return new Topology(topologyConfigs);
    }

    /**
     * A stream of the records of {@code topic}, read with the default serdes and timestamp extractor.
     *
     * @throws NullPointerException if {@code topic} is null
     */
    public synchronized <K, V> KStream<K, V> stream(final String topic) {
        return stream(Collections.singleton(topic));
    }

    /** A stream of the records of {@code topic}, read as {@code consumed} says. */
    public synchronized <K, V> KStream<K, V> stream(final String topic, final Consumed<K, V> consumed) {
        return stream(Collections.singleton(topic), consumed);
    }

    /** One stream of the records of all of {@code topics}, read with the default serdes. */
    public synchronized <K, V> KStream<K, V> stream(final Collection<String> topics) {
        return stream(topics, Consumed.with(null, null));
    }

    /** One stream of the records of all of {@code topics}, read as {@code consumed} says. */
    public synchronized <K, V> KStream<K, V> stream(final Collection<String> topics, final Consumed<K, V> consumed) {
        Objects.requireNonNull(topics, "topics can't be null");
        Objects.requireNonNull(consumed, "consumed can't be null");
        final ConfigAccess.ConsumedReader<K, V> reader = new ConfigAccess.ConsumedReader<>(consumed);
        final String name = internal.name(InternalStreamsBuilder.validated(reader.name()), "KSTREAM-SOURCE-");
        // Kafka merges DSL sources that read exactly the same topics into the first of them.
        final String existing = internal.sourceFor(topics, name);
        if (existing != null) {
            return new KStreamImpl<>(internal, existing, reader.keySerde(), reader.valueSerde(), false);
        }
        final String[] topicArray = topics.toArray(new String[0]);
        internal.write(g -> g.addSource(reader.offsetReset(), name, reader.timestampExtractor(),
            reader.keySerde() == null ? null : reader.keySerde().deserializer(),
            reader.valueSerde() == null ? null : reader.valueSerde().deserializer(), topicArray));
        return new KStreamImpl<>(internal, name, reader.keySerde(), reader.valueSerde(), false);
    }

    /** A stream of the records of every topic matching {@code topicPattern}. */
    public synchronized <K, V> KStream<K, V> stream(final Pattern topicPattern) {
        return stream(topicPattern, Consumed.with(null, null));
    }

    /** A stream of the records of every topic matching {@code topicPattern}, read as {@code consumed} says. */
    public synchronized <K, V> KStream<K, V> stream(final Pattern topicPattern, final Consumed<K, V> consumed) {
        Objects.requireNonNull(topicPattern, "topicPattern can't be null");
        Objects.requireNonNull(consumed, "consumed can't be null");
        final ConfigAccess.ConsumedReader<K, V> reader = new ConfigAccess.ConsumedReader<>(consumed);
        final String name = internal.name(InternalStreamsBuilder.validated(reader.name()), "KSTREAM-SOURCE-");
        internal.write(g -> g.addSource(reader.offsetReset(), name, reader.timestampExtractor(),
            reader.keySerde() == null ? null : reader.keySerde().deserializer(),
            reader.valueSerde() == null ? null : reader.valueSerde().deserializer(), topicPattern));
        return new KStreamImpl<>(internal, name, reader.keySerde(), reader.valueSerde(), false);
    }

    /**
     * A table over {@code topic}: each record is the latest value of its key (a null value deletes it). The table
     * is kept in a store when {@code materialized} names one (or when a later operator needs to look it up).
     *
     * @throws NullPointerException if an argument is null
     */
    public synchronized <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed,
                                                  final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(topic, "topic can't be null");
        Objects.requireNonNull(consumed, "consumed can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final ConfigAccess.ConsumedReader<K, V> reader = new ConfigAccess.ConsumedReader<>(consumed);
        materialized.withKeySerde(reader.keySerde()).withValueSerde(reader.valueSerde());
        return internal.table(topic, reader, materialized);
    }

    /** A table over {@code topic}, read with the default serdes; not materialized unless a later operator needs it. */
    public synchronized <K, V> KTable<K, V> table(final String topic) {
        return table(topic, Consumed.with(null, null));
    }

    /** A table over {@code topic}, read as {@code consumed} says. */
    public synchronized <K, V> KTable<K, V> table(final String topic, final Consumed<K, V> consumed) {
        Objects.requireNonNull(topic, "topic can't be null");
        Objects.requireNonNull(consumed, "consumed can't be null");
        final ConfigAccess.ConsumedReader<K, V> reader = new ConfigAccess.ConsumedReader<>(consumed);
        return internal.table(topic, reader, Materialized.with(reader.keySerde(), reader.valueSerde()));
    }

    /** A table over {@code topic}, kept as {@code materialized} says (its serdes also read the topic). */
    public synchronized <K, V> KTable<K, V> table(final String topic,
                                                  final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(topic, "topic can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final ConfigAccess.MaterializedReader<K, V, KeyValueStore<Bytes, byte[]>> reader =
            new ConfigAccess.MaterializedReader<>(materialized);
        final ConfigAccess.ConsumedReader<K, V> consumed =
            new ConfigAccess.ConsumedReader<>(Consumed.with(reader.keySerde(), reader.valueSerde()));
        return internal.table(topic, consumed, materialized);
    }

    /**
     * A global table over {@code topic}, read as {@code consumed} says: every instance keeps the whole table in a
     * queryable store named {@code <topic>-STATE-STORE-<index>}.
     *
     * @throws NullPointerException if an argument is null
     */
    public synchronized <K, V> GlobalKTable<K, V> globalTable(final String topic, final Consumed<K, V> consumed) {
        Objects.requireNonNull(topic, "topic can't be null");
        Objects.requireNonNull(consumed, "consumed can't be null");
        final ConfigAccess.ConsumedReader<K, V> reader = new ConfigAccess.ConsumedReader<>(consumed);
        return GlobalTableImpl.create(internal, topic, reader,
            Materialized.<K, V, KeyValueStore<Bytes, byte[]>>with(reader.keySerde(), reader.valueSerde()).withLoggingDisabled(),
            true);
    }

    /** A global table over {@code topic}, read with the default serdes. */
    public synchronized <K, V> GlobalKTable<K, V> globalTable(final String topic) {
        return globalTable(topic, Consumed.with(null, null));
    }

    /**
     * A global table over {@code topic}, read as {@code consumed} says (whose serdes replace the
     * {@code materialized} ones) and kept as {@code materialized} says, never logged.
     */
    public synchronized <K, V> GlobalKTable<K, V> globalTable(final String topic, final Consumed<K, V> consumed,
                                                              final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(topic, "topic can't be null");
        Objects.requireNonNull(consumed, "consumed can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final ConfigAccess.ConsumedReader<K, V> reader = new ConfigAccess.ConsumedReader<>(consumed);
        materialized.withKeySerde(reader.keySerde()).withValueSerde(reader.valueSerde()).withLoggingDisabled();
        return GlobalTableImpl.create(internal, topic, reader, materialized, false);
    }

    /** A global table over {@code topic}, kept as {@code materialized} says (its serdes also read the topic). */
    public synchronized <K, V> GlobalKTable<K, V> globalTable(final String topic,
                                                              final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(topic, "topic can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final ConfigAccess.MaterializedReader<K, V, KeyValueStore<Bytes, byte[]>> reader =
            new ConfigAccess.MaterializedReader<>(materialized);
        return GlobalTableImpl.create(internal, topic,
            new ConfigAccess.ConsumedReader<>(Consumed.with(reader.keySerde(), reader.valueSerde())), materialized, false);
    }

    /**
     * Adds a state store that processors added later (through {@code process} with its name) can use.
     *
     * @throws org.apache.kafka.streams.errors.TopologyException if another store has the name
     */
    public synchronized StreamsBuilder addStateStore(final StoreBuilder<?> builder) {
        Objects.requireNonNull(builder, "builder can't be null");
        internal.write(g -> g.addStateStore(builder));
        return this;
    }

    /**
     * Adds a global store kept up to date from {@code topic} by {@code stateUpdateSupplier}; its changelog is the
     * topic itself, so the builder's logging is turned off.
     */
    public synchronized <KIn, VIn> StreamsBuilder addGlobalStore(final StoreBuilder<?> storeBuilder, final String topic,
                                                                 final Consumed<KIn, VIn> consumed,
                                                                 final ProcessorSupplier<KIn, VIn, Void, Void> stateUpdateSupplier) {
        Objects.requireNonNull(storeBuilder, "storeBuilder can't be null");
        Objects.requireNonNull(consumed, "consumed can't be null");
        final ConfigAccess.ConsumedReader<KIn, VIn> reader = new ConfigAccess.ConsumedReader<>(consumed);
        final String sourceName = internal.name(reader.name() == null ? null : reader.name() + "-source", "KSTREAM-SOURCE-");
        final String processorName = internal.name(reader.name(), "KTABLE-SOURCE-");
        internal.write(g -> g.addGlobalStore(storeBuilder.withLoggingDisabled(), sourceName, reader.timestampExtractor(),
            reader.keySerde() == null ? null : reader.keySerde().deserializer(),
            reader.valueSerde() == null ? null : reader.valueSerde().deserializer(), topic, processorName,
            stateUpdateSupplier, true));
        return this;
    }

    /**
     * Writes the operators added so far into the topology and returns it.
     *
     * @throws org.apache.kafka.streams.errors.TopologyException for a structural error, such as two nodes with one
     *         name or a processor connected to a store that was never added
     */
    public synchronized Topology build() {
        internal.flush();
        return topology;
    }

    /**
     * As {@link #build()}; {@code props} may ask for optimizations ({@code topology.optimization}). The stateless
     * DSL has nothing to optimize, so the result is the same topology.
     */
    public synchronized Topology build(final Properties props) {
        internal.setBuildProperties(props);
        return build();
    }
}
