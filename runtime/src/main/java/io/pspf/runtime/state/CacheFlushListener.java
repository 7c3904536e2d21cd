package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;

/**
 * Told of each dirty entry a caching layer writes to the store below when its cache is flushed or evicts, in
 * Kafka's order (an evicted entry first, then the other dirty keys in the order they became dirty). The DSL uses it
 * to forward table updates downstream; while it runs, the store environment's record context is the entry's.
 */
@FunctionalInterface
public interface CacheFlushListener {
    /**
     * @param key      the store key bytes (for window and session stores, the store's binary key)
     * @param newValue the new value bytes; null for a delete
     * @param oldValue the value the store below held before, if old values were asked for (or the new value is
     *                 null); otherwise null
     * @param context  the context of the write that made the entry dirty
     */
    void apply(Bytes key, byte[] newValue, byte[] oldValue, StoreRecordContext context);
}
