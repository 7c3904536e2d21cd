package io.pspf.runtime.state;

import org.apache.kafka.streams.processor.StateRestoreCallback;

/**
 * A restore callback that needs each changelog record's timestamp (versioned stores keep a version per
 * timestamp). The engine must call {@link #restore(byte[], byte[], long)} for callbacks of this type.
 */
public interface TimestampedRestoreCallback extends StateRestoreCallback {

    /**
     * Applies one changelog record.
     *
     * @param key       the changelog key
     * @param value     the changelog value; null for a tombstone
     * @param timestamp the changelog record's timestamp
     */
    void restore(byte[] key, byte[] value, long timestamp);

    /**
     * Always fails: a versioned store cannot be restored without record timestamps.
     *
     * @throws IllegalStateException always
     */
    @Override
    default void restore(final byte[] key, final byte[] value) {
        throw new IllegalStateException("This store needs the changelog record timestamps to restore; "
            + "call restore(key, value, timestamp)");
    }
}
