package io.pspf.state.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One store's SQLite database: the connection (WAL mode, writes in an open transaction), and the tables every
 * store has beside its records:
 *
 * <pre>
 * CREATE TABLE offsets (topic TEXT, partition INTEGER, next_offset INTEGER, PRIMARY KEY (topic, partition))
 * CREATE TABLE meta    (name TEXT PRIMARY KEY, value INTEGER)
 * </pre>
 *
 * {@link #commit} ends the transaction with the changelog offsets (and any meta values) the records reflect.
 */
final class SqliteDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);

    private final String store;
    private final Connection connection;
    private final List<PreparedStatement> statements = new ArrayList<>();
    private final PreparedStatement saveOffset;
    private final PreparedStatement loadOffset;
    private final PreparedStatement saveMeta;
    private final PreparedStatement loadMeta;

    /**
     * Opens (creating it if needed) the database of {@code store} at {@code file}, creating the given tables too.
     *
     * @throws ProcessorStateException naming the store and file when it cannot be opened
     */
    SqliteDatabase(final String store, final Path file, final String... createTables) {
        this.store = store;
        Connection opened = null;
        try {
            Files.createDirectories(file.getParent());
            // sqlite-jdbc would otherwise run "SELECT last_insert_rowid()" after every write, for keys we never ask for
            final java.util.Properties settings = new java.util.Properties();
            settings.setProperty("jdbc.get_generated_keys", "false");
            opened = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), settings);
            try (Statement s = opened.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS offsets (topic TEXT NOT NULL, partition INTEGER NOT NULL, "
                    + "next_offset INTEGER NOT NULL, PRIMARY KEY (topic, partition))");
                s.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
                for (final String table : createTables) {
                    s.execute(table);
                }
            }
            opened.setAutoCommit(false);
            this.connection = opened;
            this.saveOffset = prepare("INSERT INTO offsets (topic, partition, next_offset) VALUES (?, ?, ?) "
                + "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset");
            this.loadOffset = prepare("SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?");
            this.saveMeta = prepare("INSERT INTO meta (name, value) VALUES (?, ?) "
                + "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
            this.loadMeta = prepare("SELECT value FROM meta WHERE name = ?");
        } catch (final IOException | SQLException e) {
            closeQuietly(opened);
            throw new ProcessorStateException("Error opening store " + store + " at " + file, e);
        }
    }

    /** A statement closed with the database. */
    PreparedStatement prepare(final String sql) throws SQLException {
        final PreparedStatement statement = connection.prepareStatement(sql);
        statements.add(statement);
        return statement;
    }

    Connection connection() {
        return connection;
    }

    /** Runs a prepared update with its parameters ({@code byte[]}, {@code Long}, {@code Integer} or {@code String}). */
    void update(final PreparedStatement statement, final Object... parameters) {
        try {
            bind(statement, parameters);
            statement.executeUpdate();
        } catch (final SQLException e) {
            throw failure("writing", e);
        }
    }

    /** The first column of the first row a prepared query returns, as bytes; null when there is no row. */
    byte[] queryBytes(final PreparedStatement statement, final Object... parameters) {
        try {
            bind(statement, parameters);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        } catch (final SQLException e) {
            throw failure("reading", e);
        }
    }

    /** The first column of every row a prepared query returns, as numbers. */
    List<Long> queryLongs(final PreparedStatement statement, final Object... parameters) {
        try {
            bind(statement, parameters);
            final List<Long> values = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getLong(1));
                }
            }
            return values;
        } catch (final SQLException e) {
            throw failure("reading", e);
        }
    }

    private static void bind(final PreparedStatement statement, final Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            final Object p = parameters[i];
            if (p instanceof byte[]) {
                statement.setBytes(i + 1, (byte[]) p);
            } else if (p instanceof Long) {
                statement.setLong(i + 1, (Long) p);
            } else if (p instanceof Integer) {
                statement.setInt(i + 1, (Integer) p);
            } else {
                statement.setString(i + 1, (String) p);
            }
        }
    }

    ProcessorStateException failure(final String doing, final SQLException e) {
        return new ProcessorStateException("Error " + doing + " store " + store, e);
    }

    /** Ends the open transaction, with the changelog offsets and meta values the records reflect. */
    void commit(final Map<TopicPartition, Long> changelogOffsets, final Map<String, Long> meta) {
        try {
            for (final Map.Entry<TopicPartition, Long> offset : changelogOffsets.entrySet()) {
                saveOffset.setString(1, offset.getKey().topic());
                saveOffset.setInt(2, offset.getKey().partition());
                saveOffset.setLong(3, offset.getValue());
                saveOffset.executeUpdate();
            }
            for (final Map.Entry<String, Long> value : meta.entrySet()) {
                saveMeta.setString(1, value.getKey());
                saveMeta.setLong(2, value.getValue());
                saveMeta.executeUpdate();
            }
            connection.commit();
        } catch (final SQLException e) {
            throw failure("committing", e);
        }
    }

    /** The committed next changelog offset of a partition, or null. */
    Long committedOffset(final TopicPartition partition) {
        try {
            loadOffset.setString(1, partition.topic());
            loadOffset.setInt(2, partition.partition());
            try (ResultSet rs = loadOffset.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        } catch (final SQLException e) {
            throw failure("reading the offsets of", e);
        }
    }

    /** A committed meta value, or {@code otherwise}. */
    long meta(final String name, final long otherwise) {
        try {
            loadMeta.setString(1, name);
            try (ResultSet rs = loadMeta.executeQuery()) {
                return rs.next() ? rs.getLong(1) : otherwise;
            }
        } catch (final SQLException e) {
            throw failure("reading the metadata of", e);
        }
    }

    /** Closes the database; writes not committed are rolled back (the changelog still has them). */
    @Override
    public void close() {
        for (final PreparedStatement statement : statements) {
            closeQuietly(statement);
        }
        closeQuietly(connection);
    }

    private void closeQuietly(final AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (final Exception e) {
                LOG.warn("Error closing store {}", store, e);
            }
        }
    }
}
