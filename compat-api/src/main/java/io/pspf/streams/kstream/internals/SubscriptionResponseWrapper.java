package io.pspf.streams.kstream.internals;

import java.util.Arrays;

import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * What the right side of a foreign-key join sends back to the left row: the right value (null when there is none)
 * and the hash the subscription carried, so that the left side can tell whether its row changed meanwhile. The
 * partition to send it to travels with it in memory only; it is not written on the wire.
 *
 * @param <V> the right table's value type
 */
final class SubscriptionResponseWrapper<V> {
    static final byte CURRENT_VERSION = 0;

    private final long[] originalValueHash;
    private final V foreignValue;
    private final byte version;
    private final Integer primaryPartition;

    SubscriptionResponseWrapper(final long[] originalValueHash, final V foreignValue, final Integer primaryPartition) {
        this(originalValueHash, foreignValue, CURRENT_VERSION, primaryPartition);
    }

    SubscriptionResponseWrapper(final long[] originalValueHash, final V foreignValue, final byte version,
                                final Integer primaryPartition) {
        if (version < 0 || version > CURRENT_VERSION) {
            // Kafka's message names the other wrapper here
            throw new UnsupportedVersionException("SubscriptionWrapper does not support version " + version);
        }
        this.originalValueHash = originalValueHash;
        this.foreignValue = foreignValue;
        this.version = version;
        this.primaryPartition = primaryPartition;
    }

    long[] originalValueHash() {
        return originalValueHash;
    }

    V foreignValue() {
        return foreignValue;
    }

    byte version() {
        return version;
    }

    Integer primaryPartition() {
        return primaryPartition;
    }

    @Override
    public String toString() {
        return "SubscriptionResponseWrapper{version=" + version + ", foreignValue=" + foreignValue
            + ", originalValueHash=" + Arrays.toString(originalValueHash) + ", primaryPartition=" + primaryPartition + "}";
    }
}
