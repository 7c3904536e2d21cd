package io.pspf.runtime.task;

import io.pspf.runtime.backend.RawRecord;

/**
 * Where a task's output records go: the test driver's capture, or a backend's commit unit. The partition is
 * null when the record should be placed by the default partitioner (murmur2 of the key bytes).
 */
public interface RecordSink {
    /** The number of partitions of {@code topic}, or 0 when the topic is unknown. */
    int partitionsFor(String topic);

    void send(RawRecord record, Integer partition);
}
