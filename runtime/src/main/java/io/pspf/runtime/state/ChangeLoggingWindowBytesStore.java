package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The change-logging layer of window stores: each put is logged under the binary window key
 * {@code key|windowStart|seqnum} (the sequence number counts puts when duplicates are kept, and is 0 otherwise).
 */
final class ChangeLoggingWindowBytesStore extends ForwardingWindowBytesStore {
    private final ChangeLogger logger;
    private final boolean retainDuplicates;
    private int seqnum;

    ChangeLoggingWindowBytesStore(final WindowStore<Bytes, byte[]> wrapped, final boolean retainDuplicates,
                                  final ValueFormat format) {
        super(wrapped);
        this.retainDuplicates = retainDuplicates;
        this.logger = new ChangeLogger(format);
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        super.init(context, root);
        logger.init(context, name());
    }

    @Override
    public void put(final Bytes key, final byte[] value, final long windowStartTimestamp) {
        wrapped().put(key, value, windowStartTimestamp);
        if (retainDuplicates) {
            seqnum = (seqnum + 1) & 0x7FFFFFFF;
        }
        logger.log(StoreFormats.windowKey(key, windowStartTimestamp, seqnum), value);
    }
}
