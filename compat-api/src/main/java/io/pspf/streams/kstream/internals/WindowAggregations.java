package io.pspf.streams.kstream.internals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.Merger;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.Windows;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The windowed aggregations: time windows (tumbling, hopping, unlimited or custom), sliding windows and session
 * windows. Each folds a record into the windows it falls in, drops what arrives after a window's grace period (one
 * dropped record per expired window), and either forwards every update (through the store's cache when it has one)
 * or, with {@link EmitStrategy#onWindowClose()}, forwards only the final value of each window once stream time has
 * passed its end plus grace.
 */
final class WindowAggregations {
    private static final Logger LOG = LoggerFactory.getLogger(WindowAggregations.class);
    /** The internal setting that limits how often emit-on-close aggregations look for closed windows (wall clock). */
    static final String EMIT_INTERVAL = "__emit.interval.ms.kstreams.windowed.aggregation__";
    private static final long DEFAULT_EMIT_INTERVAL = 1000L;

    private WindowAggregations() {
    }

    /**
     * A table node made by a windowed aggregation (Kafka's {@code GracePeriodGraphNode}): how long after a window's end
     * it still takes records, which {@code suppress(untilWindowCloses(...))} waits for. For sessions, the inactivity gap
     * plus the grace period.
     */
    interface GracePeriod {
        long gracePeriodMs();
    }

    /** What every windowed aggregation supplier shares: the store, the emit strategy, and old values on demand. */
    abstract static class Supplier<K, V, VAgg> implements TableProcessorSupplier<K, V, Windowed<K>, VAgg>, GracePeriod {
        final String storeName;
        final EmitStrategy emitStrategy;
        boolean sendOldValues;

        Supplier(final String storeName, final EmitStrategy emitStrategy) {
            this.storeName = storeName;
            this.emitStrategy = emitStrategy;
        }


        @Override
        public boolean enableSendingOldValues(final boolean forceMaterialization) {
            sendOldValues = true;
            return true;
        }

        final boolean emitsOnClose() {
            return emitStrategy.type() == EmitStrategy.StrategyType.ON_WINDOW_CLOSE;
        }
    }

    // ------------------------------------------------------------------------------------------------ emit on close

    /** Kafka's wall-clock limit on emission passes: at most one per interval (the test driver sets it to 0). */
    static final class EmitGate {
        private final long interval;
        private long nextTimeToEmit;

        EmitGate(final ProcessorContext<?, ?> context) {
            this.interval = interval(context.appConfigs());
        }

        private static long interval(final Map<String, Object> configs) {
            final Object value = configs.getOrDefault(EMIT_INTERVAL, DEFAULT_EMIT_INTERVAL);
            if (value instanceof Number) {
                return ((Number) value).longValue();
            }
            if (value instanceof String) {
                return Long.parseLong((String) value);
            }
            LOG.warn("Invalid value ({}) on internal configuration '{}'. Please specify a numeric value.", value, EMIT_INTERVAL);
            return DEFAULT_EMIT_INTERVAL;
        }

        boolean open(final long now) {
            if (now < nextTimeToEmit) {
                return false;
            }
            nextTimeToEmit = now + interval;
            return true;
        }
    }

    /** Forwards final results: straight to the children, whatever cache the store has. */
    static <K, V> void forwardFinal(final ProcessorContext<K, Change<V>> context, final boolean sendOldValues,
                                    final Record<K, Change<V>> record) {
        if (sendOldValues) {
            context.forward(record);
        } else {
            context.forward(record.withValue(new Change<>(record.value().newValue, null, record.value().isLatest)));
        }
    }

    // ------------------------------------------------------------------------------------------------ time windows

    /** Base of the time and sliding window processors (Kafka's {@code AbstractKStreamTimeWindowAggregateProcessor}). */
    abstract static class TimeWindowProcessor<K, V, VAgg> extends DslProcessor<K, V, Windowed<K>, Change<VAgg>> {
        final String storeName;
        final boolean emitOnClose;
        final boolean sendOldValues;
        TimestampedWindowStore<K, VAgg> windowStore;
        private TableForwarder<Windowed<K>, VAgg> forwarder;
        private EmitGate gate;
        long lastEmitWindowCloseTime = -1L;
        long observedStreamTime = -1L;

        TimeWindowProcessor(final String storeName, final EmitStrategy emitStrategy, final boolean sendOldValues) {
            this.storeName = storeName;
            this.emitOnClose = emitStrategy.type() == EmitStrategy.StrategyType.ON_WINDOW_CLOSE;
            this.sendOldValues = sendOldValues;
        }

        @Override
        public void init(final ProcessorContext<Windowed<K>, Change<VAgg>> context) {
            super.init(context);
            windowStore = windowStore(context, storeName);
            if (emitOnClose) {
                gate = new EmitGate(context);
            } else {
                forwarder = new TableForwarder<>(windowStore, context, support, nodeHandle(), sendOldValues);
            }
        }

        final void updateObservedStreamTime(final long timestamp) {
            observedStreamTime = Math.max(observedStreamTime, timestamp);
        }

        final void maybeForwardUpdate(final Record<K, V> record, final Window window, final VAgg oldAgg,
                                      final VAgg newAgg, final long timestamp) {
            if (emitOnClose) {
                return;
            }
            forwarder.maybeForward(new Record<>(new Windowed<>(record.key(), window),
                new Change<>(newAgg, sendOldValues ? oldAgg : null), timestamp, record.headers()));
        }

        final void logExpired(final long timestamp, final long closeTime, final String window) {
            if (context.recordMetadata().isPresent()) {
                LOG.warn("Skipping record for expired window. {} timestamp=[{}] window={} expiration=[{}] streamTime=[{}]",
                    where(), timestamp, window, closeTime, observedStreamTime);
            } else {
                LOG.warn("Skipping record for expired window. Topic, partition, and offset not known. timestamp=[{}] "
                    + "window={} expiration=[{}] streamTime=[{}]", timestamp, window, closeTime, observedStreamTime);
            }
            dropped();
        }

        /** After a record: with emit-on-close, forwards the windows that closed since the last pass. */
        final void maybeForwardFinalResult(final Record<K, V> record, final long closeTime) {
            if (!emitOnClose || !gate.open(context.currentSystemTimeMs())) {
                return;
            }
            if (lastEmitWindowCloseTime != -1L && lastEmitWindowCloseTime >= closeTime) {
                return;
            }
            final long upper = emitRangeUpperBound(closeTime);
            if (upper < 0) {
                return;
            }
            final long lower = emitRangeLowerBound();
            if (!shouldRangeFetch(lower, upper)) {
                return;
            }
            try (KeyValueIterator<Windowed<K>, ValueAndTimestamp<VAgg>> windows = windowStore.fetchAll(lower, upper)) {
                while (windows.hasNext()) {
                    final KeyValue<Windowed<K>, ValueAndTimestamp<VAgg>> window = windows.next();
                    forwardFinal(context, sendOldValues, new Record<>(window.key, new Change<>(window.value.value(), null),
                        window.value.timestamp(), record.headers()));
                }
            }
            lastEmitWindowCloseTime = closeTime;
        }

        abstract long emitRangeLowerBound();

        abstract long emitRangeUpperBound(long closeTime);

        abstract boolean shouldRangeFetch(long lower, long upper);
    }

    @SuppressWarnings("unchecked")
    static <K, V> TimestampedWindowStore<K, V> windowStore(final ProcessorContext<?, ?> context, final String storeName) {
        final StateStore store = context.getStateStore(storeName);
        if (!(store instanceof TimestampedWindowStore)) {
            throw new InvalidStateStoreException("Windowed-KTable state store must implement either "
                + "TimestampedWindowStore, or TimestampedWindowStoreWithHeaders. Got: "
                + (store == null ? "null" : store.getClass().getName()));
        }
        return (TimestampedWindowStore<K, V>) store;
    }

    /** A getter of a windowed table's values, read from the window store by window start. */
    static <K, VAgg> TableGetter.Supplier<Windowed<K>, VAgg> windowGetter(final String storeName) {
        return new TableGetter.Supplier<>() {
            @Override
            public TableGetter<Windowed<K>, VAgg> get() {
                return new TableGetter<>() {
                    private TimestampedWindowStore<K, VAgg> store;

                    @Override
                    public void init(final ProcessorContext<?, ?> context) {
                        store = windowStore(context, storeName);
                    }

                    @Override
                    public ValueAndTimestamp<VAgg> get(final Windowed<K> key) {
                        return store.fetch(key.key(), key.window().start());
                    }
                };
            }

            @Override
            public String[] storeNames() {
                return new String[] {storeName};
            }
        };
    }

    /** {@code windowedBy(Windows)}: every window {@link Windows#windowsFor} gives for the record's timestamp. */
    static final class TimeWindowAggregate<K, V, VAgg, W extends Window> extends Supplier<K, V, VAgg> {
        private final Windows<W> windows;
        private final Initializer<VAgg> initializer;
        private final Aggregator<? super K, ? super V, VAgg> aggregator;

        TimeWindowAggregate(final Windows<W> windows, final String storeName, final EmitStrategy emitStrategy,
                            final Initializer<VAgg> initializer, final Aggregator<? super K, ? super V, VAgg> aggregator) {
            super(storeName, emitStrategy);
            this.windows = windows;
            this.initializer = initializer;
            this.aggregator = aggregator;
            if (emitsOnClose() && !(windows instanceof TimeWindows)) {
                throw new IllegalArgumentException("ON_WINDOW_CLOSE strategy is only supported for TimeWindows and "
                    + "SlidingWindows for TimeWindowedKStream");
            }
        }

        @Override
        public long gracePeriodMs() {
            return windows.gracePeriodMs();
        }

        @Override
        public TableGetter.Supplier<Windowed<K>, VAgg> view() {
            return windowGetter(storeName);
        }

        @Override
        public Processor<K, V, Windowed<K>, Change<VAgg>> get() {
            return new TimeWindowProcessor<>(storeName, emitStrategy, sendOldValues) {
                @Override
                public void process(final Record<K, V> record) {
                    if (record.key() == null) {
                        LOG.warn("Skipping record due to null key. {}", where());
                        dropped();
                        return;
                    }
                    final long timestamp = record.timestamp();
                    updateObservedStreamTime(timestamp);
                    final long closeTime = observedStreamTime - windows.gracePeriodMs();
                    for (final Map.Entry<Long, W> entry : windows.windowsFor(timestamp).entrySet()) {
                        final long windowStart = entry.getKey();
                        final long windowEnd = entry.getValue().end();
                        if (windowEnd > closeTime) {
                            final ValueAndTimestamp<VAgg> old = windowStore.fetch(record.key(), windowStart);
                            VAgg oldAgg = old == null ? null : old.value();
                            final long newTimestamp;
                            if (oldAgg == null) {
                                oldAgg = initializer.apply();
                                newTimestamp = timestamp;
                            } else {
                                newTimestamp = Math.max(timestamp, old.timestamp());
                            }
                            final VAgg newAgg = aggregator.apply(record.key(), record.value(), oldAgg);
                            windowStore.put(record.key(), ValueAndTimestamp.make(newAgg, newTimestamp), windowStart);
                            maybeForwardUpdate(record, entry.getValue(), oldAgg, newAgg, newTimestamp);
                        } else {
                            logExpired(timestamp, closeTime, "[" + windowStart + "," + windowEnd + ")");
                        }
                    }
                    maybeForwardFinalResult(record, closeTime);
                }

                @Override
                long emitRangeLowerBound() {
                    return lastEmitWindowCloseTime == -1L ? 0L
                        : Math.max(0L, lastEmitWindowCloseTime - windows.size()) + 1;
                }

                @Override
                long emitRangeUpperBound(final long closeTime) {
                    return closeTime - windows.size();
                }

                @Override
                boolean shouldRangeFetch(final long lower, final long upper) {
                    // nothing new closed when the same windows hold the upper bound and the last bound emitted
                    return lastEmitWindowCloseTime == -1L
                        || !windows.windowsFor(upper).equals(windows.windowsFor(lower - 1));
                }
            };
        }
    }

    // ------------------------------------------------------------------------------------------------ sliding windows

    /**
     * {@code windowedBy(SlidingWindows)}: windows {@code [t - d, t]} that end at a record, and {@code [t + 1, t + 1 + d]}
     * that start just after one, each holding the records it covers; a record updates every window that covers it and
     * creates its own left and right windows when they are missing.
     */
    static final class SlidingWindowAggregate<K, V, VAgg> extends Supplier<K, V, VAgg> {
        private final SlidingWindows windows;
        private final Initializer<VAgg> initializer;
        private final Aggregator<? super K, ? super V, VAgg> aggregator;

        SlidingWindowAggregate(final SlidingWindows windows, final String storeName, final EmitStrategy emitStrategy,
                               final Initializer<VAgg> initializer, final Aggregator<? super K, ? super V, VAgg> aggregator) {
            super(storeName, emitStrategy);
            this.windows = windows;
            this.initializer = initializer;
            this.aggregator = aggregator;
        }

        @Override
        public long gracePeriodMs() {
            return windows.gracePeriodMs();
        }

        @Override
        public TableGetter.Supplier<Windowed<K>, VAgg> view() {
            return windowGetter(storeName);
        }

        @Override
        public Processor<K, V, Windowed<K>, Change<VAgg>> get() {
            return new SlidingProcessor();
        }

        /** What one pass over the stored windows near a record found. */
        private final class Found {
            final Set<Long> windowStarts = new HashSet<>();
            ValueAndTimestamp<VAgg> leftWindowAgg;
            ValueAndTimestamp<VAgg> rightWindowAgg;
            boolean leftWindowExists;
            boolean rightWindowExists;
            Long previousRecordTimestamp;
        }

        private final class SlidingProcessor extends TimeWindowProcessor<K, V, VAgg> {
            private final long difference = windows.timeDifferenceMs();
            private Boolean backwardReads;

            SlidingProcessor() {
                super(SlidingWindowAggregate.this.storeName, SlidingWindowAggregate.this.emitStrategy,
                    SlidingWindowAggregate.this.sendOldValues);
            }

            @Override
            public void process(final Record<K, V> record) {
                if (record.key() == null || record.value() == null) {
                    LOG.warn("Skipping record due to null key or value. {}", where());
                    dropped();
                    return;
                }
                final long timestamp = record.timestamp();
                updateObservedStreamTime(timestamp);
                final long closeTime = observedStreamTime - windows.gracePeriodMs();
                if (timestamp + difference < closeTime) {
                    logExpired(timestamp, closeTime, "[" + timestamp + "," + (timestamp + difference) + "]");
                    return;
                }
                if (timestamp < difference) {
                    processEarly(record, closeTime);
                    return;
                }
                if (backwardReads == null) {
                    try (WindowStoreIterator<ValueAndTimestamp<VAgg>> probe = windowStore.backwardFetch(record.key(), 0L, 0L)) {
                        backwardReads = true;
                    } catch (final UnsupportedOperationException e) {
                        backwardReads = false;
                    }
                }
                if (backwardReads) {
                    processBackward(record, closeTime);
                } else {
                    processForward(record, closeTime);
                }
                maybeForwardFinalResult(record, closeTime);
            }

            private long from(final long timestamp) {
                return Math.max(0L, timestamp - 2 * difference);
            }

            /** Reads the windows from the latest start down, stopping at the first one that ends before the record. */
            private void processBackward(final Record<K, V> record, final long closeTime) {
                final long timestamp = record.timestamp();
                final Found found = new Found();
                try (KeyValueIterator<Windowed<K>, ValueAndTimestamp<VAgg>> stored =
                         windowStore.backwardFetch(record.key(), record.key(), from(timestamp), timestamp + 1)) {
                    while (stored.hasNext()) {
                        final KeyValue<Windowed<K>, ValueAndTimestamp<VAgg>> window = stored.next();
                        final long start = window.key.window().start();
                        found.windowStarts.add(start);
                        final long end = start + difference;
                        final long maxTimestamp = window.value.timestamp();
                        if (start == timestamp + 1) {
                            found.rightWindowExists = true;
                        } else if (end > timestamp) {
                            if (found.rightWindowAgg == null) {
                                found.rightWindowAgg = window.value;
                            }
                            updateWindowAndForward(window.key.window(), window.value, record, closeTime);
                        } else if (end == timestamp) {
                            found.leftWindowExists = true;
                            updateWindowAndForward(window.key.window(), window.value, record, closeTime);
                            if (maxTimestamp < timestamp) {
                                found.previousRecordTimestamp = maxTimestamp;
                            } else {
                                // a record at the same timestamp already made the right windows this one needs
                                return;
                            }
                        } else {
                            found.leftWindowAgg = window.value;
                            found.previousRecordTimestamp = maxTimestamp;
                            break;
                        }
                    }
                }
                createWindows(record, closeTime, found);
            }

            /** Reads the windows in start order (for stores that cannot read backwards). */
            private void processForward(final Record<K, V> record, final long closeTime) {
                final long timestamp = record.timestamp();
                final Found found = new Found();
                try (KeyValueIterator<Windowed<K>, ValueAndTimestamp<VAgg>> stored =
                         windowStore.fetch(record.key(), record.key(), from(timestamp), timestamp + 1)) {
                    while (stored.hasNext()) {
                        final KeyValue<Windowed<K>, ValueAndTimestamp<VAgg>> window = stored.next();
                        final long start = window.key.window().start();
                        found.windowStarts.add(start);
                        final long end = start + difference;
                        final long maxTimestamp = window.value.timestamp();
                        if (end < timestamp) {
                            found.leftWindowAgg = window.value;
                            found.previousRecordTimestamp = maxTimestamp;
                        } else if (end == timestamp) {
                            found.leftWindowExists = true;
                            if (maxTimestamp < timestamp) {
                                found.previousRecordTimestamp = maxTimestamp;
                            }
                            updateWindowAndForward(window.key.window(), window.value, record, closeTime);
                        } else if (start <= timestamp) {
                            found.rightWindowAgg = window.value;
                            updateWindowAndForward(window.key.window(), window.value, record, closeTime);
                        } else if (start == timestamp + 1) {
                            found.rightWindowExists = true;
                        } else {
                            throw unexpectedWindow(start, timestamp);
                        }
                    }
                }
                createWindows(record, closeTime, found);
            }

            /**
             * A record earlier than the time difference: its left window would start before 0, so all such records go
             * into the window {@code [0, d]}, and right windows are made as later records need them.
             */
            private void processEarly(final Record<K, V> record, final long closeTime) {
                final long timestamp = record.timestamp();
                if (timestamp < 0 || timestamp >= difference) {
                    LOG.error("Early record for sliding windows must fall between fall between 0 <= inputRecordTimestamp. "
                        + "Timestamp {} does not fall between 0 <= {}", timestamp, difference);
                    throw new IllegalArgumentException(
                        "Early record for sliding windows must fall between fall between 0 <= inputRecordTimestamp");
                }
                KeyValue<Windowed<K>, ValueAndTimestamp<VAgg>> combined = null;
                ValueAndTimestamp<VAgg> rightWindowAgg = null;
                boolean rightWindowExists = false;
                final Set<Long> windowStarts = new HashSet<>();
                Long previousRecordTimestamp = null;
                try (KeyValueIterator<Windowed<K>, ValueAndTimestamp<VAgg>> stored =
                         windowStore.fetch(record.key(), record.key(), 0L, timestamp + 1)) {
                    while (stored.hasNext()) {
                        final KeyValue<Windowed<K>, ValueAndTimestamp<VAgg>> window = stored.next();
                        final long start = window.key.window().start();
                        windowStarts.add(start);
                        final long maxTimestamp = window.value.timestamp();
                        if (start == 0L) {
                            combined = window;
                            if (maxTimestamp < timestamp) {
                                previousRecordTimestamp = maxTimestamp;
                            }
                        } else if (start <= timestamp) {
                            rightWindowAgg = window.value;
                            updateWindowAndForward(window.key.window(), window.value, record, closeTime);
                        } else if (start == timestamp + 1) {
                            rightWindowExists = true;
                        } else {
                            throw unexpectedWindow(start, timestamp);
                        }
                    }
                }
                if (rightWindowAgg == null && combined != null && combined.value.timestamp() > timestamp) {
                    rightWindowAgg = combined.value;
                }
                if (!rightWindowExists && rightWindowIsNotEmpty(rightWindowAgg, timestamp)) {
                    createCurrentRecordRightWindow(timestamp, rightWindowAgg, record);
                }
                if (previousRecordTimestamp != null && !windowStarts.contains(previousRecordTimestamp + 1)) {
                    createPreviousRecordRightWindow(previousRecordTimestamp + 1, record, closeTime);
                }
                if (combined == null) {
                    updateWindowAndForward(new TimeWindow(0L, difference),
                        ValueAndTimestamp.make(initializer.apply(), timestamp), record, closeTime);
                } else {
                    updateWindowAndForward(combined.key.window(), combined.value, record, closeTime);
                }
            }

            private IllegalStateException unexpectedWindow(final long start, final long timestamp) {
                LOG.error("Unexpected window with start {} found when processing record at {} in "
                    + "`KStreamSlidingWindowAggregate`.", start, timestamp);
                return new IllegalStateException("Unexpected window found when processing sliding windows");
            }

            private void createWindows(final Record<K, V> record, final long closeTime, final Found found) {
                final long timestamp = record.timestamp();
                if (found.previousRecordTimestamp != null) {
                    final long previousRightStart = found.previousRecordTimestamp + 1;
                    if (!found.windowStarts.contains(previousRightStart) && previousRightStart + difference >= timestamp) {
                        createPreviousRecordRightWindow(previousRightStart, record, closeTime);
                    }
                }
                if (!found.leftWindowExists) {
                    final ValueAndTimestamp<VAgg> start;
                    if (found.previousRecordTimestamp != null && timestamp - difference <= found.previousRecordTimestamp) {
                        start = ValueAndTimestamp.make(found.leftWindowAgg.value(), timestamp);
                    } else {
                        start = ValueAndTimestamp.make(initializer.apply(), timestamp);
                    }
                    updateWindowAndForward(new TimeWindow(timestamp - difference, timestamp), start, record, closeTime);
                }
                if (!found.rightWindowExists && rightWindowIsNotEmpty(found.rightWindowAgg, timestamp)) {
                    createCurrentRecordRightWindow(timestamp, found.rightWindowAgg, record);
                }
            }

            private boolean rightWindowIsNotEmpty(final ValueAndTimestamp<VAgg> rightWindowAgg, final long timestamp) {
                return rightWindowAgg != null && rightWindowAgg.timestamp() > timestamp;
            }

            /** The record's right window holds what the window it starts inside held after the record. */
            private void createCurrentRecordRightWindow(final long timestamp, final ValueAndTimestamp<VAgg> rightWindowAgg,
                                                        final Record<K, V> record) {
                final TimeWindow window = new TimeWindow(timestamp + 1, timestamp + 1 + difference);
                windowStore.put(record.key(), rightWindowAgg, window.start());
                maybeForwardUpdate(record, window, null, rightWindowAgg.value(), rightWindowAgg.timestamp());
            }

            /** The previous record's right window, which now holds this record only. */
            private void createPreviousRecordRightWindow(final long start, final Record<K, V> record, final long closeTime) {
                updateWindowAndForward(new TimeWindow(start, start + difference),
                    ValueAndTimestamp.make(initializer.apply(), record.timestamp()), record, closeTime);
            }

            private void updateWindowAndForward(final Window window, final ValueAndTimestamp<VAgg> current,
                                                final Record<K, V> record, final long closeTime) {
                final long start = window.start();
                final long end = window.end();
                if (end >= closeTime) {
                    final VAgg oldAgg = current == null ? null : current.value();
                    final VAgg newAgg = aggregator.apply(record.key(), record.value(), oldAgg);
                    final long newTimestamp = oldAgg == null ? record.timestamp()
                        : Math.max(record.timestamp(), current.timestamp());
                    windowStore.put(record.key(), ValueAndTimestamp.make(newAgg, newTimestamp), start);
                    maybeForwardUpdate(record, window, oldAgg, newAgg, newTimestamp);
                } else {
                    logExpired(record.timestamp(), closeTime, "[" + start + "," + end + "]");
                }
            }

            @Override
            long emitRangeLowerBound() {
                return lastEmitWindowCloseTime == -1L ? 0L : Math.max(0L, lastEmitWindowCloseTime - difference);
            }

            @Override
            long emitRangeUpperBound(final long closeTime) {
                return closeTime - difference - 1;
            }

            @Override
            boolean shouldRangeFetch(final long lower, final long upper) {
                return true;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ session windows

    /**
     * {@code windowedBy(SessionWindows)}: a record joins every session of its key that lies within the inactivity gap
     * of it; those sessions are merged into one (each one merged away is forwarded as a delete first).
     */
    static final class SessionWindowAggregate<K, V, VAgg> extends Supplier<K, V, VAgg> {
        private final SessionWindows windows;
        private final Initializer<VAgg> initializer;
        private final Aggregator<? super K, ? super V, VAgg> aggregator;
        private final Merger<? super K, VAgg> merger;

        SessionWindowAggregate(final SessionWindows windows, final String storeName, final EmitStrategy emitStrategy,
                               final Initializer<VAgg> initializer, final Aggregator<? super K, ? super V, VAgg> aggregator,
                               final Merger<? super K, VAgg> merger) {
            super(storeName, emitStrategy);
            this.windows = windows;
            this.initializer = initializer;
            this.aggregator = aggregator;
            this.merger = merger;
        }

        @Override
        public long gracePeriodMs() {
            return windows.gracePeriodMs() + windows.inactivityGap();
        }

        @Override
        public TableGetter.Supplier<Windowed<K>, VAgg> view() {
            return sessionGetter(storeName);
        }

        @Override
        public Processor<K, V, Windowed<K>, Change<VAgg>> get() {
            return new SessionProcessor();
        }

        private final class SessionProcessor extends DslProcessor<K, V, Windowed<K>, Change<VAgg>> {
            private final boolean emitOnClose = emitsOnClose();
            private final boolean sendOld = sendOldValues;
            private SessionStore<K, VAgg> store;
            private SessionForwarder<K, VAgg> forwarder;
            private EmitGate gate;
            private long lastEmitWindowCloseTime = -1L;
            private long observedStreamTime = -1L;

            @Override
            public void init(final ProcessorContext<Windowed<K>, Change<VAgg>> context) {
                super.init(context);
                store = sessionStore(context, storeName);
                if (emitOnClose) {
                    gate = new EmitGate(context);
                } else {
                    forwarder = new SessionForwarder<>(store, context, support, nodeHandle(), sendOld);
                }
            }

            @Override
            public void process(final Record<K, V> record) {
                if (record.key() == null) {
                    LOG.warn("Skipping record due to null key. {}", where());
                    dropped();
                    return;
                }
                final long timestamp = record.timestamp();
                observedStreamTime = Math.max(observedStreamTime, timestamp);
                final long closeTime = observedStreamTime - windows.gracePeriodMs() - windows.inactivityGap();
                final List<KeyValue<Windowed<K>, VAgg>> merged = new ArrayList<>();
                final SessionWindow newSessionWindow = new SessionWindow(timestamp, timestamp);
                SessionWindow mergedWindow = newSessionWindow;
                VAgg agg = initializer.apply();
                try (KeyValueIterator<Windowed<K>, VAgg> sessions = store.findSessions(record.key(),
                    timestamp - windows.inactivityGap(), timestamp + windows.inactivityGap())) {
                    while (sessions.hasNext()) {
                        final KeyValue<Windowed<K>, VAgg> session = sessions.next();
                        merged.add(session);
                        agg = merger.apply(record.key(), agg, session.value);
                        final SessionWindow window = (SessionWindow) session.key.window();
                        mergedWindow = new SessionWindow(Math.min(mergedWindow.start(), window.start()),
                            Math.max(mergedWindow.end(), window.end()));
                    }
                }
                if (mergedWindow.end() < closeTime) {
                    logExpired(timestamp, closeTime, mergedWindow);
                } else {
                    if (!mergedWindow.equals(newSessionWindow)) {
                        for (final KeyValue<Windowed<K>, VAgg> session : merged) {
                            store.remove(session.key);
                            maybeForwardUpdate(session.key, session.value, null);
                        }
                    }
                    agg = aggregator.apply(record.key(), record.value(), agg);
                    final Windowed<K> sessionKey = new Windowed<>(record.key(), mergedWindow);
                    store.put(sessionKey, agg);
                    maybeForwardUpdate(sessionKey, null, agg);
                }
                maybeForwardFinalResult(record, closeTime);
            }

            /** An update has the session's end as its timestamp and no headers. */
            private void maybeForwardUpdate(final Windowed<K> key, final VAgg oldAgg, final VAgg newAgg) {
                if (emitOnClose) {
                    return;
                }
                forwarder.maybeForward(new Record<>(key, new Change<>(newAgg, sendOld ? oldAgg : null),
                    key.window().end()));
            }

            private void maybeForwardFinalResult(final Record<K, V> record, final long closeTime) {
                if (!emitOnClose || !gate.open(context.currentSystemTimeMs())) {
                    return;
                }
                if (lastEmitWindowCloseTime != -1L && lastEmitWindowCloseTime >= closeTime) {
                    return;
                }
                final long upper = closeTime - 1;
                if (upper < 0) {
                    return;
                }
                final long lower = Math.max(0L, lastEmitWindowCloseTime);
                if (upper < lower) {
                    return;
                }
                try (KeyValueIterator<Windowed<K>, VAgg> sessions = store.findSessions(lower, upper)) {
                    while (sessions.hasNext()) {
                        final KeyValue<Windowed<K>, VAgg> session = sessions.next();
                        forwardFinal(context, sendOld, new Record<>(session.key, new Change<>(session.value, null),
                            session.key.window().end(), record.headers()));
                    }
                }
                lastEmitWindowCloseTime = closeTime;
            }

            private void logExpired(final long timestamp, final long closeTime, final SessionWindow window) {
                final String range = "[" + window.start() + "," + window.end() + "]";
                if (context.recordMetadata().isPresent()) {
                    LOG.warn("Skipping record for expired window. {} timestamp=[{}] window={} expiration=[{}] streamTime=[{}]",
                        where(), timestamp, range, closeTime, observedStreamTime);
                } else {
                    LOG.warn("Skipping record for expired window. Topic, partition, and offset not known. timestamp=[{}] "
                        + "window={} expiration=[{}] streamTime=[{}]", timestamp, range, closeTime, observedStreamTime);
                }
                dropped();
            }
        }
    }

    @SuppressWarnings("unchecked")
    static <K, V> SessionStore<K, V> sessionStore(final ProcessorContext<?, ?> context, final String storeName) {
        final StateStore store = context.getStateStore(storeName);
        if (!(store instanceof SessionStore)) {
            throw new InvalidStateStoreException("Session-KTable state store must implement either SessionStore, or "
                + "SessionStoreWithHeaders. Got: " + (store == null ? "null" : store.getClass().getName()));
        }
        return (SessionStore<K, V>) store;
    }

    /** A getter of a session table's values: the session's aggregate, with the session's end as timestamp. */
    static <K, VAgg> TableGetter.Supplier<Windowed<K>, VAgg> sessionGetter(final String storeName) {
        return new TableGetter.Supplier<>() {
            @Override
            public TableGetter<Windowed<K>, VAgg> get() {
                return new TableGetter<>() {
                    private SessionStore<K, VAgg> store;

                    @Override
                    public void init(final ProcessorContext<?, ?> context) {
                        store = sessionStore(context, storeName);
                    }

                    @Override
                    public ValueAndTimestamp<VAgg> get(final Windowed<K> key) {
                        return ValueAndTimestamp.make(store.fetchSession(key.key(), key.window().start(),
                            key.window().end()), key.window().end());
                    }
                };
            }

            @Override
            public String[] storeNames() {
                return new String[] {storeName};
            }
        };
    }
}
