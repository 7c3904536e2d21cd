package io.pspf.runtime.state;

/**
 * A store with a caching layer; the metered layers expose it so that the engine and the DSL can reach the cache.
 */
public interface CachedStore {
    /**
     * Sets the listener told of each entry written from the cache to the store below.
     *
     * @param listener      the listener
     * @param sendOldValues whether the listener needs the old value of every entry
     * @return true when the store has a caching layer that took the listener
     */
    boolean setFlushListener(CacheFlushListener listener, boolean sendOldValues);

    /** Writes all dirty cached entries to the store below (without flushing that store). */
    void flushCache();
}
