package io.pspf.state.sqlite;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

import io.pspf.runtime.state.PersistentStorage;
import io.pspf.runtime.state.SegmentStorage;
import io.pspf.runtime.state.VersionedStorage;

/**
 * Puts the persistent stores of {@code PspfStreams} in SQLite: one database per store under the task's state
 * directory. Registered with {@link java.util.ServiceLoader}, so having this module on the class path is enough.
 */
public final class SqlitePersistentStorage implements PersistentStorage.Provider {

    @Override
    public KeyValueStore<Bytes, byte[]> keyValueStore(final String name, final PersistentStorage.KeyValueFormat format) {
        switch (format) {
            case TIMESTAMPED:
                return new SqliteKeyValueBytesStore.Timestamped(name);
            case WITH_HEADERS:
                return new SqliteKeyValueBytesStore.WithHeaders(name);
            default:
                return new SqliteKeyValueBytesStore(name);
        }
    }

    @Override
    public SegmentStorage segmentStorage() {
        return new SqliteSegmentStorage();
    }

    @Override
    public VersionedStorage versionedStorage() {
        return new SqliteVersionedStorage();
    }
}
