package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The window store contract, run against every PSPF window store stack; window size 10 ms, retention 100 ms.
 * After each test, {@code all()} and {@code backwardAll()} must hold the same records in opposite orders.
 */
abstract class AbstractWindowStoreTest {
    static final long WINDOW_SIZE = 10L;
    static final long RETENTION = 100L;

    TestStoreContext context;
    WindowStore<String, String> store;

    /**
     * Whether the stack has a caching layer: like Kafka's, it answers single-record reads from the entries it
     * still holds (clean ones too), even after the store below expired them.
     */
    boolean cached() {
        return false;
    }

    abstract WindowStore<String, String> createStore();

    @BeforeEach
    void setUp() {
        context = new TestStoreContext();
        store = createStore();
        store.init(context, store);
    }

    @AfterEach
    void checkInvariantsAndClose() {
        final List<KeyValue<Windowed<String>, String>> all = toList(store.all());
        final List<KeyValue<Windowed<String>, String>> backward = toList(store.backwardAll());
        java.util.Collections.reverse(backward);
        assertEquals(all, backward, "backwardAll is all reversed");
        store.close();
    }

    static <K, V> List<KeyValue<K, V>> toList(final KeyValueIterator<K, V> iterator) {
        final List<KeyValue<K, V>> list = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(list::add);
        }
        return list;
    }

    static KeyValue<Windowed<String>, String> windowed(final String key, final long start, final String value) {
        return KeyValue.pair(new Windowed<>(key, new TimeWindow(start, start + WINDOW_SIZE)), value);
    }

    @Test
    void shouldFetchWhatWasPutByKeyAndWindowStart() {
        store.put("a", "1", 0L);
        store.put("a", "2", 10L);
        assertEquals("1", store.fetch("a", 0L));
        assertEquals("2", store.fetch("a", 10L));
        assertNull(store.fetch("a", 5L));
        assertNull(store.fetch("b", 0L));
    }

    @Test
    void shouldDeleteWithANullValue() {
        store.put("a", "1", 0L);
        store.put("a", null, 0L);
        assertNull(store.fetch("a", 0L));
    }

    @Test
    void shouldFetchAKeysWindowsInTimeOrderAndBackward() {
        store.put("a", "3", 30L);
        store.put("a", "1", 10L);
        store.put("b", "x", 20L);
        store.put("a", "2", 20L);
        try (WindowStoreIterator<String> iterator = store.fetch("a", 10L, 30L)) {
            assertEquals(List.of(KeyValue.pair(10L, "1"), KeyValue.pair(20L, "2"), KeyValue.pair(30L, "3")),
                toList(iterator));
        }
        assertEquals(List.of(KeyValue.pair(20L, "2"), KeyValue.pair(10L, "1")), toList(store.backwardFetch("a", 0L, 25L)));
    }

    @Test
    void shouldFetchKeyRangesWithWindowsOfTheStoresSize() {
        store.put("a", "1", 10L);
        store.put("b", "2", 10L);
        store.put("c", "3", 10L);
        assertEquals(List.of(windowed("a", 10L, "1"), windowed("b", 10L, "2")), toList(store.fetch("a", "b", 0L, 20L)));
        assertEquals(List.of(windowed("b", 10L, "2"), windowed("c", 10L, "3")), toList(store.fetch("b", null, 0L, 20L)));
        assertFalse(store.fetch("c", "a", 0L, 20L).hasNext(), "from > to gives nothing");
    }

    @Test
    void shouldFetchAllInATimeRange() {
        store.put("a", "1", 10L);
        store.put("b", "2", 20L);
        store.put("c", "3", 30L);
        assertEquals(List.of(windowed("a", 10L, "1"), windowed("b", 10L + 10L, "2")), toList(store.fetchAll(0L, 20L)));
    }

    @Test
    void shouldDropWindowsOlderThanTheRetentionPeriodBehindObservedStreamTime() {
        // flushed after every put, as a commit after every record does: a cache shows what it holds until then
        store.put("a", "old", 0L);
        store.flush();
        store.put("a", "new", RETENTION + 50L);
        store.flush();
        if (!cached()) {
            assertNull(store.fetch("a", 0L));
        }
        final List<KeyValue<Long, String>> fetched = toList(store.fetch("a", 0L, Long.MAX_VALUE));
        assertEquals(KeyValue.pair(RETENTION + 50L, "new"), fetched.get(fetched.size() - 1));
        if (!cached()) {
            assertEquals(1, fetched.size());
        }
        store.put("a", "late", 1L);
        store.flush();
        assertNull(cached() ? null : store.fetch("a", 1L), "a put behind the retention period is skipped");
    }

    @Test
    void shouldRejectNullKeysWithKafkasMessage() {
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.put(null, "1", 0L)).getMessage());
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.fetch(null, 0L)).getMessage());
        assertEquals("key cannot be null",
            assertThrows(NullPointerException.class, () -> store.fetch(null, 0L, 1L)).getMessage());
    }

    @Test
    void shouldLogPutsUnderTheBinaryWindowKey() {
        context.setRecord(77L, 1L);
        store.put("a", "1", 10L);
        store.flush();
        if (!context.changelog.isEmpty()) {
            final TestStoreContext.Logged logged = context.changelog.get(0);
            assertEquals(10L, StoreFormats.windowKeyStart(logged.key.get()));
            assertEquals("a", new String(StoreFormats.windowKeyKey(logged.key.get()).get()));
            assertEquals(77L, logged.timestamp);
        }
    }
}
