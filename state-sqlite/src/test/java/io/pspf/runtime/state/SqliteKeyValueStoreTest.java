package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pspf.state.sqlite.SqliteKeyValueBytesStore;
import io.pspf.state.sqlite.SqliteKeyValueBytesStoreSupplier;

/** PSPF's key-value store contract on SQLite, plain and under the caching and logging layers; and durability. */
class SqliteKeyValueStoreTest {
    /** The store's database, emptied: every test starts from nothing. */
    static void deleteDatabase(final String store) {
        final Path file = SqliteKeyValueBytesStore.databaseFile(new TestStoreContext().stateDir().toPath(), store);
        try {
            for (final String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyValueStoreBuilder<String, String> builder() {
        deleteDatabase("store");
        return new KeyValueStoreBuilder<>(new SqliteKeyValueBytesStoreSupplier("store"), Serdes.String(),
            Serdes.String());
    }

    @Nested
    class Logged extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            return builder().build();
        }

        @Test
        void shouldReportPersistent() {
            assertTrue(store.persistent());
        }
    }

    @Nested
    class TimestampedCachedAndLogged extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            deleteDatabase("store");
            return new KeyValueStoreBuilder<>(new SqliteKeyValueBytesStoreSupplier("store",
                SqliteKeyValueBytesStoreSupplier.Format.TIMESTAMPED), Serdes.String(), Serdes.String())
                .withCachingEnabled().build();
        }

        @Override
        boolean exactCount() {
            return false;
        }

        @Test
        void shouldBeATimestampedBytesStore() {
            assertTrue(new SqliteKeyValueBytesStoreSupplier("x", SqliteKeyValueBytesStoreSupplier.Format.TIMESTAMPED)
                .get() instanceof org.apache.kafka.streams.state.TimestampedBytesStore);
            assertTrue(new SqliteKeyValueBytesStoreSupplier("x", SqliteKeyValueBytesStoreSupplier.Format.WITH_HEADERS)
                .get() instanceof org.apache.kafka.streams.state.HeadersBytesStore);
        }
    }

    @Nested
    class CachedAndLogged extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            return builder().withCachingEnabled().build();
        }

        @Override
        boolean exactCount() {
            return false;
        }
    }

    private static Bytes bytes(final String s) {
        return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldKeepCommittedWritesAndTheirOffsetsAcrossReopeningAndDropUncommittedOnes() {
        deleteDatabase("durable");
        final TestStoreContext context = new TestStoreContext();
        final TopicPartition changelog = new TopicPartition("app-durable-changelog", 0);
        final SqliteKeyValueBytesStore store = new SqliteKeyValueBytesStore("durable");
        store.init(context, store);
        assertNull(store.committedOffset(changelog));
        store.put(bytes("a"), new byte[] {1});
        store.put(bytes("b"), new byte[] {2});
        store.commit(Map.of(changelog, 17L));
        store.put(bytes("c"), new byte[] {3});
        store.delete(bytes("a"));
        store.close(); // without a commit

        final SqliteKeyValueBytesStore reopened = new SqliteKeyValueBytesStore("durable");
        reopened.init(new TestStoreContext(), reopened);
        try {
            assertArrayEquals(new byte[] {1}, reopened.get(bytes("a")), "the uncommitted delete is gone");
            assertArrayEquals(new byte[] {2}, reopened.get(bytes("b")));
            assertNull(reopened.get(bytes("c")), "the uncommitted put is gone");
            assertEquals(17L, reopened.committedOffset(changelog));
            assertTrue(reopened.managesOffsets());
        } finally {
            reopened.close();
        }
    }

    @Test
    void shouldRestoreThroughTheRegisteredCallback() {
        deleteDatabase("restored");
        final TestStoreContext context = new TestStoreContext();
        final SqliteKeyValueBytesStore store = new SqliteKeyValueBytesStore("restored");
        store.init(context, store);
        try {
            context.restoreCallbacks.get("restored").restore(bytes("k").get(), new byte[] {9});
            assertArrayEquals(new byte[] {9}, store.get(bytes("k")));
            context.restoreCallbacks.get("restored").restore(bytes("k").get(), null);
            assertNull(store.get(bytes("k")));
        } finally {
            store.close();
        }
    }
}
