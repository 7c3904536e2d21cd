package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Table-table joins on the primary key. Each side has a join processor that, on a change of its own table, looks
 * the key up in the other table and forwards the joined change; the two feed one merge node (with a store when
 * the result is materialized). The result's timestamp is the larger of the two rows' timestamps.
 */
final class TableJoins {
    private static final Logger LOG = LoggerFactory.getLogger(TableJoins.class);

    private TableJoins() {
    }

    /**
     * How a side joins. INNER: only when both rows exist. LEFT: this side's rows always (the other may be
     * absent). RIGHT: the other side of a left join, so only when this side's row — looked up — exists. OUTER:
     * whenever either row exists.
     */
    enum Kind { INNER, LEFT, RIGHT, OUTER }

    /** One side's join processor: a change of {@code table} joined with the current row of {@code other}. */
    static final class Join<K, V1, V2, VR> implements TableProcessorSupplier<K, Change<V1>, K, VR> {
        private final KTableImpl<K, ?, V1> table;
        private final KTableImpl<K, ?, V2> other;
        private final TableGetter.Supplier<K, V1> thisView;
        private final TableGetter.Supplier<K, V2> otherView;
        private final ValueJoiner<? super V1, ? super V2, ? extends VR> joiner;
        private final Kind kind;
        boolean sendOldValues;

        Join(final KTableImpl<K, ?, V1> table, final KTableImpl<K, ?, V2> other,
             final ValueJoiner<? super V1, ? super V2, ? extends VR> joiner, final Kind kind) {
            this.table = table;
            this.other = other;
            this.thisView = table.valueGetterSupplier();
            this.otherView = other.valueGetterSupplier();
            this.joiner = joiner;
            this.kind = kind;
        }

        @Override
        public TableGetter.Supplier<K, VR> view() {
            return new TableGetter.Supplier<>() {
                @Override
                public TableGetter<K, VR> get() {
                    final TableGetter<K, V1> thisGetter = thisView.get();
                    final TableGetter<K, V2> otherGetter = otherView.get();
                    return new TableGetter<>() {
                        @Override
                        public void init(final ProcessorContext<?, ?> context) {
                            thisGetter.init(context);
                            otherGetter.init(context);
                        }

                        @Override
                        public ValueAndTimestamp<VR> get(final K key) {
                            return joinedRow(key, thisGetter.get(key), otherGetter.get(key));
                        }

                        @Override
                        public void close() {
                            thisGetter.close();
                            otherGetter.close();
                        }
                    };
                }

                @Override
                public String[] storeNames() {
                    final String[] first = thisView.storeNames();
                    final String[] second = otherView.storeNames();
                    final String[] all = new String[first.length + second.length];
                    System.arraycopy(first, 0, all, 0, first.length);
                    System.arraycopy(second, 0, all, first.length, second.length);
                    return all;
                }
            };
        }

        /** The joined row as a value getter sees it (the join of both current rows). */
        private ValueAndTimestamp<VR> joinedRow(final K key, final ValueAndTimestamp<V1> mine, final ValueAndTimestamp<V2> theirs) {
            final V1 value = mine == null ? null : mine.value();
            final V2 otherValue = theirs == null ? null : theirs.value();
            final boolean present;
            switch (kind) {
                case INNER:
                    present = value != null && otherValue != null;
                    break;
                case LEFT:
                    present = value != null;
                    break;
                case RIGHT:
                    present = otherValue != null;
                    break;
                default:
                    present = value != null || otherValue != null;
            }
            if (!present) {
                return null;
            }
            final long timestamp = Math.max(mine == null ? Long.MIN_VALUE : mine.timestamp(),
                theirs == null ? Long.MIN_VALUE : theirs.timestamp());
            return ValueAndTimestamp.make(joiner.apply(value, otherValue), timestamp);
        }

        @Override
        public boolean enableSendingOldValues(final boolean forceMaterialization) {
            table.enableSendingOldValues(true);
            other.enableSendingOldValues(true);
            sendOldValues = true;
            return true;
        }

        @Override
        public Processor<K, Change<V1>, K, Change<VR>> get() {
            final boolean oldValues = sendOldValues;
            final boolean versioned = table.isVersioned();
            return new DslProcessor<>() {
                private TableGetter<K, V2> otherGetter;

                @Override
                public void init(final ProcessorContext<K, Change<VR>> context) {
                    super.init(context);
                    otherGetter = otherView.get();
                    otherGetter.init(context);
                }

                @Override
                public void process(final Record<K, Change<V1>> record) {
                    if (record.key() == null) {
                        LOG.warn("Skipping record due to null key. change=[{}] {}", record.value(), where());
                        dropped();
                        return;
                    }
                    final Change<V1> change = record.value();
                    if (versioned && !change.isLatest) {
                        return;
                    }
                    final ValueAndTimestamp<V2> otherRow = otherGetter.get(record.key());
                    final V2 otherValue = otherRow == null ? null : otherRow.value();
                    VR newValue = null;
                    VR oldValue = null;
                    switch (kind) {
                        case INNER:
                        case RIGHT:
                            if (otherValue == null) {
                                return;
                            }
                            if (kind == Kind.RIGHT || change.newValue != null) {
                                newValue = joiner.apply(change.newValue, otherValue);
                            }
                            if (oldValues && (kind == Kind.RIGHT || change.oldValue != null)) {
                                oldValue = joiner.apply(change.oldValue, otherValue);
                            }
                            break;
                        case LEFT:
                            if (otherValue == null && change.newValue == null && change.oldValue == null) {
                                return;
                            }
                            if (change.newValue != null) {
                                newValue = joiner.apply(change.newValue, otherValue);
                            }
                            if (oldValues && change.oldValue != null) {
                                oldValue = joiner.apply(change.oldValue, otherValue);
                            }
                            break;
                        default:
                            if (otherValue == null && change.newValue == null && change.oldValue == null) {
                                return;
                            }
                            if (otherValue != null || change.newValue != null) {
                                newValue = joiner.apply(change.newValue, otherValue);
                            }
                            if (oldValues && (otherValue != null || change.oldValue != null)) {
                                oldValue = joiner.apply(change.oldValue, otherValue);
                            }
                    }
                    final long timestamp = otherRow == null ? record.timestamp() : Math.max(record.timestamp(), otherRow.timestamp());
                    context.forward(record.withValue(new Change<>(newValue, oldValue, change.isLatest)).withTimestamp(timestamp));
                }

                @Override
                public void close() {
                    otherGetter.close();
                }
            };
        }
    }

    /** The merge node after both join processors: passes their changes on, through a store when materialized. */
    static final class Merger<K, V> implements TableProcessorSupplier<K, Change<V>, K, V> {
        private final Join<K, ?, ?, V> joinThis;
        private final Join<K, ?, ?, V> joinOther;
        private final String queryableName;
        private boolean sendOldValues;

        Merger(final Join<K, ?, ?, V> joinThis, final Join<K, ?, ?, V> joinOther, final String queryableName) {
            this.joinThis = joinThis;
            this.joinOther = joinOther;
            this.queryableName = queryableName;
        }

        @Override
        public TableGetter.Supplier<K, V> view() {
            return queryableName != null ? TableGetter.ofStore(queryableName) : joinThis.view();
        }

        @Override
        public boolean enableSendingOldValues(final boolean forceMaterialization) {
            joinThis.enableSendingOldValues(true);
            joinOther.enableSendingOldValues(true);
            sendOldValues = true;
            return true;
        }

        @Override
        public Processor<K, Change<V>, K, Change<V>> get() {
            final boolean oldValues = sendOldValues;
            return new DslProcessor<>() {
                private TableStore<K, V> store;
                private TableForwarder<K, V> forwarder;

                @Override
                public void init(final ProcessorContext<K, Change<V>> context) {
                    super.init(context);
                    if (queryableName != null) {
                        store = new TableStore<>(context, queryableName);
                        forwarder = new TableForwarder<>(store.store(), context, support, nodeHandle(), oldValues);
                    }
                }

                @Override
                public void process(final Record<K, Change<V>> record) {
                    if (store == null) {
                        context.forward(record);
                        return;
                    }
                    final ValueAndTimestamp<V> old = store.get(record.key());
                    final V oldValue = oldValues && old != null ? old.value() : null;
                    store.put(record.key(), record.value().newValue, record.timestamp());
                    forwarder.maybeForward(record.withValue(new Change<>(record.value().newValue, oldValue,
                        record.value().isLatest)));
                }
            };
        }
    }
}
