package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * The part of a change-logging layer that finds its sink, topic and partition at {@code init} and sends records.
 */
final class ChangeLogger {
    private final ValueFormat format;
    private StoreEnvironment environment;
    private ChangelogSink sink;
    private String topic;
    private int partition;

    ChangeLogger(final ValueFormat format) {
        this.format = format;
    }

    void init(final StateStoreContext context, final String storeName) {
        environment = StoreEnvironments.of(context);
        sink = environment.changelogSink();
        topic = StoreEnvironments.changelogTopic(context, storeName);
        partition = context.taskId() == null ? -1 : context.taskId().partition();
        if (format != ValueFormat.PLAIN) {
            environment.registerChangelogConverter(storeName, format::storedValue);
        }
    }

    StoreEnvironment environment() {
        return environment;
    }

    /** Logs a stored value in this logger's format (a null value is a tombstone). */
    void log(final Bytes key, final byte[] storedValue) {
        if (sink == null) {
            return;
        }
        final StoreRecordContext current = StoreEnvironments.current(environment);
        sink.send(topic, partition, key, format.loggedValue(storedValue), format.loggedTimestamp(storedValue, current),
            format.loggedHeaders(storedValue, current));
    }

    /** Logs a value with an explicit timestamp (versioned stores). */
    void log(final Bytes key, final byte[] value, final long timestamp) {
        if (sink == null) {
            return;
        }
        sink.send(topic, partition, key, value, timestamp, new org.apache.kafka.common.header.internals.RecordHeaders());
    }
}
