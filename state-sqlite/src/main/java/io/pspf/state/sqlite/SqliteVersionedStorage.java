package io.pspf.state.sqlite;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
        db.update(upsertLatest, key.get(), value, timestamp);
    }

    @Override
    public void removeLatest(final Bytes key) {
        db.update(deleteLatest, key.get());
    }

    @Override
    public long latestCount() {
        return db.queryLongs(countLatest).get(0);
    }

    @Override
    public boolean hasSegment(final long segmentId) {
        return !db.queryLongs(selectSegment, segmentId).isEmpty();
    }

    @Override
    public void createSegment(final long segmentId) {
        db.update(insertSegment, segmentId);
    }

    @Override
    public VersionedSegmentRow row(final long segmentId, final Bytes key) {
        final byte[] row = db.queryBytes(selectRow, segmentId, key.get());
        return row == null ? null : VersionedSegmentRow.deserialize(row);
    }

    @Override
    public void putRow(final long segmentId, final Bytes key, final VersionedSegmentRow row) {
        createSegment(segmentId);
        db.update(upsertRow, segmentId, key.get(), row.serialize());
    }

    @Override
    public List<Long> segmentIdsNewestFirst(final long fromSegmentId) {
        return db.queryLongs(segmentIds, fromSegmentId);
    }

    @Override
    public void dropSegmentsBelow(final long segmentId) {
        db.update(dropRows, segmentId);
        db.update(dropSegments, segmentId);
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
