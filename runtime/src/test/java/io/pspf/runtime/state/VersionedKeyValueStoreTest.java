package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The versioned key-value store contract; history retention 100 ms. */
class VersionedKeyValueStoreTest {
    private TestStoreContext context;
    private VersionedKeyValueStore<String, String> store;

    @BeforeEach
    void setUp() {
        context = new TestStoreContext();
        store = new VersionedKeyValueStoreBuilder<>(new PspfVersionedBytesStoreSupplier("store", 100L, 50L),
            Serdes.String(), Serdes.String()).build();
        store.init(context, store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void shouldReturnTheLatestVersionAndTheVersionValidAtATimestamp() {
        assertEquals(VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED, store.put("a", "1", 10L));
        assertEquals(VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED, store.put("a", "2", 20L));
        assertEquals(new VersionedRecord<>("2", 20L), store.get("a"));
        assertEquals(new VersionedRecord<>("1", 10L), store.get("a", 15L));
        assertNull(store.get("a", 5L));
    }

    @Test
    void shouldReturnTheValidToOfAVersionPutIntoHistory() {
        store.put("a", "3", 30L);
        assertEquals(30L, store.put("a", "1", 10L));
        assertEquals(new VersionedRecord<>("1", 10L), store.get("a", 29L));
    }

    @Test
    void shouldNotPutVersionsOlderThanTheHistoryRetention() {
        store.put("a", "1", 200L);
        assertEquals(VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT, store.put("a", "0", 99L));
        assertEquals(150L, store.put("a", "x", 100L) == VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT ? -1L : 150L);
    }

    @Test
    void shouldAnswerBeyondTheHistoryRetentionOnlyWithTheLatestVersion() {
        store.put("a", "1", 10L);
        store.put("a", "2", 20L);
        store.put("b", "x", 300L);
        assertNull(store.get("a", 15L), "history beyond retention is not readable");
        assertEquals(new VersionedRecord<>("2", 20L), store.get("a", 25L), "the latest version never expires");
    }

    @Test
    void shouldDeleteWithATombstoneAndReturnTheVersionItReplaced() {
        store.put("a", "1", 10L);
        assertEquals(new VersionedRecord<>("1", 10L), store.delete("a", 20L));
        assertNull(store.get("a"));
        assertEquals(new VersionedRecord<>("1", 10L), store.get("a", 15L));
    }

    @Test
    void shouldLogPutsAndDeletesWithTheirOwnTimestamps() {
        context.setRecord(999L, 1L);
        store.put("a", "1", 10L);
        store.delete("a", 20L);
        assertEquals(2, context.changelog.size());
        assertEquals(10L, context.changelog.get(0).timestamp);
        assertEquals(20L, context.changelog.get(1).timestamp);
        assertNull(context.changelog.get(1).value);
    }

    @Test
    void shouldRestoreWithRecordTimestamps() {
        ((TimestampedRestoreCallback) context.restoreCallbacks.get("store")).restore("k".getBytes(), "v".getBytes(), 7L);
        assertEquals(new VersionedRecord<>("v", 7L), store.get("k"));
    }

    @Test
    void shouldRejectNullKeys() {
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.put(null, "1", 1L)).getMessage());
        assertEquals("key cannot be null", assertThrows(NullPointerException.class, () -> store.get(null)).getMessage());
    }

    @Test
    void shouldRefuseCaching() {
        assertEquals("Versioned stores do not support caching", assertThrows(IllegalStateException.class,
            () -> new VersionedKeyValueStoreBuilder<>(new PspfVersionedBytesStoreSupplier("s", 1L, 1L), Serdes.String(),
                Serdes.String()).withCachingEnabled()).getMessage());
    }
}
