package io.pspf.runtime.task;

import io.pspf.runtime.backend.RawRecord;

/** An input record after deserialization and timestamp extraction, waiting at the head of its queue. */
final class StampedRecord {
    final RawRecord raw;
    final Object key;
    final Object value;
    final long timestamp;

    StampedRecord(final RawRecord raw, final Object key, final Object value, final long timestamp) {
        this.raw = raw;
        this.key = key;
        this.value = value;
        this.timestamp = timestamp;
    }
}
