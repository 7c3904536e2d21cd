package io.pspf.runtime.state;

import org.apache.kafka.common.header.Headers;

/**
 * Turns a changelog record back into the value a store keeps: the inverse of what the store's change-logging layer
 * logged (Kafka keeps a timestamp and headers in the stored value but logs them as the record's own).
 */
@FunctionalInterface
public interface ChangelogRecordConverter {
    /** The converter of stores whose stored value is the logged value. */
    ChangelogRecordConverter IDENTITY = (value, timestamp, headers) -> value;

    /**
     * @param loggedValue the changelog record's value; null for a tombstone
     * @param timestamp   the changelog record's timestamp
     * @param headers     the changelog record's headers
     * @return the stored value; null for a tombstone
     */
    byte[] toStored(byte[] loggedValue, long timestamp, Headers headers);
}
