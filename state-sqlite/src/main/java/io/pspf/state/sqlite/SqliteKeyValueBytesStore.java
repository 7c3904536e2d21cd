package io.pspf.state.sqlite;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.HeadersBytesStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.state.StoreSupport;

/**
 * A persistent key-value bytes store in one SQLite database file, {@code <state dir>/sqlite/<store>.db}, in WAL mode.
 * Keys are BLOBs compared with {@code memcmp} and shorter-first, which is the unsigned lexicographic order of
 * Kafka's {@code Bytes} and RocksDB; ranges and iteration follow it.
 *
 * <pre>
 * CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID
 * </pre>
 * (beside the tables of every store's database, {@link SqliteDatabase})
 *
 * <p>Writes go into an open transaction that {@link #commit(Map)} ends, storing with the records the changelog
 * offsets they reflect ({@link #committedOffset}), so that a restore replays only what the store lacks
 * ({@link #managesOffsets()}). A crash loses the writes since the last commit, which the changelog holds.
 *
 * <p>Iterators see the keys present when they were created and the values current when each key is reached; a key
 * deleted meanwhile is skipped (the contract of PSPF's other key-value stores).
 */
public sealed class SqliteKeyValueBytesStore implements KeyValueStore<Bytes, byte[]>
    permits SqliteKeyValueBytesStore.Timestamped, SqliteKeyValueBytesStore.WithHeaders {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteKeyValueBytesStore.class);

    private final String name;
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private SqliteDatabase db;
    private PreparedStatement select;
    private PreparedStatement upsert;
    private PreparedStatement remove;
    private PreparedStatement count;
    private volatile boolean open;

    public SqliteKeyValueBytesStore(final String name) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
    }

    @Override
    public String name() {
        return name;
    }

    /** The database file of a store in a state directory. */
    public static Path databaseFile(final Path stateDir, final String storeName) {
        return stateDir.resolve("sqlite").resolve(storeName + ".db");
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
        db = new SqliteDatabase(name, databaseFile(context.stateDir().toPath(), name),
            "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
        try {
            select = db.prepare("SELECT v FROM kv WHERE k = ?");
            upsert = db.prepare("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v");
            remove = db.prepare("DELETE FROM kv WHERE k = ?");
            count = db.prepare("SELECT count(*) FROM kv");
        } catch (final SQLException e) {
            db.close();
            throw db.failure("opening", e);
        }
        if (root != null) {
            context.register(root, (key, value) -> write(Bytes.wrap(key), value));
        }
        open = true;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }

    private void validateOpen() {
        if (!open) {
            throw new InvalidStateStoreException("Store " + name + " is currently closed.");
        }
    }

    @Override
    public byte[] get(final Bytes key) {
        validateOpen();
        return db.queryBytes(select, key.get());
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        validateOpen();
        write(key, value);
        updatePosition();
    }

    private void write(final Bytes key, final byte[] value) {
        if (value == null) {
            db.update(remove, key.get());
        } else {
            db.update(upsert, key.get(), value);
        }
    }

    private void updatePosition() {
        StoreSupport.updatePosition(position, context);
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        final byte[] original = get(key);
        if (original == null) {
            put(key, value);
        }
        return original;
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        for (final KeyValue<Bytes, byte[]> entry : entries) {
            put(entry.key, entry.value);
        }
    }

    @Override
    public byte[] delete(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        final byte[] old = get(key);
        if (old != null) {
            write(key, null);
        }
        updatePosition();
        return old;
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to) {
        return range(from, to, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(final Bytes from, final Bytes to) {
        return range(from, to, false);
    }

    private KeyValueIterator<Bytes, byte[]> range(final Bytes from, final Bytes to, final boolean forward) {
        validateOpen();
        if (from != null && to != null && from.compareTo(to) > 0) {
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return new SnapshotIterator(List.of());
        }
        final StringBuilder sql = new StringBuilder("SELECT k FROM kv");
        final List<byte[]> args = new ArrayList<>();
        if (from != null) {
            sql.append(" WHERE k >= ?");
            args.add(from.get());
        }
        if (to != null) {
            sql.append(from != null ? " AND" : " WHERE").append(" k <= ?");
            args.add(to.get());
        }
        sql.append(forward ? " ORDER BY k ASC" : " ORDER BY k DESC");
        return new SnapshotIterator(keys(sql.toString(), args));
    }

    private List<Bytes> keys(final String sql, final List<byte[]> args) {
        try (PreparedStatement statement = db.connection().prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                statement.setBytes(i + 1, args.get(i));
            }
            final List<Bytes> keys = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    keys.add(Bytes.wrap(rs.getBytes(1)));
                }
            }
            return keys;
        } catch (final SQLException e) {
            throw db.failure("reading", e);
        }
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return range(null, null, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return range(null, null, false);
    }

    /** As RocksDB: the keys that start with the prefix, in order; an empty prefix matches every key. */
    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(final P prefix,
                                                                                  final PS prefixKeySerializer) {
        validateOpen();
        final byte[] from = prefixKeySerializer.serialize(null, prefix);
        final List<Bytes> matching = new ArrayList<>();
        for (final Bytes key : keys("SELECT k FROM kv WHERE k >= ? ORDER BY k ASC", List.of(from))) {
            if (!StoreSupport.startsWith(key.get(), from)) {
                break;
            }
            matching.add(key);
        }
        return new SnapshotIterator(matching);
    }


    @Override
    public long approximateNumEntries() {
        validateOpen();
        return db.queryLongs(count).get(0);
    }

    /** Ends the open transaction, durably recording that the store reflects the changelog up to these offsets. */
    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
        validateOpen();
        db.commit(changelogOffsets, Map.of());
    }

    @Deprecated
    @Override
    public void flush() {
        commit(Map.of());
    }

    @Override
    public boolean managesOffsets() {
        return true;
    }

    /** The next changelog offset of {@code partition} the store does not reflect yet, as last committed; or null. */
    @Override
    public Long committedOffset(final TopicPartition partition) {
        validateOpen();
        return db.committedOffset(partition);
    }

    /** Closes the store; writes not yet committed are rolled back (the changelog still has them). */
    @Override
    public void close() {
        open = false;
        if (db != null) {
            db.close();
            db = null;
        }
    }

    private final class SnapshotIterator implements KeyValueIterator<Bytes, byte[]> {
        private final Iterator<Bytes> keys;
        private KeyValue<Bytes, byte[]> next;
        private boolean iteratorOpen = true;

        SnapshotIterator(final List<Bytes> keys) {
            this.keys = keys.iterator();
        }

        @Override
        public boolean hasNext() {
            if (!iteratorOpen) {
                throw new IllegalStateException(String.format("Iterator for store %s has already been closed.", name));
            }
            while (next == null && keys.hasNext()) {
                final Bytes key = keys.next();
                final byte[] value = get(key);
                if (value != null) {
                    next = KeyValue.pair(key, value);
                }
            }
            return next != null;
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final KeyValue<Bytes, byte[]> result = next;
            next = null;
            return result;
        }

        @Override
        public Bytes peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next.key;
        }

        @Override
        public void close() {
            iteratorOpen = false;
        }
    }

    /** A key-value bytes store whose values are in the timestamped format (Kafka's timestamped RocksDB store). */
    public static final class Timestamped extends SqliteKeyValueBytesStore implements TimestampedBytesStore {
        public Timestamped(final String name) {
            super(name);
        }
    }

    /** A key-value bytes store whose values are in the headers format. */
    public static final class WithHeaders extends SqliteKeyValueBytesStore
        implements TimestampedBytesStore, HeadersBytesStore {
        public WithHeaders(final String name) {
            super(name);
        }
    }
}
