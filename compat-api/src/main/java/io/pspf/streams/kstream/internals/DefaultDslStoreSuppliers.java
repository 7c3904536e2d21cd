package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslSessionParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

import io.pspf.streams.state.Stores;

/**
 * The DSL's stores when neither the operator's {@code Materialized} nor the configuration chooses: PSPF's
 * persistent stores, as Kafka Streams defaults to its persistent (RocksDB) ones.
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
        return params.isTimestamped()
            ? Stores.persistentTimestampedWindowStore(params.name(), params.retentionPeriod(), params.windowSize(),
                params.retainDuplicates())
            : Stores.persistentWindowStore(params.name(), params.retentionPeriod(), params.windowSize(),
                params.retainDuplicates());
    }

    @Override
    public SessionBytesStoreSupplier sessionStore(final DslSessionParams params) {
        return Stores.persistentSessionStore(params.name(), params.retentionPeriod());
    }
}
