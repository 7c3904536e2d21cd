package io.pspf.runtime.state;

import java.lang.reflect.Field;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Builds the bytes store of any supplier. A supplier from Kafka's own {@code Stores} builds Kafka's store
 * classes, which need Kafka's internal context (and RocksDB) at {@code init}; it is replaced by PSPF's store of the
 * same kind, chosen by its metrics scope and class, with the same name, retention, window size, segment interval
 * and duplicates setting. Any other supplier (PSPF's or the user's own) builds its own store.
 */
public final class KafkaStoreSuppliers {
    private static final String KAFKA_PACKAGE = "org.apache.kafka.streams.";

    private KafkaStoreSuppliers() {
    }

    /** @return whether the supplier is one of Kafka's own */
    public static boolean isKafkaSupplier(final Object supplier) {
        return supplier.getClass().getName().startsWith(KAFKA_PACKAGE);
    }

    /** The key-value bytes store a supplier stands for. */
    public static KeyValueStore<Bytes, byte[]> keyValueStore(final KeyValueBytesStoreSupplier supplier) {
        return equivalent(supplier).get();
    }

    /** PSPF's supplier equivalent to a key-value supplier, or the supplier itself when it is not Kafka's. */
    public static KeyValueBytesStoreSupplier equivalent(final KeyValueBytesStoreSupplier supplier) {
        if (!isKafkaSupplier(supplier) || supplier instanceof VersionedBytesStoreSupplier) {
            return supplier;
        }
        final String scope = supplier.metricsScope();
        final String className = supplier.getClass().getSimpleName();
        if ("in-memory".equals(scope)) {
            return new PspfKeyValueBytesStoreSupplier(supplier.name(), PspfKeyValueBytesStoreSupplier.Kind.IN_MEMORY, 0);
        }
        if ("in-memory-lru".equals(scope)) {
            final Object maxCacheSize = field(supplier, "val$maxCacheSize");
            if (maxCacheSize instanceof Integer) {
                return new PspfKeyValueBytesStoreSupplier(supplier.name(), PspfKeyValueBytesStoreSupplier.Kind.LRU,
                    (Integer) maxCacheSize);
            }
            return supplier;
        }
        if ("rocksdb".equals(scope)) {
            final PspfKeyValueBytesStoreSupplier.Kind kind;
            if (className.contains("Headers")) {
                kind = PspfKeyValueBytesStoreSupplier.Kind.PERSISTENT_WITH_HEADERS;
            } else if (Boolean.FALSE.equals(field(supplier, "returnTimestampedStore"))) {
                kind = PspfKeyValueBytesStoreSupplier.Kind.PERSISTENT;
            } else {
                kind = PspfKeyValueBytesStoreSupplier.Kind.PERSISTENT_TIMESTAMPED;
            }
            return new PspfKeyValueBytesStoreSupplier(supplier.name(), kind, 0);
        }
        return supplier;
    }

    /** PSPF's supplier equivalent to a window supplier, or the supplier itself when it is not Kafka's. */
    public static WindowBytesStoreSupplier equivalent(final WindowBytesStoreSupplier supplier) {
        if (!isKafkaSupplier(supplier)) {
            return supplier;
        }
        final String scope = supplier.metricsScope();
        if ("in-memory-window".equals(scope)) {
            return new PspfWindowBytesStoreSupplier(supplier.name(), PspfWindowBytesStoreSupplier.Kind.IN_MEMORY,
                supplier.retentionPeriod(), supplier.segmentIntervalMs(), supplier.windowSize(),
                supplier.retainDuplicates());
        }
        if ("rocksdb-window".equals(scope)) {
            final PspfWindowBytesStoreSupplier.Kind kind;
            final Object type = field(supplier, "windowStoreType");
            if (supplier.getClass().getSimpleName().equals("RocksDbIndexedTimeOrderedWindowBytesStoreSupplier")) {
                kind = type != null && type.toString().startsWith("INDEXED")
                    ? PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIME_ORDERED_INDEXED
                    : PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIME_ORDERED;
            } else if (supplier.getClass().getSimpleName().contains("Headers")
                || (type != null && type.toString().contains("HEADERS"))) {
                kind = PspfWindowBytesStoreSupplier.Kind.PERSISTENT_WITH_HEADERS;
            } else if (type != null && type.toString().contains("TIMESTAMPED")) {
                kind = PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIMESTAMPED;
            } else {
                kind = PspfWindowBytesStoreSupplier.Kind.PERSISTENT;
            }
            return new PspfWindowBytesStoreSupplier(supplier.name(), kind, supplier.retentionPeriod(),
                supplier.segmentIntervalMs(), supplier.windowSize(), supplier.retainDuplicates());
        }
        return supplier;
    }

    /** The window bytes store a supplier stands for. */
    public static WindowStore<Bytes, byte[]> windowStore(final WindowBytesStoreSupplier supplier) {
        return equivalent(supplier).get();
    }

    /** PSPF's supplier equivalent to a session supplier, or the supplier itself when it is not Kafka's. */
    public static SessionBytesStoreSupplier equivalent(final SessionBytesStoreSupplier supplier) {
        if (!isKafkaSupplier(supplier)) {
            return supplier;
        }
        final String scope = supplier.metricsScope();
        if ("in-memory-session".equals(scope)) {
            return new PspfSessionBytesStoreSupplier(supplier.name(), PspfSessionBytesStoreSupplier.Kind.IN_MEMORY,
                supplier.retentionPeriod(), supplier.segmentIntervalMs());
        }
        if ("rocksdb-session".equals(scope)) {
            final String className = supplier.getClass().getSimpleName();
            final PspfSessionBytesStoreSupplier.Kind kind = className.contains("Headers")
                ? PspfSessionBytesStoreSupplier.Kind.PERSISTENT_WITH_HEADERS
                : className.contains("TimeOrdered") ? PspfSessionBytesStoreSupplier.Kind.PERSISTENT_TIME_ORDERED
                : PspfSessionBytesStoreSupplier.Kind.PERSISTENT;
            return new PspfSessionBytesStoreSupplier(supplier.name(), kind, supplier.retentionPeriod(),
                supplier.segmentIntervalMs());
        }
        return supplier;
    }

    /** The session bytes store a supplier stands for. */
    public static SessionStore<Bytes, byte[]> sessionStore(final SessionBytesStoreSupplier supplier) {
        return equivalent(supplier).get();
    }

    /** PSPF's supplier equivalent to a versioned supplier, or the supplier itself when it is not Kafka's. */
    public static VersionedBytesStoreSupplier equivalent(final VersionedBytesStoreSupplier supplier) {
        if (!isKafkaSupplier(supplier)) {
            return supplier;
        }
        final long retention = supplier.historyRetentionMs();
        long segmentInterval = PspfVersionedBytesStoreSupplier.defaultSegmentInterval(retention);
        final Object interval = field(supplier, "segmentIntervalMs");
        if (interval instanceof Long) {
            segmentInterval = (Long) interval;
        }
        return new PspfVersionedBytesStoreSupplier(supplier.name(), retention, segmentInterval);
    }

    /** The value of a field of a Kafka supplier, or null when it cannot be read. */
    private static Object field(final Object target, final String name) {
        for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
            try {
                final Field field = type.getDeclaredField(name);
                field.setAccessible(true);
                return field.get(target);
            } catch (final NoSuchFieldException e) {
                // look in the superclass
            } catch (final ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
