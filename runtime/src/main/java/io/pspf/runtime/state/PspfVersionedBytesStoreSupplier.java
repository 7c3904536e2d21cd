package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;

/**
 * PSPF's versioned store supplier: Kafka's persistent versioned store semantics, kept in memory
 * ({@link InMemoryVersionedBytesStore}) and reporting {@code persistent() == true}.
 */
public final class PspfVersionedBytesStoreSupplier implements VersionedBytesStoreSupplier {
    private final String name;
    private final long historyRetention;
    private final long segmentInterval;
    private final java.util.function.Supplier<VersionedStorage> storage;

    /**
     * @param name             the store name
     * @param historyRetention the history retention in ms
     * @param segmentInterval  the segment interval in ms (the store's history segments)
     */
    public PspfVersionedBytesStoreSupplier(final String name, final long historyRetention, final long segmentInterval) {
        this(name, historyRetention, segmentInterval, PersistentStorage::versionedStorage);
    }

    private PspfVersionedBytesStoreSupplier(final String name, final long historyRetention, final long segmentInterval,
                                            final java.util.function.Supplier<VersionedStorage> storage) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.historyRetention = historyRetention;
        this.segmentInterval = segmentInterval;
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** The same supplier, with each store keeping its records in a new storage from {@code storage}. */
    public PspfVersionedBytesStoreSupplier withStorage(final java.util.function.Supplier<VersionedStorage> storage) {
        return new PspfVersionedBytesStoreSupplier(name, historyRetention, segmentInterval, storage);
    }

    /**
     * Kafka's default segment interval for a history retention: retention/3 (at least 2 s) up to 1 minute of
     * retention, retention/5 (at least 20 s) up to 5 minutes, retention/12 (at least 1 minute) up to an hour, and
     * retention/24 (at least 5 minutes) beyond.
     *
     * @param historyRetention the history retention in ms
     * @return the segment interval in ms
     */
    public static long defaultSegmentInterval(final long historyRetention) {
        if (historyRetention <= 60_000L) {
            return Math.max(historyRetention / 3, 2_000L);
        } else if (historyRetention <= 300_000L) {
            return Math.max(historyRetention / 5, 20_000L);
        } else if (historyRetention <= 3_600_000L) {
            return Math.max(historyRetention / 12, 60_000L);
        } else {
            return Math.max(historyRetention / 24, 300_000L);
        }
    }

    /** @return the segment interval in ms */
    public long segmentIntervalMs() {
        return segmentInterval;
    }

    @Override
    public long historyRetentionMs() {
        return historyRetention;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return new InMemoryVersionedBytesStore(name, historyRetention, segmentInterval, storage.get());
    }

    @Override
    public String metricsScope() {
        return "rocksdb";
    }

    @Override
    public String toString() {
        return "PspfVersionedBytesStoreSupplier{name='" + name + "', historyRetention=" + historyRetention
            + ", segmentInterval=" + segmentInterval + '}';
    }
}
