package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.UnlimitedWindows;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windows;

/**
 * What differs between the two kinds of windows a {@code TimeWindowedKStream} (plain or cogrouped) is made with:
 * {@link Windows} (time, unlimited or custom windows) and {@link SlidingWindows}. The windowed stream classes do
 * the naming, serdes and stores; this says which processor aggregates, the default retention and the window size.
 */
interface WindowShape {
    <K, V, VAgg> WindowAggregations.Supplier<K, V, VAgg> aggregate(String storeName, EmitStrategy emitStrategy,
                                                                  Initializer<VAgg> initializer,
                                                                  Aggregator<? super K, ? super V, VAgg> aggregator);

    /** The store's retention: the given one, else the default for these windows; Kafka refuses one too short. */
    long retention(MaterializedSpec<?, ?> spec);

    /** The window size a store and a windowed key serde are given. */
    long windowSize();

    long gracePeriodMs();

    boolean sliding();

    /** Whether {@code count(Named, Materialized)} takes an extra index for a discarded store name (Kafka's quirk). */
    boolean countTakesAnExtraIndex();

    /** Throws Kafka's exception for an emit strategy these windows cannot have. */
    default void checkEmitStrategy(final EmitStrategy emitStrategy) {
    }

    static <W extends Window> WindowShape of(final Windows<W> windows) {
        Objects.requireNonNull(windows, "windows can't be null");
        return new WindowShape() {
            @Override
            public <K, V, VAgg> WindowAggregations.Supplier<K, V, VAgg> aggregate(
                final String storeName, final EmitStrategy emitStrategy, final Initializer<VAgg> initializer,
                final Aggregator<? super K, ? super V, VAgg> aggregator) {
                return new WindowAggregations.TimeWindowAggregate<>(windows, storeName, emitStrategy, initializer, aggregator);
            }

            @Override
            public void checkEmitStrategy(final EmitStrategy emitStrategy) {
                if (windows instanceof UnlimitedWindows && emitStrategy.type() == EmitStrategy.StrategyType.ON_WINDOW_CLOSE) {
                    throw new IllegalArgumentException("ON_WINDOW_CLOSE emit strategy cannot be used for UnlimitedWindows");
                }
            }

            @Override
            public long retention(final MaterializedSpec<?, ?> spec) {
                return WindowedTables.timeWindowRetention(spec, windows);
            }

            @Override
            public long windowSize() {
                return windows.size();
            }

            @Override
            public long gracePeriodMs() {
                return windows.gracePeriodMs();
            }

            @Override
            public boolean sliding() {
                return false;
            }

            @Override
            public boolean countTakesAnExtraIndex() {
                return true;
            }
        };
    }

    static WindowShape sliding(final SlidingWindows windows) {
        Objects.requireNonNull(windows, "windows can't be null");
        return new WindowShape() {
            @Override
            public <K, V, VAgg> WindowAggregations.Supplier<K, V, VAgg> aggregate(
                final String storeName, final EmitStrategy emitStrategy, final Initializer<VAgg> initializer,
                final Aggregator<? super K, ? super V, VAgg> aggregator) {
                return new WindowAggregations.SlidingWindowAggregate<>(windows, storeName, emitStrategy, initializer, aggregator);
            }

            @Override
            public long retention(final MaterializedSpec<?, ?> spec) {
                return WindowedTables.slidingWindowRetention(spec, windows);
            }

            @Override
            public long windowSize() {
                return windows.timeDifferenceMs();
            }

            @Override
            public long gracePeriodMs() {
                return windows.gracePeriodMs();
            }

            @Override
            public boolean sliding() {
                return true;
            }

            @Override
            public boolean countTakesAnExtraIndex() {
                return false;
            }
        };
    }
}
