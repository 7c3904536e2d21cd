package io.pspf.runtime.state;

/**
 * What PSPF's store layers need from the engine beyond Kafka's {@link org.apache.kafka.streams.processor.StateStoreContext}.
 * The engine's context implements this interface; the layers find it by an {@code instanceof} check at
 * {@code init} and fall back to a store-local environment when the context does not implement it (a context from
 * a test, or Kafka's {@code MockProcessorContext}).
 *
 * <p>Design note: Kafka's stores reach into {@code InternalProcessorContext} for the record context, the thread
 * cache and the changelog; PSPF names exactly those three needs here so that the runtime can grow without the
 * stores depending on the task classes.
 */
public interface StoreEnvironment {

    /**
     * The context of the record being processed, read by the caching and change-logging layers.
     *
     * @return the current record context; null or {@link StoreRecordContext#NONE} outside of processing
     */
    StoreRecordContext storeRecordContext();

    /**
     * Replaces the current record context; the caching layer sets the context of each dirty entry while it writes
     * the entry to the store below and calls its flush listener, then restores the previous one.
     *
     * @param context the context to make current; may be null
     */
    void setStoreRecordContext(StoreRecordContext context);

    /**
     * The record cache shared by all stores of one stream thread (Kafka's {@code ThreadCache}), sized by
     * {@code statestore.cache.max.bytes} divided among the threads.
     *
     * @return the thread's cache, or null to let each caching store use a cache of its own
     */
    default RecordCache recordCache() {
        return null;
    }

    /**
     * Where change-logging layers send changelog records.
     *
     * @return the sink, or null when nothing is logged
     */
    default ChangelogSink changelogSink() {
        return null;
    }

    /**
     * Tells the engine how to turn the store's changelog records back into stored values when it restores the store
     * (stores whose changelog value is the stored value need not call this).
     */
    default void registerChangelogConverter(final String storeName, final ChangelogRecordConverter converter) {
    }

    /**
     * The timer the outer layer of a store reports its operations' latencies to, or null when they are not measured
     * (the default; the engine measures them at {@code metrics.recording.level=DEBUG}).
     */
    default StoreOperationTimer storeOperationTimer(final String storeName, final String metricsScope) {
        return null;
    }

    /** Counts a record a window or session store skipped as expired in the task's dropped-records metric. */
    default void recordDropped() {
    }
}
