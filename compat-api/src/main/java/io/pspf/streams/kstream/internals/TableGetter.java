package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Reads a table's current value for a key, for the processors that look tables up (joins, and table operators
 * that are not materialized themselves and so compute from their parent's value).
 */
interface TableGetter<K, V> {
    void init(ProcessorContext<?, ?> context);

    ValueAndTimestamp<V> get(K key);

    /** The value as of {@code asOfTimestamp}; only versioned tables can answer. */
    default ValueAndTimestamp<V> get(final K key, final long asOfTimestamp) {
        throw new UnsupportedOperationException("get(key, timestamp) is only supported for versioned stores");
    }

    default boolean isVersioned() {
        return false;
    }

    default void close() {
    }

    /** Makes getters; {@link #storeNames()} are the stores a getter reads, to connect to the reading processor. */
    interface Supplier<K, V> {
        TableGetter<K, V> get();

        String[] storeNames();
    }

    /** A getter over a materialized table's own store. */
    static <K, V> Supplier<K, V> ofStore(final String storeName) {
        return new Supplier<>() {
            @Override
            public TableGetter<K, V> get() {
                return new TableGetter<>() {
                    private TableStore<K, V> store;

                    @Override
                    public void init(final ProcessorContext<?, ?> context) {
                        store = new TableStore<>(context, storeName);
                    }

                    @Override
                    public ValueAndTimestamp<V> get(final K key) {
                        return store.get(key);
                    }

                    @Override
                    public ValueAndTimestamp<V> get(final K key, final long asOfTimestamp) {
                        return store.get(key, asOfTimestamp);
                    }

                    @Override
                    public boolean isVersioned() {
                        return store.isVersioned();
                    }
                };
            }

            @Override
            public String[] storeNames() {
                return new String[] {storeName};
            }
        };
    }
}
