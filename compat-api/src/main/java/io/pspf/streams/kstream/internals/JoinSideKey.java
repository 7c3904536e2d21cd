package io.pspf.streams.kstream.internals;

import java.util.Objects;

/**
 * The key of an outer stream-stream join's shared store: a record's key, its timestamp and the side it came from.
 * Its bytes sort by timestamp first (see {@link JoinSideSerdes}), so the store iterates in time order.
 *
 * @param <K> the join key type
 */
final class JoinSideKey<K> {
    final K key;
    final long timestamp;
    final boolean leftSide;

    JoinSideKey(final K key, final long timestamp, final boolean leftSide) {
        this.key = key;
        this.timestamp = timestamp;
        this.leftSide = leftSide;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JoinSideKey)) {
            return false;
        }
        final JoinSideKey<?> that = (JoinSideKey<?>) o;
        return timestamp == that.timestamp && leftSide == that.leftSide && Objects.equals(key, that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, leftSide);
    }

    @Override
    public String toString() {
        return "<" + (leftSide ? "left" : "right") + "," + key + ":" + timestamp + ">";
    }
}
