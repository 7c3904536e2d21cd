package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.kstream.ValueTransformerWithKey;
import org.apache.kafka.streams.kstream.ValueTransformerWithKeySupplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import io.pspf.runtime.state.StoreRecordContext;

/**
 * {@code KTable.transformValues}: each processor has a transformer of its own, given the old-API context of
 * {@link TransformValuesContext}, and calls it for every new value, deletes included. With a named
 * {@code Materialized} the results go to a store of the operator's own and are forwarded through its cache, and its
 * values are read from that store; otherwise values are computed from the parent's, by a transformer of the
 * reader's own, with the row's timestamp as the record context.
 */
final class TransformValuesSupplier<K, V, VR> implements TableProcessorSupplier<K, Change<V>, K, VR> {
    private final KTableImpl<K, ?, V> parent;
    private final ValueTransformerWithKeySupplier<? super K, ? super V, ? extends VR> transformerSupplier;
    private final String queryableName;
    private boolean sendOldValues;

    TransformValuesSupplier(final KTableImpl<K, ?, V> parent,
                            final ValueTransformerWithKeySupplier<? super K, ? super V, ? extends VR> transformerSupplier,
                            final String queryableName) {
        this.parent = Objects.requireNonNull(parent, "parent");
        this.transformerSupplier = Objects.requireNonNull(transformerSupplier, "transformerSupplier");
        this.queryableName = queryableName;
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
                return new Getter(parentView.get(), transformerSupplier.get());
            }

            @Override
            public String[] storeNames() {
                return parentView.storeNames();
            }
        };
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
        final ValueTransformerWithKey<? super K, ? super V, ? extends VR> transformer =
            Objects.requireNonNull(transformerSupplier.get(), "valueTransformer");
        final boolean oldValues = sendOldValues;
        return new DslProcessor<>() {
            private TableStore<K, VR> store;
            private TableForwarder<K, VR> forwarder;

            @Override
            public void init(final ProcessorContext<K, Change<VR>> context) {
                super.init(context);
                transformer.init(new TransformValuesContext(context));
                if (queryableName != null) {
                    store = new TableStore<>(context, queryableName);
                    forwarder = new TableForwarder<>(store.store(), context, support, nodeHandle(), oldValues);
                }
            }

            @Override
            public void process(final Record<K, Change<V>> record) {
                final K key = record.key();
                final Change<V> change = record.value();
                final VR newValue = transformer.transform(key, change.newValue);
                if (store != null) {
                    final VR oldValue;
                    if (oldValues) {
                        final ValueAndTimestamp<VR> stored = store.get(key);
                        oldValue = stored == null ? null : stored.value();
                    } else {
                        oldValue = null;
                    }
                    final long code = store.put(key, newValue, record.timestamp());
                    if (code != TableStore.PUT_NOT_PUT) {
                        forwarder.maybeForward(record.withValue(new Change<>(newValue, oldValue,
                            code == TableStore.PUT_IS_LATEST)));
                    }
                } else {
                    final VR oldValue = oldValues ? transformer.transform(key, change.oldValue) : null;
                    context.forward(record.withValue(new Change<>(newValue, oldValue, change.isLatest)));
                }
            }

            @Override
            public void close() {
                transformer.close();
            }
        };
    }

    /** Reads the parent's row and transforms it, as of the row's timestamp. */
    private final class Getter implements TableGetter<K, VR> {
        private final TableGetter<K, V> parentGetter;
        private final ValueTransformerWithKey<? super K, ? super V, ? extends VR> transformer;
        private TransformValuesContext context;

        Getter(final TableGetter<K, V> parentGetter,
               final ValueTransformerWithKey<? super K, ? super V, ? extends VR> transformer) {
            this.parentGetter = Objects.requireNonNull(parentGetter, "parentGetter");
            this.transformer = Objects.requireNonNull(transformer, "valueTransformer");
        }

        @Override
        public void init(final ProcessorContext<?, ?> processorContext) {
            context = new TransformValuesContext(processorContext);
            parentGetter.init(processorContext);
            transformer.init(context);
        }

        @Override
        public ValueAndTimestamp<VR> get(final K key) {
            return transformed(key, parentGetter.get(key));
        }

        @Override
        public ValueAndTimestamp<VR> get(final K key, final long asOfTimestamp) {
            return transformed(key, parentGetter.get(key, asOfTimestamp));
        }

        @Override
        public boolean isVersioned() {
            return parentGetter.isVersioned();
        }

        @Override
        public void close() {
            parentGetter.close();
            transformer.close();
        }

        private ValueAndTimestamp<VR> transformed(final K key, final ValueAndTimestamp<V> row) {
            final long timestamp = row == null ? -1L : row.timestamp();
            final StoreRecordContext previous = context.override(
                new StoreRecordContext(timestamp, -1L, -1, null, new RecordHeaders()));
            try {
                return ValueAndTimestamp.make(transformer.transform(key, row == null ? null : row.value()), timestamp);
            } finally {
                context.override(previous);
            }
        }
    }
}
