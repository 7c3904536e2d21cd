package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

/**
 * PSPF's window store suppliers. The in-memory kind has Kafka's in-memory window store semantics (segment
 * interval 1); the persistent kinds have Kafka's RocksDB window store semantics and iteration order, kept in
 * memory and reporting {@code persistent() == true}.
 */
public final class PspfWindowBytesStoreSupplier implements WindowBytesStoreSupplier {
    /** The kinds of window stores. */
    public enum Kind {
        /** Kafka's {@code inMemoryWindowStore}. */
        IN_MEMORY("in-memory-window"),
        /** Kafka's {@code persistentWindowStore}: plain values. */
        PERSISTENT("rocksdb-window"),
        /** Kafka's {@code persistentTimestampedWindowStore}: timestamped values. */
        PERSISTENT_TIMESTAMPED("rocksdb-window"),
        /** Kafka's {@code persistentTimestampedWindowStoreWithHeaders}: values with headers. */
        PERSISTENT_WITH_HEADERS("rocksdb-window"),
        /** The time-ordered store Kafka's DSL picks for emit-on-window-close time windows (timestamped values). */
        PERSISTENT_TIME_ORDERED("rocksdb-window"),
        /** The same with a key index, which Kafka's DSL picks for emit-on-window-close sliding windows. */
        PERSISTENT_TIME_ORDERED_INDEXED("rocksdb-window");

        private final String metricsScope;

        Kind(final String metricsScope) {
            this.metricsScope = metricsScope;
        }
    }

    private final String name;
    private final Kind kind;
    private final long retentionPeriod;
    private final long segmentInterval;
    private final long windowSize;
    private final boolean retainDuplicates;
    private final java.util.function.Supplier<SegmentStorage> storage;

    /**
     * @param name             the store name
     * @param kind             the kind of store
     * @param retentionPeriod  the retention period in ms
     * @param segmentInterval  the segment interval in ms (1 for the in-memory kind)
     * @param windowSize       the window size in ms
     * @param retainDuplicates whether duplicates are kept
     */
    public PspfWindowBytesStoreSupplier(final String name, final Kind kind, final long retentionPeriod,
                                        final long segmentInterval, final long windowSize,
                                        final boolean retainDuplicates) {
        this(name, kind, retentionPeriod, segmentInterval, windowSize, retainDuplicates, PersistentStorage::segmentStorage);
    }

    private PspfWindowBytesStoreSupplier(final String name, final Kind kind, final long retentionPeriod,
                                         final long segmentInterval, final long windowSize,
                                         final boolean retainDuplicates,
                                         final java.util.function.Supplier<SegmentStorage> storage) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.kind = Objects.requireNonNull(kind, "kind cannot be null");
        this.retentionPeriod = retentionPeriod;
        this.segmentInterval = segmentInterval;
        this.windowSize = windowSize;
        this.retainDuplicates = retainDuplicates;
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /**
     * The same supplier, with the persistent kinds keeping their segments in a new storage from {@code storage}
     * for each store (the SQLite module's, say); the in-memory kind is not segmented and stays as it is.
     */
    public PspfWindowBytesStoreSupplier withStorage(final java.util.function.Supplier<SegmentStorage> storage) {
        return new PspfWindowBytesStoreSupplier(name, kind, retentionPeriod, segmentInterval, windowSize,
            retainDuplicates, storage);
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
    public WindowStore<Bytes, byte[]> get() {
        switch (kind) {
            case PERSISTENT:
                return new SegmentedWindowBytesStore(name, retentionPeriod, segmentInterval, windowSize, retainDuplicates,
                    storage.get());
            case PERSISTENT_TIMESTAMPED:
                return new SegmentedWindowBytesStore.Timestamped(name, retentionPeriod, segmentInterval, windowSize,
                    retainDuplicates, storage.get());
            case PERSISTENT_WITH_HEADERS:
                return new SegmentedWindowBytesStore.WithHeaders(name, retentionPeriod, segmentInterval, windowSize,
                    retainDuplicates, storage.get());
            case PERSISTENT_TIME_ORDERED:
            case PERSISTENT_TIME_ORDERED_INDEXED:
                return new SegmentedWindowBytesStore.TimeOrdered(name, retentionPeriod, segmentInterval, windowSize,
                    retainDuplicates, kind == Kind.PERSISTENT_TIME_ORDERED_INDEXED, storage.get());
            default:
                return CarriedOverStores.takeOr(name, InMemoryWindowBytesStore.class,
                    () -> new InMemoryWindowBytesStore(name, retentionPeriod, windowSize, retainDuplicates));
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
    public long windowSize() {
        return windowSize;
    }

    @Override
    public boolean retainDuplicates() {
        return retainDuplicates;
    }

    @Override
    public long retentionPeriod() {
        return retentionPeriod;
    }

    @Override
    public String toString() {
        return "PspfWindowBytesStoreSupplier{name='" + name + "', kind=" + kind + ", retentionPeriod=" + retentionPeriod
            + ", segmentInterval=" + segmentInterval + ", windowSize=" + windowSize + ", retainDuplicates="
            + retainDuplicates + '}';
    }
}
