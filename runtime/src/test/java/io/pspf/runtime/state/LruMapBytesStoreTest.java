package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** What the LRU map store does beyond the key-value contract. */
class LruMapBytesStoreTest {

    @Test
    void lruMapShouldDropTheLeastRecentlyUsedEntryAndLogATombstone() {
        final TestStoreContext context = new TestStoreContext();
        final KeyValueStore<String, String> store = new KeyValueStoreBuilder<>(
            new PspfKeyValueBytesStoreSupplier("lru", PspfKeyValueBytesStoreSupplier.Kind.LRU, 2), Serdes.String(),
            Serdes.String()).build();
        store.init(context, store);
        store.put("a", "1");
        store.put("b", "2");
        store.get("a");
        store.put("c", "3");
        assertNull(store.get("b"));
        assertEquals("1", store.get("a"));
        assertEquals(4, context.changelog.size());
        assertArrayEquals("b".getBytes(StandardCharsets.UTF_8), context.changelog.get(2).key.get());
        assertNull(context.changelog.get(2).value);
    }
}
