package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;

/**
 * A table's store as the DSL processors use it: either a timestamped key-value store or a versioned one, read and
 * written with values and timestamps. {@link #put} returns what a versioned store's put returns; for a
 * timestamped store, {@link #PUT_IS_LATEST}.
 */
final class TableStore<K, V> {
    /** The put code of an update that is the key's latest value. */
    static final long PUT_IS_LATEST = VersionedKeyValueStore.PUT_RETURN_CODE_VALID_TO_UNDEFINED;
    /** The put code of an update a versioned store rejected (older than its history retention). */
    static final long PUT_NOT_PUT = VersionedKeyValueStore.PUT_RETURN_CODE_NOT_PUT;

    private final StateStore store;
    private final TimestampedKeyValueStore<K, V> timestamped;
    private final VersionedKeyValueStore<K, V> versioned;

    @SuppressWarnings("unchecked")
    TableStore(final ProcessorContext<?, ?> context, final String storeName) {
        store = context.getStateStore(storeName);
        if (store instanceof VersionedKeyValueStore) {
            versioned = (VersionedKeyValueStore<K, V>) store;
            timestamped = null;
        } else if (store instanceof TimestampedKeyValueStore) {
            timestamped = (TimestampedKeyValueStore<K, V>) store;
            versioned = null;
        } else {
            throw new org.apache.kafka.streams.errors.InvalidStateStoreException(
                "KTable source state store must implement either TimestampedKeyValueStore or VersionedKeyValueStore."
                    + " Got: " + store.getClass().getName());
        }
    }

    StateStore store() {
        return store;
    }

    boolean isVersioned() {
        return versioned != null;
    }

    ValueAndTimestamp<V> get(final K key) {
        if (timestamped != null) {
            return timestamped.get(key);
        }
        final VersionedRecord<V> record = versioned.get(key);
        return record == null ? null : ValueAndTimestamp.make(record.value(), record.timestamp());
    }

    ValueAndTimestamp<V> get(final K key, final long asOfTimestamp) {
        if (timestamped != null) {
            throw new UnsupportedOperationException("A versioned lookup is only possible on a versioned store");
        }
        final VersionedRecord<V> record = versioned.get(key, asOfTimestamp);
        return record == null ? null : ValueAndTimestamp.make(record.value(), record.timestamp());
    }

    long put(final K key, final V value, final long timestamp) {
        if (timestamped != null) {
            timestamped.put(key, ValueAndTimestamp.make(value, timestamp));
            return PUT_IS_LATEST;
        }
        return versioned.put(key, value, timestamp);
    }
}
