package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslSessionParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

import io.pspf.runtime.state.PspfSessionBytesStoreSupplier;
import io.pspf.runtime.state.PspfWindowBytesStoreSupplier;
import io.pspf.streams.state.Stores;

/**
 * The DSL's stores when neither the operator's {@code Materialized} nor the configuration chooses: PSPF's
 * persistent stores, as Kafka Streams defaults to its persistent (RocksDB) ones. Emit-on-window-close aggregations
 * get the time-ordered stores Kafka picks for them.
 */
final class DefaultDslStoreSuppliers implements DslStoreSuppliers {
    static final DefaultDslStoreSuppliers INSTANCE = new DefaultDslStoreSuppliers();

    @Override
    public KeyValueBytesStoreSupplier keyValueStore(final DslKeyValueParams params) {
        return params.isTimestamped() ? Stores.persistentTimestampedKeyValueStore(params.name())
            : Stores.persistentKeyValueStore(params.name());
    }

    @Override
    public WindowBytesStoreSupplier windowStore(final DslWindowParams params) {
        if (params.emitStrategy().type() == EmitStrategy.StrategyType.ON_WINDOW_CLOSE) {
            final long retention = params.retentionPeriod().toMillis();
            return new PspfWindowBytesStoreSupplier(params.name(), params.isSlidingWindow()
                ? PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIME_ORDERED_INDEXED
                : PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIME_ORDERED, retention,
                Math.max(retention / 2, 60_000L), params.windowSize().toMillis(), params.retainDuplicates());
        }
        return params.isTimestamped()
            ? Stores.persistentTimestampedWindowStore(params.name(), params.retentionPeriod(), params.windowSize(),
                params.retainDuplicates())
            : Stores.persistentWindowStore(params.name(), params.retentionPeriod(), params.windowSize(),
                params.retainDuplicates());
    }

    @Override
    public SessionBytesStoreSupplier sessionStore(final DslSessionParams params) {
        if (params.emitStrategy().type() == EmitStrategy.StrategyType.ON_WINDOW_CLOSE) {
            final long retention = params.retentionPeriod().toMillis();
            return new PspfSessionBytesStoreSupplier(params.name(), PspfSessionBytesStoreSupplier.Kind.PERSISTENT_TIME_ORDERED,
                retention, Math.max(retention / 2, 60_000L));
        }
        return Stores.persistentSessionStore(params.name(), params.retentionPeriod());
    }
}
