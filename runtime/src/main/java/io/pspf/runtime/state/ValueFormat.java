package io.pspf.runtime.state;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The layout of a store's value bytes, which decides what its change-logging layer writes to the changelog:
 * Kafka logs the raw value, with the timestamp and headers kept in the stored value as the record's own.
 */
enum ValueFormat {
    /** Plain values: logged as they are, with the current record's timestamp and no headers. */
    PLAIN,
    /** [timestamp][value]: the raw value is logged with the stored timestamp and no headers. */
    TIMESTAMPED,
    /** [headers][timestamp][value]: the raw value is logged with the stored timestamp and headers. */
    HEADERS,
    /** [headers][aggregation] (session stores): the raw aggregation is logged with the stored headers. */
    AGGREGATION_HEADERS;

    /** The bytes to log for a stored value. */
    byte[] loggedValue(final byte[] stored) {
        if (stored == null) {
            return null;
        }
        switch (this) {
            case TIMESTAMPED:
                return StoreFormats.rawValue(stored);
            case HEADERS:
                return StoreFormats.parseWithHeaders(stored).raw;
            case AGGREGATION_HEADERS:
                return StoreFormats.parseAggregationWithHeaders(stored).raw;
            default:
                return stored;
        }
    }

    /** The timestamp to log for a stored value; the current record's when the value holds none. */
    long loggedTimestamp(final byte[] stored, final StoreRecordContext current) {
        if (stored == null) {
            return current.timestamp();
        }
        switch (this) {
            case TIMESTAMPED:
                return StoreFormats.timestamp(stored);
            case HEADERS:
                return StoreFormats.parseWithHeaders(stored).timestamp;
            default:
                return current.timestamp();
        }
    }

    /** The headers to log for a stored value. */
    Headers loggedHeaders(final byte[] stored, final StoreRecordContext current) {
        switch (this) {
            case HEADERS:
                return stored == null ? current.headers() : StoreFormats.parseWithHeaders(stored).headers;
            case AGGREGATION_HEADERS:
                return stored == null ? current.headers() : StoreFormats.parseAggregationWithHeaders(stored).headers;
            default:
                return new RecordHeaders();
        }
    }

    /** The stored value a changelog record stands for: the inverse of the {@code logged*} methods. */
    byte[] storedValue(final byte[] loggedValue, final long timestamp, final Headers headers) {
        if (loggedValue == null) {
            return null;
        }
        switch (this) {
            case TIMESTAMPED:
                return StoreFormats.withTimestamp(timestamp, loggedValue);
            case HEADERS:
                return StoreFormats.withHeaders(headers, timestamp, loggedValue);
            case AGGREGATION_HEADERS:
                return StoreFormats.aggregationWithHeaders(headers, loggedValue);
            default:
                return loggedValue;
        }
    }
}
