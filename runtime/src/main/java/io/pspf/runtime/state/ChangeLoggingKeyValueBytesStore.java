package io.pspf.runtime.state;

import java.util.List;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The change-logging layer of key-value stores: every write to the store below is also sent to the
 * {@link ChangelogSink}, as Kafka's {@code ChangeLoggingKeyValueBytesStore} (and its timestamped and headers
 * variants) log it. A delete is logged as a tombstone even when the key was absent; {@code putIfAbsent} logs only
 * when it wrote; an entry an LRU store drops to make room is logged as a tombstone.
 */
final class ChangeLoggingKeyValueBytesStore extends ForwardingKeyValueBytesStore {
    private final ChangeLogger logger;

    ChangeLoggingKeyValueBytesStore(final KeyValueStore<Bytes, byte[]> wrapped, final ValueFormat format) {
        super(wrapped);
        this.logger = new ChangeLogger(format);
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        logger.init(context, name());
        if (wrapped() instanceof LruMapBytesStore) {
            ((LruMapBytesStore) wrapped()).setEvictionListener((key, value) -> logger.log(key, null));
        }
    }

    @Override
    public void put(final Bytes key, final byte[] value) {
        wrapped().put(key, value);
        logger.log(key, value);
    }

    @Override
    public byte[] putIfAbsent(final Bytes key, final byte[] value) {
        final byte[] previous = wrapped().putIfAbsent(key, value);
        if (previous == null) {
            logger.log(key, value);
        }
        return previous;
    }

    @Override
    public void putAll(final List<KeyValue<Bytes, byte[]>> entries) {
        wrapped().putAll(entries);
        for (final KeyValue<Bytes, byte[]> entry : entries) {
            logger.log(entry.key, entry.value);
        }
    }

    @Override
    public byte[] delete(final Bytes key) {
        final byte[] old = wrapped().delete(key);
        logger.log(key, null);
        return old;
    }
}
