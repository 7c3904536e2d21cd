package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionStore;

/**
 * PSPF's session store suppliers. The in-memory kind has Kafka's in-memory session store semantics (segment
 * interval 1); the persistent kinds have Kafka's RocksDB session store semantics and iteration order, kept in
 * memory and reporting {@code persistent() == true}.
 */
public final class PspfSessionBytesStoreSupplier implements SessionBytesStoreSupplier {
    /** The kinds of session stores. */
    public enum Kind {
        /** Kafka's {@code inMemorySessionStore}. */
        IN_MEMORY("in-memory-session"),
        /** Kafka's {@code persistentSessionStore}. */
        PERSISTENT("rocksdb-session"),
        /** Kafka's {@code persistentSessionStoreWithHeaders}. */
        PERSISTENT_WITH_HEADERS("rocksdb-session"),
        /** The time-ordered store Kafka's DSL picks for emit-on-window-close session windows. */
        PERSISTENT_TIME_ORDERED("rocksdb-session");

        private final String metricsScope;

        Kind(final String metricsScope) {
            this.metricsScope = metricsScope;
        }
    }

    private final String name;
    private final Kind kind;
    private final long retentionPeriod;
    private final long segmentInterval;
    private final java.util.function.Supplier<SegmentStorage> storage;

    /**
     * @param name            the store name
     * @param kind            the kind of store
     * @param retentionPeriod the retention period in ms
     * @param segmentInterval the segment interval in ms (1 for the in-memory kind)
     */
    public PspfSessionBytesStoreSupplier(final String name, final Kind kind, final long retentionPeriod,
                                         final long segmentInterval) {
        this(name, kind, retentionPeriod, segmentInterval, PersistentStorage::segmentStorage);
    }

    private PspfSessionBytesStoreSupplier(final String name, final Kind kind, final long retentionPeriod,
                                          final long segmentInterval,
                                          final java.util.function.Supplier<SegmentStorage> storage) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.kind = Objects.requireNonNull(kind, "kind cannot be null");
        this.retentionPeriod = retentionPeriod;
        this.segmentInterval = segmentInterval;
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /**
     * The same supplier, with the persistent kinds keeping their segments in a new storage from {@code storage}
     * for each store (the SQLite module's, say); the in-memory kind is not segmented and stays as it is.
     */
    public PspfSessionBytesStoreSupplier withStorage(final java.util.function.Supplier<SegmentStorage> storage) {
        return new PspfSessionBytesStoreSupplier(name, kind, retentionPeriod, segmentInterval, storage);
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
    public SessionStore<Bytes, byte[]> get() {
        switch (kind) {
            case PERSISTENT:
                return new SegmentedSessionBytesStore(name, retentionPeriod, segmentInterval, storage.get());
            case PERSISTENT_WITH_HEADERS:
                return new SegmentedSessionBytesStore.WithHeaders(name, retentionPeriod, segmentInterval, storage.get());
            case PERSISTENT_TIME_ORDERED:
                return new SegmentedSessionBytesStore.TimeOrdered(name, retentionPeriod, segmentInterval, storage.get());
            default:
                return CarriedOverStores.takeOr(name, InMemorySessionBytesStore.class,
                    () -> new InMemorySessionBytesStore(name, retentionPeriod));
        }
    }

    @Override
    public String metricsScope() {
        return kind.metricsScope;
    }

    @Override
    public long segmentIntervalMs() {
        return segmentInterval;
    }

    @Override
    public long retentionPeriod() {
        return retentionPeriod;
    }

    @Override
    public String toString() {
        return "PspfSessionBytesStoreSupplier{name='" + name + "', kind=" + kind + ", retentionPeriod="
            + retentionPeriod + ", segmentInterval=" + segmentInterval + '}';
    }
}
