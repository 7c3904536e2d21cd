package io.pspf.streams.kstream.internals;

import java.util.Objects;

/**
 * A value waiting in an outer stream-stream join's shared store: the value of a left record or of a right one,
 * never both.
 *
 * @param <VL> the left value type
 * @param <VR> the right value type
 */
final class JoinSideValue<VL, VR> {
    final VL left;
    final VR right;

    private JoinSideValue(final VL left, final VR right) {
        this.left = left;
        this.right = right;
    }

    static <VL, VR> JoinSideValue<VL, VR> ofLeft(final VL value) {
        return new JoinSideValue<>(Objects.requireNonNull(value, "value is null"), null);
    }

    static <VL, VR> JoinSideValue<VL, VR> ofRight(final VR value) {
        return new JoinSideValue<>(null, Objects.requireNonNull(value, "value is null"));
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JoinSideValue)) {
            return false;
        }
        final JoinSideValue<?, ?> that = (JoinSideValue<?, ?>) o;
        return Objects.equals(left, that.left) && Objects.equals(right, that.right);
    }

    @Override
    public int hashCode() {
        return Objects.hash(left, right);
    }

    @Override
    public String toString() {
        return left != null ? "left(" + left + ")" : "right(" + right + ")";
    }
}
