package io.pspf.runtime.state;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * The life of a store's storage ({@link SegmentStorage}, {@link VersionedStorage}): opened for a store, committed
 * with the changelog offsets and stream time its records reflect, closed. In memory these do nothing; a durable
 * storage keeps the offsets and stream time with its records and gives them back after a restart.
 */
public interface StoreStorage {
    /** Opens the storage for a store (a durable one finds its files under the context's state directory). */
    default void open(final StateStoreContext context, final String storeName) {
    }

    /** Makes the writes so far durable, with the changelog offsets and the stream time they reflect. */
    default void commit(final Map<TopicPartition, Long> changelogOffsets, final long observedStreamTime) {
    }

    /** Whether the storage keeps changelog offsets ({@link #committedOffset}). */
    default boolean managesOffsets() {
        return false;
    }

    /** The next changelog offset the committed records do not reflect, or null. */
    default Long committedOffset(final TopicPartition partition) {
        return null;
    }

    /** The observed stream time of the last commit, or -1. */
    default long committedStreamTime() {
        return -1L;
    }

    default void close() {
    }
}
