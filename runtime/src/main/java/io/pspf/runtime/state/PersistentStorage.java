package io.pspf.runtime.state;

import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.function.Supplier;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where the persistent store kinds keep their records. A topology's persistent stores are declared once (Kafka's
 * {@code Stores.persistent*}, the DSL's default) and built once per task; the engine decides where they live by
 * building them inside {@link #building}. Outside it (the test driver, a store built by hand) they keep their records
 * in memory, as they always did.
 *
 * <p>Design note: the choice is made at build time rather than in the topology so that one {@code Topology} can run
 * on the in-memory test driver and on {@code PspfStreams} unchanged, and so that {@code runtime} needs no SQLite
 * dependency: the SQLite module registers a {@link Provider} with {@link ServiceLoader}.
 */
public final class PersistentStorage {
    /** The value layout of a persistent key-value store. */
    public enum KeyValueFormat { PLAIN, TIMESTAMPED, WITH_HEADERS }

    /** Makes the storage of persistent stores. */
    public interface Provider {
        /** A persistent key-value bytes store (it finds its files under the state directory of the task at init). */
        KeyValueStore<Bytes, byte[]> keyValueStore(String name, KeyValueFormat format);

        /** A new storage for the segments of one window or session store. */
        SegmentStorage segmentStorage();

        /** A new storage for one versioned store. */
        VersionedStorage versionedStorage();
    }

    private static final ThreadLocal<Provider> CURRENT = new ThreadLocal<>();

    private PersistentStorage() {
    }

    /** Runs {@code build} with {@code provider} (may be null: in memory) deciding where persistent stores live. */
    public static <T> T building(final Provider provider, final Supplier<T> build) {
        final Provider previous = CURRENT.get();
        CURRENT.set(provider);
        try {
            return build.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** The first provider registered with {@link ServiceLoader}, or null when none is on the class path. */
    public static Provider installed() {
        final Iterator<Provider> providers = ServiceLoader.load(Provider.class).iterator();
        return providers.hasNext() ? providers.next() : null;
    }

    static Provider current() {
        return CURRENT.get();
    }

    /** The segment storage of a store being built: the provider's, or memory. */
    static SegmentStorage segmentStorage() {
        final Provider provider = CURRENT.get();
        return provider == null ? SegmentStorage.inMemory() : provider.segmentStorage();
    }

    /** The versioned storage of a store being built: the provider's, or memory. */
    static VersionedStorage versionedStorage() {
        final Provider provider = CURRENT.get();
        return provider == null ? VersionedStorage.inMemory() : provider.versionedStorage();
    }
}
