package io.pspf.runtime.task;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import io.pspf.runtime.backend.RawRecord;
import io.pspf.runtime.state.ChangelogSink;
import io.pspf.runtime.state.RecordCache;
import io.pspf.runtime.state.StoreEnvironment;
import io.pspf.runtime.state.StoreRecordContext;

/**
 * The context handed to processors and stores of one task. It tracks the node being run and the record context
 * (topic, partition, offset, timestamp, headers) and forwards records depth-first to the current node's children.
 */
final class ProcessorContextImpl implements ProcessorContext<Object, Object>, FixedKeyProcessorContext<Object, Object>,
    StateStoreContext, StoreEnvironment, DslSupport {

    private final StreamTask task;
    private final TaskConfig config;
    private TaskNode currentNode;
    private RecordContextImpl recordContext;

    ProcessorContextImpl(final StreamTask task, final TaskConfig config) {
        this.task = task;
        this.config = config;
    }

    StreamTask task() {
        return task;
    }

    TaskConfig config() {
        return config;
    }

    TaskNode currentNode() {
        return currentNode;
    }

    void setCurrentNode(final TaskNode node) {
        this.currentNode = node;
    }

    RecordContextImpl recordContext() {
        return recordContext;
    }

    void setRecordContext(final RecordContextImpl context) {
        this.recordContext = context;
    }

    /** The record context a topic name extractor is given: the current one without source raw key and value. */
    RecordContextImpl extractorContext(final Record<?, ?> record) {
        final RecordContextImpl rc = recordContext;
        return rc == null ? new RecordContextImpl(null, -1, -1L, record.timestamp(), record.headers(), null, null)
            : new RecordContextImpl(rc.topic, rc.partition, rc.offset, record.timestamp(), record.headers(), null, null);
    }

    ErrorHandlerContext errorContext(final String nodeName) {
        final RecordContextImpl rc = recordContext;
        return new ErrorHandlerContext() {
            @Override
            public String topic() {
                return rc == null ? null : rc.topic;
            }

            @Override
            public int partition() {
                return rc == null ? -1 : rc.partition;
            }

            @Override
            public long offset() {
                return rc == null ? -1L : rc.offset;
            }

            @Override
            public Headers headers() {
                return rc == null ? null : rc.headers;
            }

            @Override
            public String processorNodeId() {
                return nodeName;
            }

            @Override
            public TaskId taskId() {
                return task.id();
            }

            @Override
            public long timestamp() {
                return rc == null ? -1L : rc.timestamp;
            }

            @Override
            public byte[] sourceRawKey() {
                return rc == null ? null : rc.rawKey;
            }

            @Override
            public byte[] sourceRawValue() {
                return rc == null ? null : rc.rawValue;
            }
        };
    }

    // ------------------------------------------------------------------------------------------------ forwarding

    @Override
    public <K, V> void forward(final Record<K, V> record) {
        forward(record, null);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <K, V> void forward(final Record<K, V> record, final String childName) {
        final TaskNode from = currentNode;
        if (from == null) {
            throw new StreamsException("Current node is unknown. This can happen if 'forward()' is called in an illegal scope. "
                + "The root cause could be that a 'Processor' or 'Transformer' instance is shared. "
                + "To avoid this error, make sure that your suppliers return new instances each time 'get()' of Supplier is called "
                + "and do not return the same object reference multiple times.");
        }
        final RecordContextImpl previous = recordContext;
        try {
            if (recordContext != null && (record.timestamp() != recordContext.timestamp || record.headers() != recordContext.headers)) {
                recordContext = recordContext.with(record.timestamp(), record.headers());
            }
            final Record<Object, Object> toSend = (Record<Object, Object>) record;
            if (childName == null) {
                final java.util.List<TaskNode> children = from.children;
                for (int i = 0, n = children.size(); i < n; i++) {
                    final TaskNode child = children.get(i);
                    currentNode = child;
                    child.process(toSend);
                }
            } else {
                final TaskNode child = from.childByName.get(childName);
                if (child == null) {
                    throw new StreamsException("Unknown downstream node: " + childName
                        + " either does not exist or is not connected to this processor.");
                }
                currentNode = child;
                child.process(toSend);
            }
        } finally {
            recordContext = previous;
            currentNode = from;
        }
    }

    @Override
    public Object currentNodeHandle() {
        return currentNode;
    }

    @Override
    public <K, V> void forwardAs(final Object node, final Record<K, V> record) {
        final TaskNode previous = currentNode;
        currentNode = (TaskNode) node;
        try {
            forward(record, null);
        } finally {
            currentNode = previous;
        }
    }

    @Override
    public void recordDropped() {
        task.recordDropped();
    }

    @Override
    public <K, V> void forward(final FixedKeyRecord<K, V> record) {
        forward(new Record<>(record.key(), record.value(), record.timestamp(), record.headers()), null);
    }

    @Override
    public <K, V> void forward(final FixedKeyRecord<K, V> record, final String childName) {
        forward(new Record<>(record.key(), record.value(), record.timestamp(), record.headers()), childName);
    }

    // ------------------------------------------------------------------------------------------------ context

    @Override
    public String applicationId() {
        return config.applicationId;
    }

    @Override
    public TaskId taskId() {
        return task.id();
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
        return Optional.ofNullable(recordContext);
    }

    @Override
    public Serde<?> keySerde() {
        return config.keySerde();
    }

    @Override
    public Serde<?> valueSerde() {
        return config.valueSerde();
    }

    @Override
    public File stateDir() {
        return task.stateDir();
    }

    @Override
    public StreamsMetrics metrics() {
        return task.metrics();
    }

    @SuppressWarnings("unchecked")
    @Override
    public <S extends StateStore> S getStateStore(final String name) {
        if (currentNode == null) {
            throw new StreamsException("Accessing from an unknown node");
        }
        final StateStore global = task.globalStore(name);
        if (global != null) {
            // a regular processor sees a global store read-only, as in Kafka
            return (S) readOnlyViews.computeIfAbsent(global, StoreDecorators::readOnly);
        }
        if (!currentNode.stores().contains(name)) {
            throw new StreamsException("Processor " + currentNode.name + " has no access to StateStore " + name
                + " as the store is not connected to the processor. If you add stores manually via '.addStateStore()' "
                + "make sure to connect the added store to the processor by providing the processor name to "
                + "'.addStateStore()' or connect them via '.connectProcessorAndStateStores()'. "
                + "DSL users need to provide the store name to '.process()', '.processValues()', or '.transformValues()' "
                + "to connect the store to the corresponding operator, or they can provide a StoreBuilder by implementing "
                + "the stores() method on the Supplier itself. If you do not add stores manually, "
                + "please file a bug report at https://issues.apache.org/jira/projects/KAFKA.");
        }
        final StateStore own = task.store(name);
        // a processor may use its stores but not initialize, commit or close them (Kafka's read-write decorator)
        return own == null ? null : (S) readWriteViews.computeIfAbsent(own, StoreDecorators::readWrite);
    }

    /** One decorated view per store, made on first use. */
    private final Map<StateStore, StateStore> readWriteViews = new java.util.IdentityHashMap<>();
    private final Map<StateStore, StateStore> readOnlyViews = new java.util.IdentityHashMap<>();

    @Override
    public Cancellable schedule(final Duration interval, final PunctuationType type, final Punctuator callback) {
        final long intervalMs = checkInterval(interval);
        Objects.requireNonNull(type, "type cannot be null");
        Objects.requireNonNull(callback, "callback cannot be null");
        return task.schedule(currentNode, null, intervalMs, type, callback);
    }

    @Override
    public Cancellable schedule(final Instant startTime, final Duration interval, final PunctuationType type,
                                final Punctuator callback) {
        Objects.requireNonNull(startTime, "startTime cannot be null");
        final long intervalMs = checkInterval(interval);
        Objects.requireNonNull(type, "type cannot be null");
        Objects.requireNonNull(callback, "callback cannot be null");
        return task.schedule(currentNode, startTime.toEpochMilli(), intervalMs, type, callback);
    }

    private static long checkInterval(final Duration interval) {
        final String prefix = "Failed to convert parameter interval with value " + interval + " to millis. ";
        if (interval == null) {
            throw new IllegalArgumentException(prefix + "It shouldn't be null.");
        }
        final long ms;
        try {
            ms = interval.toMillis();
        } catch (final ArithmeticException e) {
            throw new IllegalArgumentException(prefix + "It can't be converted to milliseconds.", e);
        }
        if (ms < 1) {
            throw new IllegalArgumentException("The minimum supported scheduling interval is 1 millisecond.");
        }
        return ms;
    }

    @Override
    public void commit() {
        task.requestCommit();
    }

    @Override
    public Map<String, Object> appConfigs() {
        final Map<String, Object> combined = new HashMap<>();
        combined.putAll(config.config.originals());
        combined.putAll(config.config.values());
        return combined;
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(final String prefix) {
        return config.config.originalsWithPrefix(prefix);
    }

    @Override
    public long currentSystemTimeMs() {
        return task.wallClockMs();
    }

    @Override
    public long currentStreamTimeMs() {
        return task.streamTime();
    }

    // ------------------------------------------------------------------------------------------------ stores

    @Override
    public StoreRecordContext storeRecordContext() {
        final RecordContextImpl rc = recordContext;
        return rc == null ? StoreRecordContext.NONE
            : new StoreRecordContext(rc.timestamp, rc.offset, rc.partition, rc.topic, rc.headers);
    }

    @Override
    public void setStoreRecordContext(final StoreRecordContext context) {
        recordContext = context == null ? null : new RecordContextImpl(context.topic(), context.partition(),
            context.offset(), context.timestamp(), context.headers(), null, null);
    }

    @Override
    public RecordCache recordCache() {
        return task.recordCache();
    }

    @Override
    public ChangelogSink changelogSink() {
        return this::sendChangelog;
    }

    private void sendChangelog(final String topic, final int partition, final org.apache.kafka.common.utils.Bytes key,
                               final byte[] value, final long timestamp, final Headers headers) {
        task.sendChangelog(new RawRecord(topic, partition, -1L, timestamp, key.get(), value, headers), partition);
    }

    @Override
    public io.pspf.runtime.state.StoreOperationTimer storeOperationTimer(final String storeName, final String metricsScope) {
        return task.storeOperationTimer(storeName, metricsScope);
    }

    @Override
    public void registerChangelogConverter(final String storeName,
                                           final io.pspf.runtime.state.ChangelogRecordConverter converter) {
        task.registerChangelogConverter(storeName, converter);
    }

    @Override
    public void register(final StateStore store, final StateRestoreCallback restoreCallback) {
        register(store, restoreCallback, () -> { });
    }

    @Override
    public void register(final StateStore store, final StateRestoreCallback restoreCallback,
                         final CommitCallback checkpoint) {
        task.registerStore(store, restoreCallback);
    }
}
