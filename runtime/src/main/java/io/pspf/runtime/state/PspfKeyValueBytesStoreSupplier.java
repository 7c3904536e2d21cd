package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * PSPF's key-value store suppliers, one per kind Kafka's {@code Stores} offers. Persistent kinds build stores
 * that report {@code persistent() == true} (in memory, or where the engine's {@link PersistentStorage} puts them); their
 * metrics scopes are Kafka's, so metrics keep their Kafka names.
 */
public final class PspfKeyValueBytesStoreSupplier implements KeyValueBytesStoreSupplier {
    /** The kinds of key-value stores. */
    public enum Kind {
        /** Kafka's {@code inMemoryKeyValueStore}. */
        IN_MEMORY("in-memory"),
        /** Kafka's {@code lruMap}. */
        LRU("in-memory-lru"),
        /** Kafka's {@code persistentKeyValueStore}: plain values. */
        PERSISTENT("rocksdb"),
        /** Kafka's {@code persistentTimestampedKeyValueStore}: timestamped values. */
        PERSISTENT_TIMESTAMPED("rocksdb"),
        /** Kafka's {@code persistentTimestampedKeyValueStoreWithHeaders}: values with headers. */
        PERSISTENT_WITH_HEADERS("rocksdb");

        private final String metricsScope;

        Kind(final String metricsScope) {
            this.metricsScope = metricsScope;
        }
    }

    private final String name;
    private final Kind kind;
    private final int maxCacheSize;

    /**
     * @param name         the store name
     * @param kind         the kind of store
     * @param maxCacheSize the capacity of an {@link Kind#LRU} store; ignored otherwise
     */
    public PspfKeyValueBytesStoreSupplier(final String name, final Kind kind, final int maxCacheSize) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.kind = Objects.requireNonNull(kind, "kind cannot be null");
        this.maxCacheSize = maxCacheSize;
    }

    /** @return the kind of store this supplier builds */
    public Kind kind() {
        return kind;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        switch (kind) {
            case LRU:
                return CarriedOverStores.takeOr(name, LruMapBytesStore.class,
                    () -> new LruMapBytesStore(name, maxCacheSize));
            case PERSISTENT:
                return persistent(PersistentStorage.KeyValueFormat.PLAIN, () -> new InMemoryKeyValueBytesStore(name, true));
            case PERSISTENT_TIMESTAMPED:
                return persistent(PersistentStorage.KeyValueFormat.TIMESTAMPED,
                    () -> new InMemoryKeyValueBytesStore.Timestamped(name, true));
            case PERSISTENT_WITH_HEADERS:
                return persistent(PersistentStorage.KeyValueFormat.WITH_HEADERS,
                    () -> new InMemoryKeyValueBytesStore.WithHeaders(name, true));
            default:
                return CarriedOverStores.takeOr(name, InMemoryKeyValueBytesStore.class,
                    () -> new InMemoryKeyValueBytesStore(name, false));
        }
    }

    /** The engine's persistent store when it builds one (see {@link PersistentStorage}), otherwise memory. */
    private KeyValueStore<Bytes, byte[]> persistent(final PersistentStorage.KeyValueFormat format,
                                                    final java.util.function.Supplier<KeyValueStore<Bytes, byte[]>> inMemory) {
        final PersistentStorage.Provider provider = PersistentStorage.current();
        return provider == null ? inMemory.get() : provider.keyValueStore(name, format);
    }

    @Override
    public String metricsScope() {
        return kind.metricsScope;
    }

    @Override
    public String toString() {
        return "PspfKeyValueBytesStoreSupplier{name='" + name + "', kind=" + kind + '}';
    }
}
