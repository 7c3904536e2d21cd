package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Merger;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.kstream.SessionWindowedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.state.SessionStore;

/**
 * PSPF's {@link SessionWindowedKStream}: count, reduce and aggregate per key and session, sessions merging when a
 * record falls within the inactivity gap of several; the store keeps sessions for the gap plus grace unless
 * {@code Materialized.withRetention} says otherwise.
 */
final class SessionWindowedKStreamImpl<K, V> implements SessionWindowedKStream<K, V> {
    private final KGroupedStreamImpl<K, V> grouped;
    private final InternalStreamsBuilder builder;
    private final SessionWindows windows;
    private EmitStrategy emitStrategy = EmitStrategy.onWindowUpdate();

    SessionWindowedKStreamImpl(final KGroupedStreamImpl<K, V> grouped, final SessionWindows windows) {
        this.grouped = grouped;
        this.builder = grouped.builder;
        this.windows = Objects.requireNonNull(windows, "windows can't be null");
    }

    // ------------------------------------------------------------------------------------------------ count

    @Override
    public KTable<Windowed<K>, Long> count() {
        return count(NamedHolder.NONE);
    }

    @Override
    public KTable<Windowed<K>, Long> count(final Named named) {
        return doCount(named, Materialized.with(grouped.keySerde, Serdes.Long()));
    }

    @Override
    public KTable<Windowed<K>, Long> count(final Materialized<K, Long, SessionStore<Bytes, byte[]>> materialized) {
        return count(NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<Windowed<K>, Long> count(final Named named,
                                           final Materialized<K, Long, SessionStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(materialized, "materialized can't be null");
        // Kafka generates (and discards) a store name here for an unnamed Materialized, taking one more index
        new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.AGGREGATE);
        return doCount(named, materialized);
    }

    private KTable<Windowed<K>, Long> doCount(final Named named,
                                              final Materialized<K, Long, SessionStore<Bytes, byte[]>> materialized) {
        final MaterializedSpec<K, Long> spec = new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.AGGREGATE);
        spec.withSerdesIfMissing(grouped.keySerde, Serdes.Long());
        final String name = builder.name(WindowedTables.nameOf(named), KGroupedStreamImpl.AGGREGATE);
        final long retention = WindowedTables.sessionRetention(spec, windows);
        return build(name, spec, retention, new WindowAggregations.SessionWindowAggregate<K, V, Long>(windows,
            spec.storeName(), emitStrategy, () -> 0L, (key, value, count) -> count + 1, (key, first, second) -> first + second));
    }

    // ------------------------------------------------------------------------------------------------ reduce

    @Override
    public KTable<Windowed<K>, V> reduce(final Reducer<V> reducer) {
        return reduce(reducer, NamedHolder.NONE);
    }

    @Override
    public KTable<Windowed<K>, V> reduce(final Reducer<V> reducer, final Named named) {
        return reduce(reducer, named, Materialized.with(grouped.keySerde, grouped.valueSerde));
    }

    @Override
    public KTable<Windowed<K>, V> reduce(final Reducer<V> reducer,
                                         final Materialized<K, V, SessionStore<Bytes, byte[]>> materialized) {
        return reduce(reducer, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<Windowed<K>, V> reduce(final Reducer<V> reducer, final Named named,
                                         final Materialized<K, V, SessionStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(reducer, "reducer can't be null");
        Objects.requireNonNull(named, "named can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.REDUCE);
        spec.withSerdesIfMissing(grouped.keySerde, grouped.valueSerde);
        final String name = builder.name(WindowedTables.nameOf(named), KGroupedStreamImpl.REDUCE);
        final long retention = WindowedTables.sessionRetention(spec, windows);
        final Aggregator<K, V, V> aggregator = WindowedTables.aggregatorOf(reducer);
        return build(name, spec, retention, new WindowAggregations.SessionWindowAggregate<>(windows, spec.storeName(),
            emitStrategy, () -> null, aggregator, WindowedTables.mergerOf(aggregator)));
    }

    // ------------------------------------------------------------------------------------------------ aggregate

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator,
                                                  final Merger<? super K, VR> sessionMerger) {
        return aggregate(initializer, aggregator, sessionMerger, NamedHolder.NONE);
    }

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator,
                                                  final Merger<? super K, VR> sessionMerger, final Named named) {
        return aggregate(initializer, aggregator, sessionMerger, named, Materialized.with(grouped.keySerde, null));
    }

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator,
                                                  final Merger<? super K, VR> sessionMerger,
                                                  final Materialized<K, VR, SessionStore<Bytes, byte[]>> materialized) {
        return aggregate(initializer, aggregator, sessionMerger, NamedHolder.NONE, materialized);
    }

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator,
                                                  final Merger<? super K, VR> sessionMerger, final Named named,
                                                  final Materialized<K, VR, SessionStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(initializer, "initializer can't be null");
        Objects.requireNonNull(aggregator, "aggregator can't be null");
        Objects.requireNonNull(sessionMerger, "sessionMerger can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final MaterializedSpec<K, VR> spec = new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.AGGREGATE);
        spec.withSerdesIfMissing(grouped.keySerde, null);
        final String name = builder.name(WindowedTables.nameOf(named), KGroupedStreamImpl.AGGREGATE);
        final long retention = WindowedTables.sessionRetention(spec, windows);
        return build(name, spec, retention, new WindowAggregations.SessionWindowAggregate<>(windows, spec.storeName(),
            emitStrategy, initializer, aggregator, sessionMerger));
    }

    @Override
    public SessionWindowedKStream<K, V> emitStrategy(final EmitStrategy emitStrategy) {
        this.emitStrategy = emitStrategy;
        return this;
    }

    private <VAgg> KTable<Windowed<K>, VAgg> build(final String name, final MaterializedSpec<K, VAgg> spec,
                                                   final long retention,
                                                   final WindowAggregations.Supplier<K, V, VAgg> supplier) {
        final String parent = grouped.aggregationParent(spec.storeName());
        KGroupedStreamImpl.addAggregation(builder, name, supplier, parent, spec.sessionStore(builder, retention, emitStrategy));
        final Serde<Windowed<K>> keySerde = spec.keySerde == null ? null
            : new WindowedSerdes.SessionWindowedSerde<>(spec.keySerde);
        return WindowedTables.table(builder, name, keySerde, spec, supplier);
    }
}
