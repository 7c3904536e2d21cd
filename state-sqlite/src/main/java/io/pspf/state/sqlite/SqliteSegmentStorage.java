package io.pspf.state.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStoreContext;

import io.pspf.runtime.state.SegmentStorage;

/**
 * The segments of a window or session store in its SQLite database, {@code <state dir>/sqlite/<store>.db}:
 *
 * <pre>
 * CREATE TABLE segments (s INTEGER, k BLOB, v BLOB NOT NULL, PRIMARY KEY (s, k)) WITHOUT ROWID
 * </pre>
 *
 * ordered by segment id, then by key in Kafka's byte order. The store's observed stream time is committed with the
 * records (meta {@code observed_stream_time}), so that after a restart retention applies as before it.
 */
public final class SqliteSegmentStorage extends SqliteStorage implements SegmentStorage {
    private PreparedStatement select;
    private PreparedStatement upsert;
    private PreparedStatement remove;
    private PreparedStatement drop;
    private PreparedStatement ids;

    @Override
    public void open(final StateStoreContext context, final String storeName) {
        db = new SqliteDatabase(storeName, SqliteKeyValueBytesStore.databaseFile(context.stateDir().toPath(), storeName),
            "CREATE TABLE IF NOT EXISTS segments (s INTEGER NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, "
                + "PRIMARY KEY (s, k)) WITHOUT ROWID");
        try {
            select = db.prepare("SELECT v FROM segments WHERE s = ? AND k = ?");
            upsert = db.prepare("INSERT INTO segments (s, k, v) VALUES (?, ?, ?) "
                + "ON CONFLICT (s, k) DO UPDATE SET v = excluded.v");
            remove = db.prepare("DELETE FROM segments WHERE s = ? AND k = ?");
            drop = db.prepare("DELETE FROM segments WHERE s < ?");
            ids = db.prepare("SELECT DISTINCT s FROM segments WHERE s >= ? AND s <= ? ORDER BY s");
        } catch (final SQLException e) {
            db.close();
            throw db.failure("opening", e);
        }
    }

    @Override
    public byte[] get(final long segmentId, final Bytes key) {
        return db.queryBytes(select, segmentId, key.get());
    }

    @Override
    public void put(final long segmentId, final Bytes key, final byte[] value) {
        if (value == null) {
            db.update(remove, segmentId, key.get());
        } else {
            db.update(upsert, segmentId, key.get(), value);
        }
    }

    @Override
    public void dropSegmentsBelow(final long segmentId) {
        db.update(drop, segmentId);
    }

    @Override
    public List<Long> segmentIds(final long fromId, final long toId) {
        return fromId > toId ? new ArrayList<>() : db.queryLongs(ids, fromId, toId);
    }

    @Override
    public List<KeyValue<Bytes, byte[]>> scan(final long segmentId, final Bytes lower, final Bytes upper,
                                              final Predicate<byte[]> keyFilter, final boolean forward) {
        final StringBuilder sql = new StringBuilder("SELECT k, v FROM segments WHERE s = ?");
        if (lower != null) {
            sql.append(" AND k >= ?");
        }
        if (upper != null) {
            sql.append(" AND k <= ?");
        }
        sql.append(forward ? " ORDER BY k ASC" : " ORDER BY k DESC");
        try (PreparedStatement statement = db.connection().prepareStatement(sql.toString())) {
            int i = 1;
            statement.setLong(i++, segmentId);
            if (lower != null) {
                statement.setBytes(i++, lower.get());
            }
            if (upper != null) {
                statement.setBytes(i, upper.get());
            }
            final List<KeyValue<Bytes, byte[]>> records = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    final byte[] key = rs.getBytes(1);
                    if (keyFilter.test(key)) {
                        records.add(KeyValue.pair(Bytes.wrap(key), rs.getBytes(2)));
                    }
                }
            }
            return records;
        } catch (final SQLException e) {
            throw db.failure("reading", e);
        }
    }

    /** Deletes every record (the store itself stays). */
    @Override
    public void clear() {
        try (PreparedStatement all = db.connection().prepareStatement("DELETE FROM segments")) {
            all.executeUpdate();
        } catch (final SQLException e) {
            throw db.failure("writing", e);
        }
    }
}
