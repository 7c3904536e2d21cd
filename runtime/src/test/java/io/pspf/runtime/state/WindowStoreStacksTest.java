package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Runs {@link AbstractWindowStoreTest} against each window stack, plus what is particular to each. */
class WindowStoreStacksTest {

    static WindowStoreBuilder<String, String> builder(final PspfWindowBytesStoreSupplier.Kind kind,
                                                      final boolean retainDuplicates, final long segmentInterval) {
        return new WindowStoreBuilder<>(new PspfWindowBytesStoreSupplier("store", kind, AbstractWindowStoreTest.RETENTION,
            segmentInterval, AbstractWindowStoreTest.WINDOW_SIZE, retainDuplicates), Serdes.String(), Serdes.String());
    }

    @Nested
    class InMemory extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return builder(PspfWindowBytesStoreSupplier.Kind.IN_MEMORY, false, 1L).build();
        }

        @Test
        void shouldIterateKeyRangesWindowStartFirst() {
            store.put("b", "b0", 0L);
            store.put("a", "a10", 10L);
            store.put("a", "a0", 0L);
            assertEquals(List.of(windowed("a", 0L, "a0"), windowed("b", 0L, "b0"), windowed("a", 10L, "a10")),
                toList(store.fetch("a", "b", 0L, 10L)));
        }
    }

    @Nested
    class InMemoryCached extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return builder(PspfWindowBytesStoreSupplier.Kind.IN_MEMORY, false, 1L).withCachingEnabled().build();
        }

        @Override
        boolean cached() {
            return true;
        }

        @Test
        void shouldMergeCachedAndStoredWindowsInStoreOrder() {
            store.put("b", "b0", 0L);
            store.flush();
            store.put("a", "a10", 10L);
            store.put("a", "a0", 0L);
            assertEquals(List.of(windowed("a", 0L, "a0"), windowed("b", 0L, "b0"), windowed("a", 10L, "a10")),
                toList(store.fetch("a", "b", 0L, 10L)));
        }
    }

    @Nested
    class Persistent extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return builder(PspfWindowBytesStoreSupplier.Kind.PERSISTENT, false, 60_000L).build();
        }

        @Test
        void shouldIterateKeyRangesKeyFirstWithinASegmentLikeRocksDb() {
            store.put("b", "b0", 0L);
            store.put("a", "a10", 10L);
            store.put("a", "a0", 0L);
            assertEquals(List.of(windowed("a", 0L, "a0"), windowed("a", 10L, "a10"), windowed("b", 0L, "b0")),
                toList(store.fetch("a", "b", 0L, 10L)));
            assertTrue(store.persistent());
        }
    }

    @Nested
    class PersistentCached extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return builder(PspfWindowBytesStoreSupplier.Kind.PERSISTENT, false, 60_000L).withCachingEnabled().build();
        }

        @Override
        boolean cached() {
            return true;
        }
    }

    @Nested
    class InMemoryWithDuplicates extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return builder(PspfWindowBytesStoreSupplier.Kind.IN_MEMORY, true, 1L).withCachingEnabled().build();
        }

        @Override
        boolean cached() {
            return true;
        }

        @Override
        void shouldDeleteWithANullValue() {
            store.put("a", "1", 0L);
            store.put("a", null, 0L);
            assertEquals(List.of(KeyValue.pair(0L, "1")), toList(store.fetch("a", 0L, 0L)),
                "with duplicates a null put is ignored");
        }

        @Override
        void shouldFetchWhatWasPutByKeyAndWindowStart() {
            store.put("a", "1", 0L);
            store.put("a", "2", 0L);
            assertEquals(List.of(KeyValue.pair(0L, "1"), KeyValue.pair(0L, "2")), toList(store.fetch("a", 0L, 0L)),
                "duplicates are kept in put order");
        }
    }

    @Nested
    class PersistentWithDuplicates extends AbstractWindowStoreTest {
        @Override
        WindowStore<String, String> createStore() {
            return builder(PspfWindowBytesStoreSupplier.Kind.PERSISTENT, true, 60_000L).build();
        }

        @Override
        void shouldDeleteWithANullValue() {
            store.put("a", "1", 0L);
            store.put("a", null, 0L);
            assertEquals(List.of(KeyValue.pair(0L, "1")), toList(store.fetch("a", 0L, 0L)));
        }

        @Override
        void shouldFetchWhatWasPutByKeyAndWindowStart() {
            store.put("a", "1", 0L);
            store.put("a", "2", 0L);
            assertEquals(List.of(KeyValue.pair(0L, "1"), KeyValue.pair(0L, "2")), toList(store.fetch("a", 0L, 0L)));
        }
    }
}
