package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Runs {@link AbstractKeyValueStoreTest} against each key-value stack, plus what is particular to each. */
class KeyValueStoreStacksTest {

    static KeyValueStoreBuilder<String, String> builder(final PspfKeyValueBytesStoreSupplier.Kind kind) {
        return new KeyValueStoreBuilder<>(new PspfKeyValueBytesStoreSupplier("store", kind, 1000), Serdes.String(),
            Serdes.String());
    }

    @Nested
    class InMemoryUnlogged extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            return (KeyValueStore<String, String>) builder(PspfKeyValueBytesStoreSupplier.Kind.IN_MEMORY)
                .withLoggingDisabled().build();
        }

        @Test
        void shouldFailOnAnIteratorThatWasClosed() {
            store.put("a", "1");
            final KeyValueIterator<String, String> iterator = store.all();
            iterator.close();
            assertEquals("Iterator for store store has already been closed.",
                assertThrows(IllegalStateException.class, iterator::hasNext).getMessage());
        }

        @Test
        void shouldRestoreFromChangelogRecords() {
            context.restoreCallbacks.get("store").restore("k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8));
            assertEquals("v", store.get("k"));
            context.restoreCallbacks.get("store").restore("k".getBytes(StandardCharsets.UTF_8), null);
            assertNull(store.get("k"));
        }
    }

    @Nested
    class InMemoryLogged extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            return builder(PspfKeyValueBytesStoreSupplier.Kind.IN_MEMORY).build();
        }

        @Test
        void shouldLogEveryWriteWithTheRecordTimestampToTheChangelogTopic() {
            context.setRecord(42L, 7L);
            store.put("a", "1");
            store.delete("missing");
            assertNull(store.putIfAbsent("b", "2"));
            store.putIfAbsent("b", "3");
            assertEquals(3, context.changelog.size());
            final TestStoreContext.Logged first = context.changelog.get(0);
            assertEquals("app-store-changelog", first.topic);
            assertArrayEquals("a".getBytes(StandardCharsets.UTF_8), first.key.get());
            assertArrayEquals("1".getBytes(StandardCharsets.UTF_8), first.value);
            assertEquals(42L, first.timestamp);
            assertNull(context.changelog.get(1).value, "a delete of an absent key is still a tombstone");
        }
    }

    @Nested
    class InMemoryCached extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            return builder(PspfKeyValueBytesStoreSupplier.Kind.IN_MEMORY).withCachingEnabled().build();
        }

        @Test
        void shouldLogOnlyWhenTheCacheIsFlushedWithTheTimestampOfTheWrite() {
            context.setRecord(5L, 1L);
            store.put("a", "1");
            context.setRecord(6L, 2L);
            store.put("a", "2");
            assertTrue(context.changelog.isEmpty());
            context.setRecord(9L, 3L);
            store.flush();
            assertEquals(1, context.changelog.size());
            assertEquals(6L, context.changelog.get(0).timestamp);
            assertArrayEquals("2".getBytes(StandardCharsets.UTF_8), context.changelog.get(0).value);
        }

        @Test
        void shouldForwardFlushedEntriesWithOldValuesToTheFlushListener() {
            final List<String> flushed = new java.util.ArrayList<>();
            assertTrue(((CachedStore) store).setFlushListener((key, newValue, oldValue, recordContext) ->
                flushed.add(new String(key.get(), StandardCharsets.UTF_8) + "=" + string(newValue) + "/" + string(oldValue)
                    + "@" + recordContext.timestamp()), true));
            context.setRecord(1L, 1L);
            store.put("a", "1");
            store.flush();
            context.setRecord(2L, 2L);
            store.put("a", "2");
            store.delete("b");
            store.flush();
            assertEquals(List.of("a=1/null@1", "a=2/1@2"), flushed, "deleting an absent key forwards nothing");
        }

        private String string(final byte[] bytes) {
            return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        boolean exactCount() {
            return false;
        }
    }

    @Nested
    class PersistentCachedAndLogged extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            return builder(PspfKeyValueBytesStoreSupplier.Kind.PERSISTENT).withCachingEnabled().build();
        }

        @Test
        void shouldReportPersistent() {
            assertTrue(store.persistent());
        }
    }

    @Nested
    class TinyCache extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            context = new TestStoreContext(0L);
            return builder(PspfKeyValueBytesStoreSupplier.Kind.IN_MEMORY).withCachingEnabled().build();
        }

        @Test
        void shouldWriteThroughWhenTheCacheHoldsNothing() {
            store.put("a", "1");
            assertEquals(1, context.changelog.size());
        }
    }

    @Nested
    class LruMap extends AbstractKeyValueStoreTest {
        @Override
        KeyValueStore<String, String> createStore() {
            return builder(PspfKeyValueBytesStoreSupplier.Kind.LRU).build();
        }

        @Override
        void shouldNotReturnKeysDeletedWhileIterating() {
            // LRU range reads iterate a snapshot, as Kafka's MemoryNavigableLRUCache does
        }
    }
}
