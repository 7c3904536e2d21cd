package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pspf.state.sqlite.SqliteStores;

/** The window and session store contracts on SQLite, plain and cached; and what survives a restart. */
class SqliteSegmentedStoreTest {
    static WindowStoreBuilder<String, String> windowBuilder() {
        SqliteKeyValueStoreTest.deleteDatabase("store");
        return new WindowStoreBuilder<>(SqliteStores.windowStore("store",
            PspfWindowBytesStoreSupplier.Kind.PERSISTENT, AbstractWindowStoreTest.RETENTION,
            AbstractWindowStoreTest.WINDOW_SIZE, false), Serdes.String(), Serdes.String());
    }

    static SessionStoreBuilder<String, String> sessionBuilder() {
        SqliteKeyValueStoreTest.deleteDatabase("store");
        return new SessionStoreBuilder<>(SqliteStores.sessionStore("store",
            PspfSessionBytesStoreSupplier.Kind.PERSISTENT, AbstractSessionStoreTest.RETENTION),
            Serdes.String(), Serdes.String());
    }

    @Nested
    class Window extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return windowBuilder().build();
        }
    }

    @Nested
    class WindowCached extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return windowBuilder().withCachingEnabled().build();
        }

        @Override
        boolean cached() {
            return true;
        }
    }

    @Nested
    class Session extends AbstractSessionStoreTest {
        @Override
        SessionStore<String, String> createStore() {
            return sessionBuilder().build();
        }
    }

    @Nested
    class SessionCached extends AbstractSessionStoreTest {
        @Override
        SessionStore<String, String> createStore() {
            return sessionBuilder().withCachingEnabled().build();
        }

        @Override
        boolean cached() {
            return true;
        }

        /** Kafka's backward find over a cached persistent session store misses a cached session, as in memory. */
        @Override
        @Test
        void shouldFindSessionsEndingAfterAndStartingBeforeTheBounds() {
            store.put(session("a", 0L, 5L), "1");
            store.put(session("a", 10L, 20L), "2");
            store.put(session("a", 30L, 40L), "3");
            assertEquals(List.of(KeyValue.pair(session("a", 10L, 20L), "2")),
                toList(store.backwardFindSessions("a", 6L, 35L)));
            store.flush();
            assertEquals(List.of(KeyValue.pair(session("a", 30L, 40L), "3"), KeyValue.pair(session("a", 10L, 20L), "2")),
                toList(store.backwardFindSessions("a", 6L, 35L)), "found in the store once flushed");
        }
    }

    @Test
    void shouldKeepCommittedWindowsOffsetsAndStreamTimeAcrossRestarts() {
        SqliteKeyValueStoreTest.deleteDatabase("durable-windows");
        final TopicPartition changelog = new TopicPartition("app-durable-windows-changelog", 0);
        final long retention = 120_000L;
        final WindowStore<Bytes, byte[]> store = SqliteStores.windowStore("durable-windows",
            PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIMESTAMPED, retention, 10_000L, false).get();
        store.init(new TestStoreContext(), store);
        store.put(Bytes.wrap(new byte[] {1}), new byte[] {10}, 0L);
        store.put(Bytes.wrap(new byte[] {2}), new byte[] {20}, 500_000L); // stream time moves on: 0 expires
        store.commit(Map.of(changelog, 2L));
        store.put(Bytes.wrap(new byte[] {3}), new byte[] {30}, 500_000L); // not committed
        store.close();

        final WindowStore<Bytes, byte[]> reopened = SqliteStores.windowStore("durable-windows",
            PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIMESTAMPED, retention, 10_000L, false).get();
        reopened.init(new TestStoreContext(), reopened);
        try {
            assertArrayEquals(new byte[] {20}, reopened.fetch(Bytes.wrap(new byte[] {2}), 500_000L));
            assertNull(reopened.fetch(Bytes.wrap(new byte[] {3}), 500_000L), "the uncommitted put is gone");
            assertNull(reopened.fetch(Bytes.wrap(new byte[] {1}), 0L), "retention still counts from the stream time");
            assertEquals(2L, reopened.committedOffset(changelog));
            assertTrue(reopened.managesOffsets());
        } finally {
            reopened.close();
        }
    }
}
