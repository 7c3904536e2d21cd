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
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindowedKStream;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.kstream.Windows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * PSPF's {@link TimeWindowedKStream}: count, reduce and aggregate per key and window, named and stored as Kafka
 * Streams names and stores them. The windows are either {@link Windows} (time windows, unlimited windows or a
 * custom subclass; the store keeps windows for their size plus grace unless {@code Materialized.withRetention}
 * says otherwise) or {@link SlidingWindows} (windows of length {@code timeDifference} that end at a record or start
 * just after one; retention twice the time difference plus grace); a {@link WindowShape} holds what differs.
 */
final class TimeWindowedKStreamImpl<K, V> implements TimeWindowedKStream<K, V> {
    private final KGroupedStreamImpl<K, V> grouped;
    private final InternalStreamsBuilder builder;
    private final WindowShape shape;
    private EmitStrategy emitStrategy = EmitStrategy.onWindowUpdate();

    private TimeWindowedKStreamImpl(final KGroupedStreamImpl<K, V> grouped, final WindowShape shape) {
        this.grouped = grouped;
        this.builder = grouped.builder;
        this.shape = shape;
    }

    /** Over {@link Windows}: time windows, unlimited windows or a custom subclass. */
    static <K, V, W extends Window> TimeWindowedKStreamImpl<K, V> of(final KGroupedStreamImpl<K, V> grouped,
                                                                     final Windows<W> windows) {
        return new TimeWindowedKStreamImpl<>(grouped, WindowShape.of(windows));
    }

    /** Over {@link SlidingWindows}. */
    static <K, V> TimeWindowedKStreamImpl<K, V> sliding(final KGroupedStreamImpl<K, V> grouped, final SlidingWindows windows) {
        return new TimeWindowedKStreamImpl<>(grouped, WindowShape.sliding(windows));
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
    public KTable<Windowed<K>, Long> count(final Materialized<K, Long, WindowStore<Bytes, byte[]>> materialized) {
        return count(NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<Windowed<K>, Long> count(final Named named,
                                           final Materialized<K, Long, WindowStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(materialized, "materialized can't be null");
        if (shape.countTakesAnExtraIndex()) {
            // Kafka generates (and discards) a store name here for an unnamed Materialized, taking one more index
            new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.AGGREGATE);
        }
        return doCount(named, materialized);
    }

    private KTable<Windowed<K>, Long> doCount(final Named named,
                                              final Materialized<K, Long, WindowStore<Bytes, byte[]>> materialized) {
        final MaterializedSpec<K, Long> spec = new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.AGGREGATE);
        spec.withSerdesIfMissing(grouped.keySerde, Serdes.Long());
        final String name = builder.name(WindowedTables.nameOf(named), KGroupedStreamImpl.AGGREGATE);
        final long retention = retention(spec);
        return build(name, spec, retention, shape.aggregate(spec.storeName(),
            emitStrategy, () -> 0L, (key, value, count) -> count + 1));
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
                                         final Materialized<K, V, WindowStore<Bytes, byte[]>> materialized) {
        return reduce(reducer, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<Windowed<K>, V> reduce(final Reducer<V> reducer, final Named named,
                                         final Materialized<K, V, WindowStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(reducer, "reducer can't be null");
        Objects.requireNonNull(named, "named can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.REDUCE);
        spec.withSerdesIfMissing(grouped.keySerde, grouped.valueSerde);
        final String name = builder.name(WindowedTables.nameOf(named), KGroupedStreamImpl.REDUCE);
        final long retention = retention(spec);
        return build(name, spec, retention, shape.aggregate(spec.storeName(),
            emitStrategy, () -> null, WindowedTables.aggregatorOf(reducer)));
    }

    // ------------------------------------------------------------------------------------------------ aggregate

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator) {
        return aggregate(initializer, aggregator, Materialized.with(grouped.keySerde, null));
    }

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator,
                                                  final Named named) {
        return aggregate(initializer, aggregator, named, Materialized.with(grouped.keySerde, null));
    }

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator,
                                                  final Materialized<K, VR, WindowStore<Bytes, byte[]>> materialized) {
        return aggregate(initializer, aggregator, NamedHolder.NONE, materialized);
    }

    @Override
    public <VR> KTable<Windowed<K>, VR> aggregate(final Initializer<VR> initializer,
                                                  final Aggregator<? super K, ? super V, VR> aggregator,
                                                  final Named named,
                                                  final Materialized<K, VR, WindowStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(initializer, "initializer can't be null");
        Objects.requireNonNull(aggregator, "aggregator can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final MaterializedSpec<K, VR> spec = new MaterializedSpec<>(materialized, builder, KGroupedStreamImpl.AGGREGATE);
        spec.withSerdesIfMissing(grouped.keySerde, null);
        final String name = builder.name(WindowedTables.nameOf(named), KGroupedStreamImpl.AGGREGATE);
        final long retention = retention(spec);
        return build(name, spec, retention, shape.aggregate(spec.storeName(),
            emitStrategy, initializer, aggregator));
    }

    @Override
    public TimeWindowedKStream<K, V> emitStrategy(final EmitStrategy emitStrategy) {
        shape.checkEmitStrategy(emitStrategy);
        this.emitStrategy = emitStrategy;
        return this;
    }

    // ------------------------------------------------------------------------------------------------ building

    /** The store's retention: the given one, else the kind's default; Kafka refuses one shorter than that. */
    private long retention(final MaterializedSpec<K, ?> spec) {
        return shape.retention(spec);
    }

    private <VAgg> KTable<Windowed<K>, VAgg> build(final String name, final MaterializedSpec<K, VAgg> spec,
                                                   final long retention,
                                                   final WindowAggregations.Supplier<K, V, VAgg> supplier) {
        final String parent = grouped.aggregationParent(spec.storeName());
        KGroupedStreamImpl.addAggregation(builder, name, supplier, parent,
            spec.windowStore(builder, retention, shape.windowSize(), emitStrategy, shape.sliding()));
        final Serde<Windowed<K>> keySerde = spec.keySerde == null ? null
            : new WindowedSerdes.TimeWindowedSerde<>(spec.keySerde, shape.windowSize());
        return WindowedTables.table(builder, name, keySerde, spec, supplier);
    }
}
