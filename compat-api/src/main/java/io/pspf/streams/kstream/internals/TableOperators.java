package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The stateless-per-record table operators: filter, mapValues, toStream and the re-keying map before a table
 * grouping. Filter and mapValues may have a store of their own (when given a named {@code Materialized}); then
 * they write every result to it and forward through its cache, and their values are read from it; otherwise their
 * values are computed from the parent's.
 */
final class TableOperators {
    private TableOperators() {
    }

    /** What filter and mapValues share: a parent, an optional own store, old values on demand. */
    abstract static class Computed<K, V, VR> implements TableProcessorSupplier<K, Change<V>, K, VR> {
        final KTableImpl<K, ?, V> parent;
        final String queryableName;
        boolean sendOldValues;

        Computed(final KTableImpl<K, ?, V> parent, final String queryableName) {
            this.parent = parent;
            this.queryableName = queryableName;
        }

        /** The operator's result for one value of the parent; null means the key is absent. */
        abstract VR compute(K key, V value);

        /** Whether a change whose new and old results are both absent is dropped (filter with old values). */
        boolean dropsDoubleAbsence() {
            return false;
        }

        @Override
        public TableGetter.Supplier<K, VR> view() {
            if (queryableName != null) {
                return TableGetter.ofStore(queryableName);
            }
            final TableGetter.Supplier<K, V> parentView = parent.valueGetterSupplier();
            return new TableGetter.Supplier<>() {
                @Override
                public TableGetter<K, VR> get() {
                    final TableGetter<K, V> parentGetter = parentView.get();
                    return new TableGetter<>() {
                        @Override
                        public void init(final ProcessorContext<?, ?> context) {
                            parentGetter.init(context);
                        }

                        @Override
                        public ValueAndTimestamp<VR> get(final K key) {
                            return computed(key, parentGetter.get(key));
                        }

                        @Override
                        public ValueAndTimestamp<VR> get(final K key, final long asOfTimestamp) {
                            return computed(key, parentGetter.get(key, asOfTimestamp));
                        }

                        @Override
                        public boolean isVersioned() {
                            return parentGetter.isVersioned();
                        }

                        @Override
                        public void close() {
                            parentGetter.close();
                        }
                    };
                }

                @Override
                public String[] storeNames() {
                    return parentView.storeNames();
                }
            };
        }

        private ValueAndTimestamp<VR> computed(final K key, final ValueAndTimestamp<V> parentValue) {
            if (parentValue == null) {
                return null;
            }
            return ValueAndTimestamp.make(compute(key, parentValue.value()), parentValue.timestamp());
        }

        @Override
        public boolean enableSendingOldValues(final boolean forceMaterialization) {
            if (queryableName != null) {
                sendOldValues = true;
                return true;
            }
            if (parent.enableSendingOldValues(forceMaterialization)) {
                sendOldValues = true;
            }
            return sendOldValues;
        }

        @Override
        public Processor<K, Change<V>, K, Change<VR>> get() {
            final boolean oldValues = sendOldValues;
            return new DslProcessor<>() {
                private TableStore<K, VR> store;
                private TableForwarder<K, VR> forwarder;

                @Override
                public void init(final ProcessorContext<K, Change<VR>> context) {
                    super.init(context);
                    if (queryableName != null) {
                        store = new TableStore<>(context, queryableName);
                        forwarder = new TableForwarder<>(store.store(), context, support, nodeHandle(), oldValues);
                    }
                }

                @Override
                public void process(final Record<K, Change<V>> record) {
                    final K key = record.key();
                    final Change<V> change = record.value();
                    final VR newValue = compute(key, change.newValue);
                    final VR oldValue;
                    if (!oldValues) {
                        oldValue = null;
                    } else if (store != null) {
                        final ValueAndTimestamp<VR> stored = store.get(key);
                        oldValue = stored == null ? null : stored.value();
                    } else {
                        oldValue = compute(key, change.oldValue);
                    }
                    if (dropsDoubleAbsence() && oldValues && oldValue == null && newValue == null
                        && !(store != null && store.isVersioned())) {
                        return;
                    }
                    if (store != null) {
                        final long code = store.put(key, newValue, record.timestamp());
                        if (code != TableStore.PUT_NOT_PUT) {
                            forwarder.maybeForward(record.withValue(new Change<>(newValue, oldValue,
                                code == TableStore.PUT_IS_LATEST)));
                        }
                    } else {
                        context.forward(record.withValue(new Change<>(newValue, oldValue, change.isLatest)));
                    }
                }
            };
        }
    }

    /** {@code KTable.filter} and {@code filterNot}: a value that does not pass becomes a delete. */
    static final class Filter<K, V> extends Computed<K, V, V> {
        private final Predicate<? super K, ? super V> predicate;
        private final boolean filterNot;

        Filter(final KTableImpl<K, ?, V> parent, final Predicate<? super K, ? super V> predicate, final boolean filterNot,
               final String queryableName) {
            super(parent, queryableName);
            this.predicate = predicate;
            this.filterNot = filterNot;
            // a filter forwards old values whenever its parent can without being forced
            this.sendOldValues = parent.enableSendingOldValues(false);
        }

        @Override
        V compute(final K key, final V value) {
            return value != null && (filterNot ^ predicate.test(key, value)) ? value : null;
        }

        @Override
        boolean dropsDoubleAbsence() {
            return true;
        }
    }

    /** {@code KTable.mapValues}: the mapper is never called for a delete. */
    static final class MapValues<K, V, VR> extends Computed<K, V, VR> {
        private final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper;

        MapValues(final KTableImpl<K, ?, V> parent, final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper,
                  final String queryableName) {
            super(parent, queryableName);
            this.mapper = mapper;
        }

        @Override
        VR compute(final K key, final V value) {
            return value == null ? null : mapper.apply(key, value);
        }
    }

    /** {@code KTable.toStream}: each change becomes a record with the new value (a tombstone for a delete). */
    static <K, V> FixedKeyProcessorSupplier<K, Change<V>, V> toStream() {
        return () -> new ContextualFixedKeyProcessor<K, Change<V>, V>() {
            @Override
            public void process(final FixedKeyRecord<K, Change<V>> record) {
                context().forward(record.withValue(record.value().newValue));
            }
        };
    }

    /**
     * The re-keying before a table grouping: the old value is mapped to a subtraction from its old group and the
     * new value to an addition to its new group; when both land in the same group they travel as one change
     * (KIP-904). Pairs with a null key or value are skipped.
     */
    static final class RepartitionMap<K, V, K1, V1> implements TableProcessorSupplier<K, Change<V>, K1, V1> {
        private final KTableImpl<K, ?, V> parent;
        private final KeyValueMapper<? super K, ? super V, KeyValue<K1, V1>> mapper;

        RepartitionMap(final KTableImpl<K, ?, V> parent, final KeyValueMapper<? super K, ? super V, KeyValue<K1, V1>> mapper) {
            this.parent = parent;
            this.mapper = mapper;
        }

        @Override
        public TableGetter.Supplier<K1, V1> view() {
            throw new StreamsException("Underlying state store not accessible due to repartitioning.");
        }

        @Override
        public boolean enableSendingOldValues(final boolean forceMaterialization) {
            throw new IllegalStateException("KTableRepartitionMap should always require sending old values.");
        }

        @Override
        public Processor<K, Change<V>, K1, Change<V1>> get() {
            final boolean versioned = parent.isVersioned();
            return new DslProcessor<>() {
                private boolean notUpgrade;

                @Override
                public void init(final ProcessorContext<K1, Change<V1>> context) {
                    super.init(context);
                    final Object upgradeFrom = context.appConfigs().get("upgrade.from");
                    notUpgrade = upgradeFrom == null || !UpgradeFrom.before35(upgradeFrom.toString());
                }

                @Override
                public void process(final Record<K, Change<V>> record) {
                    if (record.key() == null) {
                        throw new StreamsException("Record key for the grouping KTable should not be null.");
                    }
                    final Change<V> change = record.value();
                    if (versioned && !change.isLatest) {
                        return;
                    }
                    final KeyValue<K1, V1> newPair = change.newValue == null ? null : mapper.apply(record.key(), change.newValue);
                    final KeyValue<K1, V1> oldPair = change.oldValue == null ? null : mapper.apply(record.key(), change.oldValue);
                    final boolean oldPresent = oldPair != null && oldPair.key != null && oldPair.value != null;
                    final boolean newPresent = newPair != null && newPair.key != null && newPair.value != null;
                    if (notUpgrade && oldPresent && newPresent && oldPair.key.equals(newPair.key)) {
                        context.forward(record.withKey(oldPair.key).withValue(new Change<>(newPair.value, oldPair.value, change.isLatest)));
                    } else {
                        if (oldPresent) {
                            context.forward(record.withKey(oldPair.key).withValue(new Change<>(null, oldPair.value, change.isLatest)));
                        }
                        if (newPresent) {
                            context.forward(record.withKey(newPair.key).withValue(new Change<>(newPair.value, null, change.isLatest)));
                        }
                    }
                }
            };
        }
    }

    /** A fixed-key processor from a function, for small adapters. */
    static <K, V, VR> FixedKeyProcessor<K, V, VR> mapping(final java.util.function.Function<V, VR> function) {
        return new ContextualFixedKeyProcessor<>() {
            @Override
            public void process(final FixedKeyRecord<K, V> record) {
                context().forward(record.withValue(function.apply(record.value())));
            }
        };
    }
}
