package io.pspf.runtime.state;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * A store context for tests that plays the engine: it keeps the registered restore callbacks, collects changelog
 * records, owns a record cache, and lets a test set the current record (timestamp, headers, offset).
 */
final class TestStoreContext implements StateStoreContext, StoreEnvironment, ChangelogSink {
    /** One changelog record. */
    static final class Logged {
        final String topic;
        final Bytes key;
        final byte[] value;
        final long timestamp;
        final Headers headers;

        Logged(final String topic, final Bytes key, final byte[] value, final long timestamp, final Headers headers) {
            this.topic = topic;
            this.key = key;
            this.value = value;
            this.timestamp = timestamp;
            this.headers = headers;
        }
    }

    final Map<String, StateRestoreCallback> restoreCallbacks = new HashMap<>();
    final List<Logged> changelog = new ArrayList<>();
    final RecordCache cache;
    private final Map<String, Object> configs = new HashMap<>();
    private StoreRecordContext recordContext = new StoreRecordContext(0L, 0L, 0, "input", null);

    TestStoreContext(final long cacheMaxBytes) {
        this.cache = new RecordCache(cacheMaxBytes);
    }

    TestStoreContext() {
        this(10 * 1024 * 1024L);
    }

    /** Makes a record with this timestamp and offset current. */
    void setRecord(final long timestamp, final long offset) {
        recordContext = new StoreRecordContext(timestamp, offset, 0, "input", null);
    }

    @Override
    public StoreRecordContext storeRecordContext() {
        return recordContext;
    }

    @Override
    public void setStoreRecordContext(final StoreRecordContext context) {
        this.recordContext = context;
    }

    @Override
    public RecordCache recordCache() {
        return cache;
    }

    @Override
    public ChangelogSink changelogSink() {
        return this;
    }

    @Override
    public void send(final String topic, final int partition, final Bytes key, final byte[] value, final long timestamp,
                     final Headers headers) {
        changelog.add(new Logged(topic, key, value, timestamp, headers));
    }

    @Override
    public String applicationId() {
        return "app";
    }

    @Override
    public TaskId taskId() {
        return new TaskId(0, 0);
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
        final StoreRecordContext current = recordContext;
        return Optional.of(new RecordMetadata() {
            @Override
            public String topic() {
                return current.topic();
            }

            @Override
            public int partition() {
                return current.partition();
            }

            @Override
            public long offset() {
                return current.offset();
            }
        });
    }

    @Override
    public Serde<?> keySerde() {
        return Serdes.String();
    }

    @Override
    public Serde<?> valueSerde() {
        return Serdes.String();
    }

    @Override
    public File stateDir() {
        return new File("target/state");
    }

    @Override
    public StreamsMetrics metrics() {
        throw new UnsupportedOperationException("no metrics in store tests");
    }

    @Override
    public void register(final StateStore store, final StateRestoreCallback restoreCallback) {
        restoreCallbacks.put(store.name(), restoreCallback);
    }

    @Override
    public void register(final StateStore store, final StateRestoreCallback restoreCallback,
                         final CommitCallback checkpoint) {
        register(store, restoreCallback);
    }

    @Override
    public Map<String, Object> appConfigs() {
        return configs;
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(final String prefix) {
        return new HashMap<>();
    }

}
