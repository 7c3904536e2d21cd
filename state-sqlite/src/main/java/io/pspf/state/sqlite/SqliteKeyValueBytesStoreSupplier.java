package io.pspf.state.sqlite;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Supplies {@link SqliteKeyValueBytesStore}s: PSPF's persistent key-value store, with plain, timestamped or headers
 * values as Kafka's {@code persistentKeyValueStore}, {@code persistentTimestampedKeyValueStore} and
 * {@code persistentTimestampedKeyValueStoreWithHeaders}.
 */
public final class SqliteKeyValueBytesStoreSupplier implements KeyValueBytesStoreSupplier {
    /** The value format of the stores. */
    public enum Format { PLAIN, TIMESTAMPED, WITH_HEADERS }

    private final String name;
    private final Format format;

    public SqliteKeyValueBytesStoreSupplier(final String name) {
        this(name, Format.PLAIN);
    }

    public SqliteKeyValueBytesStoreSupplier(final String name, final Format format) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.format = Objects.requireNonNull(format, "format cannot be null");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return new SqlitePersistentStorage().keyValueStore(name, io.pspf.runtime.state.PersistentStorage.KeyValueFormat.valueOf(
            format == Format.WITH_HEADERS ? "WITH_HEADERS" : format.name()));
    }

    @Override
    public String metricsScope() {
        return "sqlite";
    }
}
