package io.pspf.runtime.state;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;

/**
 * The byte layouts PSPF's stores share with Kafka Streams, so that changelogs and stored bytes are interchangeable:
 *
 * <pre>
 * timestamped value      [timestamp: 8, big-endian][raw value]
 * value with headers     [varint n][headers: n bytes][timestamp: 8][raw value]
 * aggregation + headers  [varint n][headers: n bytes][raw aggregation]
 * headers (n &gt; 0)        [varint count]{[varint key length][key UTF-8][varint value length, -1 for null][value]}
 * window key             [key][window start: 8][sequence number: 4]
 * session key            [key][session end: 8][session start: 8]
 * </pre>
 *
 * Varints are zig-zag encoded as in Kafka's record format. A record without headers has n = 0.
 */
final class StoreFormats {
    static final int TIMESTAMP_SIZE = 8;
    static final int SEQNUM_SIZE = 4;
    static final int WINDOW_SUFFIX_SIZE = TIMESTAMP_SIZE + SEQNUM_SIZE;
    static final int SESSION_SUFFIX_SIZE = 2 * TIMESTAMP_SIZE;

    private StoreFormats() {
    }

    // ------------------------------------------------------------------------------------------------ timestamped

    static byte[] withTimestamp(final long timestamp, final byte[] rawValue) {
        if (rawValue == null) {
            return null;
        }
        return ByteBuffer.allocate(TIMESTAMP_SIZE + rawValue.length).putLong(timestamp).put(rawValue).array();
    }

    static long timestamp(final byte[] timestampedValue) {
        return ByteBuffer.wrap(timestampedValue).getLong();
    }

    static byte[] rawValue(final byte[] timestampedValue) {
        if (timestampedValue == null) {
            return null;
        }
        final byte[] raw = new byte[timestampedValue.length - TIMESTAMP_SIZE];
        System.arraycopy(timestampedValue, TIMESTAMP_SIZE, raw, 0, raw.length);
        return raw;
    }

    // ------------------------------------------------------------------------------------------------ headers

    static byte[] serializeHeaders(final Headers headers) {
        final Header[] all = headers == null ? new Header[0] : headers.toArray();
        if (all.length == 0) {
            return new byte[0];
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(all.length, out);
        for (final Header header : all) {
            final byte[] key = header.key().getBytes(StandardCharsets.UTF_8);
            writeVarint(key.length, out);
            out.write(key, 0, key.length);
            final byte[] value = header.value();
            if (value == null) {
                writeVarint(-1, out);
            } else {
                writeVarint(value.length, out);
                out.write(value, 0, value.length);
            }
        }
        return out.toByteArray();
    }

    static Headers deserializeHeaders(final byte[] bytes, final int offset, final int length) {
        final RecordHeaders headers = new RecordHeaders();
        if (length == 0) {
            return headers;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        final int count = readVarint(buffer);
        for (int i = 0; i < count; i++) {
            final byte[] key = new byte[readVarint(buffer)];
            buffer.get(key);
            final int valueLength = readVarint(buffer);
            byte[] value = null;
            if (valueLength >= 0) {
                value = new byte[valueLength];
                buffer.get(value);
            }
            headers.add(new String(key, StandardCharsets.UTF_8), value);
        }
        return headers;
    }

    /** [varint n][headers][timestamp][raw value]; null when the raw value is null. */
    static byte[] withHeaders(final Headers headers, final long timestamp, final byte[] rawValue) {
        if (rawValue == null) {
            return null;
        }
        final byte[] headerBytes = serializeHeaders(headers);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(headerBytes.length + 13 + rawValue.length);
        writeVarint(headerBytes.length, out);
        out.write(headerBytes, 0, headerBytes.length);
        final byte[] ts = ByteBuffer.allocate(TIMESTAMP_SIZE).putLong(timestamp).array();
        out.write(ts, 0, ts.length);
        out.write(rawValue, 0, rawValue.length);
        return out.toByteArray();
    }

    /** [varint n][headers][raw aggregation]; null when the aggregation is null. */
    static byte[] aggregationWithHeaders(final Headers headers, final byte[] rawAggregation) {
        if (rawAggregation == null) {
            return null;
        }
        final byte[] headerBytes = serializeHeaders(headers);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(headerBytes.length + 5 + rawAggregation.length);
        writeVarint(headerBytes.length, out);
        out.write(headerBytes, 0, headerBytes.length);
        out.write(rawAggregation, 0, rawAggregation.length);
        return out.toByteArray();
    }

    /** The parts of a value in a headers format. */
    static final class HeadersValue {
        final Headers headers;
        final long timestamp;
        final byte[] raw;

        private HeadersValue(final Headers headers, final long timestamp, final byte[] raw) {
            this.headers = headers;
            this.timestamp = timestamp;
            this.raw = raw;
        }
    }

    /** Parses [varint n][headers][timestamp][raw value]. */
    static HeadersValue parseWithHeaders(final byte[] value) {
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        final int headersLength = readVarint(buffer);
        final Headers headers = deserializeHeaders(value, buffer.position(), headersLength);
        buffer.position(buffer.position() + headersLength);
        final long timestamp = buffer.getLong();
        final byte[] raw = new byte[buffer.remaining()];
        buffer.get(raw);
        return new HeadersValue(headers, timestamp, raw);
    }

    /** Parses [varint n][headers][raw aggregation]. */
    static HeadersValue parseAggregationWithHeaders(final byte[] value) {
        final ByteBuffer buffer = ByteBuffer.wrap(value);
        final int headersLength = readVarint(buffer);
        final Headers headers = deserializeHeaders(value, buffer.position(), headersLength);
        buffer.position(buffer.position() + headersLength);
        final byte[] raw = new byte[buffer.remaining()];
        buffer.get(raw);
        return new HeadersValue(headers, -1L, raw);
    }

    static void writeVarint(final int value, final ByteArrayOutputStream out) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & 0xffffff80) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }

    static int readVarint(final ByteBuffer buffer) {
        int value = 0;
        int shift = 0;
        int b;
        do {
            if (shift > 28) {
                throw new IllegalArgumentException("Varint is too long");
            }
            b = buffer.get();
            value |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (value >>> 1) ^ -(value & 1);
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}, as Kafka computes it for prefix scans.
     *
     * @throws IndexOutOfBoundsException if the prefix is empty or all 0xFF bytes, as in Kafka
     */
    static Bytes increment(final Bytes prefix) {
        final byte[] bytes = prefix.get().clone();
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] != (byte) 0xFF) {
                bytes[i]++;
                return Bytes.wrap(java.util.Arrays.copyOf(bytes, bytes.length));
            }
            bytes[i] = 0;
        }
        throw new IndexOutOfBoundsException();
    }

    // ------------------------------------------------------------------------------------------------ window keys

    static Bytes windowKey(final Bytes key, final long windowStart, final int seqnum) {
        final byte[] raw = key.get();
        return Bytes.wrap(ByteBuffer.allocate(raw.length + WINDOW_SUFFIX_SIZE).put(raw).putLong(windowStart)
            .putInt(seqnum).array());
    }

    static Bytes windowKeyKey(final byte[] windowKey) {
        final byte[] raw = new byte[windowKey.length - WINDOW_SUFFIX_SIZE];
        System.arraycopy(windowKey, 0, raw, 0, raw.length);
        return Bytes.wrap(raw);
    }

    static long windowKeyStart(final byte[] windowKey) {
        return ByteBuffer.wrap(windowKey).getLong(windowKey.length - WINDOW_SUFFIX_SIZE);
    }

    static int windowKeySeqnum(final byte[] windowKey) {
        return ByteBuffer.wrap(windowKey).getInt(windowKey.length - SEQNUM_SIZE);
    }

    /** A key with a 4-byte sequence number appended, as the in-memory window store keeps duplicates apart. */
    static Bytes withSeqnum(final Bytes key, final int seqnum) {
        final byte[] raw = key.get();
        return Bytes.wrap(ByteBuffer.allocate(raw.length + SEQNUM_SIZE).put(raw).putInt(seqnum).array());
    }

    static Bytes withoutSeqnum(final Bytes keyWithSeqnum) {
        final byte[] raw = keyWithSeqnum.get();
        final byte[] key = new byte[raw.length - SEQNUM_SIZE];
        System.arraycopy(raw, 0, key, 0, key.length);
        return Bytes.wrap(key);
    }

    // ------------------------------------------------------------------------------------------------ session keys

    static Bytes sessionKey(final Bytes key, final long start, final long end) {
        final byte[] raw = key.get();
        return Bytes.wrap(ByteBuffer.allocate(raw.length + SESSION_SUFFIX_SIZE).put(raw).putLong(end).putLong(start)
            .array());
    }

    static Bytes sessionKeyKey(final byte[] sessionKey) {
        final byte[] raw = new byte[sessionKey.length - SESSION_SUFFIX_SIZE];
        System.arraycopy(sessionKey, 0, raw, 0, raw.length);
        return Bytes.wrap(raw);
    }

    static long sessionKeyEnd(final byte[] sessionKey) {
        return ByteBuffer.wrap(sessionKey).getLong(sessionKey.length - SESSION_SUFFIX_SIZE);
    }

    static long sessionKeyStart(final byte[] sessionKey) {
        return ByteBuffer.wrap(sessionKey).getLong(sessionKey.length - TIMESTAMP_SIZE);
    }
}
