package io.pspf.streams.kstream.internals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.CogroupedKStream;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.SessionWindowedCogroupedKStream;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.TimeWindowedCogroupedKStream;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windows;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * PSPF's {@link CogroupedKStream}: several grouped streams folded into one aggregate per key, each with its own
 * aggregator. Every grouped stream gets its own aggregation node (after a repartition topic when its key was changed)
 * writing the one shared store, and a merge node passes their changes on as the resulting table.
 */
final class CogroupedKStreamImpl<K, VOut> implements CogroupedKStream<K, VOut> {
    static final String AGGREGATE = "COGROUPKSTREAM-AGGREGATE-";
    static final String MERGE = "COGROUPKSTREAM-MERGE-";

    private final InternalStreamsBuilder builder;
    private final Map<KGroupedStreamImpl<K, ?>, Aggregator<? super K, Object, VOut>> groupPatterns = new LinkedHashMap<>();
    private final Map<KGroupedStreamImpl<K, ?>, String> parentNodes = new LinkedHashMap<>();

    CogroupedKStreamImpl(final InternalStreamsBuilder builder) {
        this.builder = builder;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <VIn> CogroupedKStream<K, VOut> cogroup(final KGroupedStream<K, VIn> groupedStream,
                                                   final Aggregator<? super K, ? super VIn, VOut> aggregator) {
        Objects.requireNonNull(groupedStream, "groupedStream can't be null");
        Objects.requireNonNull(aggregator, "aggregator can't be null");
        groupPatterns.put((KGroupedStreamImpl<K, ?>) groupedStream, (Aggregator<? super K, Object, VOut>) aggregator);
        return this;
    }

    @Override
    public KTable<K, VOut> aggregate(final Initializer<VOut> initializer) {
        return aggregate(initializer, Materialized.with(null, null));
    }

    @Override
    public KTable<K, VOut> aggregate(final Initializer<VOut> initializer, final Named named) {
        return aggregate(initializer, named, Materialized.with(null, null));
    }

    @Override
    public KTable<K, VOut> aggregate(final Initializer<VOut> initializer,
                                     final Materialized<K, VOut, KeyValueStore<Bytes, byte[]>> materialized) {
        return aggregate(initializer, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, VOut> aggregate(final Initializer<VOut> initializer, final Named named,
                                     final Materialized<K, VOut, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(initializer, "initializer can't be null");
        Objects.requireNonNull(named, "named can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final String userName = WindowedTables.nameOf(named);
        final MaterializedSpec<K, VOut> spec = new MaterializedSpec<>(materialized, builder, AGGREGATE);
        final CogroupPassThrough<K, VOut> merge = build(userName, spec.storeName(), spec.keyValueStore(builder), null,
            (storeName, aggregator) -> new Aggregations.StreamAggregate<>(storeName, initializer, aggregator));
        return new KTableImpl<>(builder, merge.name, spec.keySerde, spec.valueSerde, spec.queryableStoreName(), merge,
            spec.isVersioned());
    }

    @Override
    public <W extends Window> TimeWindowedCogroupedKStream<K, VOut> windowedBy(final Windows<W> windows) {
        Objects.requireNonNull(windows, "windows can't be null");
        return new TimeWindowedCogroupedKStreamImpl<>(this, WindowShape.of(windows));
    }

    @Override
    public TimeWindowedCogroupedKStream<K, VOut> windowedBy(final SlidingWindows windows) {
        Objects.requireNonNull(windows, "slidingWindows can't be null");
        return new TimeWindowedCogroupedKStreamImpl<>(this, WindowShape.sliding(windows));
    }

    @Override
    public SessionWindowedCogroupedKStream<K, VOut> windowedBy(final SessionWindows windows) {
        Objects.requireNonNull(windows, "sessionWindows can't be null");
        return new SessionWindowedCogroupedKStreamImpl<>(this, windows);
    }

    InternalStreamsBuilder builder() {
        return builder;
    }

    /**
     * Adds the repartition topics the grouped streams need (each time: Kafka takes the three indices of a topic on
     * every aggregation, but adds a grouped stream's topic only once per cogrouped stream), then one aggregation
     * node per grouped stream sharing {@code store}, then the merge node.
     *
     * @param userName      the name the user gave, or null
     * @param gracePeriodMs the windows' grace period for a windowed aggregation, else null
     * @param aggregate     makes a grouped stream's aggregation from the store name and its aggregator
     * @return the merge node's supplier (its name is the table's)
     */
    <KT> CogroupPassThrough<KT, VOut> build(
        final String userName, final String storeName, final StoreBuilder<?> store, final Long gracePeriodMs,
        final BiFunction<String, Aggregator<? super K, Object, VOut>, ? extends TableProcessorSupplier<K, ?, KT, VOut>> aggregate) {
        for (final KGroupedStreamImpl<K, ?> grouped : groupPatterns.keySet()) {
            if (grouped.repartitionRequired) {
                parentNodes.put(grouped, repartition(grouped, storeName));
            } else {
                parentNodes.put(grouped, grouped.stream.name);
            }
        }
        final List<String> aggregateNames = new ArrayList<>();
        final List<TableProcessorSupplier<K, ?, KT, VOut>> aggregates = new ArrayList<>();
        int index = 0;
        for (final Map.Entry<KGroupedStreamImpl<K, ?>, Aggregator<? super K, Object, VOut>> entry : groupPatterns.entrySet()) {
            final TableProcessorSupplier<K, ?, KT, VOut> supplier = aggregate.apply(storeName, entry.getValue());
            final String name = builder.name(userName == null ? null : userName + "-cogroup-agg-" + index, AGGREGATE);
            final String parent = parentNodes.get(entry.getKey());
            final boolean first = index == 0;
            builder.write(g -> g.addProcessor(name, supplier, builder.parent(name, parent)));
            if (first) {
                builder.write(g -> g.addStateStore(store, name));
            } else {
                builder.write(g -> g.connectProcessorAndStateStores(name, store.name()));
            }
            aggregateNames.add(name);
            aggregates.add(supplier);
            index++;
        }
        final String mergeName = builder.name(userName == null ? null : userName + "-cogroup-merge", MERGE);
        final CogroupPassThrough<KT, VOut> merge = gracePeriodMs == null
            ? new CogroupPassThrough<>(mergeName, storeName, aggregates)
            : new WindowedCogroupPassThrough<>(mergeName, storeName, aggregates, gracePeriodMs);
        builder.write(g -> g.addProcessor(mergeName, merge, aggregateNames.toArray(new String[0])));
        return merge;
    }

    /** The grouped stream's repartition source: made once per cogrouped stream, though its indices are taken each time. */
    private <V> String repartition(final KGroupedStreamImpl<K, V> grouped, final String storeName) {
        final String prefix = grouped.groupedName != null ? grouped.groupedName : storeName;
        final boolean exists = parentNodes.containsKey(grouped);
        final String source = grouped.stream.repartitionedSource(prefix, grouped.keySerde, grouped.valueSerde, -1, null,
            true, !exists);
        return exists ? parentNodes.get(grouped) : source;
    }

    /**
     * The merge node: passes each aggregation's change on. Its values come from the shared key-value store; old
     * values are sent when every aggregation sends them.
     */
    static class CogroupPassThrough<K, V> implements TableProcessorSupplier<K, Change<V>, K, V> {
        final String name;
        private final String storeName;
        private final List<? extends TableProcessorSupplier<?, ?, K, V>> parents;

        CogroupPassThrough(final String name, final String storeName,
                           final List<? extends TableProcessorSupplier<?, ?, K, V>> parents) {
            this.name = name;
            this.storeName = storeName;
            this.parents = parents;
        }

        @Override
        public Processor<K, Change<V>, K, Change<V>> get() {
            return new Processor<>() {
                private ProcessorContext<K, Change<V>> context;

                @Override
                public void init(final ProcessorContext<K, Change<V>> context) {
                    this.context = context;
                }

                @Override
                public void process(final Record<K, Change<V>> record) {
                    context.forward(record);
                }
            };
        }

        @Override
        public TableGetter.Supplier<K, V> view() {
            return TableGetter.ofStore(storeName);
        }

        @Override
        public boolean enableSendingOldValues(final boolean forceMaterialization) {
            for (final TableProcessorSupplier<?, ?, K, V> parent : parents) {
                parent.enableSendingOldValues(forceMaterialization);
            }
            return true;
        }
    }

    /** The merge node of a windowed cogroup: also knows its windows' grace period (Kafka's grace node). */
    static final class WindowedCogroupPassThrough<K, V> extends CogroupPassThrough<K, V> implements WindowAggregations.GracePeriod {
        private final long gracePeriodMs;

        WindowedCogroupPassThrough(final String name, final String storeName,
                                   final List<? extends TableProcessorSupplier<?, ?, K, V>> parents, final long gracePeriodMs) {
            super(name, storeName, parents);
            this.gracePeriodMs = gracePeriodMs;
        }

        @Override
        public long gracePeriodMs() {
            return gracePeriodMs;
        }
    }
}
