package io.pspf.runtime.state;

/**
 * One value in the {@link RecordCache}: the bytes (null for a cached delete), whether it still has to be written to
 * the store below, and the context of the write that made it dirty.
 */
public final class CacheEntry {
    private final byte[] value;
    private final StoreRecordContext context;
    private final long sizeBytes;
    private boolean dirty;

    /**
     * @param value   the cached bytes; null records a delete
     * @param dirty   whether the entry still has to be flushed
     * @param context the context of the write; null for a clean entry read from the store
     */
    public CacheEntry(final byte[] value, final boolean dirty, final StoreRecordContext context) {
        this.value = value;
        this.dirty = dirty;
        this.context = context == null ? StoreRecordContext.NONE : context;
        // Kafka's estimate: the dirty flag, the value and the record context.
        this.sizeBytes = 1L + (value == null ? 0 : value.length) + this.context.residentMemorySizeEstimate();
    }

    /** A clean entry holding bytes read from the store below. */
    static CacheEntry clean(final byte[] value) {
        return new CacheEntry(value, false, new StoreRecordContext(-1L, -1L, -1, "", null));
    }

    /** @return the cached bytes; null for a cached delete */
    public byte[] value() {
        return value;
    }

    /** @return whether the entry still has to be written to the store below */
    public boolean isDirty() {
        return dirty;
    }

    /** @return the context of the write that made the entry dirty */
    public StoreRecordContext context() {
        return context;
    }

    void markClean() {
        dirty = false;
    }

    long size() {
        return sizeBytes;
    }
}
