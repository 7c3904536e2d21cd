package io.pspf.runtime.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The pieces of Kafka's buffer changelog values that the suppression and grace buffers share: a record context
 * (timestamp, offset, topic, partition, headers) and length-prefixed values (-1 for null).
 */
final class BufferRecordFormat {
    private BufferRecordFormat() {
    }

    /** A record context as Kafka serializes one: timestamp, offset, topic, partition, headers. */
    static byte[] serializeContext(final StoreRecordContext context) {
        final byte[] topic = context.topic() == null ? new byte[0] : context.topic().getBytes(StandardCharsets.UTF_8);
        final Header[] headers = context.headers().toArray();
        int size = 8 + 8 + 4 + topic.length + 4 + 4;
        final byte[][] keys = new byte[headers.length][];
        for (int i = 0; i < headers.length; i++) {
            keys[i] = headers[i].key().getBytes(StandardCharsets.UTF_8);
            size += 8 + keys[i].length + (headers[i].value() == null ? 0 : headers[i].value().length);
        }
        final ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putLong(context.timestamp()).putLong(context.offset()).putInt(topic.length).put(topic)
            .putInt(context.partition()).putInt(headers.length);
        for (int i = 0; i < headers.length; i++) {
            buffer.putInt(keys[i].length).put(keys[i]);
            final byte[] headerValue = headers[i].value();
            if (headerValue == null) {
                buffer.putInt(-1);
            } else {
                buffer.putInt(headerValue.length).put(headerValue);
            }
        }
        return buffer.array();
    }

    /** Reads what {@link #serializeContext} wrote, moving the buffer past it. */
    static StoreRecordContext readContext(final ByteBuffer buffer) {
        final long timestamp = buffer.getLong();
        final long offset = buffer.getLong();
        final byte[] topic = new byte[buffer.getInt()];
        buffer.get(topic);
        final int partition = buffer.getInt();
        final int count = buffer.getInt();
        final RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < count; i++) {
            final byte[] key = new byte[buffer.getInt()];
            buffer.get(key);
            headers.add(new String(key, StandardCharsets.UTF_8), readValue(buffer));
        }
        return new StoreRecordContext(timestamp, offset, partition,
            topic.length == 0 ? null : new String(topic, StandardCharsets.UTF_8), headers);
    }

    /** A length-prefixed value; null for length -1. */
    static byte[] readValue(final ByteBuffer buffer) {
        final int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        final byte[] value = new byte[length];
        buffer.get(value);
        return value;
    }
}
