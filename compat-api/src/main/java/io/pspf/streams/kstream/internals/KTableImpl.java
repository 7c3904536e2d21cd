package io.pspf.streams.kstream.internals;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;
import org.apache.kafka.streams.kstream.ValueTransformerWithKeySupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * PSPF's {@link KTable}: a node of the topology whose records are changes ({@link Change}) to a keyed table.
 * Each operator takes its names from the builder's counter exactly as Kafka Streams does, and adds its processor
 * (and store, when materialized) below this table's node when the topology is built.
 *
 * @param <K> key type
 * @param <S> the type of the values this table's processor reads (not used here beyond typing the supplier)
 * @param <V> value type
 */
public final class KTableImpl<K, S, V> implements KTable<K, V> {
    static final String SOURCE = "KTABLE-SOURCE-";
    static final String FILTER = "KTABLE-FILTER-";
    static final String MAPVALUES = "KTABLE-MAPVALUES-";
    static final String TOSTREAM = "KTABLE-TOSTREAM-";
    static final String SELECT = "KTABLE-SELECT-";
    static final String MERGE = "KTABLE-MERGE-";
    static final String JOINTHIS = "KTABLE-JOINTHIS-";
    static final String JOINOTHER = "KTABLE-JOINOTHER-";

    final InternalStreamsBuilder builder;
    final String name;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;
    final String queryableStoreName;
    final TableProcessorSupplier<K, ?, K, V> supplier;
    private final boolean versioned;
    private boolean sendOldValues;

    KTableImpl(final InternalStreamsBuilder builder, final String name, final Serde<K> keySerde, final Serde<V> valueSerde,
               final String queryableStoreName, final TableProcessorSupplier<K, ?, K, V> supplier, final boolean versioned) {
        this.builder = builder;
        this.name = name;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.queryableStoreName = queryableStoreName;
        this.supplier = supplier;
        this.versioned = versioned;
    }

    /** Whether this table's values come from a versioned store (so out-of-order updates are not the latest). */
    boolean isVersioned() {
        return versioned;
    }

    /** A getter of this table's values; a source table becomes materialized. */
    TableGetter.Supplier<K, V> valueGetterSupplier() {
        return supplier.view();
    }

    /**
     * Asks this table to forward old values with its changes.
     *
     * @param forceMaterialization whether a source table may be materialized for it
     * @return whether old values will be forwarded
     */
    boolean enableSendingOldValues(final boolean forceMaterialization) {
        if (!sendOldValues) {
            if (!supplier.enableSendingOldValues(forceMaterialization)) {
                return false;
            }
            sendOldValues = true;
        }
        return true;
    }

    private static String nameOf(final Named named, final String message) {
        Objects.requireNonNull(named, message);
        return InternalStreamsBuilder.validated(ConfigAccess.name(named));
    }

    /** The name of {@code named} read as Kafka's {@code NamedInternal} reads it (a null fails with its message). */
    static String nameOf(final Named named) {
        return InternalStreamsBuilder.validated(new ConfigAccess.NamedReader(named).name());
    }

    // ------------------------------------------------------------------------------------------------ filter

    @Override
    public KTable<K, V> filter(final Predicate<? super K, ? super V> predicate) {
        Objects.requireNonNull(predicate, "predicate can't be null");
        return doFilter(predicate, null, null, false);
    }

    @Override
    public KTable<K, V> filter(final Predicate<? super K, ? super V> predicate, final Named named) {
        Objects.requireNonNull(predicate, "predicate can't be null");
        return doFilter(predicate, nameOf(named), null, false);
    }

    @Override
    public KTable<K, V> filter(final Predicate<? super K, ? super V> predicate,
                               final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        return filter(predicate, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, V> filter(final Predicate<? super K, ? super V> predicate, final Named named,
                               final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(predicate, "predicate can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        return doFilter(predicate, nameOf(named), materialized, false);
    }

    @Override
    public KTable<K, V> filterNot(final Predicate<? super K, ? super V> predicate) {
        Objects.requireNonNull(predicate, "predicate can't be null");
        return doFilter(predicate, null, null, true);
    }

    @Override
    public KTable<K, V> filterNot(final Predicate<? super K, ? super V> predicate, final Named named) {
        Objects.requireNonNull(predicate, "predicate can't be null");
        return doFilter(predicate, nameOf(named), null, true);
    }

    @Override
    public KTable<K, V> filterNot(final Predicate<? super K, ? super V> predicate,
                                  final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        return filterNot(predicate, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, V> filterNot(final Predicate<? super K, ? super V> predicate, final Named named,
                                  final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(predicate, "predicate can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        return doFilter(predicate, nameOf(named), materialized, true);
    }

    private KTable<K, V> doFilter(final Predicate<? super K, ? super V> predicate, final String userName,
                                  final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized, final boolean not) {
        final MaterializedSpec<K, V> spec = materialized == null ? null : new MaterializedSpec<>(materialized, builder, FILTER);
        final String nodeName = builder.name(userName, FILTER);
        final Serde<K> keys;
        final Serde<V> values;
        if (spec != null) {
            keys = spec.keySerde != null ? spec.keySerde : keySerde;
            values = spec.valueSerde != null ? spec.valueSerde : valueSerde;
            spec.keySerde = keys;
            spec.valueSerde = values;
        } else {
            keys = keySerde;
            values = valueSerde;
        }
        final String queryable = spec == null ? null : spec.queryableStoreName();
        final TableOperators.Filter<K, V> filter = new TableOperators.Filter<>(this, predicate, not, queryable);
        addTableNode(nodeName, filter, queryable == null ? null : spec);
        return new KTableImpl<>(builder, nodeName, keys, values, queryable, filter, queryable != null ? spec.isVersioned() : versioned);
    }

    private void addTableNode(final String nodeName, final org.apache.kafka.streams.processor.api.ProcessorSupplier<?, ?, ?, ?> processor,
                              final MaterializedSpec<?, ?> storeSpec) {
        final String parent = name;
        builder.write(g -> g.addProcessor(nodeName, processor, parent));
        if (storeSpec != null) {
            builder.write(g -> g.addStateStore(storeSpec.keyValueStore(builder), nodeName));
        }
    }

    // ------------------------------------------------------------------------------------------------ mapValues

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapper<? super V, ? extends VR> mapper) {
        Objects.requireNonNull(mapper, "mapper can't be null");
        return doMapValues(withKey(mapper), null, null);
    }

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapper<? super V, ? extends VR> mapper, final Named named) {
        Objects.requireNonNull(mapper, "mapper can't be null");
        return doMapValues(withKey(mapper), nameOf(named), null);
    }

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper) {
        Objects.requireNonNull(mapper, "mapper can't be null");
        return doMapValues(mapper, null, null);
    }

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper, final Named named) {
        Objects.requireNonNull(mapper, "mapper can't be null");
        return doMapValues(mapper, nameOf(named), null);
    }

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapper<? super V, ? extends VR> mapper,
                                       final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return mapValues(mapper, NamedHolder.NONE, materialized);
    }

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapper<? super V, ? extends VR> mapper, final Named named,
                                       final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(mapper, "mapper can't be null");
        return mapValues(withKey(mapper), named, materialized);
    }

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper,
                                       final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return mapValues(mapper, NamedHolder.NONE, materialized);
    }

    @Override
    public <VR> KTable<K, VR> mapValues(final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper, final Named named,
                                       final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(mapper, "mapper can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        return doMapValues(mapper, nameOf(named), materialized);
    }

    private static <K, V, VR> ValueMapperWithKey<K, V, VR> withKey(final ValueMapper<? super V, ? extends VR> mapper) {
        return (key, value) -> mapper.apply(value);
    }

    private <VR> KTable<K, VR> doMapValues(final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper,
                                           final String userName,
                                           final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        final MaterializedSpec<K, VR> spec = materialized == null ? null : new MaterializedSpec<>(materialized, builder, MAPVALUES);
        final String nodeName = builder.name(userName, MAPVALUES);
        final Serde<K> keys;
        final Serde<VR> values;
        if (spec != null) {
            keys = spec.keySerde != null ? spec.keySerde : keySerde;
            values = spec.valueSerde;
            spec.keySerde = keys;
        } else {
            keys = keySerde;
            values = null;
        }
        final String queryable = spec == null ? null : spec.queryableStoreName();
        final TableOperators.MapValues<K, V, VR> map = new TableOperators.MapValues<>(this, mapper, queryable);
        addTableNode(nodeName, map, queryable == null ? null : spec);
        return new KTableImpl<>(builder, nodeName, keys, values, queryable, map, queryable != null ? spec.isVersioned() : versioned);
    }

    // ------------------------------------------------------------------------------------------------ transformValues

    @Override
    public <VR> KTable<K, VR> transformValues(final ValueTransformerWithKeySupplier<? super K, ? super V, ? extends VR> transformerSupplier,
                                             final String... stateStoreNames) {
        return doTransformValues(transformerSupplier, null, null, stateStoreNames);
    }

    @Override
    public <VR> KTable<K, VR> transformValues(final ValueTransformerWithKeySupplier<? super K, ? super V, ? extends VR> transformerSupplier,
                                             final Named named, final String... stateStoreNames) {
        Objects.requireNonNull(named, "processorName can't be null");
        return doTransformValues(transformerSupplier, null, ConfigAccess.name(named), stateStoreNames);
    }

    @Override
    public <VR> KTable<K, VR> transformValues(final ValueTransformerWithKeySupplier<? super K, ? super V, ? extends VR> transformerSupplier,
                                             final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized,
                                             final String... stateStoreNames) {
        return transformValues(transformerSupplier, materialized, NamedHolder.NONE, stateStoreNames);
    }

    @Override
    public <VR> KTable<K, VR> transformValues(final ValueTransformerWithKeySupplier<? super K, ? super V, ? extends VR> transformerSupplier,
                                             final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized,
                                             final Named named, final String... stateStoreNames) {
        Objects.requireNonNull(materialized, "materialized can't be null");
        Objects.requireNonNull(named, "named can't be null");
        final MaterializedSpec<K, VR> spec = new MaterializedSpec<>(materialized, null, null);
        return doTransformValues(transformerSupplier, spec, ConfigAccess.name(named), stateStoreNames);
    }

    private <VR> KTable<K, VR> doTransformValues(
        final ValueTransformerWithKeySupplier<? super K, ? super V, ? extends VR> transformerSupplier,
        final MaterializedSpec<K, VR> spec, final String userName, final String[] stateStoreNames) {
        Objects.requireNonNull(stateStoreNames, "stateStoreNames");
        final Serde<K> keys = spec != null && spec.keySerde != null ? spec.keySerde : keySerde;
        final Serde<VR> values = spec == null ? null : spec.valueSerde;
        final String queryable = spec == null ? null : spec.queryableStoreName();
        final String nodeName = builder.name(userName, "KTABLE-TRANSFORMVALUES-");
        final TransformValuesSupplier<K, V, VR> transform = new TransformValuesSupplier<>(this, transformerSupplier, queryable);
        addTableNode(nodeName, transform, queryable == null ? null : spec);
        if (stateStoreNames.length > 0) {
            builder.write(g -> g.connectProcessorAndStateStores(nodeName, stateStoreNames));
        }
        return new KTableImpl<>(builder, nodeName, keys, values, queryable, transform, queryable != null ? spec.isVersioned() : versioned);
    }

    // ------------------------------------------------------------------------------------------------ toStream

    @Override
    public KStream<K, V> toStream() {
        return toStream(NamedHolder.NONE);
    }

    @Override
    public KStream<K, V> toStream(final Named named) {
        final String nodeName = builder.name(nameOf(named, "named can't be null"), TOSTREAM);
        final String parent = name;
        builder.write(g -> g.addFixedKeyProcessor(nodeName, TableOperators.<K, V>toStream(), parent));
        return new KStreamImpl<>(builder, nodeName, keySerde, valueSerde, false);
    }

    @Override
    public <KR> KStream<KR, V> toStream(final KeyValueMapper<? super K, ? super V, ? extends KR> mapper) {
        return toStream(mapper, NamedHolder.NONE);
    }

    @Override
    public <KR> KStream<KR, V> toStream(final KeyValueMapper<? super K, ? super V, ? extends KR> mapper, final Named named) {
        // Kafka adds the toStream node before selectKey checks the mapper
        return toStream(named).selectKey(mapper);
    }

    // ------------------------------------------------------------------------------------------------ suppress

    @Override
    public KTable<K, V> suppress(final Suppressed<? super K> suppressed) {
        if (versioned) {
            throw new org.apache.kafka.streams.errors.TopologyException("suppress() is only supported for non-versioned KTables");
        }
        if (!SuppressSettings.isKafkas(suppressed)) {
            throw new IllegalArgumentException("Custom subclasses of Suppressed are not supported.");
        }
        final String userName = SuppressSettings.nameOf(suppressed);
        final String nodeName = userName != null ? userName : builder.newProcessorName(SUPPRESS);
        final SuppressSettings settings;
        if (SuppressSettings.untilWindowCloses(suppressed)) {
            final long grace = SuppressProcessorSupplier.upstreamGrace(this);
            SUPPRESS_LOG.info("Using grace period of [{}] as the suppress duration for node [{}].", java.time.Duration.ofMillis(grace),
                nodeName);
            settings = SuppressSettings.ofWindowCloses(suppressed, grace);
        } else if (SuppressSettings.untilTimeLimit(suppressed)) {
            settings = SuppressSettings.ofTimeLimit(suppressed);
        } else {
            throw new IllegalArgumentException("Custom subclasses of Suppressed are not allowed.");
        }
        final String storeName = settings.name != null ? settings.name + "-store" : builder.newStoreName(SUPPRESS);
        final StoreBuilder<?> buffer = settings.loggingEnabled
            ? new io.pspf.runtime.state.TimeOrderedChangeBuffer.Builder<>(storeName, keySerde, valueSerde)
                .withLoggingEnabled(settings.logConfig)
            : new io.pspf.runtime.state.TimeOrderedChangeBuffer.Builder<>(storeName, keySerde, valueSerde).withLoggingDisabled();
        final SuppressProcessorSupplier<K, V> supplier = new SuppressProcessorSupplier<>(this, settings, nodeName, storeName);
        final String parent = name;
        builder.write(g -> g.addProcessor(nodeName, supplier, parent));
        builder.write(g -> g.addStateStore(buffer, nodeName));
        return new KTableImpl<>(builder, nodeName, keySerde, valueSerde, null, supplier, false);
    }

    private static final String SUPPRESS = "KTABLE-SUPPRESS-";
    private static final org.slf4j.Logger SUPPRESS_LOG = org.slf4j.LoggerFactory.getLogger(KTableImpl.class);

    // ------------------------------------------------------------------------------------------------ groupBy

    @Override
    public <KR, VR> KGroupedTable<KR, VR> groupBy(final KeyValueMapper<? super K, ? super V, ? extends KeyValue<? extends KR, ? extends VR>> selector) {
        return groupBy(selector, Grouped.with(null, null));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    public <KR, VR> KGroupedTable<KR, VR> groupBy(final KeyValueMapper<? super K, ? super V, ? extends KeyValue<? extends KR, ? extends VR>> selector,
                                                  final Grouped<KR, VR> grouped) {
        Objects.requireNonNull(selector, "selector can't be null");
        Objects.requireNonNull(grouped, "grouped can't be null");
        final ConfigAccess.GroupedReader<KR, VR> reader = new ConfigAccess.GroupedReader<>(grouped);
        final String selectName = builder.name(InternalStreamsBuilder.validated(reader.name()), SELECT);
        final TableOperators.RepartitionMap<K, V, KR, VR> map = new TableOperators.RepartitionMap<>(this,
            (KeyValueMapper) selector);
        final String parent = name;
        builder.write(g -> g.addProcessor(selectName, map, parent));
        enableSendingOldValues(true);
        return new KGroupedTableImpl<>(builder, selectName, reader);
    }

    // ------------------------------------------------------------------------------------------------ primary-key joins

    @Override
    public <VO, VR> KTable<K, VR> join(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner) {
        return doJoin(other, joiner, NamedHolder.NONE, null, false, false);
    }

    @Override
    public <VO, VR> KTable<K, VR> join(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                       final Named named) {
        return doJoin(other, joiner, named, null, false, false);
    }

    @Override
    public <VO, VR> KTable<K, VR> join(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                       final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return join(other, joiner, NamedHolder.NONE, materialized);
    }

    @Override
    public <VO, VR> KTable<K, VR> join(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                       final Named named, final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(materialized, "materialized can't be null");
        return doJoin(other, joiner, named, new MaterializedSpec<>(materialized, builder, MERGE), false, false);
    }

    @Override
    public <VO, VR> KTable<K, VR> leftJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner) {
        return doJoin(other, joiner, NamedHolder.NONE, null, true, false);
    }

    @Override
    public <VO, VR> KTable<K, VR> leftJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                           final Named named) {
        return doJoin(other, joiner, named, null, true, false);
    }

    @Override
    public <VO, VR> KTable<K, VR> leftJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                           final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return leftJoin(other, joiner, NamedHolder.NONE, materialized);
    }

    @Override
    public <VO, VR> KTable<K, VR> leftJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                           final Named named, final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(materialized, "materialized can't be null");
        return doJoin(other, joiner, named, new MaterializedSpec<>(materialized, builder, MERGE), true, false);
    }

    @Override
    public <VO, VR> KTable<K, VR> outerJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner) {
        return doJoin(other, joiner, NamedHolder.NONE, null, true, true);
    }

    @Override
    public <VO, VR> KTable<K, VR> outerJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                            final Named named) {
        return doJoin(other, joiner, named, null, true, true);
    }

    @Override
    public <VO, VR> KTable<K, VR> outerJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                            final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return outerJoin(other, joiner, NamedHolder.NONE, materialized);
    }

    @Override
    public <VO, VR> KTable<K, VR> outerJoin(final KTable<K, VO> other, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                            final Named named, final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(materialized, "materialized can't be null");
        return doJoin(other, joiner, named, new MaterializedSpec<>(materialized, builder, MERGE), true, true);
    }

    private <VO, VR> KTable<K, VR> doJoin(final KTable<K, VO> otherTable, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                          final Named named, final MaterializedSpec<K, VR> spec, final boolean leftOuter,
                                          final boolean rightOuter) {
        Objects.requireNonNull(otherTable, "other can't be null");
        Objects.requireNonNull(joiner, "joiner can't be null");
        Objects.requireNonNull(named, "joinName can't be null");
        final String userName = InternalStreamsBuilder.validated(ConfigAccess.name(named));
        final KTableImpl<K, ?, VO> other = (KTableImpl<K, ?, VO>) otherTable;
        final String mergeName = builder.name(userName, MERGE);
        if (leftOuter) {
            enableSendingOldValues(true);
        }
        if (rightOuter) {
            other.enableSendingOldValues(true);
        }
        if (spec != null) {
            spec.withSerdesIfMissing(keySerde, null);
        }
        final TableJoins.Join<K, V, VO, VR> joinThis;
        final TableJoins.Join<K, VO, V, VR> joinOther;
        final ValueJoiner<VO, V, VR> reversed = (otherValue, thisValue) -> joiner.apply(thisValue, otherValue);
        if (!leftOuter) {
            joinThis = new TableJoins.Join<>(this, other, joiner, TableJoins.Kind.INNER);
            joinOther = new TableJoins.Join<>(other, this, reversed, TableJoins.Kind.INNER);
        } else if (!rightOuter) {
            joinThis = new TableJoins.Join<>(this, other, joiner, TableJoins.Kind.LEFT);
            joinOther = new TableJoins.Join<>(other, this, reversed, TableJoins.Kind.RIGHT);
        } else {
            joinThis = new TableJoins.Join<>(this, other, joiner, TableJoins.Kind.OUTER);
            joinOther = new TableJoins.Join<>(other, this, reversed, TableJoins.Kind.OUTER);
        }
        final String thisName = builder.name(userName == null ? null : userName + "-join-this", JOINTHIS);
        final String otherName = builder.name(userName == null ? null : userName + "-join-other", JOINOTHER);
        final String queryable = spec == null ? null : spec.queryableStoreName();
        final TableJoins.Merger<K, VR> merger = new TableJoins.Merger<>(joinThis, joinOther, queryable);
        final String thisParent = name;
        final String otherParent = other.name;
        final String[] thisStores = valueGetterSupplier().storeNames();
        final String[] otherStores = other.valueGetterSupplier().storeNames();
        builder.write(g -> g.addProcessor(thisName, joinThis, thisParent));
        builder.write(g -> g.addProcessor(otherName, joinOther, otherParent));
        builder.write(g -> g.addProcessor(mergeName, merger, thisName, otherName));
        builder.write(g -> g.connectProcessorAndStateStores(thisName, otherStores));
        builder.write(g -> g.connectProcessorAndStateStores(otherName, thisStores));
        if (queryable != null) {
            builder.write(g -> g.addStateStore(spec.keyValueStore(builder), mergeName));
        }
        return new KTableImpl<>(builder, mergeName, spec == null ? keySerde : spec.keySerde, spec == null ? null : spec.valueSerde,
            queryable, merger, queryable != null && spec.isVersioned());
    }

    // ------------------------------------------------------------------------------------------------ foreign-key joins

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), Materialized.with(null, null), false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), Materialized.with(null, null), false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            tableJoined, Materialized.with(null, null), false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            tableJoined, Materialized.with(null, null), false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                           final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), materialized, false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                           final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), materialized, false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined,
                                           final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            tableJoined, materialized, false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> join(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                           final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined,
                                           final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            tableJoined, materialized, false);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), Materialized.with(null, null), true);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), Materialized.with(null, null), true);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            tableJoined, Materialized.with(null, null), true);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            tableJoined, Materialized.with(null, null), true);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                               final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), materialized, true);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                               final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            TableJoined.with(null, null), materialized, true);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final Function<? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined,
                                               final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromFunction(foreignKeyExtractor), joiner,
            tableJoined, materialized, true);
    }

    @Override
    public <VR, KO, VO> KTable<K, VR> leftJoin(final KTable<KO, VO> other, final BiFunction<? super K, ? super V, ? extends KO> foreignKeyExtractor,
                                               final ValueJoiner<? super V, ? super VO, ? extends VR> joiner, final TableJoined<K, KO> tableJoined,
                                               final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return ForeignKeyJoin.join(this, other, ForeignKeyJoin.fromBiFunction(foreignKeyExtractor), joiner,
            tableJoined, materialized, true);
    }

    @Override
    public String queryableStoreName() {
        return queryableStoreName;
    }
}
