package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.SessionStore;

/**
 * The change-logging layer of session stores: puts and removes are logged under the binary session key
 * {@code key|end|start}; a remove is a tombstone.
 */
final class ChangeLoggingSessionBytesStore extends ForwardingSessionBytesStore {
    private final ChangeLogger logger;

    ChangeLoggingSessionBytesStore(final SessionStore<Bytes, byte[]> wrapped, final ValueFormat format) {
        super(wrapped);
        this.logger = new ChangeLogger(format);
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        logger.init(context, name());
    }

    @Override
    public void put(final Windowed<Bytes> sessionKey, final byte[] aggregate) {
        wrapped().put(sessionKey, aggregate);
        logger.log(binary(sessionKey), aggregate);
    }

    @Override
    public void remove(final Windowed<Bytes> sessionKey) {
        wrapped().remove(sessionKey);
        logger.log(binary(sessionKey), null);
    }

    private static Bytes binary(final Windowed<Bytes> sessionKey) {
        return StoreFormats.sessionKey(sessionKey.key(), sessionKey.window().start(), sessionKey.window().end());
    }
}
