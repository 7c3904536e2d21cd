package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key-value store contract, run against every PSPF key-value store stack (plain, logged, cached, persistent).
 * After each test the store's {@code all()} is checked against {@code approximateNumEntries()}.
 */
abstract class AbstractKeyValueStoreTest {
    TestStoreContext context;
    KeyValueStore<String, String> store;

    /** The store under test, built but not initialized. */
    abstract KeyValueStore<String, String> createStore();

    /** Whether approximateNumEntries() is exact for this stack (a cache hides entries from it). */
    boolean exactCount() {
        return true;
    }

    @BeforeEach
    void setUp() {
        context = new TestStoreContext();
        store = createStore();
        store.init(context, store);
    }

    @AfterEach
    void checkInvariantsAndClose() {
        store.flush();
        final List<KeyValue<String, String>> all = toList(store.all());
        final List<KeyValue<String, String>> reversed = toList(store.reverseAll());
        final List<KeyValue<String, String>> reversedBack = new ArrayList<>(reversed);
        java.util.Collections.reverse(reversedBack);
        assertEquals(all, reversedBack, "reverseAll is all reversed");
        assertEquals(all.size(), store.approximateNumEntries(), "all() and approximateNumEntries() agree");
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).key.compareTo(all.get(i).key) < 0, "all() is sorted by key");
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

    @Test
    void shouldReturnWhatWasPut() {
        store.put("a", "1");
        store.put("b", "2");
        assertEquals("1", store.get("a"));
        assertEquals("2", store.get("b"));
        assertNull(store.get("c"));
    }

    @Test
    void shouldOverwriteAndDeleteWithNullValue() {
        store.put("a", "1");
        store.put("a", "2");
        assertEquals("2", store.get("a"));
        store.put("a", null);
        assertNull(store.get("a"));
    }

    @Test
    void shouldPutIfAbsentOnlyWhenAbsentAndReturnThePreviousValue() {
        assertNull(store.putIfAbsent("a", "1"));
        assertEquals("1", store.putIfAbsent("a", "2"));
        assertEquals("1", store.get("a"));
    }

    @Test
    void shouldPutAllEntries() {
        store.putAll(Arrays.asList(KeyValue.pair("a", "1"), KeyValue.pair("b", "2")));
        assertEquals("1", store.get("a"));
        assertEquals("2", store.get("b"));
    }

    @Test
    void shouldDeleteAndReturnTheOldValue() {
        store.put("a", "1");
        assertEquals("1", store.delete("a"));
        assertNull(store.get("a"));
        assertNull(store.delete("a"));
    }

    @Test
    void shouldRejectNullKeysWithKafkasMessage() {
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.put(null, "1")).getMessage());
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.get(null)).getMessage());
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.delete(null)).getMessage());
        assertEquals("key cannot be null",
            assertThrows(NullPointerException.class, () -> store.putIfAbsent(null, "1")).getMessage());
        assertEquals("key cannot be null", assertThrows(NullPointerException.class,
            () -> store.putAll(Arrays.asList(KeyValue.pair("a", "1"), KeyValue.pair(null, "2")))).getMessage());
        assertEquals("prefix cannot be null", assertThrows(NullPointerException.class,
            () -> store.prefixScan(null, Serdes.String().serializer())).getMessage());
        assertEquals("prefixKeySerializer cannot be null",
            assertThrows(NullPointerException.class, () -> store.prefixScan("a", null)).getMessage());
    }

    @Test
    void shouldRangeInclusivelyInKeyOrderAndReverse() {
        for (final String key : new String[] {"d", "a", "c", "b", "e"}) {
            store.put(key, key.toUpperCase());
        }
        assertEquals(List.of(KeyValue.pair("b", "B"), KeyValue.pair("c", "C"), KeyValue.pair("d", "D")),
            toList(store.range("b", "d")));
        assertEquals(List.of(KeyValue.pair("d", "D"), KeyValue.pair("c", "C"), KeyValue.pair("b", "B")),
            toList(store.reverseRange("b", "d")));
    }

    @Test
    void shouldTreatNullRangeBoundsAsOpen() {
        for (final String key : new String[] {"a", "b", "c"}) {
            store.put(key, key);
        }
        assertEquals(List.of(KeyValue.pair("a", "a"), KeyValue.pair("b", "b")), toList(store.range(null, "b")));
        assertEquals(List.of(KeyValue.pair("b", "b"), KeyValue.pair("c", "c")), toList(store.range("b", null)));
        assertEquals(3, toList(store.range(null, null)).size());
    }

    @Test
    void shouldReturnNothingForRangeWithFromAfterTo() {
        store.put("a", "1");
        store.put("b", "2");
        assertFalse(store.range("b", "a").hasNext());
        assertFalse(store.reverseRange("b", "a").hasNext());
    }

    @Test
    void shouldScanByPrefixInKeyOrder() {
        for (final String key : new String[] {"ab", "a", "b", "abc", "aa"}) {
            store.put(key, key);
        }
        assertEquals(List.of(KeyValue.pair("ab", "ab"), KeyValue.pair("abc", "abc")),
            toList(store.prefixScan("ab", Serdes.String().serializer())));
        assertEquals(4, toList(store.prefixScan("a", Serdes.String().serializer())).size());
    }

    @Test
    void shouldNotReturnKeysDeletedWhileIterating() {
        store.put("a", "1");
        store.put("b", "2");
        store.put("c", "3");
        try (KeyValueIterator<String, String> iterator = store.all()) {
            assertEquals("a", iterator.next().key);
            store.delete("b");
            assertEquals(KeyValue.pair("c", "3"), iterator.next());
            assertFalse(iterator.hasNext());
        }
    }

    @Test
    void shouldPeekTheNextKeyWithoutConsumingIt() {
        store.put("a", "1");
        store.put("b", "2");
        try (KeyValueIterator<String, String> iterator = store.all()) {
            assertEquals("a", iterator.peekNextKey());
            assertEquals("a", iterator.next().key);
            assertEquals("b", iterator.peekNextKey());
        }
    }

    @Test
    void shouldCountEntries() {
        store.put("a", "1");
        store.put("b", "2");
        store.delete("a");
        store.flush();
        if (exactCount()) {
            assertEquals(1, store.approximateNumEntries());
        }
    }

    @Test
    void shouldKeepNameAndOpenState() {
        assertEquals("store", store.name());
        assertTrue(store.isOpen());
    }
}
