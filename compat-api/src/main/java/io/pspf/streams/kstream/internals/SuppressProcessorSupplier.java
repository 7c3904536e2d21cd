package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import io.pspf.runtime.state.StoreEnvironment;
import io.pspf.runtime.state.StoreRecordContext;
import io.pspf.runtime.state.TimeOrderedChangeBuffer;

/**
 * {@code KTable.suppress}: every change goes into a time-ordered buffer (the latest change per key, at the time of
 * the key's first buffering — the record's timestamp, or the window end for {@code untilWindowCloses}); after each
 * record, the entries whose time is at least the time limit behind the suppress node's stream time are forwarded,
 * oldest first, with the timestamp and headers of the record that last changed them. When the buffer is over its
 * bounds it either forwards its oldest entries early or fails the task, as configured. Tombstones are dropped only
 * by {@code untilWindowCloses}.
 */
final class SuppressProcessorSupplier<K, V> implements TableProcessorSupplier<K, Change<V>, K, V> {
    private final KTableImpl<K, ?, V> parent;
    private final SuppressSettings settings;
    private final String nodeName;
    private final String storeName;

    SuppressProcessorSupplier(final KTableImpl<K, ?, V> parent, final SuppressSettings settings, final String nodeName,
                              final String storeName) {
        this.parent = parent;
        this.settings = settings;
        this.nodeName = nodeName;
        this.storeName = storeName;
        parent.enableSendingOldValues(true);
    }

    /** The table whose changes this node suppresses. */
    KTableImpl<K, ?, V> parent() {
        return parent;
    }

    /**
     * The grace period of the windowed aggregation upstream of {@code table} (Kafka's
     * {@code GraphGraceSearchUtil.findAndVerifyWindowGrace}): found through table operators and suppressions.
     *
     * @throws TopologyException when no windowed aggregation is upstream
     */
    static long upstreamGrace(final KTableImpl<?, ?, ?> table) {
        String chain = "";
        KTableImpl<?, ?, ?> current = table;
        while (true) {
            final Object supplier = current.supplier;
            if (supplier instanceof WindowAggregations.GracePeriod) {
                return ((WindowAggregations.GracePeriod) supplier).gracePeriodMs();
            }
            chain = chain.isEmpty() ? current.name : current.name + "->" + chain;
            if (supplier instanceof TableOperators.Computed) {
                current = ((TableOperators.Computed<?, ?, ?>) supplier).parent;
            } else if (supplier instanceof SuppressProcessorSupplier) {
                current = ((SuppressProcessorSupplier<?, ?>) supplier).parent;
            } else {
                // a table read from a topic hangs off the root; for other tables the path above is not tracked
                final boolean sourceTable = supplier instanceof TableSource && !current.name.startsWith(KStreamImpl.TOTABLE);
                throw new TopologyException("Window close time is only defined for windowed computations. Got ["
                    + (sourceTable ? "root->" : "") + chain + "].");
            }
        }
    }

    /** A buffered key reads as its value from before its first buffering; any other key as the parent's value. */
    @Override
    public TableGetter.Supplier<K, V> view() {
        final TableGetter.Supplier<K, V> parentView = parent.valueGetterSupplier();
        return new TableGetter.Supplier<>() {
            @Override
            public TableGetter<K, V> get() {
                final TableGetter<K, V> parentGetter = parentView.get();
                return new TableGetter<>() {
                    private TimeOrderedChangeBuffer<K, V> buffer;

                    @Override
                    public void init(final ProcessorContext<?, ?> context) {
                        parentGetter.init(context);
                        buffer = context.getStateStore(storeName);
                    }

                    @Override
                    public ValueAndTimestamp<V> get(final K key) {
                        final TimeOrderedChangeBuffer.Prior<V> prior = buffer.priorValueForBuffered(key);
                        if (prior != null) {
                            return ValueAndTimestamp.make(prior.value(), -1L);
                        }
                        return parentGetter.get(key);
                    }

                    @Override
                    public void close() {
                        parentGetter.close();
                    }
                };
            }

            @Override
            public String[] storeNames() {
                final String[] parentStores = parentView.storeNames();
                final String[] stores = new String[parentStores.length + 1];
                System.arraycopy(parentStores, 0, stores, 0, parentStores.length);
                stores[parentStores.length] = storeName;
                return stores;
            }
        };
    }

    @Override
    public boolean enableSendingOldValues(final boolean forceMaterialization) {
        return parent.enableSendingOldValues(forceMaterialization);
    }

    @Override
    public Processor<K, Change<V>, K, Change<V>> get() {
        return new DslProcessor<>() {
            private TimeOrderedChangeBuffer<K, V> buffer;
            private long observedStreamTime = -1L;

            @Override
            public void init(final ProcessorContext<K, Change<V>> context) {
                super.init(context);
                buffer = context.getStateStore(storeName);
                buffer.setSerdesIfNull(context::keySerde, context::valueSerde);
            }

            @Override
            public void process(final Record<K, Change<V>> record) {
                observedStreamTime = Math.max(observedStreamTime, record.timestamp());
                final long time = settings.windowEndTime ? ((Windowed<?>) record.key()).window().end() : record.timestamp();
                buffer.put(time, record.key(), record.value().newValue, record.value().oldValue, record.headers());
                final long expiryTime = observedStreamTime - settings.timeLimitMs;
                buffer.evictWhile(() -> buffer.minTimestamp() <= expiryTime, this::emit);
                if (overCapacity()) {
                    if (settings.shutDownWhenFull) {
                        throw new StreamsException(String.format(
                            "%s buffer exceeded its max capacity. Currently [%d/%d] records and [%d/%d] bytes.", nodeName,
                            buffer.numRecords(), settings.maxRecords, buffer.bufferSize(), settings.maxBytes));
                    }
                    buffer.evictWhile(this::overCapacity, this::emit);
                }
            }

            private boolean overCapacity() {
                return buffer.numRecords() > settings.maxRecords || buffer.bufferSize() > settings.maxBytes;
            }

            /** Forwards an evicted entry with the context (topic, partition, offset too) of the record behind it. */
            private void emit(final K key, final V newValue, final V oldValue, final StoreRecordContext recordContext) {
                if (newValue == null && settings.safeToDropTombstones) {
                    return;
                }
                final Record<K, Change<V>> record = new Record<>(key, new Change<>(newValue, oldValue),
                    recordContext.timestamp(), recordContext.headers());
                if (!(context instanceof StoreEnvironment)) {
                    context.forward(record);
                    return;
                }
                final StoreEnvironment environment = (StoreEnvironment) context;
                final StoreRecordContext previous = environment.storeRecordContext();
                try {
                    environment.setStoreRecordContext(recordContext);
                    context.forward(record);
                } finally {
                    environment.setStoreRecordContext(previous);
                }
            }
        };
    }
}
