package io.pspf.streams.kstream.internals;

import java.util.Arrays;
import java.util.Objects;

import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * What a foreign-key join sends from the left table to the right one, keyed by the foreign key: the left row's
 * primary key, the hash of its current value (null for a delete), what the right side should do with it, and the
 * partition of the left row, where the response must go back to.
 *
 * @param <K> the left table's key type
 */
final class SubscriptionWrapper<K> {
    /** The version this code writes; version 0 had no partition. */
    static final byte CURRENT_VERSION = 1;

    /** What the right side does with a subscription; the byte is written on the wire. */
    enum Instruction {
        /** Forget the subscription (the foreign key changed); send nothing back. */
        DELETE_KEY_NO_PROPAGATE((byte) 0),
        /** Forget the subscription and send back a response with no right value (the left row went away). */
        DELETE_KEY_AND_PROPAGATE((byte) 1),
        /** Keep the subscription; send back the right value, or an empty response when there is none. */
        PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE((byte) 2),
        /** Keep the subscription; send back the right value only when there is one. */
        PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE((byte) 3);

        private final byte value;

        Instruction(final byte value) {
            this.value = value;
        }

        byte value() {
            return value;
        }

        static Instruction fromValue(final byte value) {
            for (final Instruction instruction : values()) {
                if (instruction.value == value) {
                    return instruction;
                }
            }
            throw new IllegalArgumentException("Unknown instruction byte value = " + value);
        }
    }

    private final long[] hash;
    private final Instruction instruction;
    private final byte version;
    private final K primaryKey;
    private final Integer primaryPartition;

    SubscriptionWrapper(final long[] hash, final Instruction instruction, final K primaryKey, final Integer primaryPartition) {
        this(hash, instruction, primaryKey, CURRENT_VERSION, primaryPartition);
    }

    SubscriptionWrapper(final long[] hash, final Instruction instruction, final K primaryKey, final byte version,
                        final Integer primaryPartition) {
        Objects.requireNonNull(instruction, "instruction cannot be null. Required by downstream processor.");
        Objects.requireNonNull(primaryKey, "primaryKey cannot be null. Required by downstream processor.");
        if (version < 0 || version > CURRENT_VERSION) {
            throw new UnsupportedVersionException("SubscriptionWrapper does not support version " + version);
        }
        this.hash = hash;
        this.instruction = instruction;
        this.primaryKey = primaryKey;
        this.version = version;
        this.primaryPartition = primaryPartition;
    }

    long[] hash() {
        return hash;
    }

    Instruction instruction() {
        return instruction;
    }

    K primaryKey() {
        return primaryKey;
    }

    byte version() {
        return version;
    }

    Integer primaryPartition() {
        return primaryPartition;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        final SubscriptionWrapper<?> that = (SubscriptionWrapper<?>) o;
        return version == that.version && Arrays.equals(hash, that.hash) && instruction == that.instruction
            && Objects.equals(primaryKey, that.primaryKey) && Objects.equals(primaryPartition, that.primaryPartition);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(instruction, version, primaryKey, primaryPartition) + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "SubscriptionWrapper{version=" + version + ", primaryKey=" + primaryKey + ", instruction=" + instruction
            + ", hash=" + Arrays.toString(hash) + ", primaryPartition=" + primaryPartition + "}";
    }
}
