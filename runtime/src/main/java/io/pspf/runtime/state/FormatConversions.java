package io.pspf.runtime.state;

import java.nio.ByteBuffer;

import org.apache.kafka.common.header.internals.RecordHeaders;

/** Conversions between value formats, null-safe; the direction "down" loses information, "up" fills defaults. */
final class FormatConversions {
    private static final long NO_TIMESTAMP = -1L;

    private FormatConversions() {
    }

    static byte[] plainToTimestamped(final byte[] plain) {
        return plain == null ? null : StoreFormats.withTimestamp(NO_TIMESTAMP, plain);
    }

    static byte[] timestampedToPlain(final byte[] timestamped) {
        return timestamped == null ? null : StoreFormats.rawValue(timestamped);
    }

    static byte[] plainToHeaders(final byte[] plain) {
        return plain == null ? null : StoreFormats.withHeaders(new RecordHeaders(), NO_TIMESTAMP, plain);
    }

    static byte[] headersToPlain(final byte[] withHeaders) {
        return withHeaders == null ? null : StoreFormats.parseWithHeaders(withHeaders).raw;
    }

    static byte[] timestampedToHeaders(final byte[] timestamped) {
        if (timestamped == null) {
            return null;
        }
        // no headers: a varint 0, then the timestamped bytes unchanged
        return ByteBuffer.allocate(1 + timestamped.length).put((byte) 0).put(timestamped).array();
    }

    static byte[] headersToTimestamped(final byte[] withHeaders) {
        if (withHeaders == null) {
            return null;
        }
        final StoreFormats.HeadersValue parsed = StoreFormats.parseWithHeaders(withHeaders);
        return StoreFormats.withTimestamp(parsed.timestamp, parsed.raw);
    }

    static byte[] plainToAggregationHeaders(final byte[] plain) {
        return plain == null ? null : StoreFormats.aggregationWithHeaders(new RecordHeaders(), plain);
    }

    static byte[] aggregationHeadersToPlain(final byte[] withHeaders) {
        return withHeaders == null ? null : StoreFormats.parseAggregationWithHeaders(withHeaders).raw;
    }
}
