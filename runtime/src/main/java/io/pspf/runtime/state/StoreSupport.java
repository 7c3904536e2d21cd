package io.pspf.runtime.state;

import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.query.Position;

/** What every bytes store does the same way, for PSPF's stores in this and other modules (SQLite). */
public final class StoreSupport {
    /** Logged when a range read's bounds are reversed; the read then returns nothing, as in Kafka Streams. */
    public static final String INVALID_RANGE_WARNING = "A range read whose lower bound lies above its upper bound "
        + "(from > to) returns no records. Check the order of the arguments, and that the key serde keeps the keys' "
        + "order in their bytes (the built-in number serdes do not, for negative numbers).";

    private StoreSupport() {
    }

    /** Records the input position of the current record, as Kafka's stores do on every write. */
    public static void updatePosition(final Position position, final StateStoreContext context) {
        if (context == null) {
            return;
        }
        final RecordMetadata metadata = context.recordMetadata().orElse(null);
        if (metadata != null && metadata.topic() != null) {
            position.withComponent(metadata.topic(), metadata.partition(), metadata.offset());
        }
    }

    /** Whether {@code key} starts with {@code prefix} (a prefix scan's test, as RocksDB's). */
    public static boolean startsWith(final byte[] key, final byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
