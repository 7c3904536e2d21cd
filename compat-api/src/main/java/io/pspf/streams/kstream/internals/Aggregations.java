package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-value aggregations: of a grouped stream (each record folds into its key's aggregate) and of a grouped
 * table (each change first takes its old value out of the old aggregate, then adds the new one). The aggregate
 * is stored with the largest timestamp that went into it and forwarded through the store's cache.
 */
final class Aggregations {
    private static final Logger LOG = LoggerFactory.getLogger(Aggregations.class);

    private Aggregations() {
    }

    /** What every aggregation supplier shares: its store, and old values on demand. */
    abstract static class Supplier<KIn, VIn, K, VAgg> implements TableProcessorSupplier<KIn, VIn, K, VAgg> {
        final String storeName;
        boolean sendOldValues;

        Supplier(final String storeName) {
            this.storeName = storeName;
        }

        @Override
        public TableGetter.Supplier<K, VAgg> view() {
            return TableGetter.ofStore(storeName);
        }

        @Override
        public boolean enableSendingOldValues(final boolean forceMaterialization) {
            sendOldValues = true;
            return true;
        }
    }

    /** Base of the processors: the store, the forwarder, and the put-and-forward step. */
    abstract static class AggregateProcessor<KIn, VIn, K, VAgg> extends DslProcessor<KIn, VIn, K, Change<VAgg>> {
        final String storeName;
        final boolean sendOldValues;
        TableStore<K, VAgg> store;
        TableForwarder<K, VAgg> forwarder;

        AggregateProcessor(final String storeName, final boolean sendOldValues) {
            this.storeName = storeName;
            this.sendOldValues = sendOldValues;
        }

        @Override
        public void init(final ProcessorContext<K, Change<VAgg>> context) {
            super.init(context);
            store = new TableStore<>(context, storeName);
            forwarder = new TableForwarder<>(store.store(), context, support, nodeHandle(), sendOldValues);
        }

        final void putAndForward(final Record<?, ?> record, final K key, final VAgg newAgg, final VAgg oldAgg,
                                 final long timestamp) {
            final long code = store.put(key, newAgg, timestamp);
            if (code != TableStore.PUT_NOT_PUT) {
                forwarder.maybeForward(new Record<>(key, new Change<>(newAgg, sendOldValues ? oldAgg : null,
                    code == TableStore.PUT_IS_LATEST), timestamp, record.headers()));
            }
        }
    }

    /** {@code KGroupedStream.aggregate} and {@code count}. */
    static final class StreamAggregate<K, V, VAgg> extends Supplier<K, V, K, VAgg> {
        private final Initializer<VAgg> initializer;
        private final Aggregator<? super K, ? super V, VAgg> aggregator;

        StreamAggregate(final String storeName, final Initializer<VAgg> initializer,
                        final Aggregator<? super K, ? super V, VAgg> aggregator) {
            super(storeName);
            this.initializer = initializer;
            this.aggregator = aggregator;
        }

        @Override
        public Processor<K, V, K, Change<VAgg>> get() {
            return new AggregateProcessor<>(storeName, sendOldValues) {
                @Override
                public void process(final Record<K, V> record) {
                    if (record.key() == null || record.value() == null) {
                        LOG.warn("Skipping record due to null key or value. {}", where());
                        dropped();
                        return;
                    }
                    final ValueAndTimestamp<VAgg> old = store.get(record.key());
                    VAgg oldAgg = old == null ? null : old.value();
                    final long timestamp;
                    if (oldAgg == null) {
                        oldAgg = initializer.apply();
                        timestamp = record.timestamp();
                    } else {
                        timestamp = Math.max(record.timestamp(), old.timestamp());
                    }
                    final VAgg newAgg = aggregator.apply(record.key(), record.value(), oldAgg);
                    putAndForward(record, record.key(), newAgg, oldAgg, timestamp);
                }
            };
        }
    }

    /** {@code KGroupedStream.reduce}: the first value is the aggregate. */
    static final class StreamReduce<K, V> extends Supplier<K, V, K, V> {
        private final Reducer<V> reducer;

        StreamReduce(final String storeName, final Reducer<V> reducer) {
            super(storeName);
            this.reducer = reducer;
        }

        @Override
        public Processor<K, V, K, Change<V>> get() {
            return new AggregateProcessor<>(storeName, sendOldValues) {
                @Override
                public void process(final Record<K, V> record) {
                    if (record.key() == null || record.value() == null) {
                        LOG.warn("Skipping record due to null key or value. {}", where());
                        dropped();
                        return;
                    }
                    final ValueAndTimestamp<V> old = store.get(record.key());
                    final V oldAgg = old == null ? null : old.value();
                    final V newAgg;
                    final long timestamp;
                    if (oldAgg == null) {
                        newAgg = record.value();
                        timestamp = record.timestamp();
                    } else {
                        newAgg = reducer.apply(oldAgg, record.value());
                        timestamp = Math.max(record.timestamp(), old.timestamp());
                    }
                    putAndForward(record, record.key(), newAgg, oldAgg, timestamp);
                }
            };
        }
    }

    /** {@code KGroupedTable.aggregate} and {@code count}: subtract the old value, then add the new one. */
    static final class TableAggregate<K, V, VAgg> extends Supplier<K, Change<V>, K, VAgg> {
        private final Initializer<VAgg> initializer;
        private final Aggregator<? super K, ? super V, VAgg> adder;
        private final Aggregator<? super K, ? super V, VAgg> subtractor;

        TableAggregate(final String storeName, final Initializer<VAgg> initializer,
                       final Aggregator<? super K, ? super V, VAgg> adder,
                       final Aggregator<? super K, ? super V, VAgg> subtractor) {
            super(storeName);
            this.initializer = initializer;
            this.adder = adder;
            this.subtractor = subtractor;
        }

        @Override
        public Processor<K, Change<V>, K, Change<VAgg>> get() {
            return new AggregateProcessor<>(storeName, sendOldValues) {
                @Override
                public void process(final Record<K, Change<V>> record) {
                    if (record.key() == null) {
                        throw new StreamsException("Record key for KTable aggregate operator with state " + storeName
                            + " should not be null.");
                    }
                    final Change<V> change = record.value();
                    final ValueAndTimestamp<VAgg> old = store.get(record.key());
                    final VAgg oldAgg = old == null ? null : old.value();
                    long timestamp = record.timestamp();
                    final VAgg intermediate;
                    if (change.oldValue != null && oldAgg != null) {
                        intermediate = subtractor.apply(record.key(), change.oldValue, oldAgg);
                        timestamp = Math.max(record.timestamp(), old.timestamp());
                    } else {
                        intermediate = oldAgg;
                    }
                    final VAgg newAgg;
                    if (change.newValue != null) {
                        newAgg = adder.apply(record.key(), change.newValue, intermediate == null ? initializer.apply() : intermediate);
                        if (old != null) {
                            timestamp = Math.max(record.timestamp(), old.timestamp());
                        }
                    } else {
                        newAgg = intermediate;
                    }
                    putAndForward(record, record.key(), newAgg, oldAgg, timestamp);
                }
            };
        }
    }

    /** {@code KGroupedTable.reduce}: subtract with one reducer, add with the other. */
    static final class TableReduce<K, V> extends Supplier<K, Change<V>, K, V> {
        private final Reducer<V> adder;
        private final Reducer<V> subtractor;

        TableReduce(final String storeName, final Reducer<V> adder, final Reducer<V> subtractor) {
            super(storeName);
            this.adder = adder;
            this.subtractor = subtractor;
        }

        @Override
        public Processor<K, Change<V>, K, Change<V>> get() {
            return new AggregateProcessor<>(storeName, sendOldValues) {
                @Override
                public void process(final Record<K, Change<V>> record) {
                    if (record.key() == null) {
                        throw new StreamsException("Record key for KTable reduce operator with state " + storeName
                            + " should not be null.");
                    }
                    final Change<V> change = record.value();
                    final ValueAndTimestamp<V> old = store.get(record.key());
                    final V oldAgg = old == null ? null : old.value();
                    long timestamp = record.timestamp();
                    final V intermediate;
                    if (change.oldValue != null && oldAgg != null) {
                        intermediate = subtractor.apply(oldAgg, change.oldValue);
                        timestamp = Math.max(record.timestamp(), old.timestamp());
                    } else {
                        intermediate = oldAgg;
                    }
                    final V newAgg;
                    if (change.newValue != null) {
                        if (intermediate == null) {
                            newAgg = change.newValue;
                        } else {
                            newAgg = adder.apply(intermediate, change.newValue);
                            timestamp = Math.max(record.timestamp(), old.timestamp());
                        }
                    } else {
                        newAgg = intermediate;
                    }
                    putAndForward(record, record.key(), newAgg, oldAgg, timestamp);
                }
            };
        }
    }
}
