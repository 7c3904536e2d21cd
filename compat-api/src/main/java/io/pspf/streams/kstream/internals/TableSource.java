package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor of a table read from a topic ({@code StreamsBuilder.table}, {@code KStream.toTable}): each
 * record is the key's new value. Materialized, it keeps the table in its store and forwards changes through the
 * store's cache; not materialized, it forwards each record as a change with no old value.
 *
 * <p>A table is materialized when the user named its store, and also when a later operator needs to look its
 * values up ({@link #view()}) or needs old values and may force it ({@link #enableSendingOldValues(boolean)}).
 */
final class TableSource<K, V> implements TableProcessorSupplier<K, V, K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(TableSource.class);

    private final String storeName;
    private String queryableName;
    private boolean sendOldValues;

    TableSource(final MaterializedSpec<K, V> materialized) {
        this.storeName = materialized.storeName();
        this.queryableName = materialized.queryableStoreName();
    }

    String storeName() {
        return storeName;
    }

    boolean materialized() {
        return queryableName != null;
    }

    /** Materializes the table under its (possibly generated) store name. */
    void materialize() {
        queryableName = storeName;
    }

    @Override
    public TableGetter.Supplier<K, V> view() {
        materialize();
        return TableGetter.ofStore(storeName);
    }

    @Override
    public boolean enableSendingOldValues(final boolean forceMaterialization) {
        if (!forceMaterialization && !materialized()) {
            return false;
        }
        materialize();
        sendOldValues = true;
        return true;
    }

    @Override
    public Processor<K, V, K, Change<V>> get() {
        return new SourceProcessor(queryableName, sendOldValues);
    }

    private final class SourceProcessor extends DslProcessor<K, V, K, Change<V>> {
        private final String queryable;
        private final boolean oldValues;
        private TableStore<K, V> store;
        private TableForwarder<K, V> forwarder;

        SourceProcessor(final String queryable, final boolean oldValues) {
            this.queryable = queryable;
            this.oldValues = oldValues;
        }

        @Override
        public void init(final ProcessorContext<K, Change<V>> context) {
            super.init(context);
            if (queryable != null) {
                store = new TableStore<>(context, queryable);
                forwarder = new TableForwarder<>(store.store(), context, support, nodeHandle(), oldValues);
            }
        }

        @Override
        public void process(final Record<K, V> record) {
            if (record.key() == null) {
                LOG.warn("Skipping record due to null key. {}", where());
                dropped();
                return;
            }
            if (store == null) {
                context.forward(record.withValue(new Change<>(record.value(), null, true)));
                return;
            }
            final ValueAndTimestamp<V> old = store.get(record.key());
            if (old != null && record.timestamp() < old.timestamp()) {
                LOG.warn("Detected out-of-order KTable update for {}, old timestamp=[{}] new timestamp=[{}]. {}",
                    storeName, old.timestamp(), record.timestamp(), where());
            }
            final long code = store.put(record.key(), record.value(), record.timestamp());
            if (code != TableStore.PUT_NOT_PUT) {
                forwarder.maybeForward(record.withValue(new Change<>(record.value(), old == null ? null : old.value(),
                    code == TableStore.PUT_IS_LATEST)));
            } else {
                dropped();
            }
        }
    }
}
