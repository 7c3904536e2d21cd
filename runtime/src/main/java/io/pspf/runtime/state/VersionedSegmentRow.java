package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The versions of one key kept in one segment of {@link InMemoryVersionedBytesStore}, with the rules of Kafka's
 * versioned store segments (facts read from Kafka 4.4's segment value format).
 *
 * <p>A row holds versions newest first; each version is valid from its own timestamp until the timestamp of the
 * next newer version, and the newest until {@link #next()}. A null value is a tombstone. The oldest timestamp is
 * {@link #min()}. A row whose {@code min == next} is "degenerate": a lone tombstone with no validity interval.
 * Where Kafka's format throws on a call outside its bounds, this row throws the same exception and message.
 */
public final class VersionedSegmentRow {
    /** One version in a row: its validFrom timestamp and its value, null for a tombstone. */
    private static final class Version {
        final long timestamp;
        final byte[] value;

        Version(final long timestamp, final byte[] value) {
            this.timestamp = timestamp;
            this.value = value;
        }
    }

    /** What {@link #find} found: the version's position (0 = newest), validity interval and value. */
    static final class Found {
        final int index;
        final long validFrom;
        final long validTo;
        final byte[] value;

        Found(final int index, final long validFrom, final long validTo, final byte[] value) {
            this.index = index;
            this.validFrom = validFrom;
            this.validTo = validTo;
            this.value = value;
        }
    }

    private final List<Version> versions = new ArrayList<>();
    private long next;
    private long min;

    private VersionedSegmentRow(final byte[] value, final long validFrom, final long validTo) {
        reset(value, validFrom, validTo);
    }

    /** A row holding one version; {@code validFrom == validTo} with a null value makes a degenerate row. */
    static VersionedSegmentRow of(final byte[] value, final long validFrom, final long validTo) {
        return new VersionedSegmentRow(value, validFrom, validTo);
    }

    /** @return the validTo of the newest version in this row */
    long next() {
        return next;
    }

    /** @return the validFrom of the oldest version in this row */
    long min() {
        return min;
    }

    private boolean degenerate() {
        return next == min;
    }

    private void reset(final byte[] value, final long validFrom, final long validTo) {
        versions.clear();
        versions.add(new Version(validFrom, value));
        next = validTo;
        min = validFrom;
    }

    /**
     * The version valid at {@code timestamp}, which must lie in {@code [min, next)}.
     *
     * @throws IllegalArgumentException when the timestamp is outside the row (always for a degenerate row)
     * @throws IllegalStateException    when the row's oldest timestamp is -1, which Kafka's scan never reaches
     */
    Found find(final long timestamp) {
        if (timestamp < min) {
            throw new IllegalArgumentException("Timestamp is too small to be found in this segment.");
        }
        if (timestamp >= next) {
            throw new IllegalArgumentException("Timestamp is too large to be found in this segment.");
        }
        // Kafka's scan starts from -1 as "no timestamp read yet" and stops once it has read the oldest one
        if (min != -1L) {
            long validTo = next;
            for (int index = 0; index < versions.size(); index++) {
                final Version version = versions.get(index);
                if (version.timestamp <= timestamp) {
                    return new Found(index, version.timestamp, validTo, version.value);
                }
                validTo = version.timestamp;
            }
        }
        throw new IllegalStateException("Search in segment expected to find result but did not.");
    }

    /**
     * Adds a version newer than all others, valid in {@code [validFrom, validTo)}. A gap between the row's
     * {@code next} and {@code validFrom} is filled with a tombstone; versions at or after {@code validFrom} are
     * first cut off.
     */
    void insertAsLatest(final long validFrom, final long validTo, final byte[] value) {
        if (validFrom < next) {
            truncate(validFrom);
        }
        if (next == validFrom) {
            if (degenerate()) {
                reset(value, validFrom, validTo);
            } else {
                insertAt(0, validFrom, value);
            }
        } else {
            if (degenerate()) {
                reset(null, next, validFrom);
            } else {
                insertAt(0, next, null);
            }
            insertAt(0, validFrom, value);
        }
        next = validTo;
    }

    /** Adds a version older than all others, valid until the current oldest one. */
    void insertAsEarliest(final long timestamp, final byte[] value) {
        if (degenerate()) {
            reset(value, timestamp, next);
        } else {
            insertAt(find(min).index + 1, timestamp, value);
        }
    }

    /** Inserts a version at a position found by {@link #find}, pushing the found version one older. */
    void insert(final long timestamp, final byte[] value, final int index) {
        insertAt(index, timestamp, value);
    }

    /** Replaces the version at a position found by {@link #find}. */
    void update(final long timestamp, final byte[] value, final int index) {
        if (versions.get(index).timestamp == min) {
            min = timestamp;
        }
        versions.set(index, new Version(timestamp, value));
    }

    private void insertAt(final int index, final long timestamp, final byte[] value) {
        if (degenerate() || index < 0) {
            throw new IllegalStateException("Cannot insert at negative index or into degenerate segment.");
        }
        if (index > 0 && versions.get(index - 1).timestamp == min) {
            min = timestamp;
        }
        versions.add(index, new Version(timestamp, value));
    }

    /** Cuts the row back so that it ends at {@code timestamp}: later versions go, and {@code next} becomes it. */
    private void truncate(final long timestamp) {
        if (timestamp <= min) {
            find(min);
            reset(null, timestamp, timestamp);
            return;
        }
        final Found found = find(timestamp);
        final int drop = found.validFrom == timestamp ? found.index + 1 : found.index;
        versions.subList(0, drop).clear();
        next = timestamp;
    }

    /**
     * The row as bytes, for a durable storage: {@code next int64, min int64, count int32}, then per version, newest
     * first, {@code timestamp int64, value length int32 (-1: tombstone), value}.
     */
    public byte[] serialize() {
        int size = 8 + 8 + 4;
        for (final Version version : versions) {
            size += 8 + 4 + (version.value == null ? 0 : version.value.length);
        }
        final java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        out.putLong(next).putLong(min).putInt(versions.size());
        for (final Version version : versions) {
            out.putLong(version.timestamp);
            if (version.value == null) {
                out.putInt(-1);
            } else {
                out.putInt(version.value.length).put(version.value);
            }
        }
        return out.array();
    }

    /** A row from {@link #serialize()}'s bytes. */
    public static VersionedSegmentRow deserialize(final byte[] bytes) {
        final java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        final long next = in.getLong();
        final long min = in.getLong();
        final int count = in.getInt();
        final VersionedSegmentRow row = new VersionedSegmentRow(null, min, next);
        row.versions.clear();
        for (int i = 0; i < count; i++) {
            final long timestamp = in.getLong();
            final int length = in.getInt();
            byte[] value = null;
            if (length >= 0) {
                value = new byte[length];
                in.get(value);
            }
            row.versions.add(new Version(timestamp, value));
        }
        row.next = next;
        row.min = min;
        return row;
    }
}
