package io.pspf.streams.kstream.internals;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Merger;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.Windows;

/**
 * What the windowed streams share: their stores' retention rules, the reduce-as-aggregate adapters, and the
 * windowed table they return.
 */
final class WindowedTables {
    private WindowedTables() {
    }

    /** A user's operator name, or null; a null {@link Named} fails as Kafka's copy of it does. */
    static String nameOf(final Named named) {
        return InternalStreamsBuilder.validated(new ConfigAccess.NamedReader(named).name());
    }

    /** Reduce as an aggregation whose initial aggregate is null: the first value is the aggregate. */
    static <K, V> Aggregator<K, V, V> aggregatorOf(final Reducer<V> reducer) {
        return (key, value, aggregate) -> aggregate == null ? value : reducer.apply(aggregate, value);
    }

    /** A session merger made of an aggregator: the second session's aggregate is folded into the first's. */
    static <K, V> Merger<K, V> mergerOf(final Aggregator<K, V, V> aggregator) {
        return (key, first, second) -> aggregator.apply(key, second, first);
    }

    static long timeWindowRetention(final MaterializedSpec<?, ?> spec, final Windows<?> windows) {
        final long retention = spec.retention() != null ? spec.retention().toMillis()
            : windows.size() + windows.gracePeriodMs();
        if (windows.size() + windows.gracePeriodMs() > retention) {
            throw new IllegalArgumentException("The retention period of the window store " + spec.storeName()
                + " must be no smaller than its window size plus the grace period. Got size=[" + windows.size()
                + "], grace=[" + windows.gracePeriodMs() + "], retention=[" + retention + "]");
        }
        return retention;
    }

    static long slidingWindowRetention(final MaterializedSpec<?, ?> spec, final SlidingWindows windows) {
        final long retention = spec.retention() != null ? spec.retention().toMillis()
            : windows.gracePeriodMs() + 2 * windows.timeDifferenceMs();
        if (windows.timeDifferenceMs() * 2 + windows.gracePeriodMs() > retention) {
            throw new IllegalArgumentException("The retention period of the window store " + spec.storeName()
                + " must be no smaller than 2 * time difference plus the grace period. Got time difference=["
                + windows.timeDifferenceMs() + "], grace=[" + windows.gracePeriodMs() + "], retention=[" + retention + "]");
        }
        return retention;
    }

    static long sessionRetention(final MaterializedSpec<?, ?> spec, final SessionWindows windows) {
        final long retention = spec.retention() != null ? spec.retention().toMillis()
            : windows.inactivityGap() + windows.gracePeriodMs();
        if (windows.inactivityGap() + windows.gracePeriodMs() > retention) {
            throw new IllegalArgumentException("The retention period of the session store " + spec.storeName()
                + " must be no smaller than the session inactivity gap plus the grace period. Got gap=["
                + windows.inactivityGap() + "], grace=[" + windows.gracePeriodMs() + "], retention=[" + retention + "]");
        }
        return retention;
    }

    /** The windowed table a windowed aggregation's node stands for (never versioned). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <K, V> KTable<Windowed<K>, V> table(final InternalStreamsBuilder builder, final String name,
                                               final Serde<Windowed<K>> keySerde, final MaterializedSpec<K, V> spec,
                                               final TableProcessorSupplier<?, ?, Windowed<K>, V> supplier) {
        return new KTableImpl<>(builder, name, keySerde, spec.valueSerde, spec.queryableStoreName(),
            (TableProcessorSupplier) supplier, false);
    }
}
