package io.pspf.runtime.state;

import java.util.Objects;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The context of the record that caused a store write: timestamp, offset, partition, topic and headers. The
 * record cache keeps one with every dirty entry so that a flush writes (and forwards) the entry with the context
 * of the write that made it dirty, as Kafka Streams does.
 */
public final class StoreRecordContext {
    /** The context used when no record is being processed: no timestamp, offset, partition or topic. */
    public static final StoreRecordContext NONE = new StoreRecordContext(-1L, -1L, -1, null, new RecordHeaders());

    private final long timestamp;
    private final long offset;
    private final int partition;
    private final String topic;
    private final Headers headers;

    /**
     * @param timestamp the record timestamp
     * @param offset    the input offset, or -1
     * @param partition the input partition, or -1
     * @param topic     the input topic; may be null
     * @param headers   the record headers; null is taken as no headers
     */
    public StoreRecordContext(final long timestamp, final long offset, final int partition, final String topic,
                              final Headers headers) {
        this.timestamp = timestamp;
        this.offset = offset;
        this.partition = partition;
        this.topic = topic;
        this.headers = headers == null ? new RecordHeaders() : headers;
    }

    /** @return the record timestamp */
    public long timestamp() {
        return timestamp;
    }

    /** @return the input offset, or -1 */
    public long offset() {
        return offset;
    }

    /** @return the input partition, or -1 */
    public int partition() {
        return partition;
    }

    /** @return the input topic, or null */
    public String topic() {
        return topic;
    }

    /** @return the record headers, never null */
    public Headers headers() {
        return headers;
    }

    /**
     * The memory this context is charged in the record cache, computed as Kafka Streams does (two longs, an int,
     * the topic's characters and the headers' key characters and value bytes) so that caches fill and evict at the
     * same points.
     *
     * @return the estimated size in bytes
     */
    public long residentMemorySizeEstimate() {
        long size = 8L + 8L + (topic == null ? 0 : topic.length()) + 4L;
        for (final Header header : headers) {
            size += header.key().length();
            if (header.value() != null) {
                size += header.value().length;
            }
        }
        return size;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StoreRecordContext)) {
            return false;
        }
        final StoreRecordContext that = (StoreRecordContext) o;
        return timestamp == that.timestamp && offset == that.offset && partition == that.partition
            && Objects.equals(topic, that.topic) && Objects.equals(headers, that.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, offset, partition, topic);
    }

    @Override
    public String toString() {
        return "StoreRecordContext{timestamp=" + timestamp + ", offset=" + offset + ", partition=" + partition
            + ", topic=" + topic + ", headers=" + headers + '}';
    }
}
