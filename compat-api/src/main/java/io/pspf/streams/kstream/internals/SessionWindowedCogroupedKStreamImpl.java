package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Merger;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.SessionWindowedCogroupedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.state.SessionStore;

/**
 * PSPF's {@link SessionWindowedCogroupedKStream}: the cogrouped streams aggregated per key and session into one
 * session store, sessions merged with the given merger, always emitting on every update.
 */
final class SessionWindowedCogroupedKStreamImpl<K, V> implements SessionWindowedCogroupedKStream<K, V> {
    private final CogroupedKStreamImpl<K, V> cogrouped;
    private final SessionWindows windows;

    SessionWindowedCogroupedKStreamImpl(final CogroupedKStreamImpl<K, V> cogrouped, final SessionWindows windows) {
        this.cogrouped = cogrouped;
        this.windows = windows;
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer, final Merger<? super K, V> sessionMerger) {
        return aggregate(initializer, sessionMerger, Materialized.with(null, null));
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer, final Merger<? super K, V> sessionMerger,
                                            final Named named) {
        return aggregate(initializer, sessionMerger, named, Materialized.with(null, null));
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer, final Merger<? super K, V> sessionMerger,
                                            final Materialized<K, V, SessionStore<Bytes, byte[]>> materialized) {
        return aggregate(initializer, sessionMerger, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<Windowed<K>, V> aggregate(final Initializer<V> initializer, final Merger<? super K, V> sessionMerger,
                                            final Named named,
                                            final Materialized<K, V, SessionStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(initializer, "initializer can't be null");
        Objects.requireNonNull(sessionMerger, "sessionMerger can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        Objects.requireNonNull(named, "named can't be null");
        final InternalStreamsBuilder builder = cogrouped.builder();
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, builder, CogroupedKStreamImpl.AGGREGATE);
        final String userName = WindowedTables.nameOf(named);
        final long retention = WindowedTables.sessionRetention(spec, windows);
        final Serde<Windowed<K>> keySerde = spec.keySerde == null ? null
            : new WindowedSerdes.SessionWindowedSerde<>(spec.keySerde);
        final CogroupedKStreamImpl.CogroupPassThrough<Windowed<K>, V> merge = cogrouped.build(userName, spec.storeName(),
            spec.sessionStore(builder, retention, EmitStrategy.onWindowUpdate()),
            windows.gracePeriodMs() + windows.inactivityGap(),
            (storeName, aggregator) -> new WindowAggregations.SessionWindowAggregate<>(windows, storeName,
                EmitStrategy.onWindowUpdate(), initializer, aggregator, sessionMerger));
        return WindowedTables.table(builder, merge.name, keySerde, spec, merge);
    }
}
