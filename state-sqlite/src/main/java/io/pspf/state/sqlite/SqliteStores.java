package io.pspf.state.sqlite;

import io.pspf.runtime.state.PspfSessionBytesStoreSupplier;
import io.pspf.runtime.state.PspfVersionedBytesStoreSupplier;
import io.pspf.runtime.state.PspfWindowBytesStoreSupplier;

/**
 * Suppliers of PSPF's persistent window, session and versioned stores on SQLite: the runtime's stores (Kafka's
 * RocksDB layout, retention and iteration order) with their records in {@link SqliteSegmentStorage} or
 * {@link SqliteVersionedStorage}. The window and session segment interval is Kafka's default for its persistent
 * stores, {@code max(retentionPeriod / 2, 60 s)}; the versioned one Kafka's for its history retention.
 */
public final class SqliteStores {
    private SqliteStores() {
    }

    static long segmentInterval(final long retentionPeriod) {
        return Math.max(retentionPeriod / 2, 60_000L);
    }

    /** A window store supplier of the given kind (any persistent kind of PSPF's window stores). */
    public static PspfWindowBytesStoreSupplier windowStore(final String name, final PspfWindowBytesStoreSupplier.Kind kind,
                                                           final long retentionPeriod, final long windowSize,
                                                           final boolean retainDuplicates) {
        return new PspfWindowBytesStoreSupplier(name, kind, retentionPeriod, segmentInterval(retentionPeriod), windowSize,
            retainDuplicates).withStorage(SqliteSegmentStorage::new);
    }

    /** A session store supplier of the given kind (any persistent kind of PSPF's session stores). */
    public static PspfSessionBytesStoreSupplier sessionStore(final String name,
                                                             final PspfSessionBytesStoreSupplier.Kind kind,
                                                             final long retentionPeriod) {
        return new PspfSessionBytesStoreSupplier(name, kind, retentionPeriod, segmentInterval(retentionPeriod))
            .withStorage(SqliteSegmentStorage::new);
    }

    /** A versioned key-value store supplier, as Kafka's {@code persistentVersionedKeyValueStore}. */
    public static PspfVersionedBytesStoreSupplier versionedStore(final String name, final long historyRetention) {
        return new PspfVersionedBytesStoreSupplier(name, historyRetention,
            PspfVersionedBytesStoreSupplier.defaultSegmentInterval(historyRetention))
            .withStorage(SqliteVersionedStorage::new);
    }
}
