package io.pspf.runtime.state;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Bytes;

/**
 * Where a change-logging store layer hands its changelog records. The engine supplies one per task through
 * {@link StoreEnvironment#changelogSink()}; the records it receives are exactly those Kafka Streams would
 * send to the store's changelog topic, in the same order, with the same keys, values, timestamps and headers.
 *
 * <p>A store with no sink (a context that offers none) keeps working and simply logs nothing.
 */
@FunctionalInterface
public interface ChangelogSink {

    /**
     * Records one change of a store.
     *
     * @param topic     the changelog topic, {@code <application.id>-<store>-changelog}
     * @param partition the partition of the task that owns the store
     * @param key       the changelog key, never null
     * @param value     the changelog value; null for a tombstone
     * @param timestamp the record timestamp of the change
     * @param headers   the record headers, never null (usually empty)
     */
    void send(String topic, int partition, Bytes key, byte[] value, long timestamp, Headers headers);
}
