package io.pspf.connector.valkey;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.pspf.runtime.backend.RawRecord;

/**
 * The records of one stream entry of a PSPF topic: a batch of consecutive records of one partition packed into the
 * entry's {@code b} field, so that the server does one entry's work for many records.
 *
 * <pre>
 * entry  ID 0-&lt;end&gt;   (end = offset of the batch's first record + n: IDs grow with the offsets, and 0-0 is never used)
 *   n    the record count, as decimal text (read by the server-side functions)
 *   b    format version (1 byte, 1), then n records:
 *          timestamp  zig-zag varlong
 *          key        varint length + 1 (0 = null), bytes
 *          value      varint length + 1 (0 = null), bytes
 *          headers    varint count, then per header: varint key length, UTF-8 key, varint value length + 1, bytes
 * </pre>
 *
 * Offsets are not stored per record: record {@code i} of an entry {@code 0-end} holding {@code n} records has offset
 * {@code end - n + i}.
 *
 * <p>Format version 2 is what compaction writes: an entry keeps its ID ({@code 0-end}) but holds only the records
 * compaction kept, so each record is preceded by its distance below the entry's end ({@code end - 1 - offset}, a
 * varlong), and {@code n} is the number kept.
 */
final class EntryCodec {
    static final byte VERSION = 1;
    static final byte COMPACTED = 2;

    private EntryCodec() {
    }

    /** Encodes records {@code [from, to)} of {@code records} as one entry's {@code b} field. */
    static byte[] encode(final List<RawRecord> records, final int from, final int to) {
        final Out out = new Out(64 + (to - from) * 48);
        out.put(VERSION);
        for (int i = from; i < to; i++) {
            final RawRecord r = records.get(i);
            writeRecord(out, r);
        }
        return out.toArray();
    }

    /** Encodes records that compaction kept of the entry {@code 0-end}, each with its own offset (format 2). */
    static byte[] encodeCompacted(final List<RawRecord> records, final long end) {
        final Out out = new Out(64 + records.size() * 48);
        out.put(COMPACTED);
        for (final RawRecord r : records) {
            out.varlong(end - 1 - r.offset());
            writeRecord(out, r);
        }
        return out.toArray();
    }

    /** A record's timestamp, key, value and headers, as both formats hold them. */
    private static void writeRecord(final Out out, final RawRecord r) {
        out.varlong((r.timestamp() << 1) ^ (r.timestamp() >> 63));
        out.nullableBytes(r.key());
        out.nullableBytes(r.value());
        final Header[] headers = r.headers().toArray();
        out.varint(headers.length);
        for (final Header h : headers) {
            final byte[] key = h.key().getBytes(StandardCharsets.UTF_8);
            out.varint(key.length);
            out.bytes(key);
            out.nullableBytes(h.value());
        }
    }

    /**
     * Decodes the records of the entry {@code 0-end} holding {@code count} records, appending to {@code into} those at
     * offsets {@code >= fromOffset}, at most {@code max} of them.
     *
     * @return how many records were appended
     */
    static int decode(final byte[] entry, final String topic, final int partition, final long end, final int count,
                      final long fromOffset, final int max, final List<RawRecord> into) {
        if (entry.length == 0 || (entry[0] != VERSION && entry[0] != COMPACTED)) {
            throw new IllegalStateException("Unknown entry format " + (entry.length == 0 ? "(empty)" : entry[0])
                + " in " + topic + "-" + partition + " in the entry ending at offset " + end);
        }
        final boolean compacted = entry[0] == COMPACTED;
        final In in = new In(entry, 1);
        int added = 0;
        for (int i = 0; i < count && added < max; i++) {
            final long offset = compacted ? end - 1 - in.varlong() : end - count + i;
            final long zz = in.varlong();
            final long timestamp = (zz >>> 1) ^ -(zz & 1);
            final byte[] key = in.nullableBytes();
            final byte[] value = in.nullableBytes();
            final int headerCount = in.varint();
            final Headers headers = new RecordHeaders();
            for (int h = 0; h < headerCount; h++) {
                final int keyLength = in.varint();
                final String headerKey = new String(entry, in.pos, keyLength, StandardCharsets.UTF_8);
                in.pos += keyLength;
                headers.add(headerKey, in.nullableBytes());
            }
            if (offset >= fromOffset) {
                into.add(new RawRecord(topic, partition, offset, timestamp, key, value, headers));
                added++;
            }
        }
        return added;
    }

    /** The largest record timestamp of an entry (for time retention), without building the records. */
    static long maxTimestamp(final byte[] entry, final int count) {
        final boolean compacted = entry.length > 0 && entry[0] == COMPACTED;
        final In in = new In(entry, 1);
        long max = Long.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            if (compacted) {
                in.varlong();
            }
            final long zz = in.varlong();
            max = Math.max(max, (zz >>> 1) ^ -(zz & 1));
            in.skip();
            in.skip();
            final int headerCount = in.varint();
            for (int h = 0; h < headerCount; h++) {
                in.pos += in.varint();
                in.skip();
            }
        }
        return max;
    }

    private static final class Out {
        private byte[] buf;
        private int len;

        Out(final int capacity) {
            buf = new byte[capacity];
        }

        private void ensure(final int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void put(final byte b) {
            ensure(1);
            buf[len++] = b;
        }

        void varint(final int v) {
            varlong(v & 0xFFFFFFFFL);
        }

        void varlong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        void bytes(final byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        void nullableBytes(final byte[] b) {
            if (b == null) {
                varint(0);
            } else {
                varint(b.length + 1);
                bytes(b);
            }
        }

        byte[] toArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    private static final class In {
        private final byte[] buf;
        private int pos;

        In(final byte[] buf, final int pos) {
            this.buf = buf;
            this.pos = pos;
        }

        long varlong() {
            long v = 0;
            int shift = 0;
            while (true) {
                final byte b = buf[pos++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
                shift += 7;
                if (shift > 63) {
                    throw new IllegalStateException("Malformed varint in a stream entry");
                }
            }
        }

        int varint() {
            return (int) varlong();
        }

        void skip() {
            final int n = varint();
            if (n > 0) {
                pos += n - 1;
            }
        }

        byte[] nullableBytes() {
            final int n = varint();
            if (n == 0) {
                return null;
            }
            final byte[] b = Arrays.copyOfRange(buf, pos, pos + n - 1);
            pos += n - 1;
            return b;
        }
    }
}
