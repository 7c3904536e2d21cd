package io.pspf.state.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStoreContext;

import io.pspf.runtime.state.VersionedSegmentRow;
import io.pspf.runtime.state.VersionedStorage;

/**
 * A versioned store's records in its SQLite database, {@code <state dir>/sqlite/<store>.db}:
 *
 * <pre>
 * CREATE TABLE latest   (k BLOB PRIMARY KEY, v BLOB NOT NULL, ts INTEGER NOT NULL) WITHOUT ROWID
 * CREATE TABLE segments (s INTEGER PRIMARY KEY)
 * CREATE TABLE versions (s INTEGER, k BLOB, row BLOB NOT NULL, PRIMARY KEY (s, k)) WITHOUT ROWID
 * </pre>
 *
 * A {@code versions} row is a {@link VersionedSegmentRow} in its serialized form. The observed stream time is
 * committed with the records.
 */
public final class SqliteVersionedStorage extends SqliteStorage implements VersionedStorage {
    private PreparedStatement selectLatest;
    private PreparedStatement upsertLatest;
    private PreparedStatement deleteLatest;
    private PreparedStatement countLatest;
    private PreparedStatement selectSegment;
    private PreparedStatement insertSegment;
    private PreparedStatement selectRow;
    private PreparedStatement upsertRow;
    private PreparedStatement segmentIds;
    private PreparedStatement dropRows;
    private PreparedStatement dropSegments;

    @Override
    public void open(final StateStoreContext context, final String storeName) {
        db = new SqliteDatabase(storeName, SqliteKeyValueBytesStore.databaseFile(context.stateDir().toPath(), storeName),
            "CREATE TABLE IF NOT EXISTS latest (k BLOB PRIMARY KEY, v BLOB NOT NULL, ts INTEGER NOT NULL) WITHOUT ROWID",
            "CREATE TABLE IF NOT EXISTS segments (s INTEGER PRIMARY KEY)",
            "CREATE TABLE IF NOT EXISTS versions (s INTEGER NOT NULL, k BLOB NOT NULL, row BLOB NOT NULL, "
                + "PRIMARY KEY (s, k)) WITHOUT ROWID");
        try {
            selectLatest = db.prepare("SELECT v, ts FROM latest WHERE k = ?");
            upsertLatest = db.prepare("INSERT INTO latest (k, v, ts) VALUES (?, ?, ?) "
                + "ON CONFLICT (k) DO UPDATE SET v = excluded.v, ts = excluded.ts");
            deleteLatest = db.prepare("DELETE FROM latest WHERE k = ?");
            countLatest = db.prepare("SELECT count(*) FROM latest");
            selectSegment = db.prepare("SELECT 1 FROM segments WHERE s = ?");
            insertSegment = db.prepare("INSERT OR IGNORE INTO segments (s) VALUES (?)");
            selectRow = db.prepare("SELECT row FROM versions WHERE s = ? AND k = ?");
            upsertRow = db.prepare("INSERT INTO versions (s, k, row) VALUES (?, ?, ?) "
                + "ON CONFLICT (s, k) DO UPDATE SET row = excluded.row");
            segmentIds = db.prepare("SELECT s FROM segments WHERE s >= ? ORDER BY s DESC");
            dropRows = db.prepare("DELETE FROM versions WHERE s < ?");
            dropSegments = db.prepare("DELETE FROM segments WHERE s < ?");
        } catch (final SQLException e) {
            db.close();
            throw db.failure("opening", e);
        }
    }

    @Override
    public Latest latest(final Bytes key) {
        try {
            selectLatest.setBytes(1, key.get());
            try (ResultSet rs = selectLatest.executeQuery()) {
                return rs.next() ? new Latest(rs.getBytes(1), rs.getLong(2)) : null;
            }
        } catch (final SQLException e) {
            throw db.failure("reading", e);
        }
    }

    @Override
    public void putLatest(final Bytes key, final byte[] value, final long timestamp) {
        try {
            upsertLatest.setBytes(1, key.get());
            upsertLatest.setBytes(2, value);
            upsertLatest.setLong(3, timestamp);
            upsertLatest.executeUpdate();
        } catch (final SQLException e) {
            throw db.failure("writing", e);
        }
    }

    @Override
    public void removeLatest(final Bytes key) {
        try {
            deleteLatest.setBytes(1, key.get());
            deleteLatest.executeUpdate();
        } catch (final SQLException e) {
            throw db.failure("writing", e);
        }
    }

    @Override
    public long latestCount() {
        try (ResultSet rs = countLatest.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        } catch (final SQLException e) {
            throw db.failure("reading", e);
        }
    }

    @Override
    public boolean hasSegment(final long segmentId) {
        try {
            selectSegment.setLong(1, segmentId);
            try (ResultSet rs = selectSegment.executeQuery()) {
                return rs.next();
            }
        } catch (final SQLException e) {
            throw db.failure("reading", e);
        }
    }

    @Override
    public void createSegment(final long segmentId) {
        try {
            insertSegment.setLong(1, segmentId);
            insertSegment.executeUpdate();
        } catch (final SQLException e) {
            throw db.failure("writing", e);
        }
    }

    @Override
    public VersionedSegmentRow row(final long segmentId, final Bytes key) {
        try {
            selectRow.setLong(1, segmentId);
            selectRow.setBytes(2, key.get());
            try (ResultSet rs = selectRow.executeQuery()) {
                return rs.next() ? VersionedSegmentRow.deserialize(rs.getBytes(1)) : null;
            }
        } catch (final SQLException e) {
            throw db.failure("reading", e);
        }
    }

    @Override
    public void putRow(final long segmentId, final Bytes key, final VersionedSegmentRow row) {
        try {
            createSegment(segmentId);
            upsertRow.setLong(1, segmentId);
            upsertRow.setBytes(2, key.get());
            upsertRow.setBytes(3, row.serialize());
            upsertRow.executeUpdate();
        } catch (final SQLException e) {
            throw db.failure("writing", e);
        }
    }

    @Override
    public List<Long> segmentIdsNewestFirst(final long fromSegmentId) {
        try {
            segmentIds.setLong(1, fromSegmentId);
            final List<Long> ids = new ArrayList<>();
            try (ResultSet rs = segmentIds.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        } catch (final SQLException e) {
            throw db.failure("reading", e);
        }
    }

    @Override
    public void dropSegmentsBelow(final long segmentId) {
        try {
            dropRows.setLong(1, segmentId);
            dropRows.executeUpdate();
            dropSegments.setLong(1, segmentId);
            dropSegments.executeUpdate();
        } catch (final SQLException e) {
            throw db.failure("writing", e);
        }
    }

    /** Deletes every record (the store itself stays). */
    @Override
    public void clear() {
        try (java.sql.Statement s = db.connection().createStatement()) {
            s.execute("DELETE FROM latest");
            s.execute("DELETE FROM versions");
            s.execute("DELETE FROM segments");
        } catch (final SQLException e) {
            throw db.failure("writing", e);
        }
    }
}
