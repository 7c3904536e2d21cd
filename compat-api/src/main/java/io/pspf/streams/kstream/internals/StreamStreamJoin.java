package io.pspf.streams.kstream.internals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.streams.DslStoreFormat;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.ValueJoinerWithKey;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.state.KafkaStoreSuppliers;
import io.pspf.runtime.state.PspfWindowBytesStoreSupplier;
import io.pspf.streams.state.Stores;

/**
 * KStream-KStream windowed joins ({@code join}, {@code leftJoin}, {@code outerJoin}) as Kafka Streams 4.4 builds
 * and runs them.
 *
 * <p>Each side gets a "windowed" node that forwards its records and then keeps them in its own window store
 * (retaining duplicates, retention = window size + grace). Each side's join node looks the record up in the other
 * side's store and forwards one result per match, with the larger of the two timestamps; both feed one merge node.
 * The stream time is shared by the two join nodes. In a left or outer join a record that matched nothing waits in
 * a shared store (keyed by timestamp, side and key) until the stream time passes its window end plus the grace
 * period, and is then forwarded with a null partner — unless a later record of the other side joined it first.
 * That check runs at most once per wall-clock interval ({@value #EMIT_INTERVAL}, 1000 ms by default).
 *
 * <p>A stream joined with itself becomes one self-join node under the {@code single.store.self.join}
 * optimization, as in Kafka.
 */
final class StreamStreamJoin {
    static final String WINDOWED = "KSTREAM-WINDOWED-";
    static final String JOINTHIS = "KSTREAM-JOINTHIS-";
    static final String JOINOTHER = "KSTREAM-JOINOTHER-";
    static final String OUTERTHIS = "KSTREAM-OUTERTHIS-";
    static final String OUTEROTHER = "KSTREAM-OUTEROTHER-";
    static final String OUTERSHARED = "KSTREAM-OUTERSHARED-";
    static final String EMIT_INTERVAL = "__emit.interval.ms.kstreams.outer.join.spurious.results.fix__";
    private static final Logger LOG = LoggerFactory.getLogger(StreamStreamJoin.class);
    private static final String NULL_KEY_OR_VALUE = "Skipping record due to null key or value.";

    private StreamStreamJoin() {
    }

    /**
     * Adds the join of {@code left} and {@code right} (both already repartitioned when needed) and returns the joined
     * stream. Store-supplier mistakes throw here, as in Kafka.
     *
     * @param joinName the validated {@code StreamJoined} name, or null
     */
    static <K, V1, V2, VOut> KStreamImpl<K, VOut> join(final InternalStreamsBuilder builder,
                                                        final KStreamImpl<K, V1> left, final KStreamImpl<K, V2> right,
                                                        final ValueJoinerWithKey<? super K, ? super V1, ? super V2, ? extends VOut> joiner,
                                                        final JoinWindows windows,
                                                        final ConfigAccess.StreamJoinedReader<K, V1, V2> joined,
                                                        final String joinName, final boolean leftOuter,
                                                        final boolean rightOuter) {
        final String thisSuffix = rightOuter ? "-outer-this-join" : "-this-join";
        final String otherSuffix = leftOuter ? "-outer-other-join" : "-other-join";
        final String thisWindowedName = suffixed(builder, joinName, "-this-windowed", WINDOWED);
        final String otherWindowedName = suffixed(builder, joinName, "-other-windowed", WINDOWED);
        final String joinThisGenerated = builder.newProcessorName(rightOuter ? OUTERTHIS : JOINTHIS);
        final String joinOtherGenerated = builder.newProcessorName(leftOuter ? OUTEROTHER : JOINOTHER);
        final String joinThisName = joinName != null ? joinName + thisSuffix : joinThisGenerated;
        final String joinOtherName = joinName != null ? joinName + otherSuffix : joinOtherGenerated;
        final String mergeName = suffixed(builder, joinName, "-merge", KStreamImpl.MERGE);

        final String storeName = joined.storeName();
        final WindowBytesStoreSupplier thisSupplier = joined.thisStoreSupplier();
        final WindowBytesStoreSupplier otherSupplier = joined.otherStoreSupplier();
        if (thisSupplier != null && otherSupplier != null && thisSupplier.name().equals(otherSupplier.name())) {
            throw new StreamsException("Both StoreSuppliers have the same name.  StoreSuppliers must provide unique names");
        }
        final StoreBuilder<?> thisStore = thisSupplier == null
            ? windowStore(builder, joined, (storeName == null ? joinThisGenerated : storeName + thisSuffix) + "-store",
                windows, joined.valueSerde())
            : windowStore(checked(thisSupplier, windows), joined.keySerde(), joined.valueSerde());
        final StoreBuilder<?> otherStore = otherSupplier == null
            ? windowStore(builder, joined, (storeName == null ? joinOtherGenerated : storeName + otherSuffix) + "-store",
                windows, joined.otherValueSerde())
            : windowStore(checked(otherSupplier, windows), joined.keySerde(), joined.otherValueSerde());

        final boolean spuriousResultFix = new ConfigAccess.JoinWindowsReader(windows).spuriousResultFixEnabled();
        final JoinSideSerdes.KeySerde<K> sharedKeys = new JoinSideSerdes.KeySerde<>(joined.keySerde());
        final JoinSideSerdes.ListValueSerde<V1, V2> sharedValues =
            new JoinSideSerdes.ListValueSerde<>(joined.valueSerde(), joined.otherValueSerde());
        final StoreBuilder<?> sharedStore = leftOuter && spuriousResultFix
            ? sharedStore(builder, joined, joinThisGenerated, rightOuter, sharedKeys, sharedValues) : null;
        final String sharedStoreName = sharedStore == null ? null : sharedStore.name();

        final Sides sides = new Sides(windows, spuriousResultFix, sharedStoreName, sharedKeys, sharedValues);
        @SuppressWarnings("unchecked")
        final ValueJoinerWithKey<Object, Object, Object, Object> anyJoiner = (ValueJoinerWithKey<Object, Object, Object, Object>) joiner;
        final JoinSupplier thisJoin = new JoinSupplier(sides, true, otherStore.name(), leftOuter, anyJoiner);
        final JoinSupplier otherJoin = new JoinSupplier(sides, false, thisStore.name(), rightOuter, anyJoiner);
        final SelfJoinSupplier selfJoin = new SelfJoinSupplier(thisStore.name(), windows, anyJoiner);

        // Kafka decides on the self-join rewrite when the topology is built, from the build's optimization settings
        final boolean sameStream = left == (Object) right;
        final AtomicBoolean selfJoined = new AtomicBoolean();
        final String thisParent = left.name;
        final String otherParent = right.name;
        builder.write(g -> {
            selfJoined.set(sameStream && builder.optimizationEnabled(StreamsConfig.SINGLE_STORE_SELF_JOIN));
            g.addProcessor(thisWindowedName, new WindowedSupplier(thisStore.name()),
                builder.parent(thisWindowedName, thisParent));
            g.addStateStore(thisStore, thisWindowedName);
        });
        builder.write(g -> {
            if (!selfJoined.get()) {
                g.addProcessor(otherWindowedName, new WindowedSupplier(otherStore.name()),
                    builder.parent(otherWindowedName, otherParent));
                g.addStateStore(otherStore, otherWindowedName);
            }
        });
        builder.write(g -> {
            if (selfJoined.get()) {
                g.addProcessor(mergeName, selfJoin, thisWindowedName);
                g.connectProcessorAndStateStores(mergeName, thisStore.name());
                return;
            }
            g.addProcessor(joinThisName, thisJoin, thisWindowedName);
            g.connectProcessorAndStateStores(joinThisName, otherStore.name());
            if (sharedStore != null) {
                g.addStateStore(sharedStore, joinThisName);
            }
            g.addProcessor(joinOtherName, otherJoin, otherWindowedName);
            g.connectProcessorAndStateStores(joinOtherName, thisStore.name());
            if (sharedStore != null) {
                g.connectProcessorAndStateStores(joinOtherName, sharedStoreName);
            }
            g.addProcessor(mergeName, StatelessProcessors.passThrough(), joinThisName, joinOtherName);
        });
        return new KStreamImpl<>(builder, mergeName, joined.keySerde(), null, false);
    }

    /** Kafka's {@code NamedInternal.suffixWithOrElseGet}: the index is taken even when the user named the join. */
    private static String suffixed(final InternalStreamsBuilder builder, final String name, final String suffix,
                                   final String prefix) {
        final String generated = builder.newProcessorName(prefix);
        return name == null ? generated : InternalStreamsBuilder.validated(name + suffix);
    }

    private static WindowBytesStoreSupplier checked(final WindowBytesStoreSupplier supplier, final JoinWindows windows) {
        if (!supplier.retainDuplicates()) {
            throw new StreamsException("The StoreSupplier must set retainDuplicates=true, found retainDuplicates=false");
        }
        if (supplier.retentionPeriod() != windows.size() + windows.gracePeriodMs() || supplier.windowSize() != windows.size()) {
            throw new StreamsException(String.format("Window settings mismatch. WindowBytesStoreSupplier settings %s must "
                + "match JoinWindows settings %s for the window size and retention period", supplier, windows));
        }
        return supplier;
    }

    private static DslStoreSuppliers suppliers(final InternalStreamsBuilder builder,
                                               final ConfigAccess.StreamJoinedReader<?, ?, ?> joined) {
        return joined.dslStoreSuppliers() != null ? joined.dslStoreSuppliers() : builder.dslStoreSuppliers();
    }

    /** A side's window store when no supplier is given: the DSL's window store, plain format, logged as asked. */
    private static <K, V> StoreBuilder<?> windowStore(final InternalStreamsBuilder builder,
                                                      final ConfigAccess.StreamJoinedReader<K, ?, ?> joined,
                                                      final String name, final JoinWindows windows,
                                                      final org.apache.kafka.common.serialization.Serde<V> valueSerde) {
        final WindowBytesStoreSupplier supplier = suppliers(builder, joined).windowStore(new DslWindowParams(name,
            Duration.ofMillis(windows.size() + windows.gracePeriodMs()), Duration.ofMillis(windows.size()), true,
            EmitStrategy.onWindowUpdate(), false, DslStoreFormat.PLAIN));
        final StoreBuilder<?> store = Stores.timestampedWindowStoreWithHeadersBuilder(supplier, joined.keySerde(), valueSerde);
        if (joined.loggingEnabled()) {
            store.withLoggingEnabled(joined.topicConfig());
        } else {
            store.withLoggingDisabled();
        }
        return store;
    }

    /** A side's window store from the user's supplier: logged whatever {@code StreamJoined} says, as in Kafka. */
    private static <K, V> StoreBuilder<?> windowStore(final WindowBytesStoreSupplier supplier,
                                                      final org.apache.kafka.common.serialization.Serde<K> keySerde,
                                                      final org.apache.kafka.common.serialization.Serde<V> valueSerde) {
        return Stores.timestampedWindowStoreWithHeadersBuilder(supplier, keySerde, valueSerde);
    }

    /**
     * The shared store of a left or outer join, named after the this-side supplier, else the store name, else the
     * this-join node's index. In memory when the this-side supplier is, persistent when it is a persistent one.
     */
    private static <K, V1, V2> StoreBuilder<?> sharedStore(final InternalStreamsBuilder builder,
                                                           final ConfigAccess.StreamJoinedReader<K, V1, V2> joined,
                                                           final String joinThisGenerated, final boolean rightOuter,
                                                           final JoinSideSerdes.KeySerde<K> keys,
                                                           final JoinSideSerdes.ListValueSerde<V1, V2> values) {
        final String suffix = rightOuter ? "-outer-shared-join" : "-left-shared-join";
        final WindowBytesStoreSupplier thisSupplier = joined.thisStoreSupplier();
        final String base;
        if (thisSupplier != null && !thisSupplier.name().isEmpty()) {
            base = thisSupplier.name() + suffix;
        } else if (joined.storeName() != null) {
            base = joined.storeName() + suffix;
        } else {
            base = OUTERSHARED + joinThisGenerated.substring((rightOuter ? OUTERTHIS : JOINTHIS).length());
        }
        final String name = base + "-store";
        final DslKeyValueParams params = new DslKeyValueParams(name, DslStoreFormat.PLAIN);
        final KeyValueBytesStoreSupplier supplier;
        if (joined.dslStoreSuppliers() != null) {
            supplier = joined.dslStoreSuppliers().keyValueStore(params);
        } else if (thisSupplier != null && KafkaStoreSuppliers.equivalent(thisSupplier) instanceof PspfWindowBytesStoreSupplier) {
            final PspfWindowBytesStoreSupplier known = (PspfWindowBytesStoreSupplier) KafkaStoreSuppliers.equivalent(thisSupplier);
            supplier = known.kind() == PspfWindowBytesStoreSupplier.Kind.IN_MEMORY
                ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
        } else {
            supplier = suppliers(builder, joined).keyValueStore(params);
        }
        final StoreBuilder<?> store = Stores.keyValueStoreBuilder(supplier, keys, values);
        if (joined.loggingEnabled()) {
            store.withLoggingEnabled(joined.topicConfig());
        } else {
            store.withLoggingDisabled();
        }
        return store;
    }

    // ------------------------------------------------------------------------------------------------ time

    /** The stream time and emit bookkeeping both join nodes of one task share (Kafka's {@code TimeTracker}). */
    static final class TimeTracker {
        long emitIntervalMs = 1000L;
        long streamTime = -1L;
        long minTime = Long.MAX_VALUE;
        long nextTimeToEmit;

        void advanceStreamTime(final long timestamp) {
            streamTime = Math.max(timestamp, streamTime);
        }

        void updatedMinTime(final long timestamp) {
            minTime = Math.min(timestamp, minTime);
        }
    }

    /** What the two join nodes of one join share: the windows, the shared store, and a time tracker per task. */
    private static final class Sides {
        final long before;
        final long after;
        final long grace;
        final boolean spuriousResultFix;
        final String sharedStoreName;
        final JoinSideSerdes.KeySerde<?> sharedKeys;
        final JoinSideSerdes.ListValueSerde<?, ?> sharedValues;
        final Map<TaskId, TimeTracker> trackers = new ConcurrentHashMap<>();

        Sides(final JoinWindows windows, final boolean spuriousResultFix, final String sharedStoreName,
              final JoinSideSerdes.KeySerde<?> sharedKeys, final JoinSideSerdes.ListValueSerde<?, ?> sharedValues) {
            this.before = windows.beforeMs;
            this.after = windows.afterMs;
            this.grace = windows.gracePeriodMs();
            this.spuriousResultFix = spuriousResultFix;
            this.sharedStoreName = sharedStoreName;
            this.sharedKeys = sharedKeys;
            this.sharedValues = sharedValues;
        }
    }

    private static long emitInterval(final Map<String, Object> configs) {
        final Object value = configs.getOrDefault(EMIT_INTERVAL, 1000L);
        if (value instanceof Number) {
            return ((Number) value).longValue();
        }
        if (value instanceof String) {
            return Long.parseLong((String) value);
        }
        return 1000L;
    }

    // ------------------------------------------------------------------------------------------------ processors

    /** The windowed node: forwards each record, then keeps it (unless its key is null) in its side's store. */
    private static final class WindowedSupplier implements ProcessorSupplier<Object, Object, Object, Object> {
        private final String storeName;

        WindowedSupplier(final String storeName) {
            this.storeName = storeName;
        }

        @Override
        public Processor<Object, Object, Object, Object> get() {
            return new DslProcessor<>() {
                private TimestampedWindowStoreWithHeaders<Object, Object> window;

                @Override
                public void init(final ProcessorContext<Object, Object> context) {
                    super.init(context);
                    window = context.getStateStore(storeName);
                }

                @Override
                public void process(final Record<Object, Object> record) {
                    context.forward(record);
                    if (record.key() != null) {
                        window.put(record.key(), ValueTimestampHeaders.make(record.value(), record.timestamp(),
                            record.headers()), record.timestamp());
                    }
                }
            };
        }
    }

    /** One side's join node. Values are untyped here; the joiner always gets (key, left value, right value). */
    private static final class JoinSupplier implements ProcessorSupplier<Object, Object, Object, Object> {
        private final Sides sides;
        private final boolean leftSide;
        private final String otherStoreName;
        private final boolean outer;
        private final ValueJoinerWithKey<Object, Object, Object, Object> joiner;
        private final long joinBefore;
        private final long joinAfter;

        JoinSupplier(final Sides sides, final boolean leftSide, final String otherStoreName, final boolean outer,
                     final ValueJoinerWithKey<Object, Object, Object, Object> joiner) {
            this.sides = sides;
            this.leftSide = leftSide;
            this.otherStoreName = otherStoreName;
            this.outer = outer;
            this.joiner = joiner;
            this.joinBefore = leftSide ? sides.before : sides.after;
            this.joinAfter = leftSide ? sides.after : sides.before;
        }

        @Override
        public Processor<Object, Object, Object, Object> get() {
            return new JoinProcessor();
        }

        private final class JoinProcessor extends DslProcessor<Object, Object, Object, Object> {
            private TimestampedWindowStoreWithHeaders<Object, Object> otherWindow;
            private KeyValueStore<JoinSideKey<Object>, List<JoinSideValue<Object, Object>>> shared;
            private TimeTracker time;

            @Override
            public void init(final ProcessorContext<Object, Object> context) {
                super.init(context);
                otherWindow = context.getStateStore(otherStoreName);
                time = sides.trackers.computeIfAbsent(context.taskId(), id -> new TimeTracker());
                if (sides.spuriousResultFix) {
                    if (sides.sharedStoreName != null) {
                        sides.sharedKeys.setIfUnset(context::keySerde, context::valueSerde);
                        sides.sharedValues.setIfUnset(context::keySerde, context::valueSerde);
                        shared = context.getStateStore(sides.sharedStoreName);
                    }
                    time.emitIntervalMs = emitInterval(context.appConfigs());
                }
            }

            private Object joined(final Object key, final Object value, final Object otherValue) {
                return leftSide ? joiner.apply(key, value, otherValue) : joiner.apply(key, otherValue, value);
            }

            @Override
            public void process(final Record<Object, Object> record) {
                final long timestamp = record.timestamp();
                time.advanceStreamTime(timestamp);
                if (outer && record.key() == null && record.value() != null) {
                    context.forward(record.withValue(joined(null, record.value(), null)));
                    return;
                }
                if (record.key() == null || record.value() == null) {
                    LOG.warn("{} {}", NULL_KEY_OR_VALUE, where());
                    dropped();
                    return;
                }
                if (timestamp == time.streamTime && shared != null) {
                    emitNonJoined(record);
                }
                final long from = Math.max(0L, timestamp - joinBefore);
                final long to = Math.max(0L, timestamp + joinAfter);
                try (WindowStoreIterator<ValueTimestampHeaders<Object>> matches = otherWindow.fetch(record.key(), from, to)) {
                    final boolean unmatched = outer && !matches.hasNext();
                    while (matches.hasNext()) {
                        final KeyValue<Long, ValueTimestampHeaders<Object>> match = matches.next();
                        final Object otherValue = match.value == null ? null : match.value.value();
                        if (shared != null) {
                            final JoinSideKey<Object> otherKey = new JoinSideKey<>(record.key(), match.key, !leftSide);
                            if (shared.get(otherKey) != null) {
                                shared.put(otherKey, null);
                            }
                        }
                        context.forward(record.withValue(joined(record.key(), record.value(), otherValue))
                            .withTimestamp(Math.max(timestamp, match.key)));
                    }
                    if (unmatched) {
                        if (shared == null || to < time.streamTime) {
                            context.forward(record.withValue(joined(record.key(), record.value(), null)));
                        } else {
                            time.updatedMinTime(timestamp);
                            final JoinSideKey<Object> key = new JoinSideKey<>(record.key(), timestamp, leftSide);
                            final List<JoinSideValue<Object, Object>> waiting = shared.get(key);
                            final List<JoinSideValue<Object, Object>> values = waiting == null ? new ArrayList<>() : waiting;
                            values.add(leftSide ? JoinSideValue.ofLeft(record.value()) : JoinSideValue.ofRight(record.value()));
                            shared.put(key, values);
                        }
                    }
                }
            }

            /** Forwards the waiting records whose windows have closed, oldest first, and deletes them. */
            private void emitNonJoined(final Record<Object, Object> record) {
                if (time.minTime + joinAfter + sides.grace >= time.streamTime) {
                    return;
                }
                final long now = context.currentSystemTimeMs();
                if (now < time.nextTimeToEmit) {
                    return;
                }
                time.nextTimeToEmit = now + time.emitIntervalMs;
                time.minTime = Long.MAX_VALUE;
                JoinSideKey<Object> previous = null;
                boolean leftOpen = false;
                boolean rightOpen = false;
                try (KeyValueIterator<JoinSideKey<Object>, List<JoinSideValue<Object, Object>>> all = shared.all()) {
                    scan:
                    while (all.hasNext()) {
                        final KeyValue<JoinSideKey<Object>, List<JoinSideValue<Object, Object>>> entry = all.next();
                        final JoinSideKey<Object> key = entry.key;
                        for (final JoinSideValue<Object, Object> value : entry.value) {
                            time.minTime = key.timestamp;
                            if (leftOpen && rightOpen) {
                                break scan;
                            }
                            final long lookBack = key.leftSide ? sides.after : sides.before;
                            if (time.minTime + lookBack + sides.grace >= time.streamTime) {
                                if (key.leftSide) {
                                    leftOpen = true;
                                } else {
                                    rightOpen = true;
                                }
                                continue;
                            }
                            context.forward(record.withKey(key.key).withValue(joiner.apply(key.key, value.left, value.right))
                                .withTimestamp(key.timestamp));
                            if (previous != null && !previous.equals(key)) {
                                shared.put(previous, null);
                            }
                            previous = key;
                        }
                    }
                }
                if (previous != null) {
                    shared.put(previous, null);
                }
            }

            @Override
            public void close() {
                sides.trackers.remove(context.taskId());
            }
        }
    }

    /**
     * The single node of an optimized self-join: each record joins the earlier records of its window (both ways)
     * and itself, with a time tracker of its own.
     */
    private static final class SelfJoinSupplier implements ProcessorSupplier<Object, Object, Object, Object> {
        private final String storeName;
        private final long before;
        private final long after;
        private final long retention;
        private final ValueJoinerWithKey<Object, Object, Object, Object> joiner;

        SelfJoinSupplier(final String storeName, final JoinWindows windows,
                         final ValueJoinerWithKey<Object, Object, Object, Object> joiner) {
            this.storeName = storeName;
            this.before = windows.beforeMs;
            this.after = windows.afterMs;
            this.retention = windows.size() + windows.gracePeriodMs();
            this.joiner = joiner;
        }

        @Override
        public Processor<Object, Object, Object, Object> get() {
            return new DslProcessor<>() {
                private final TimeTracker time = new TimeTracker();
                private TimestampedWindowStoreWithHeaders<Object, Object> window;

                @Override
                public void init(final ProcessorContext<Object, Object> context) {
                    super.init(context);
                    window = context.getStateStore(storeName);
                }

                @Override
                public void process(final Record<Object, Object> record) {
                    if (record.key() == null || record.value() == null) {
                        LOG.warn("{} {}", NULL_KEY_OR_VALUE, where());
                        dropped();
                        return;
                    }
                    final long timestamp = record.timestamp();
                    boolean selfEmitted = false;
                    final Record<Object, Object> self = record.withValue(joiner.apply(record.key(), record.value(),
                        record.value())).withTimestamp(timestamp);
                    time.advanceStreamTime(timestamp);
                    final boolean selfInWindow = timestamp > time.streamTime - retention + 1;
                    try (WindowStoreIterator<ValueTimestampHeaders<Object>> matches = window.fetch(record.key(),
                        Math.max(0L, timestamp - before), Math.max(0L, timestamp + after))) {
                        while (matches.hasNext()) {
                            final KeyValue<Long, ValueTimestampHeaders<Object>> match = matches.next();
                            final Object otherValue = match.value == null ? null : match.value.value();
                            context.forward(record.withValue(joiner.apply(record.key(), record.value(), otherValue))
                                .withTimestamp(Math.max(timestamp, match.key)));
                        }
                    }
                    try (WindowStoreIterator<ValueTimestampHeaders<Object>> matches = window.fetch(record.key(),
                        Math.max(0L, timestamp - after), Math.max(0L, timestamp + before))) {
                        while (matches.hasNext()) {
                            final KeyValue<Long, ValueTimestampHeaders<Object>> match = matches.next();
                            final long resultTime = Math.max(timestamp, match.key);
                            final Object otherValue = match.value == null ? null : match.value.value();
                            if (timestamp < resultTime && !selfEmitted && selfInWindow) {
                                selfEmitted = true;
                                context.forward(self);
                            }
                            context.forward(record.withValue(joiner.apply(record.key(), otherValue, record.value()))
                                .withTimestamp(resultTime));
                        }
                    }
                    if (!selfEmitted && selfInWindow) {
                        context.forward(self);
                    }
                }
            };
        }
    }
}
