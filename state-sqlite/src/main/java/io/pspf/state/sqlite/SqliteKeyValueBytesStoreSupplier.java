package io.pspf.state.sqlite;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/** Supplies {@link SqliteKeyValueBytesStore}s: PSPF's persistent key-value store. */
public final class SqliteKeyValueBytesStoreSupplier implements KeyValueBytesStoreSupplier {
    private final String name;

    public SqliteKeyValueBytesStoreSupplier(final String name) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return new SqliteKeyValueBytesStore(name);
    }

    @Override
    public String metricsScope() {
        return "sqlite";
    }
}
