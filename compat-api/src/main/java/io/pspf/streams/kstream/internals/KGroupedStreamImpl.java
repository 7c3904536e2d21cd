package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.CogroupedKStream;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windows;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * PSPF's {@link KGroupedStream}: a stream grouped by key, to aggregate. Grouping adds no node; the aggregation
 * adds a repartition topic first when the key was changed upstream, named after the {@code Grouped} name when
 * one is given (and then shared by every aggregation of this grouping) or else after the aggregation's store.
 */
public final class KGroupedStreamImpl<K, V> implements KGroupedStream<K, V> {
    static final String AGGREGATE = "KSTREAM-AGGREGATE-";
    static final String REDUCE = "KSTREAM-REDUCE-";

    final KStreamImpl<K, V> stream;
    final InternalStreamsBuilder builder;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;
    final String groupedName;
    final boolean repartitionRequired;
    private String sharedRepartitionSource;

    KGroupedStreamImpl(final KStreamImpl<K, V> stream, final ConfigAccess.GroupedReader<K, V> grouped,
                       final boolean repartitionRequired) {
        this.stream = stream;
        this.builder = stream.builder;
        this.keySerde = grouped.keySerde();
        this.valueSerde = grouped.valueSerde();
        this.groupedName = grouped.name();
        this.repartitionRequired = repartitionRequired;
    }

    /**
     * The node an aggregation with store {@code storeName} reads from: this stream's node, or the source of a
     * repartition topic added for it (three indices of the counter are taken every time a topic is needed).
     */
    String aggregationParent(final String storeName) {
        if (!repartitionRequired) {
            return stream.name;
        }
        final String prefix = groupedName != null ? groupedName : storeName;
        final boolean reuse = groupedName != null && sharedRepartitionSource != null;
        final String source = stream.repartitionedSource(prefix, keySerde, valueSerde, -1, null, true, !reuse);
        if (groupedName != null && sharedRepartitionSource == null) {
            sharedRepartitionSource = source;
        }
        return reuse ? sharedRepartitionSource : source;
    }

    // ------------------------------------------------------------------------------------------------ count

    @Override
    public KTable<K, Long> count() {
        return doCount(NamedHolder.NONE, Materialized.with(keySerde, Serdes.Long()));
    }

    @Override
    public KTable<K, Long> count(final Named named) {
        Objects.requireNonNull(named, "named can't be null");
        return doCount(named, Materialized.with(keySerde, Serdes.Long()));
    }

    @Override
    public KTable<K, Long> count(final Materialized<K, Long, KeyValueStore<Bytes, byte[]>> materialized) {
        return count(NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, Long> count(final Named named, final Materialized<K, Long, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(materialized, "materialized can't be null");
        // Kafka generates (and discards) a store name here for an unnamed Materialized, taking one more index
        final MaterializedSpec<K, Long> check = new MaterializedSpec<>(materialized, builder, AGGREGATE);
        new ConfigAccess.NamedReader(named);
        return doCount(named, materialized);
    }

    private KTable<K, Long> doCount(final Named named, final Materialized<K, Long, KeyValueStore<Bytes, byte[]>> materialized) {
        final MaterializedSpec<K, Long> spec = new MaterializedSpec<>(materialized, builder, AGGREGATE);
        spec.withSerdesIfMissing(keySerde, Serdes.Long());
        return aggregateWith(new Aggregations.StreamAggregate<>(spec.storeName(), () -> 0L, (key, value, count) -> count + 1),
            named, AGGREGATE, spec);
    }

    // ------------------------------------------------------------------------------------------------ reduce

    @Override
    public KTable<K, V> reduce(final Reducer<V> reducer) {
        return reduce(reducer, Materialized.with(keySerde, valueSerde));
    }

    @Override
    public KTable<K, V> reduce(final Reducer<V> reducer, final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        return reduce(reducer, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, V> reduce(final Reducer<V> reducer, final Named named,
                               final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(reducer, "reducer can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        Objects.requireNonNull(named, "name can't be null");
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, builder, REDUCE);
        spec.withSerdesIfMissing(keySerde, valueSerde);
        return aggregateWith(new Aggregations.StreamReduce<>(spec.storeName(), reducer), named, REDUCE, spec);
    }

    // ------------------------------------------------------------------------------------------------ aggregate

    @Override
    public <VOut> KTable<K, VOut> aggregate(final Initializer<VOut> initializer, final Aggregator<? super K, ? super V, VOut> aggregator) {
        return aggregate(initializer, aggregator, Materialized.with(keySerde, null));
    }

    @Override
    public <VOut> KTable<K, VOut> aggregate(final Initializer<VOut> initializer, final Aggregator<? super K, ? super V, VOut> aggregator,
                                            final Materialized<K, VOut, KeyValueStore<Bytes, byte[]>> materialized) {
        return aggregate(initializer, aggregator, NamedHolder.NONE, materialized);
    }

    @Override
    public <VOut> KTable<K, VOut> aggregate(final Initializer<VOut> initializer, final Aggregator<? super K, ? super V, VOut> aggregator,
                                            final Named named, final Materialized<K, VOut, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(initializer, "initializer can't be null");
        Objects.requireNonNull(aggregator, "aggregator can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        Objects.requireNonNull(named, "named can't be null");
        final MaterializedSpec<K, VOut> spec = new MaterializedSpec<>(materialized, builder, AGGREGATE);
        spec.withSerdesIfMissing(keySerde, null);
        return aggregateWith(new Aggregations.StreamAggregate<>(spec.storeName(), initializer, aggregator), named, AGGREGATE, spec);
    }

    /** Adds an aggregation processor with its key-value store, after a repartition topic when needed. */
    private <VOut> KTable<K, VOut> aggregateWith(final Aggregations.Supplier<K, V, K, VOut> supplier, final Named named,
                                                 final String prefix, final MaterializedSpec<K, VOut> spec) {
        final String nodeName = builder.name(InternalStreamsBuilder.validated(ConfigAccess.name(named)), prefix);
        final String parent = aggregationParent(spec.storeName());
        addAggregation(builder, nodeName, supplier, parent, spec.keyValueStore(builder));
        return new KTableImpl<>(builder, nodeName, spec.keySerde, spec.valueSerde, spec.queryableStoreName(), supplier,
            spec.isVersioned());
    }

    static void addAggregation(final InternalStreamsBuilder builder, final String nodeName, final ProcessorSupplier<?, ?, ?, ?> supplier,
                               final String parent, final StoreBuilder<?> store) {
        builder.write(g -> g.addProcessor(nodeName, supplier, builder.parent(nodeName, parent)));
        builder.write(g -> g.addStateStore(store, nodeName));
    }

    // ------------------------------------------------------------------------------------------------ windows and cogroup

    @Override
    public <W extends Window> TimeWindowedKStream<K, V> windowedBy(final Windows<W> windows) {
        return TimeWindowedKStreamImpl.of(this, windows);
    }

    @Override
    public TimeWindowedKStream<K, V> windowedBy(final SlidingWindows windows) {
        return TimeWindowedKStreamImpl.sliding(this, windows);
    }

    @Override
    public SessionWindowedKStream<K, V> windowedBy(final SessionWindows windows) {
        return new SessionWindowedKStreamImpl<>(this, windows);
    }

    @Override
    public <VOut> CogroupedKStream<K, VOut> cogroup(final Aggregator<? super K, ? super V, VOut> aggregator) {
        Objects.requireNonNull(aggregator, "aggregator can't be null");
        return new CogroupedKStreamImpl<K, VOut>(builder).cogroup(this, aggregator);
    }
}
