package io.pspf.streams.kstream.internals;

import java.util.Objects;

/**
 * What a table node forwards to its children: the key's new value, and its old value when the children asked
 * for old values ({@code enableSendingOldValues}). {@code isLatest} is false for an out-of-order update of a
 * versioned table, which is applied to history but is not the table's current value.
 *
 * @param <T> the value type
 */
public final class Change<T> {
    public final T newValue;
    public final T oldValue;
    public final boolean isLatest;

    public Change(final T newValue, final T oldValue) {
        this(newValue, oldValue, true);
    }

    public Change(final T newValue, final T oldValue, final boolean isLatest) {
        this.newValue = newValue;
        this.oldValue = oldValue;
        this.isLatest = isLatest;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Change)) {
            return false;
        }
        final Change<?> that = (Change<?>) o;
        return isLatest == that.isLatest && Objects.equals(newValue, that.newValue) && Objects.equals(oldValue, that.oldValue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(newValue, oldValue, isLatest);
    }

    @Override
    public String toString() {
        return "(" + newValue + "<-" + oldValue + ")";
    }
}
