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
 */
final class EntryCodec {
    static final byte VERSION = 1;

    private EntryCodec() {
    }

    /** Encodes records {@code [from, to)} of {@code records} as one entry's {@code b} field. */
    static byte[] encode(final List<RawRecord> records, final int from, final int to) {
        final Out out = new Out(64 + (to - from) * 48);
        out.put(VERSION);
        for (int i = from; i < to; i++) {
            final RawRecord r = records.get(i);
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
        return out.toArray();
    }

    /**
     * Decodes the records of one entry whose first record has offset {@code base}, appending to {@code into} those at
     * offsets {@code >= fromOffset}, at most {@code max} of them.
     *
     * @return how many records were appended
     */
    static int decode(final byte[] entry, final String topic, final int partition, final long base, final int count,
                      final long fromOffset, final int max, final List<RawRecord> into) {
        if (entry.length == 0 || entry[0] != VERSION) {
            throw new IllegalStateException("Unknown entry format " + (entry.length == 0 ? "(empty)" : entry[0])
                + " in " + topic + "-" + partition + " at offset " + base);
        }
        final In in = new In(entry, 1);
        int added = 0;
        for (int i = 0; i < count && added < max; i++) {
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
            final long offset = base + i;
            if (offset >= fromOffset) {
                into.add(new RawRecord(topic, partition, offset, timestamp, key, value, headers));
                added++;
            }
        }
        return added;
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
