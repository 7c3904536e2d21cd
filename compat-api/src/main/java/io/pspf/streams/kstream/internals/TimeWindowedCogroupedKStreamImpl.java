package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TimeWindowedCogroupedKStream;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.kstream.Windows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * PSPF's {@link TimeWindowedCogroupedKStream} over {@link Windows} or {@link SlidingWindows} (see
 * {@link WindowShape}): the cogrouped streams aggregated per key and window into one window store, always
 * emitting on every update.
 */
final class TimeWindowedCogroupedKStreamImpl<K, V> implements TimeWindowedCogroupedKStream<K, V> {
    private final CogroupedKStreamImpl<K, V> cogrouped;
    private final WindowShape shape;

    TimeWindowedCogroupedKStreamImpl(final CogroupedKStreamImpl<K, V> cogrouped, final WindowShape shape) {
        this.cogrouped = cogrouped;
        this.shape = shape;
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer) {
        return aggregate(initializer, Materialized.with(null, null));
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer,
                                            final Materialized<K, V, WindowStore<Bytes, byte[]>> materialized) {
        return aggregate(initializer, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer, final Named named) {
        return aggregate(initializer, named, Materialized.with(null, null));
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer, final Named named,
                                            final Materialized<K, V, WindowStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(initializer, "initializer can't be null");
        Objects.requireNonNull(named, "named can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final InternalStreamsBuilder builder = cogrouped.builder();
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, builder, CogroupedKStreamImpl.AGGREGATE);
        final String userName = WindowedTables.nameOf(named);
        final long retention = shape.retention(spec);
        final Serde<Windowed<K>> keySerde = spec.keySerde == null ? null
            : new WindowedSerdes.TimeWindowedSerde<>(spec.keySerde, shape.windowSize());
        final CogroupedKStreamImpl.CogroupPassThrough<Windowed<K>, V> merge = cogrouped.build(userName, spec.storeName(),
            spec.windowStore(builder, retention, shape.windowSize(), EmitStrategy.onWindowUpdate(), shape.sliding()),
            shape.gracePeriodMs(), (storeName, aggregator) -> shape.aggregate(storeName, EmitStrategy.onWindowUpdate(),
                initializer, aggregator));
        return WindowedTables.table(builder, merge.name, keySerde, spec, merge);
    }
}
