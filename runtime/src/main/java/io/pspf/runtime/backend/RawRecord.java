package io.pspf.runtime.backend;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record as it sits in a topic partition: serialized key and value (either may be null), a timestamp,
 * headers, and — once stored — the partition and offset it was stored at ({@code -1} before that).
 */
public final class RawRecord {
    private final String topic;
    private final int partition;
    private final long offset;
    private final long timestamp;
    private final byte[] key;
    private final byte[] value;
    private final Headers headers;

    public RawRecord(final String topic, final int partition, final long offset, final long timestamp,
                     final byte[] key, final byte[] value, final Headers headers) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headers = headers == null ? new RecordHeaders() : headers;
    }

    /** A copy of this record placed at the given partition and offset. */
    public RawRecord at(final int partition, final long offset) {
        return new RawRecord(topic, partition, offset, timestamp, key, value, headers);
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    public byte[] key() {
        return key;
    }

    public byte[] value() {
        return value;
    }

    public Headers headers() {
        return headers;
    }

    @Override
    public String toString() {
        return "RawRecord(" + topic + "-" + partition + "@" + offset + ", ts=" + timestamp + ")";
    }
}
