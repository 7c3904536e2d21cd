package io.pspf.connector.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.pspf.runtime.backend.RawRecord;

/**
 * How one record is laid out in a segment file. Every record is a self-checking frame, so that a reader can tell a
 * whole record from a torn or corrupt one without any other file:
 *
 * <pre>
 *  0        4        8      9      10             18             26             34
 *  +--------+--------+------+------+--------------+--------------+--------------+
 *  | length | crc32c | magic| attrs| offset       | timestamp    | unit         |
 *  | int32  | int32  | int8 | int8 | int64        | int64        | int64        |
 *  +--------+--------+------+------+--------------+--------------+--------------+
 *  | key length int32 (-1: null) | key bytes | value length int32 (-1: null) | value bytes |
 *  | header count int32 | per header: name length int32, name (UTF-8), value length int32 (-1: null), value |
 *  +----------------------------------------------------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@code length}: the number of bytes after the length field (crc included), so a frame takes
 *       {@code 4 + length} bytes;</li>
 *   <li>{@code crc32c}: CRC-32C (Castagnoli) of every byte after the crc field;</li>
 *   <li>{@code magic}: the format version, {@value #MAGIC}; a reader refuses a frame with another one;</li>
 *   <li>{@code attrs}: reserved, 0;</li>
 *   <li>{@code offset}: the record's offset in its partition (absolute, so a frame read alone is meaningful);</li>
 *   <li>{@code unit}: the commit unit that wrote the record (see the backend's commit journal), or -1 for a plain
 *       producer write.</li>
 * </ul>
 *
 * All integers are big-endian. The format is version 1 of PSPF's log; a change to it must change {@link #MAGIC}.
 */
final class RecordFrame {
    static final byte MAGIC = 1;
    /** length + crc */
    static final int FRAME_OVERHEAD = 8;
    /** magic, attrs, offset, timestamp, unit, key length, value length, header count */
    static final int MIN_BODY = 1 + 1 + 8 + 8 + 8 + 4 + 4 + 4;
    /** The largest frame accepted on read: anything larger is taken for corruption. */
    static final int MAX_FRAME = 64 * 1024 * 1024;

    private static final int OFFSET_POSITION = FRAME_OVERHEAD + 2;

    private RecordFrame() {
    }

    /** The size of the frame of {@code record}. */
    static int sizeOf(final RawRecord record) {
        int size = FRAME_OVERHEAD + MIN_BODY + length(record.key()) + length(record.value());
        for (final Header header : record.headers()) {
            size += 4 + header.key().getBytes(StandardCharsets.UTF_8).length + 4 + length(header.value());
        }
        return size;
    }

    private static int length(final byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    /** Writes the frame of {@code record} at the buffer's position, with the given offset and unit. */
    static void write(final ByteBuffer out, final RawRecord record, final long offset, final long unit) {
        final int start = out.position();
        out.putInt(0); // length, set below
        out.putInt(0); // crc, set below
        out.put(MAGIC);
        out.put((byte) 0);
        out.putLong(offset);
        out.putLong(record.timestamp());
        out.putLong(unit);
        putBytes(out, record.key());
        putBytes(out, record.value());
        final Header[] headers = record.headers().toArray();
        out.putInt(headers.length);
        for (final Header header : headers) {
            putBytes(out, header.key().getBytes(StandardCharsets.UTF_8));
            putBytes(out, header.value());
        }
        final int end = out.position();
        out.putInt(start, end - start - 4);
        out.putInt(start + 4, crc(out, start + FRAME_OVERHEAD, end));
    }

    private static void putBytes(final ByteBuffer out, final byte[] bytes) {
        if (bytes == null) {
            out.putInt(-1);
        } else {
            out.putInt(bytes.length);
            out.put(bytes);
        }
    }

    private static int crc(final ByteBuffer buffer, final int from, final int to) {
        final CRC32C crc = new CRC32C();
        final ByteBuffer slice = buffer.duplicate();
        slice.limit(to).position(from);
        crc.update(slice);
        return (int) crc.getValue();
    }

    /**
     * Checks the frame that starts at {@code position} of {@code buffer} (which holds bytes up to its limit).
     *
     * @return the frame's size in bytes when it is whole and its checksum and version are right; 0 when the
     *         buffer ends before the frame does (read more, or it is a torn tail); -1 when it is corrupt
     */
    static int check(final ByteBuffer buffer, final int position) {
        final int available = buffer.limit() - position;
        if (available < 4) {
            return 0;
        }
        final int length = buffer.getInt(position);
        if (length < 4 + MIN_BODY || length > MAX_FRAME) {
            return -1;
        }
        if (available < 4 + length) {
            return 0;
        }
        final int end = position + 4 + length;
        if (buffer.get(position + FRAME_OVERHEAD) != MAGIC) {
            return -1;
        }
        return buffer.getInt(position + 4) == crc(buffer, position + FRAME_OVERHEAD, end) ? 4 + length : -1;
    }

    /** The offset of the (checked) frame at {@code position}. */
    static long offset(final ByteBuffer buffer, final int position) {
        return buffer.getLong(position + OFFSET_POSITION);
    }

    /** The timestamp of the (checked) frame at {@code position}. */
    static long timestamp(final ByteBuffer buffer, final int position) {
        return buffer.getLong(position + OFFSET_POSITION + 8);
    }

    /** The commit unit of the (checked) frame at {@code position}, or -1. */
    static long unit(final ByteBuffer buffer, final int position) {
        return buffer.getLong(position + OFFSET_POSITION + 16);
    }

    /** Decodes the (checked) frame at {@code position} into a record of {@code topic}-{@code partition}. */
    static RawRecord read(final ByteBuffer buffer, final int position, final String topic, final int partition) {
        final ByteBuffer in = buffer.duplicate();
        in.position(position + OFFSET_POSITION);
        final long offset = in.getLong();
        final long timestamp = in.getLong();
        in.getLong(); // unit
        final byte[] key = getBytes(in);
        final byte[] value = getBytes(in);
        final int headerCount = in.getInt();
        final Headers headers = new RecordHeaders();
        for (int i = 0; i < headerCount; i++) {
            final byte[] name = getBytes(in);
            headers.add(new String(name, StandardCharsets.UTF_8), getBytes(in));
        }
        return new RawRecord(topic, partition, offset, timestamp, key, value, headers);
    }

    private static byte[] getBytes(final ByteBuffer in) {
        final int length = in.getInt();
        if (length < 0) {
            return null;
        }
        final byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
