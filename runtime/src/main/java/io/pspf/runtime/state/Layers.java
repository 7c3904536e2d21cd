package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wraps bytes stores in the change-logging and caching layers a builder asks for, in Kafka's order. */
final class Layers {
    private static final Logger LOG = LoggerFactory.getLogger(Layers.class);

    private Layers() {
    }

    static KeyValueStore<Bytes, byte[]> keyValue(final KeyValueStore<Bytes, byte[]> store,
                                                 final AbstractStoreBuilder<?, ?, ?> builder, final ValueFormat format) {
        KeyValueStore<Bytes, byte[]> layered = store;
        if (builder.loggingEnabled()) {
            layered = new ChangeLoggingKeyValueBytesStore(layered, format);
        }
        if (builder.cachingEnabled()) {
            layered = new CachingKeyValueStore(layered);
        }
        return layered;
    }

    static WindowStore<Bytes, byte[]> window(final WindowStore<Bytes, byte[]> store,
                                             final AbstractStoreBuilder<?, ?, ?> builder, final ValueFormat format,
                                             final long windowSize, final long segmentInterval,
                                             final boolean retainDuplicates) {
        WindowStore<Bytes, byte[]> layered = store;
        if (builder.loggingEnabled()) {
            layered = new ChangeLoggingWindowBytesStore(layered, retainDuplicates, format);
        }
        if (builder.cachingEnabled()) {
            if (retainDuplicates) {
                LOG.warn("Disabling caching for {} since store was configured to retain duplicates", builder.name());
                builder.withCachingDisabled();
            } else {
                layered = new CachingWindowStore(layered, windowSize, segmentInterval,
                    store instanceof SegmentedWindowBytesStore.TimeOrdered);
            }
        }
        return layered;
    }

    static SessionStore<Bytes, byte[]> session(final SessionStore<Bytes, byte[]> store,
                                               final AbstractStoreBuilder<?, ?, ?> builder, final ValueFormat format,
                                               final long segmentInterval) {
        SessionStore<Bytes, byte[]> layered = store;
        if (builder.loggingEnabled()) {
            layered = new ChangeLoggingSessionBytesStore(layered, format);
        }
        if (builder.cachingEnabled()) {
            layered = new CachingSessionStore(layered, segmentInterval);
        }
        return layered;
    }
}
