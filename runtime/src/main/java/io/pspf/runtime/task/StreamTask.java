package io.pspf.runtime.task;

import java.io.File;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.RawRecord;
import io.pspf.runtime.graph.NodeSpec;
import io.pspf.runtime.graph.StoreSpec;
import io.pspf.runtime.graph.Subtopology;
import io.pspf.runtime.metrics.PspfStreamsMetrics;

/**
 * Design note: one task runs one or more sub-topologies over one partition number, exactly as a Kafka Streams
 * task does. It owns a processor instance per node (each supplier's {@code get()} is called once here), its
 * stores, a {@link PartitionGroup} of input queues, and two punctuation queues. The caller feeds it records,
 * drives {@link #process()} and the punctuation checks, and commits; the task itself never blocks or does I/O
 * beyond handing output to its {@link RecordSink}.
 *
 * <p>A global task ({@link #global}) keeps global stores: it processes each record as it arrives, with the
 * record's own timestamp, and cannot schedule punctuations.
 */
public final class StreamTask {
    private static final Logger LOG = LoggerFactory.getLogger(StreamTask.class);

    private final TaskId id;
    private final boolean global;
    private final TaskConfig config;
    private final RecordSink sink;
    private final LongSupplier wallClock;
    private final Function<String, StateStore> globalStores;
    private final ProcessorContextImpl context;
    private final Map<String, TaskNode> nodes = new LinkedHashMap<>();
    private final Map<String, StateStore> stores = new LinkedHashMap<>();
    private final Map<String, StateRestoreCallback> restoreCallbacks = new LinkedHashMap<>();
    private final Map<String, io.pspf.runtime.state.ChangelogRecordConverter> changelogConverters = new HashMap<>();
    private final Map<TopicPartition, RecordQueue> queues = new HashMap<>();
    /** The queue of the last record added, so a run of records for one partition skips the map lookup. */
    private RecordQueue lastQueue;
    /** Where {@link #process()} reports the queue a record came from (no allocation per record). */
    private final RecordQueue[] lastTaken = new RecordQueue[1];
    private final List<Subtopology> subtopologies;
    private final PartitionGroup partitionGroup = new PartitionGroup();
    private final PunctuationQueue streamTimePunctuations = new PunctuationQueue();
    private final PunctuationQueue wallClockPunctuations = new PunctuationQueue();
    private final PspfStreamsMetrics metrics;
    private final org.apache.kafka.common.metrics.Sensor droppedRecordsSensor;
    private io.pspf.runtime.state.RecordCache recordCache;
    private Map<String, StateStore> carriedOver = Map.of();
    private final java.util.Set<String> adopted = new java.util.HashSet<>();
    private final File stateDir;
    private long droppedRecords;
    private long processedRecords;
    private boolean commitRequested;
    private boolean commitNeeded;
    private boolean initialized;
    private boolean storesInitialized;

    public StreamTask(final TaskId id, final boolean global, final List<Subtopology> subtopologies,
                      final TaskConfig config, final RecordSink sink, final LongSupplier wallClock,
                      final Function<String, StateStore> globalStores, final Metrics metricsRegistry) {
        this.id = id;
        this.global = global;
        this.subtopologies = List.copyOf(subtopologies);
        this.config = config;
        this.sink = sink;
        this.wallClock = wallClock;
        this.globalStores = globalStores == null ? name -> null : globalStores;
        this.context = new ProcessorContextImpl(this, config);
        this.metrics = new PspfStreamsMetrics(metricsRegistry, Thread.currentThread().getName(), id.toString());
        this.droppedRecordsSensor = droppedRecordsSensor(metricsRegistry, Thread.currentThread().getName(), id.toString());
        this.stateDir = new File(new File(config.stateDir, config.applicationId), id.toString());
    }

    public TaskId id() {
        return id;
    }

    /**
     * Offers the in-memory stores a standby of this task kept (store name to the innermost store), for the task's
     * stores to take instead of new ones; call before {@link #initialize()}. See {@link #carriedOver(String)}.
     */
    public void offerCarriedOver(final Map<String, StateStore> stores) {
        this.carriedOver = Map.copyOf(stores);
    }

    /** Whether the store of this name took a store a standby kept, with the records the standby applied. */
    public boolean carriedOver(final String storeName) {
        return adopted.contains(storeName);
    }

    /** Gives the task the record cache of its thread (Kafka's thread cache); call before {@link #initialize()}. */
    public void useRecordCache(final io.pspf.runtime.state.RecordCache cache) {
        this.recordCache = cache;
    }

    File stateDir() {
        return stateDir;
    }

    StreamsMetrics metrics() {
        return metrics;
    }

    long wallClockMs() {
        return wallClock.getAsLong();
    }

    /** Stream time: the largest timestamp processed so far, or -1 before the first record. */
    public long streamTime() {
        return partitionGroup.streamTime();
    }

    public long droppedRecords() {
        return droppedRecords;
    }

    public long processedRecords() {
        return processedRecords;
    }

    void recordDropped() {
        droppedRecords++;
        droppedRecordsSensor.record();
    }

    /**
     * Kafka Streams' task-level {@code dropped-records} sensor (rate and total in group {@code stream-task-metrics},
     * tagged with thread and task), where skipped records are counted.
     */
    private static org.apache.kafka.common.metrics.Sensor droppedRecordsSensor(final Metrics registry,
                                                                              final String threadId, final String taskId) {
        final org.apache.kafka.common.metrics.Sensor sensor = registry.sensor(threadId + ".task." + taskId + ".dropped-records");
        final Map<String, String> tags = new LinkedHashMap<>();
        tags.put("thread-id", threadId);
        tags.put("task-id", taskId);
        sensor.add(registry.metricName("dropped-records-rate", "stream-task-metrics",
            "The average number of dropped records per second", tags), new org.apache.kafka.common.metrics.stats.Rate());
        sensor.add(registry.metricName("dropped-records-total", "stream-task-metrics",
            "The total number of dropped records", tags), new org.apache.kafka.common.metrics.stats.CumulativeSum());
        return sensor;
    }

    void requestCommit() {
        commitRequested = true;
    }

    public boolean commitRequested() {
        return commitRequested;
    }

    public boolean commitNeeded() {
        return commitNeeded;
    }

    StateStore globalStore(final String name) {
        return global ? null : globalStores.apply(name);
    }

    StateStore store(final String name) {
        return stores.get(name);
    }

    /** The task's stores by name, in initialization order. */
    public Map<String, StateStore> stores() {
        return java.util.Collections.unmodifiableMap(stores);
    }

    void registerStore(final StateStore store, final StateRestoreCallback callback) {
        if (!stores.containsKey(store.name())) {
            throw new IllegalArgumentException("Store " + store.name() + " is not part of task " + id);
        }
        restoreCallbacks.put(store.name(), callback);
    }

    io.pspf.runtime.state.StoreOperationTimer storeOperationTimer(final String storeName, final String metricsScope) {
        final TaskConfig.StoreTimers timers = config.storeTimers();
        return timers == null ? null : timers.timer(id, storeName, metricsScope);
    }

    void registerChangelogConverter(final String storeName, final io.pspf.runtime.state.ChangelogRecordConverter converter) {
        changelogConverters.put(storeName, converter);
    }

    /** Whether a store of this task registered a restore callback (stores that restore nothing need not). */
    public boolean restorable(final String storeName) {
        return restoreCallbacks.containsKey(storeName);
    }

    /**
     * Applies changelog records to a store through the callback it registered, turning each record into the value
     * the store keeps first (the stores' {@link io.pspf.runtime.state.ChangelogRecordConverter}s).
     *
     * @throws IllegalArgumentException if the store registered no callback
     */
    public void restore(final String storeName, final List<RawRecord> records) {
        final StateRestoreCallback callback = restoreCallbacks.get(storeName);
        if (callback == null) {
            throw new IllegalArgumentException("Store " + storeName + " of task " + id + " has no restore callback");
        }
        final io.pspf.runtime.state.ChangelogRecordConverter converter =
            changelogConverters.getOrDefault(storeName, io.pspf.runtime.state.ChangelogRecordConverter.IDENTITY);
        if (callback instanceof io.pspf.runtime.state.TimestampedRestoreCallback) {
            final io.pspf.runtime.state.TimestampedRestoreCallback timestamped =
                (io.pspf.runtime.state.TimestampedRestoreCallback) callback;
            for (final RawRecord record : records) {
                timestamped.restore(record.key(), converter.toStored(record.value(), record.timestamp(), record.headers()),
                    record.timestamp());
            }
        } else if (callback instanceof org.apache.kafka.streams.processor.BatchingStateRestoreCallback) {
            final List<org.apache.kafka.streams.KeyValue<byte[], byte[]>> batch = new java.util.ArrayList<>(records.size());
            for (final RawRecord record : records) {
                batch.add(org.apache.kafka.streams.KeyValue.pair(record.key(),
                    converter.toStored(record.value(), record.timestamp(), record.headers())));
            }
            ((org.apache.kafka.streams.processor.BatchingStateRestoreCallback) callback).restoreAll(batch);
        } else {
            for (final RawRecord record : records) {
                callback.restore(record.key(), converter.toStored(record.value(), record.timestamp(), record.headers()));
            }
        }
    }

    /** Whether this task reads the topic, directly or through a pattern. */
    public boolean reads(final String topic) {
        for (final Subtopology subtopology : subtopologies) {
            if (subtopology.sourceFor(topic) != null) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Builds the processors (one supplier call each), then initializes stores, then processors, in graph order. */
    public void initialize() {
        if (initialized) {
            return;
        }
        for (final java.util.Map.Entry<Subtopology, NodeSpec> entry : nodesInOrder()) {
            final Subtopology subtopology = entry.getKey();
            final NodeSpec spec = entry.getValue();
            final TaskNode node;
            if (spec instanceof NodeSpec.Source) {
                node = new SourceNode((NodeSpec.Source) spec);
            } else if (spec instanceof NodeSpec.Sink) {
                final NodeSpec.Sink sinkSpec = (NodeSpec.Sink) spec;
                node = new SinkNode(sinkSpec, sinkSpec.topic() == null ? null : subtopology.decorate(sinkSpec.topic()));
            } else {
                node = new UserProcessorNode((NodeSpec.Processor) spec);
            }
            nodes.put(spec.name(), node);
            for (final String predecessor : spec.predecessors()) {
                nodes.get(predecessor).addChild(node);
            }
        }
        initializeStores();
        for (final TaskNode node : nodes.values()) {
            // as in Kafka, a processor's init() sees a record context with no topic, partition or offset
            context.setRecordContext(new RecordContextImpl(null, -1, -1L, wallClock.getAsLong(),
                new org.apache.kafka.common.header.internals.RecordHeaders(), null, null));
            node.init(context);
        }
        context.setRecordContext(null);
        context.setCurrentNode(null);
        initialized = true;
    }

    /**
     * Builds and initializes the task's stores only, with no processor: what a standby task keeps up to date from the
     * changelogs ({@link #initialize()} calls it between building the processors and initializing them).
     */
    public void initializeStores() {
        if (storesInitialized) {
            return;
        }
        final Map<String, StoreSpec> storeSpecs = new LinkedHashMap<>();
        for (final java.util.Map.Entry<Subtopology, NodeSpec> entry : nodesInOrder()) {
            if (entry.getValue() instanceof NodeSpec.Processor) {
                for (final String store : ((NodeSpec.Processor) entry.getValue()).stores()) {
                    storeSpecs.putIfAbsent(store, entry.getKey().stores().get(store));
                }
            }
        }
        final Map<String, StateStore> offered = new HashMap<>(carriedOver);
        for (final StoreSpec spec : storeSpecs.values()) {
            if (config.cacheMaxBytes == 0) {
                // as Kafka's topology rewrite: with no cache at all, no store has a caching layer
                spec.builder().withCachingDisabled();
            }
            final StateStore store = io.pspf.runtime.state.CarriedOverStores.building(offered,
                () -> io.pspf.runtime.state.PersistentStorage.building(config.persistentStorage(),
                    () -> (StateStore) spec.builder().build()));
            stores.put(spec.name(), store);
            if (carriedOver.containsKey(spec.name()) && !offered.containsKey(spec.name())) {
                adopted.add(spec.name());
            }
        }
        for (final StateStore store : stores.values()) {
            try {
                store.init(context, store);
            } catch (final RuntimeException e) {
                throw new StreamsException("Failed to initialize store " + store.name() + " of task " + id, e);
            }
        }
        storesInitialized = true;
    }

    /**
     * The task's nodes in the order they were added to the topology, across all of its sub-topologies: Kafka builds,
     * initializes and closes them in that order.
     */
    private java.util.List<java.util.Map.Entry<Subtopology, NodeSpec>> nodesInOrder() {
        final java.util.List<java.util.Map.Entry<Subtopology, NodeSpec>> ordered = new java.util.ArrayList<>();
        for (final Subtopology subtopology : subtopologies) {
            for (final NodeSpec spec : subtopology.nodes()) {
                ordered.add(java.util.Map.entry(subtopology, spec));
            }
        }
        ordered.sort(java.util.Comparator.comparingInt(entry -> entry.getValue().sequence()));
        return ordered;
    }

    /** Closes the processors and stores (processors first); see {@link #closeTopology()}. */
    public void close() {
        RuntimeException failure = null;
        try {
            closeTopology();
        } catch (final RuntimeException e) {
            failure = e;
        }
        try {
            closeStores();
        } catch (final RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Closes every processor, in graph order, each with the record context left by the last record; as in Kafka,
     * the last failure is the one reported.
     */
    public void closeTopology() {
        RuntimeException last = null;
        for (final TaskNode node : nodes.values()) {
            try {
                node.close();
            } catch (final RuntimeException e) {
                last = e;
            }
        }
        if (last != null) {
            throw last;
        }
    }

    /** Closes the stores and drops buffered records and schedules. */
    public void closeStores() {
        RuntimeException first = null;
        for (final StateStore store : stores.values()) {
            try {
                if (store.isOpen()) {
                    store.close();
                }
            } catch (final RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        partitionGroup.clear();
        idleDeadlines.clear();
        streamTimePunctuations.clear();
        wallClockPunctuations.clear();
        if (first != null) {
            throw first;
        }
    }

    // ------------------------------------------------------------------------------------------------ input

    /** Buffers records of one input partition; records of a topic this task does not read are refused. */
    public void addRecords(final String topic, final int partition, final Collection<RawRecord> records) {
        partitionGroup.add(queue(topic, partition), records);
    }

    public void addRecord(final RawRecord record) {
        partitionGroup.add(queue(record.topic(), record.partition()), record);
    }

    private RecordQueue queue(final String topic, final int partition) {
        final RecordQueue last = lastQueue;
        if (last != null && last.partition() == partition && last.topic().equals(topic)) {
            return last;
        }
        lastQueue = queueFor(topic, partition);
        return lastQueue;
    }

    private RecordQueue queueFor(final String topic, final int partition) {
        final TopicPartition tp = new TopicPartition(topic, partition);
        RecordQueue queue = queues.get(tp);
        if (queue == null) {
            SourceNode source = null;
            for (final Subtopology subtopology : subtopologies) {
                final NodeSpec.Source spec = subtopology.sourceFor(topic);
                if (spec != null) {
                    source = (SourceNode) nodes.get(spec.name());
                    break;
                }
            }
            if (source == null) {
                throw new IllegalArgumentException("Task " + id + " does not read topic " + topic);
            }
            queue = new RecordQueue(topic, partition, source, source.extractor, this);
            queues.put(tp, queue);
            if (lags != null) {
                inputs.add(tp);
            }
        }
        return queue;
    }

    public boolean hasBufferedRecords() {
        return partitionGroup.hasBuffered();
    }

    public int bufferedRecords() {
        return partitionGroup.buffered();
    }

    /** Records buffered for one input partition. */
    public int bufferedRecords(final TopicPartition partition) {
        final RecordQueue queue = queues.get(partition);
        return queue == null ? 0 : queue.size();
    }

    /** Deserializes a raw record for its source; null when the deserialization handler chose to skip it. */
    Object[] deserialize(final SourceNode source, final RawRecord raw) {
        try {
            final Object key = source.keyDeserializer.deserialize(raw.topic(), raw.headers(), raw.key());
            final Object value = source.valueDeserializer.deserialize(raw.topic(), raw.headers(), raw.value());
            return new Object[] {key, value};
        } catch (final RuntimeException failure) {
            final ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(),
                raw.timestamp(), TimestampType.CREATE_TIME, raw.key() == null ? ConsumerRecord.NULL_SIZE : raw.key().length,
                raw.value() == null ? ConsumerRecord.NULL_SIZE : raw.value().length, raw.key(), raw.value(),
                raw.headers(), Optional.empty());
            final RecordContextImpl previous = context.recordContext();
            context.setRecordContext(new RecordContextImpl(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(),
                raw.headers(), raw.key(), raw.value()));
            final DeserializationExceptionHandler.Response response;
            try {
                response = config.deserializationHandler.handleError(context.errorContext(source.name), record, failure);
            } catch (final RuntimeException fatal) {
                throw new StreamsException("Fatal user code error in deserialization error callback", fatal);
            } finally {
                context.setRecordContext(previous);
            }
            if (response == null) {
                throw new StreamsException("Fatal user code error in deserialization error callback",
                    new NullPointerException("Invalid DeserializationExceptionHandler response."));
            }
            sendDeadLetters(response.deadLetterQueueRecords());
            if (response.result() == DeserializationExceptionHandler.Result.FAIL) {
                throw new StreamsException("Deserialization exception handler is set to fail upon a deserialization error. "
                    + "If you would rather have the streaming pipeline continue after a deserialization error, please set the "
                    + "deserialization.exception.handler appropriately.", failure);
            }
            LOG.warn("Skipping record due to deserialization error. topic=[{}] partition=[{}] offset=[{}]",
                raw.topic(), raw.partition(), raw.offset(), failure);
            recordDropped();
            return null;
        }
    }

    StreamsException fatal(final String message, final RuntimeException cause) {
        return new StreamsException(message, cause);
    }

    // ------------------------------------------------------------------------------------------------ processing

    /** Processes the next buffered record (lowest head timestamp first); false when nothing was buffered. */
    /**
     * Processes up to {@code max} records, stopping early when none is ready or {@code stop} says so (it is asked
     * before each record). The loop lives here rather than in the caller so that the just-in-time compiler compiles
     * the processing of a record as its own unit, early, instead of folding it into the caller's loop.
     *
     * @return how many records were processed
     */
    public int process(final int max, final java.util.function.BooleanSupplier stop) {
        // the wall clock is read once per turn, as Kafka's task executor reads it once per processing round
        final long now = lags == null ? 0L : wallClock.getAsLong();
        int processed = 0;
        while (processed < max && !stop.getAsBoolean() && isProcessable(now) && process()) {
            processed++;
        }
        return processed;
    }

    // ------------------------------------------------------------------------------------------------ readiness

    /** What the owner of a task knows of an input partition's records that are not buffered yet. */
    @FunctionalInterface
    public interface LagSource {
        /**
         * 0 when the partition was read to its end as far as the owner knows; anything else when records are known to
         * be waiting, or when the owner does not know (it has not read the partition since it last had records).
         */
        long lag(TopicPartition partition);
    }

    /** The task's input partitions, once its owner named them (records of a topic matched by a pattern add theirs). */
    private final java.util.Set<TopicPartition> inputs = new java.util.HashSet<>();
    private LagSource lags;
    /** Per empty input partition with nothing more to read, the wall-clock time until which the task waits for it. */
    private final Map<TopicPartition, Long> idleDeadlines = new HashMap<>();

    /**
     * Makes the task choose its next record as Kafka Streams' does under {@code max.task.idle.ms} (KIP-695): while an
     * input partition has nothing buffered, the task processes nothing if that partition may have records not read
     * yet ({@code lagSource} says so), and otherwise only once the partition stayed empty for {@code max.task.idle.ms}
     * of wall-clock time (at once with the default, 0); with -1 it never waits. So records of one partition do not go
     * before earlier records of another that were merely not read yet. Without this call the task processes whatever
     * it has buffered.
     */
    public void awaitInputs(final Collection<TopicPartition> partitions, final LagSource lagSource) {
        inputs.addAll(partitions);
        inputs.addAll(queues.keySet());
        lags = lagSource;
    }

    /** Whether the task may process its next buffered record now (see {@link #awaitInputs}). */
    public boolean isProcessable(final long wallClockMs) {
        if (!partitionGroup.hasBuffered()) {
            return false;
        }
        if (lags == null || config.maxTaskIdleMs < 0) {
            return true;
        }
        if (partitionGroup.nonEmptyPartitions() >= inputs.size()) {
            idleDeadlines.clear(); // every input has records
            return true;
        }
        for (final TopicPartition tp : inputs) {
            final RecordQueue queue = queues.get(tp);
            if (queue != null && !queue.isEmpty()) {
                idleDeadlines.remove(tp);
                continue;
            }
            if (lags.lag(tp) != 0) {
                // records not read yet (or not known): wait for them, however long the idle time
                idleDeadlines.remove(tp);
                return false;
            }
            Long deadline = idleDeadlines.get(tp);
            if (deadline == null) {
                deadline = wallClockMs + config.maxTaskIdleMs;
                idleDeadlines.put(tp, deadline);
            }
            if (wallClockMs < deadline) {
                return false;
            }
        }
        return true;
    }

    public boolean process() {
        final StampedRecord record = partitionGroup.next(lastTaken);
        if (record == null) {
            return false;
        }
        final RecordQueue from = lastTaken[0];
        final RawRecord raw = record.raw;
        final RecordContextImpl recordContext = new RecordContextImpl(raw.topic(), raw.partition(), raw.offset(),
            record.timestamp, raw.headers(), raw.key(), raw.value());
        final SourceNode source = from.source();
        context.setRecordContext(recordContext);
        context.setCurrentNode(source);
        try {
            source.process(new Record<>(record.key, record.value, record.timestamp, raw.headers()));
        } catch (final FailedProcessingException e) {
            if (e.failure() != null) {
                throw new StreamsException(e.failure(), e.getCause());
            }
            throw new StreamsException(processFailure(e.nodeName(), raw), e.getCause());
        } catch (final StreamsException e) {
            throw e;
        } catch (final RuntimeException e) {
            throw new StreamsException(processFailure(context.currentNode().name, raw), e);
        } finally {
            // as in Kafka, the record context stays that of the last record (a processor's close() sees it)
            context.setCurrentNode(null);
        }
        from.consumed(raw.offset());
        processedRecords++;
        commitNeeded = true;
        return true;
    }

    private String processFailure(final String nodeName, final RawRecord raw) {
        return String.format("Exception caught in process. taskId=%s, processor=%s, topic=%s, partition=%d, offset=%d",
            id, nodeName, raw.topic(), raw.partition(), raw.offset());
    }

    /** A global task's update: the record is processed at once, with its own timestamp. */
    public void processGlobal(final RawRecord raw) {
        final RecordQueue queue = queue(raw.topic(), raw.partition());
        final SourceNode source = queue.source();
        final Object[] keyValue = deserialize(source, raw);
        if (keyValue == null) {
            return;
        }
        context.setRecordContext(new RecordContextImpl(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(),
            raw.headers(), raw.key(), raw.value()));
        context.setCurrentNode(source);
        try {
            source.process(new Record<>(keyValue[0], keyValue[1], raw.timestamp(), raw.headers()));
        } catch (final FailedProcessingException e) {
            if (e.failure() != null) {
                throw new StreamsException(e.failure(), e.getCause());
            }
            throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : new StreamsException(e.getCause());
        } finally {
            context.setCurrentNode(null);
        }
        queue.consumed(raw.offset());
    }

    // ------------------------------------------------------------------------------------------------ punctuation

    Cancellable schedule(final TaskNode node, final Long startTime, final long interval, final PunctuationType type,
                         final Punctuator punctuator) {
        if (global) {
            throw new UnsupportedOperationException("this should not happen: schedule() not supported in global processor context.");
        }
        if (node == null) {
            throw new IllegalStateException("Current node is null");
        }
        switch (type) {
            case STREAM_TIME:
                return streamTimePunctuations.schedule(node, startTime == null ? 0L : startTime, interval, punctuator,
                    startTime == null ? Long.MIN_VALUE : partitionGroup.streamTime());
            case WALL_CLOCK_TIME:
                final long now = wallClock.getAsLong();
                return wallClockPunctuations.schedule(node, startTime == null ? now + interval : startTime, interval,
                    punctuator, startTime == null ? Long.MIN_VALUE : now);
            default:
                throw new IllegalArgumentException("Unrecognized PunctuationType: " + type);
        }
    }

    public boolean maybePunctuateStreamTime() {
        final long streamTime = partitionGroup.streamTime();
        if (streamTime == RecordQueue.UNKNOWN) {
            return false;
        }
        return streamTimePunctuations.mayPunctuate(streamTime, PunctuationType.STREAM_TIME, this::punctuate);
    }

    public boolean maybePunctuateSystemTime() {
        return wallClockPunctuations.mayPunctuate(wallClock.getAsLong(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    private void punctuate(final TaskNode node, final long timestamp, final PunctuationType type, final Punctuator punctuator) {
        context.setRecordContext(new RecordContextImpl(null, -1, -1L, timestamp,
            new org.apache.kafka.common.header.internals.RecordHeaders(), null, null));
        context.setCurrentNode(node);
        try {
            punctuator.punctuate(timestamp);
        } catch (final FailedProcessingException e) {
            if (e.failure() != null) {
                throw new StreamsException(e.failure(), e.getCause());
            }
            throw punctuationFailure(node, e.getCause());
        } catch (final RuntimeException e) {
            handlePunctuationFailure(node, e);
        } finally {
            context.setCurrentNode(null);
        }
        commitNeeded = true;
    }

    /** A punctuator's failure goes to the processing exception handler, with no record, as in Kafka. */
    private void handlePunctuationFailure(final TaskNode node, final RuntimeException failure) {
        final org.apache.kafka.streams.errors.ProcessingExceptionHandler handler = config.processingHandler;
        if (handler == null) {
            throw punctuationFailure(node, failure);
        }
        final org.apache.kafka.streams.errors.ProcessingExceptionHandler.Response response;
        try {
            response = handler.handleError(context.errorContext(node.name), null, failure);
        } catch (final RuntimeException fatal) {
            throw new StreamsException("Fatal user code error in processing error callback", fatal);
        }
        if (response == null) {
            throw new StreamsException("Fatal user code error in processing error callback",
                new NullPointerException("Invalid ProcessingExceptionHandler response."));
        }
        sendDeadLetters(response.deadLetterQueueRecords());
        if (response.result() == org.apache.kafka.streams.errors.ProcessingExceptionHandler.Result.FAIL) {
            throw punctuationFailure(node, failure);
        }
        recordDropped();
    }

    private StreamsException punctuationFailure(final TaskNode node, final Throwable cause) {
        return new StreamsException(String.format("%sException caught while punctuating processor '%s'",
            logPrefix(), node.name), cause);
    }

    private String stateLogPrefix;

    /**
     * The prefix of the state manager's messages, when it is not the task's own ({@code "topology-test-driver "} in
     * the test driver, as in Kafka's).
     */
    public void setStateLogPrefix(final String prefix) {
        this.stateLogPrefix = prefix;
    }

    private String logPrefix() {
        return "stream-thread [" + Thread.currentThread().getName() + "] task [" + id + "] ";
    }

    // ------------------------------------------------------------------------------------------------ output

    void send(final String topic, final Record<Object, Object> record, final Serializer<Object> keySerializer,
              final Serializer<Object> valueSerializer, final StreamPartitioner<Object, Object> partitioner,
              final String nodeName) {
        if (partitioner != null) {
            final int partitions = sink.partitionsFor(topic);
            if (partitions <= 0) {
                throw new StreamsException("Could not get partition information for topic " + topic + " for task " + id
                    + ". This can happen if the topic does not exist.");
            }
            final Optional<Set<Integer>> chosen =
                partitioner.partitions(topic, record.key(), record.value(), record.headers(), partitions);
            if (chosen == null || chosen.isEmpty()) {
                sendOne(topic, record, null, keySerializer, valueSerializer, nodeName);
            } else if (chosen.get().isEmpty()) {
                LOG.warn("Skipping record as partitioner returned empty partitions. topic=[{}]", topic);
                recordDropped();
            } else {
                for (final int partition : chosen.get()) {
                    sendOne(topic, record, partition, keySerializer, valueSerializer, nodeName);
                }
            }
        } else {
            sendOne(topic, record, null, keySerializer, valueSerializer, nodeName);
        }
    }

    private void sendOne(final String topic, final Record<Object, Object> record, final Integer partition,
                         final Serializer<Object> keySerializer, final Serializer<Object> valueSerializer,
                         final String nodeName) {
        final Headers headers = record.headers();
        final byte[] keyBytes;
        final byte[] valueBytes;
        try {
            keyBytes = keySerializer.serialize(topic, headers, record.key());
        } catch (final java.lang.ClassCastException e) {
            throw classCast("key", topic, record.key(), keySerializer, e);
        } catch (final RuntimeException e) {
            handleSerializationError(ProductionExceptionHandler.SerializationExceptionOrigin.KEY, topic, record, partition, nodeName, e);
            return;
        }
        try {
            valueBytes = valueSerializer.serialize(topic, headers, record.value());
        } catch (final java.lang.ClassCastException e) {
            throw classCast("value", topic, record.value(), valueSerializer, e);
        } catch (final RuntimeException e) {
            handleSerializationError(ProductionExceptionHandler.SerializationExceptionOrigin.VALUE, topic, record, partition, nodeName, e);
            return;
        }
        if (topic == null) {
            throw new IllegalArgumentException("Topic cannot be null.");
        }
        // a produced record owns a copy of the headers, as Kafka's ProducerRecord does: later changes by other
        // processors to the live record's headers must not reach output already sent
        final Header[] headerArray = headers.toArray();
        sink.send(new RawRecord(topic, partition == null ? -1 : partition, -1L, record.timestamp(), keyBytes, valueBytes,
            headerArray.length == 0 ? new org.apache.kafka.common.header.internals.RecordHeaders()
                : new org.apache.kafka.common.header.internals.RecordHeaders(headerArray)), partition);
    }

    private StreamsException classCast(final String what, final String topic, final Object data,
                                       final Serializer<?> serializer, final java.lang.ClassCastException e) {
        final String type = data == null ? "unknown because " + what + " is null" : data.getClass().getName();
        final String template = "ClassCastException while producing data to topic %s. The " + what + " serializer %s is not "
            + "compatible to the actual " + what + " type: %s. Change the default " + what + " serde in StreamConfig or provide "
            + "the correct " + what + " serde via method parameters (for example if using the DSL, "
            + "`#to(String topic, Produced<K, V> produced)` with `Produced." + what
            + "Serde(WindowedSerdes.timeWindowedSerdeFrom(String.class))`).";
        return new StreamsException(String.format(template, topic, serializer.getClass().getName(), type), e);
    }

    private void handleSerializationError(final ProductionExceptionHandler.SerializationExceptionOrigin origin,
                                          final String topic, final Record<Object, Object> record,
                                          final Integer partition, final String nodeName, final RuntimeException failure) {
        final ProducerRecord<Object, Object> failed = new ProducerRecord<>(topic, partition, record.timestamp(),
            record.key(), record.value(), record.headers());
        final ProductionExceptionHandler.Response response;
        try {
            response = config.productionHandler.handleSerializationError(context.errorContext(nodeName), failed, failure, origin);
        } catch (final RuntimeException fatal) {
            throw new FailedProcessingException("Fatal user code error in production error callback", nodeName, fatal);
        }
        if (response == null) {
            throw new FailedProcessingException("Fatal user code error in production error callback", nodeName,
                new NullPointerException("Invalid ProductionExceptionHandler response."));
        }
        sendDeadLetters(response.deadLetterQueueRecords());
        // RETRY makes no sense for a serialization error: Kafka treats it as FAIL
        if (response.result() != ProductionExceptionHandler.Result.RESUME) {
            throw new StreamsException(String.format(
                "Unable to serialize record. ProducerRecord(topic=[%s], partition=[%d], timestamp=[%d]",
                topic, partition, record.timestamp()), failure);
        }
        recordDropped();
    }

    void sendChangelog(final RawRecord record, final int partition) {
        sink.send(record, partition);
    }

    /** The record cache shared by the stores of this task's thread, or null for store-local caches. */
    io.pspf.runtime.state.RecordCache recordCache() {
        return recordCache;
    }

    void sendDeadLetters(final List<ProducerRecord<byte[], byte[]>> records) {
        if (records == null) {
            return;
        }
        for (final ProducerRecord<byte[], byte[]> dlq : records) {
            sink.send(new RawRecord(dlq.topic(), dlq.partition() == null ? -1 : dlq.partition(), -1L,
                dlq.timestamp() == null ? wallClock.getAsLong() : dlq.timestamp(), dlq.key(), dlq.value(),
                dlq.headers()), dlq.partition());
        }
    }

    // ------------------------------------------------------------------------------------------------ commit

    /**
     * Commits the stores in initialization order, as Kafka 4.4 does with {@code StateStore.commit}: caches write
     * (and forward) their dirty entries here.
     */
    public void flush() {
        RuntimeException first = null;
        for (final StateStore store : stores.values()) {
            try {
                store.commit(Map.of());
            } catch (final RuntimeException e) {
                // as Kafka's state manager: every store is flushed; the first failure is rethrown, wrapped
                if (first == null) {
                    final String message = String.format("%sFailed to flush cache of store %s",
                        stateLogPrefix != null ? stateLogPrefix : logPrefix(), store.name());
                    if (e instanceof FailedProcessingException) {
                        first = new org.apache.kafka.streams.errors.ProcessorStateException(message, e.getCause());
                    } else if (e instanceof StreamsException) {
                        first = e;
                    } else {
                        first = new org.apache.kafka.streams.errors.ProcessorStateException(message, e);
                    }
                }
                LOG.error("Failed to flush cache of store {}:", store.name(), e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Flushes the stores and returns the next offsets to commit per input partition: the offset after the last
     * processed record.
     */
    public Map<TopicPartition, Long> prepareCommit() {
        flush();
        final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (final RecordQueue queue : queues.values()) {
            if (queue.consumedOffset() >= 0) {
                offsets.put(queue.topicPartition(), queue.consumedOffset() + 1);
            }
        }
        return offsets;
    }

    /**
     * The first half of a commit through a backend: caches write their dirty entries to the stores below (and so to
     * the changelog), and in-memory stores commit; persistent stores keep their own writes open until
     * {@link #commitPersistentStores} is called after the backend accepted the commit. Returns the next offsets per
     * input partition.
     */
    public Map<TopicPartition, Long> prepareBackendCommit() {
        RuntimeException first = null;
        for (final StateStore store : stores.values()) {
            try {
                if (store.persistent()) {
                    final io.pspf.runtime.state.CachedStore cached = store instanceof io.pspf.runtime.state.CachedStore
                        ? (io.pspf.runtime.state.CachedStore) store : null;
                    if (cached != null) {
                        cached.flushCache();
                    }
                } else {
                    store.commit(Map.of());
                }
            } catch (final RuntimeException e) {
                if (first == null) {
                    first = e instanceof StreamsException ? e : new org.apache.kafka.streams.errors.ProcessorStateException(
                        String.format("%sFailed to flush cache of store %s", logPrefix(), store.name()),
                        e instanceof FailedProcessingException ? e.getCause() : e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return consumedOffsets();
    }

    /** The next offset to read per input partition that this task has processed records of. */
    public Map<TopicPartition, Long> consumedOffsets() {
        final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (final RecordQueue queue : queues.values()) {
            if (queue.consumedOffset() >= 0) {
                offsets.put(queue.topicPartition(), queue.consumedOffset() + 1);
            }
        }
        return offsets;
    }

    /**
     * The second half of a commit: persistent stores commit their writes with the changelog offsets those writes
     * reflect ({@code changelogOffsets} by store name; a store absent from it commits with no offsets).
     */
    public void commitPersistentStores(final Map<String, Map<TopicPartition, Long>> changelogOffsets) {
        for (final StateStore store : stores.values()) {
            if (store.persistent()) {
                store.commit(changelogOffsets.getOrDefault(store.name(), Map.of()));
            }
        }
    }

    public void postCommit() {
        commitRequested = false;
        commitNeeded = false;
    }

    /** Murmur2 placement for a serialized key, as Kafka's default partitioner does for keyed records. */
    public static int defaultPartition(final byte[] keyBytes, final int partitions) {
        Objects.requireNonNull(keyBytes, "keyBytes");
        return Utils.toPositive(Utils.murmur2(keyBytes)) % partitions;
    }

    @Override
    public String toString() {
        return "StreamTask(" + id + ")";
    }

}
