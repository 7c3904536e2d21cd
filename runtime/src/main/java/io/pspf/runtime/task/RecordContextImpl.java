package io.pspf.runtime.task;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Where the record being processed came from: topic, partition, offset, plus its timestamp and headers. */
final class RecordContextImpl implements RecordMetadata, RecordContext {
    final String topic;
    final int partition;
    final long offset;
    final long timestamp;
    final Headers headers;
    final byte[] rawKey;
    final byte[] rawValue;

    RecordContextImpl(final String topic, final int partition, final long offset, final long timestamp,
                      final Headers headers, final byte[] rawKey, final byte[] rawValue) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.headers = headers;
        this.rawKey = rawKey;
        this.rawValue = rawValue;
    }

    RecordContextImpl with(final long newTimestamp, final Headers newHeaders) {
        return new RecordContextImpl(topic, partition, offset, newTimestamp, newHeaders, rawKey, rawValue);
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public int partition() {
        return partition;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public long timestamp() {
        return timestamp;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public byte[] sourceRawKey() {
        return rawKey;
    }

    @Override
    public byte[] sourceRawValue() {
        return rawValue;
    }

    @Override
    public String toString() {
        return "RecordContext{topic='" + topic + "', partition=" + partition + ", offset=" + offset
            + ", timestamp=" + timestamp + "}";
    }
}
