package io.pspf.state.sqlite;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import io.pspf.runtime.state.StoreStorage;

/**
 * What the SQLite storages share: the store's database, committed with the changelog offsets and the observed
 * stream time (meta {@code observed_stream_time}) its records reflect.
 */
abstract class SqliteStorage implements StoreStorage {
    private static final String STREAM_TIME = "observed_stream_time";

    protected SqliteDatabase db;

    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets, final long observedStreamTime) {
        db.commit(changelogOffsets, Map.of(STREAM_TIME, observedStreamTime));
    }

    @Override
    public boolean managesOffsets() {
        return true;
    }

    @Override
    public Long committedOffset(final TopicPartition partition) {
        return db.committedOffset(partition);
    }

    @Override
    public long committedStreamTime() {
        return db.meta(STREAM_TIME, -1L);
    }

    /** Closes the database; writes not committed are rolled back (the changelog still has them). */
    @Override
    public void close() {
        if (db != null) {
            db.close();
            db = null;
        }
    }
}
