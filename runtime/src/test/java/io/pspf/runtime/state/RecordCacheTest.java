package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class RecordCacheTest {
    private static final StoreRecordContext CONTEXT = new StoreRecordContext(1L, 2L, 0, "topic", null);

    private static Bytes key(final String key) {
        return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    private static CacheEntry dirty(final String value) {
        return new CacheEntry(value.getBytes(StandardCharsets.UTF_8), true, CONTEXT);
    }

    private static String name(final RecordCache.DirtyEntry entry) {
        return new String(entry.key().get(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldChargeEntriesAsKafkaDoes() {
        final RecordCache cache = new RecordCache(10_000);
        cache.put("ns", key("ab"), dirty("xyz"));
        // node: key 2 + 24; entry: 1 + value 3 + context (8 + 8 + topic 5 + 4)
        assertEquals(2 + 24 + 1 + 3 + 25, cache.sizeBytes());
    }

    @Test
    void shouldFlushEvictedEntryFirstThenOtherDirtyKeysInDirtyOrder() {
        final long oneEntry = 1 + 24 + 1 + 1 + 25;
        final RecordCache cache = new RecordCache(3 * oneEntry);
        final List<String> flushed = new ArrayList<>();
        cache.addDirtyEntryFlushListener("ns", entries -> entries.forEach(e -> flushed.add(name(e))));
        cache.put("ns", key("a"), dirty("1"));
        cache.put("ns", key("b"), dirty("1"));
        cache.put("ns", key("c"), dirty("1"));
        cache.get("ns", key("a"));
        cache.put("ns", key("d"), dirty("1"));
        assertEquals(List.of("b", "a", "c", "d"), flushed, "b was least recently used; a, c, d follow in dirty order");
        assertNull(cache.get("ns", key("b")), "the evicted entry is gone");
        assertTrue(cache.get("ns", key("a")) != null && !cache.get("ns", key("a")).isDirty(), "flushed entries stay, clean");
    }

    @Test
    void shouldDropFlushedDeletes() {
        final RecordCache cache = new RecordCache(10_000);
        cache.addDirtyEntryFlushListener("ns", entries -> { });
        cache.put("ns", key("a"), new CacheEntry(null, true, CONTEXT));
        cache.flush("ns");
        assertEquals(0, cache.size());
        assertEquals(0, cache.sizeBytes());
    }

    @Test
    void shouldReturnRangesOverASnapshotOfKeysInOrder() {
        final RecordCache cache = new RecordCache(10_000);
        cache.put("ns", key("c"), dirty("3"));
        cache.put("ns", key("a"), dirty("1"));
        cache.put("ns", key("b"), dirty("2"));
        final List<String> keys = new ArrayList<>();
        cache.range("ns", key("a"), true, key("c"), false, false).forEachRemaining(kv -> keys.add(
            new String(kv.key.get(), StandardCharsets.UTF_8)));
        assertEquals(List.of("b", "a"), keys);
    }
}
