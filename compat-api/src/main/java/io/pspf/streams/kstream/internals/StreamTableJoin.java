package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.state.GraceBuffer;
import io.pspf.runtime.state.StoreEnvironment;
import io.pspf.runtime.state.StoreRecordContext;

/**
 * A stream joined with a table: each stream record looks its (mapped) key up in the table and is forwarded
 * joined, with the stream record's timestamp and headers; table updates only change the table. A versioned table
 * is looked up as of the stream record's timestamp. An inner join drops records without a table row; a left join
 * forwards them with a null table value.
 *
 * <p>With a grace period (KIP-923, versioned tables only), stream records go through a {@link GraceBuffer}: a record
 * older than the buffer's stream time minus the grace is joined at once; otherwise it is buffered, and then every
 * buffered record at least the grace behind the stream time is joined, oldest first, as of its own timestamp and
 * with its own record context.
 */
final class StreamTableJoin<K, V, KT, VT, VOut> implements ProcessorSupplier<K, V, K, VOut> {
    private static final Logger LOG = LoggerFactory.getLogger(StreamTableJoin.class);

    /** The joiner, given the stream key, the key used for the lookup, the stream value and the table value. */
    @FunctionalInterface
    interface Joiner<K, KT, V, VT, VOut> {
        VOut apply(K key, KT tableKey, V value, VT tableValue);
    }

    /** Decides which stream records are dropped (and counted) before the lookup. */
    @FunctionalInterface
    interface DropRule<K, V> {
        boolean drop(K key, V value);
    }

    private final TableGetter.Supplier<KT, VT> view;
    private final KeyValueMapper<? super K, ? super V, ? extends KT> keyMapper;
    private final Joiner<? super K, ? super KT, ? super V, ? super VT, ? extends VOut> joiner;
    private final boolean leftJoin;
    private final DropRule<K, V> dropRule;
    private final String dropMessage;
    private final String bufferName;

    StreamTableJoin(final TableGetter.Supplier<KT, VT> view, final KeyValueMapper<? super K, ? super V, ? extends KT> keyMapper,
                    final Joiner<? super K, ? super KT, ? super V, ? super VT, ? extends VOut> joiner, final boolean leftJoin,
                    final DropRule<K, V> dropRule, final String dropMessage) {
        this(view, keyMapper, joiner, leftJoin, dropRule, dropMessage, null);
    }

    /** @param bufferName the grace buffer's store name; null for a join without a grace period */
    StreamTableJoin(final TableGetter.Supplier<KT, VT> view, final KeyValueMapper<? super K, ? super V, ? extends KT> keyMapper,
                    final Joiner<? super K, ? super KT, ? super V, ? super VT, ? extends VOut> joiner, final boolean leftJoin,
                    final DropRule<K, V> dropRule, final String dropMessage, final String bufferName) {
        this.bufferName = bufferName;
        this.view = view;
        this.keyMapper = keyMapper;
        this.joiner = joiner;
        this.leftJoin = leftJoin;
        this.dropRule = dropRule;
        this.dropMessage = dropMessage;
    }

    /** The rule of a stream-table join: null values always dropped, null keys only for inner joins (KIP-962). */
    static <K, V> DropRule<K, V> streamTableRule(final boolean leftJoin) {
        return (key, value) -> value == null || (key == null && !leftJoin);
    }

    @Override
    public Processor<K, V, K, VOut> get() {
        return new DslProcessor<>() {
            private TableGetter<KT, VT> getter;
            private GraceBuffer<K, V> buffer;

            @Override
            public void init(final ProcessorContext<K, VOut> context) {
                super.init(context);
                getter = view.get();
                getter.init(context);
                if (bufferName != null) {
                    if (!getter.isVersioned()) {
                        throw new IllegalArgumentException("KTable must be versioned to use a grace period in a stream table join.");
                    }
                    buffer = Objects.requireNonNull(context.getStateStore(bufferName));
                    buffer.setSerdesIfNull(context::keySerde, context::valueSerde);
                }
            }

            @Override
            public void process(final Record<K, V> record) {
                if (dropRule.drop(record.key(), record.value())) {
                    LOG.warn("{} {}", dropMessage, where());
                    dropped();
                    return;
                }
                if (buffer == null || !buffer.put(record, currentContext(record))) {
                    join(record);
                } else {
                    buffer.evictWhile(() -> true, this::emit);
                }
            }

            private StoreRecordContext currentContext(final Record<K, V> record) {
                if (context instanceof StoreEnvironment) {
                    final StoreRecordContext current = ((StoreEnvironment) context).storeRecordContext();
                    if (current != null && current != StoreRecordContext.NONE) {
                        return current;
                    }
                }
                return context.recordMetadata()
                    .map(m -> new StoreRecordContext(record.timestamp(), m.offset(), m.partition(), m.topic(), record.headers()))
                    .orElseGet(() -> new StoreRecordContext(record.timestamp(), -1L, -1, null, record.headers()));
            }

            /** Joins an evicted record under its own record context (topic, partition and offset too). */
            private void emit(final K key, final V value, final StoreRecordContext recordContext) {
                final Record<K, V> record = new Record<>(key, value, recordContext.timestamp(), recordContext.headers());
                if (!(context instanceof StoreEnvironment)) {
                    join(record);
                    return;
                }
                final StoreEnvironment environment = (StoreEnvironment) context;
                final StoreRecordContext previous = environment.storeRecordContext();
                try {
                    environment.setStoreRecordContext(recordContext);
                    join(record);
                } finally {
                    environment.setStoreRecordContext(previous);
                }
            }

            private void join(final Record<K, V> record) {
                final KT tableKey = keyMapper.apply(record.key(), record.value());
                final VT tableValue;
                if (tableKey == null) {
                    tableValue = null;
                } else {
                    final ValueAndTimestamp<VT> row = getter.isVersioned()
                        ? getter.get(tableKey, record.timestamp()) : getter.get(tableKey);
                    tableValue = row == null ? null : row.value();
                }
                if (leftJoin || tableValue != null) {
                    context.forward(record.withValue(joiner.apply(record.key(), tableKey, record.value(), tableValue)));
                }
            }

            @Override
            public void close() {
                getter.close();
            }
        };
    }
}
