package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.VersionedBytesStore;

/**
 * The change-logging layer of versioned stores: every put and delete is logged with its own timestamp as the
 * record timestamp (a delete as a tombstone), whether or not the store applied it, as Kafka does.
 */
final class ChangeLoggingVersionedBytesStore extends ForwardingKeyValueBytesStore implements VersionedBytesStore {
    private final ChangeLogger logger = new ChangeLogger(ValueFormat.PLAIN);
    private final VersionedBytesStore inner;

    ChangeLoggingVersionedBytesStore(final VersionedBytesStore inner) {
        super(inner);
        this.inner = inner;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        logger.init(context, name());
    }

    @Override
    public long put(final Bytes key, final byte[] value, final long timestamp) {
        final long validTo = inner.put(key, value, timestamp);
        logger.log(key, value, timestamp);
        return validTo;
    }

    @Override
    public byte[] get(final Bytes key, final long asOfTimestamp) {
        return inner.get(key, asOfTimestamp);
    }

    @Override
    public byte[] delete(final Bytes key, final long timestamp) {
        final byte[] old = inner.delete(key, timestamp);
        logger.log(key, null, timestamp);
        return old;
    }
}
