package io.pspf.runtime.state;

import java.util.function.Consumer;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * What every caching layer shares: its namespace in the {@link RecordCache}, the flush listener, and writing a
 * flushed entry under the entry's own record context.
 */
final class CacheSupport {
    private StoreEnvironment environment;
    private RecordCache cache;
    private String nameSpace;
    private CacheFlushListener listener;
    private boolean sendOldValues;

    void init(final StateStoreContext context, final String storeName, final Consumer<RecordCache.DirtyEntry> writer) {
        environment = StoreEnvironments.of(context);
        cache = environment.recordCache();
        if (cache == null) {
            cache = new RecordCache(StoreEnvironments.cacheMaxBytes(context));
        }
        nameSpace = RecordCache.nameSpace(String.valueOf(context.taskId()), storeName);
        cache.addDirtyEntryFlushListener(nameSpace, entries -> {
            for (final RecordCache.DirtyEntry entry : entries) {
                writer.accept(entry);
            }
        });
    }

    RecordCache cache() {
        return cache;
    }

    String nameSpace() {
        return nameSpace;
    }

    CacheFlushListener listener() {
        return listener;
    }

    boolean sendOldValues() {
        return sendOldValues;
    }

    void setListener(final CacheFlushListener listener, final boolean sendOldValues) {
        this.listener = listener;
        this.sendOldValues = sendOldValues;
    }

    /** A dirty entry carrying the current record context. */
    CacheEntry dirty(final byte[] value) {
        return new CacheEntry(value, true, StoreEnvironments.current(environment));
    }

    /** Runs a write (and the listener call) with the entry's record context made current. */
    void withContextOf(final CacheEntry entry, final Runnable write) {
        final StoreRecordContext previous = environment.storeRecordContext();
        try {
            environment.setStoreRecordContext(entry.context());
            write.run();
        } finally {
            environment.setStoreRecordContext(previous);
        }
    }

    /** Calls the listener, if any, with the entry's context current. */
    void forward(final Bytes key, final byte[] newValue, final byte[] oldValue, final CacheEntry entry) {
        if (listener != null) {
            listener.apply(key, newValue, sendOldValues ? oldValue : null, entry.context());
        }
    }

    void flush() {
        if (cache != null) {
            cache.flush(nameSpace);
        }
    }

    void close() {
        if (cache != null) {
            cache.flush(nameSpace);
            cache.close(nameSpace);
        }
    }

    static void validateOpen(final StateStore store) {
        if (!store.isOpen()) {
            throw new InvalidStateStoreException("Store " + store.name() + " is currently closed.");
        }
    }
}
