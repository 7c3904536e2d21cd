package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session store contract, run against every PSPF session store stack; retention 100 ms. After each test,
 * {@code fetch} and {@code backwardFetch} of every key must hold the same sessions in opposite orders.
 */
abstract class AbstractSessionStoreTest {
    static final long RETENTION = 100L;

    TestStoreContext context;
    SessionStore<String, String> store;

    /**
     * Whether the stack has a caching layer: like Kafka's, it answers single-record reads from the entries it
     * still holds (clean ones too), even after the store below expired them.
     */
    boolean cached() {
        return false;
    }

    abstract SessionStore<String, String> createStore();

    @BeforeEach
    void setUp() {
        context = new TestStoreContext();
        store = createStore();
        store.init(context, store);
    }

    @AfterEach
    void checkInvariantsAndClose() {
        store.flush();
        for (final String key : new String[] {"a", "b", "c"}) {
            final List<KeyValue<Windowed<String>, String>> forward = toList(store.fetch(key));
            final List<KeyValue<Windowed<String>, String>> backward = toList(store.backwardFetch(key));
            java.util.Collections.reverse(backward);
            assertEquals(forward, backward, "backwardFetch is fetch reversed");
        }
        store.close();
    }

    static <K, V> List<KeyValue<K, V>> toList(final KeyValueIterator<K, V> iterator) {
        final List<KeyValue<K, V>> list = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(list::add);
        }
        return list;
    }

    static Windowed<String> session(final String key, final long start, final long end) {
        return new Windowed<>(key, new SessionWindow(start, end));
    }

    @Test
    void shouldFetchAPutSessionByKeyStartAndEnd() {
        store.put(session("a", 0L, 10L), "1");
        assertEquals("1", store.fetchSession("a", 0L, 10L));
        assertNull(store.fetchSession("a", 0L, 11L));
    }

    @Test
    void shouldRemoveSessions() {
        store.put(session("a", 0L, 10L), "1");
        store.remove(session("a", 0L, 10L));
        assertNull(store.fetchSession("a", 0L, 10L));
        store.put(session("a", 0L, 10L), "1");
        store.put(session("a", 0L, 10L), null);
        assertNull(store.fetchSession("a", 0L, 10L), "a null aggregate removes the session");
    }

    @Test
    void shouldFindSessionsEndingAfterAndStartingBeforeTheBounds() {
        store.put(session("a", 0L, 5L), "1");
        store.put(session("a", 10L, 20L), "2");
        store.put(session("a", 30L, 40L), "3");
        store.put(session("b", 10L, 20L), "x");
        assertEquals(List.of(KeyValue.pair(session("a", 10L, 20L), "2")), toList(store.findSessions("a", 6L, 25L)));
        assertEquals(List.of(KeyValue.pair(session("a", 30L, 40L), "3"), KeyValue.pair(session("a", 10L, 20L), "2")),
            toList(store.backwardFindSessions("a", 6L, 35L)));
    }

    @Test
    void shouldFindSessionsOfAKeyRange() {
        store.put(session("a", 0L, 10L), "1");
        store.put(session("b", 0L, 10L), "2");
        store.put(session("c", 0L, 10L), "3");
        assertEquals(List.of(KeyValue.pair(session("a", 0L, 10L), "1"), KeyValue.pair(session("b", 0L, 10L), "2")),
            toList(store.findSessions("a", "b", 0L, 100L)));
        assertFalse(store.findSessions("b", "a", 0L, 100L).hasNext(), "from > to gives nothing");
    }

    @Test
    void shouldDropSessionsEndingBeforeTheRetentionPeriod() {
        store.put(session("a", 0L, 10L), "old");
        store.flush();
        store.put(session("a", 200L, 210L), "new");
        store.flush();
        if (!cached()) {
            assertNull(store.fetchSession("a", 0L, 10L));
        }
        final List<KeyValue<Windowed<String>, String>> fetched = toList(store.fetch("a"));
        assertEquals(KeyValue.pair(session("a", 200L, 210L), "new"), fetched.get(fetched.size() - 1));
        if (!cached()) {
            assertEquals(1, fetched.size());
        }
    }

    @Test
    void shouldRejectNullKeysWithKafkasMessages() {
        assertEquals("sessionKey can't be null",
            assertThrows(NullPointerException.class, () -> store.put(null, "1")).getMessage());
        assertEquals("sessionKey.key() can't be null",
            assertThrows(NullPointerException.class, () -> store.put(session(null, 0L, 1L), "1")).getMessage());
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.fetch(null)).getMessage());
        assertEquals("key cannot be null",
            assertThrows(NullPointerException.class, () -> store.findSessions(null, 0L, 1L)).getMessage());
    }
}
