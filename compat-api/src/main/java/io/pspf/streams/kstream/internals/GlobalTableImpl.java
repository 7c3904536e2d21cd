package io.pspf.streams.kstream.internals;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * PSPF's {@link GlobalKTable}: a table kept whole on every instance by the global task, in a global store that the
 * topic itself backs (no changelog). Streams join it through its value getter, looking up keys they map to.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class GlobalTableImpl<K, V> implements GlobalKTable<K, V> {
    private final TableGetter.Supplier<K, V> valueGetterSupplier;
    private final String queryableStoreName;

    private GlobalTableImpl(final TableGetter.Supplier<K, V> valueGetterSupplier, final String queryableStoreName) {
        this.valueGetterSupplier = valueGetterSupplier;
        this.queryableStoreName = queryableStoreName;
    }

    /**
     * Adds a global table over {@code topic} ({@code StreamsBuilder.globalTable}): a global source and a table
     * source processor keeping the store. The store name is taken first (generated as {@code <topic>-STATE-STORE-}
     * unless named), then the source's and the processor's names.
     *
     * @param forceQueryable whether the store is queryable even when not named (the overloads without a
     *                       {@code Materialized}); a global table whose store is not queryable has no store, which
     *                       Kafka refuses when the topology is built
     * @throws TopologyException for a versioned store supplier
     */
    public static <K, V> GlobalKTable<K, V> create(final InternalStreamsBuilder builder, final String topic,
                                                   final ConfigAccess.ConsumedReader<K, V> consumed,
                                                   final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized,
                                                   final boolean forceQueryable) {
        final MaterializedSpec<K, V> spec;
        if (forceQueryable && new ConfigAccess.MaterializedReader<>(materialized).storeName() == null) {
            final String storeName = builder.newStoreName(topic + "-");
            final ConfigAccess.MaterializedReader<K, V, KeyValueStore<Bytes, byte[]>> reader =
                new ConfigAccess.MaterializedReader<>(materialized);
            spec = new MaterializedSpec<>(Materialized.<K, V, KeyValueStore<Bytes, byte[]>>as(storeName)
                .withKeySerde(reader.keySerde()).withValueSerde(reader.valueSerde()).withLoggingDisabled(), builder, null);
        } else {
            spec = new MaterializedSpec<>(materialized, builder, topic + "-");
        }
        if (spec.isVersioned()) {
            throw new TopologyException("GlobalTables cannot be versioned.");
        }
        final String consumedName = InternalStreamsBuilder.validated(consumed.name());
        final String sourceName = builder.name(consumedName == null ? null
            : InternalStreamsBuilder.validated(consumedName + "-source"), KStreamImpl.SOURCE);
        final String processorName = builder.name(consumedName, KTableImpl.SOURCE);
        final TableSource<K, V> source = new TableSource<>(spec);
        builder.write(g -> {
            if (!source.materialized()) {
                throw new IllegalArgumentException("Global stores must pass in suppliers with exactly one store but got 0");
            }
            @SuppressWarnings({"unchecked", "rawtypes"})
            final ProcessorSupplier<Object, Object, Void, Void> update = (ProcessorSupplier) source;
            g.addGlobalStore(spec.keyValueStore(builder), sourceName, consumed.timestampExtractor(),
                consumed.keySerde() == null ? null : consumed.keySerde().deserializer(),
                consumed.valueSerde() == null ? null : consumed.valueSerde().deserializer(), topic, processorName,
                update, false);
        });
        return new GlobalTableImpl<>(TableGetter.ofStore(spec.storeName()), spec.queryableStoreName());
    }

    /** The getter a stream-global table join looks values up with. */
    TableGetter.Supplier<K, V> valueGetterSupplier() {
        return valueGetterSupplier;
    }

    @Override
    public String queryableStoreName() {
        return queryableStoreName;
    }
}
