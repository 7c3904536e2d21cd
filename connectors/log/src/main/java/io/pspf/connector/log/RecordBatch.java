package io.pspf.connector.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.pspf.runtime.backend.RawRecord;

/**
 * How records are laid out in a segment file: in batches, one per append, each a self-checking frame. A reader
 * tells a whole batch from a torn or corrupt one without any other file, and sees all of an append's records or
 * none of them.
 *
 * <pre>
 *  batch header (45 bytes)
 *  0        4        8      9      10             18           22             30             38
 *  +--------+--------+------+------+--------------+------------+--------------+--------------+--------+
 *  | length | crc32c | magic| attrs| base offset  | last delta | unit         | max timestamp| count  |
 *  | int32  | int32  | int8 | int8 | int64        | int32      | int64        | int64        | int32  |
 *  +--------+--------+------+------+--------------+------------+--------------+--------------+--------+
 *  then {@code count} records, each:
 *  | offset delta int32 | timestamp int64 | key length int32 (-1: null) | key | value length int32 (-1: null) | value |
 *  | header count int32 | per header: name length int32, name (UTF-8), value length int32 (-1: null), value |
 * </pre>
 *
 * <ul>
 *   <li>{@code length}: the number of bytes after the length field, so a batch takes {@code 4 + length} bytes;</li>
 *   <li>{@code crc32c}: CRC-32C (Castagnoli) of every byte after the crc field;</li>
 *   <li>{@code magic}: the format version, {@value #MAGIC}; a batch with another one is refused;</li>
 *   <li>{@code attrs}: reserved, 0;</li>
 *   <li>{@code base offset}: the offset of the first record; a record's offset is the base plus its delta, and the
 *       last record's is the base plus {@code last delta} (deltas leave room for compacted batches with gaps);</li>
 *   <li>{@code unit}: the commit unit that wrote the batch (see the backend's commit journal), or -1 for a plain
 *       producer write;</li>
 *   <li>{@code max timestamp}: the largest timestamp of the batch's records, for the time index and retention.</li>
 * </ul>
 *
 * All integers are big-endian. This is version 1 of PSPF's log format; a change to it must change {@link #MAGIC}.
 */
final class RecordBatch {
    static final byte MAGIC = 1;
    static final int HEADER = 4 + 4 + 1 + 1 + 8 + 4 + 8 + 8 + 4;
    /** offset delta, timestamp, key length, value length, header count */
    static final int RECORD_OVERHEAD = 4 + 8 + 4 + 4 + 4;
    /** The largest batch accepted on read: anything larger is taken for corruption. */
    static final int MAX_BATCH = Integer.MAX_VALUE - 64;

    private static final int CRC_FROM = 8;
    private static final int BASE_OFFSET = 10;
    private static final int LAST_DELTA = 18;
    private static final int UNIT = 22;
    private static final int MAX_TIMESTAMP = 30;
    private static final int COUNT = 38;

    private RecordBatch() {
    }

    /** The size of one record inside a batch. */
    static int sizeOf(final RawRecord record) {
        int size = RECORD_OVERHEAD + length(record.key()) + length(record.value());
        // toArray, not the iterator: no allocation for the usual empty headers
        for (final Header header : record.headers().toArray()) {
            size += 4 + header.key().getBytes(StandardCharsets.UTF_8).length + 4 + length(header.value());
        }
        return size;
    }

    /** The size of a batch of {@code records}. */
    static long sizeOf(final List<RawRecord> records) {
        long size = HEADER;
        for (final RawRecord record : records) {
            size += sizeOf(record);
        }
        return size;
    }

    private static int length(final byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    /**
     * Encodes {@code records} as one batch whose first record gets {@code baseOffset}.
     *
     * @return the batch, from position 0 to its limit
     */
    static ByteBuffer encode(final List<RawRecord> records, final long baseOffset, final long unit) {
        return encode(records, baseOffset, unit, false);
    }

    /**
     * Encodes records that already have offsets (increasing, possibly with gaps, as compaction leaves them) as one
     * batch that keeps those offsets.
     */
    static ByteBuffer encodeKeepingOffsets(final List<RawRecord> records, final long unit) {
        return encode(records, records.get(0).offset(), unit, true);
    }

    private static ByteBuffer encode(final List<RawRecord> records, final long baseOffset, final long unit,
                                     final boolean keepOffsets) {
        // one pass for the size and the largest timestamp, one to write (indexed: the lists are array lists)
        final int count = records.size();
        long size = HEADER;
        long maxTimestamp = -1L;
        for (int i = 0; i < count; i++) {
            final RawRecord record = records.get(i);
            size += sizeOf(record);
            maxTimestamp = Math.max(maxTimestamp, record.timestamp());
        }
        if (size > MAX_BATCH) {
            throw new IllegalArgumentException("a batch of " + count + " records takes " + size
                + " bytes, more than the " + MAX_BATCH + " a segment can hold");
        }
        final ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putInt((int) size - 4);
        out.putInt(0); // crc, set below
        out.put(MAGIC);
        out.put((byte) 0);
        out.putLong(baseOffset);
        out.putInt(keepOffsets ? (int) (records.get(records.size() - 1).offset() - baseOffset) : records.size() - 1);
        out.putLong(unit);
        out.putLong(maxTimestamp);
        out.putInt(records.size());
        for (int i = 0; i < count; i++) {
            final RawRecord record = records.get(i);
            out.putInt(keepOffsets ? (int) (record.offset() - baseOffset) : i);
            out.putLong(record.timestamp());
            putBytes(out, record.key());
            putBytes(out, record.value());
            final Header[] headers = record.headers().toArray();
            out.putInt(headers.length);
            for (final Header header : headers) {
                putBytes(out, header.key().getBytes(StandardCharsets.UTF_8));
                putBytes(out, header.value());
            }
        }
        out.putInt(4, crc(out, CRC_FROM, out.position()));
        return out.flip();
    }

    /**
     * Gives an encoded batch (from position 0 to its limit) a new base offset and commit unit, and a checksum to
     * match: a commit unit's batches are encoded once, for the journal, and then appended to their partitions as
     * they are.
     */
    /** Room before a single record's value in {@link #singleValueBatch}: the batch header and the record's fields. */
    static final int SINGLE_VALUE_PREFIX = HEADER + 4 + 8 + 4 + 4;
    /** Room after it: the record's header count. */
    static final int SINGLE_VALUE_SUFFIX = 4;

    /**
     * A batch of one record with no key and no headers whose value was written in place, at
     * {@link #SINGLE_VALUE_PREFIX} of {@code array} (which has {@link #SINGLE_VALUE_SUFFIX} bytes after it): the same
     * bytes {@link #encode} would give, without copying the value. The checksum is left for {@link #rebase}.
     */
    static ByteBuffer singleValueBatch(final byte[] array, final int valueLength, final long timestamp) {
        final int size = SINGLE_VALUE_PREFIX + valueLength + SINGLE_VALUE_SUFFIX;
        final ByteBuffer out = ByteBuffer.wrap(array, 0, size);
        out.putInt(size - 4);
        out.putInt(0); // crc, set by rebase
        out.put(MAGIC);
        out.put((byte) 0);
        out.putLong(0L);
        out.putInt(0);
        out.putLong(-1L);
        out.putLong(timestamp);
        out.putInt(1);
        out.putInt(0);
        out.putLong(timestamp);
        out.putInt(-1);
        out.putInt(valueLength);
        out.position(SINGLE_VALUE_PREFIX + valueLength);
        out.putInt(0);
        return out.flip();
    }

    static void rebase(final ByteBuffer batch, final long baseOffset, final long unit) {
        batch.putLong(BASE_OFFSET, baseOffset);
        batch.putLong(UNIT, unit);
        batch.putInt(4, crc(batch, CRC_FROM, batch.limit()));
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
     * Checks the batch that starts at {@code position} of {@code buffer} (which holds bytes up to its limit).
     *
     * @return the batch's size in bytes when it is whole and its checksum and version are right; 0 when the buffer
     *         ends before the batch does (read more, or it is a torn tail); -1 when it is corrupt
     */
    static int check(final ByteBuffer buffer, final int position) {
        final int available = buffer.limit() - position;
        if (available < 4) {
            return 0;
        }
        final int length = buffer.getInt(position);
        if (length < HEADER - 4 || length > MAX_BATCH) {
            return -1;
        }
        if (available < 4 + length) {
            return 0;
        }
        if (buffer.get(position + CRC_FROM) != MAGIC) {
            return -1;
        }
        final int end = position + 4 + length;
        if (buffer.getInt(position + 4) != crc(buffer, position + CRC_FROM, end)) {
            return -1;
        }
        return buffer.getInt(position + COUNT) > 0 && buffer.getInt(position + LAST_DELTA) >= 0 ? 4 + length : -1;
    }

    /** The size the length field at {@code position} announces (4 + length), valid or not. */
    static long announcedSize(final ByteBuffer buffer, final int position) {
        return 4L + buffer.getInt(position);
    }

    static long baseOffset(final ByteBuffer buffer, final int position) {
        return buffer.getLong(position + BASE_OFFSET);
    }

    /** The offset of the batch's last record. */
    static long lastOffset(final ByteBuffer buffer, final int position) {
        return baseOffset(buffer, position) + buffer.getInt(position + LAST_DELTA);
    }

    static long unit(final ByteBuffer buffer, final int position) {
        return buffer.getLong(position + UNIT);
    }

    static long maxTimestamp(final ByteBuffer buffer, final int position) {
        return buffer.getLong(position + MAX_TIMESTAMP);
    }

    /**
     * Decodes the records of the (checked) batch at {@code position} with offsets at or above {@code fromOffset}, at
     * most {@code max}, into {@code out} as records of {@code topic}-{@code partition}.
     *
     * @return how many were added
     */
    static int read(final ByteBuffer buffer, final int position, final long fromOffset, final int max,
                    final String topic, final int partition, final List<RawRecord> out) {
        final ByteBuffer in = buffer.duplicate();
        final long base = baseOffset(buffer, position);
        final int count = buffer.getInt(position + COUNT);
        in.position(position + HEADER);
        int added = 0;
        for (int i = 0; i < count && added < max; i++) {
            final long offset = base + in.getInt();
            final long timestamp = in.getLong();
            if (offset < fromOffset) {
                skipBytes(in);
                skipBytes(in);
                final int headerCount = in.getInt();
                for (int h = 0; h < headerCount; h++) {
                    skipBytes(in);
                    skipBytes(in);
                }
                continue;
            }
            final byte[] key = getBytes(in);
            final byte[] value = getBytes(in);
            final int headerCount = in.getInt();
            final Headers headers = new RecordHeaders();
            for (int h = 0; h < headerCount; h++) {
                final byte[] name = getBytes(in);
                headers.add(new String(name, StandardCharsets.UTF_8), getBytes(in));
            }
            out.add(new RawRecord(topic, partition, offset, timestamp, key, value, headers));
            added++;
        }
        return added;
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

    private static void skipBytes(final ByteBuffer in) {
        final int length = in.getInt();
        if (length > 0) {
            in.position(in.position() + length);
        }
    }
}
