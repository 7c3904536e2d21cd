package io.pspf.streams;

import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlySessionStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.SessionStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.RawRecord;
import io.pspf.runtime.graph.GraphBuilder;
import io.pspf.runtime.graph.Subtopology;
import io.pspf.runtime.state.RecordCache;
import io.pspf.runtime.task.RecordSink;
import io.pspf.runtime.task.StreamTask;
import io.pspf.runtime.task.TaskConfig;
import io.pspf.streams.test.TestRecord;

/**
 * Runs a {@link Topology} in memory, synchronously, the way Kafka Streams' own {@code TopologyTestDriver} does:
 * one task ({@code 0_0}) holding every sub-topology, one partition per topic, a mocked wall clock. Each piped
 * record is processed completely — including records the topology writes to its own repartition or source
 * topics — before {@code pipeInput} returns; after each record the task commits, so caches are flushed.
 *
 * <p>Output records are captured per topic and read through {@link TestOutputTopic}.
 */
public class TopologyTestDriver implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TopologyTestDriver.class);
    private static final int PARTITION = 0;

    private final GraphBuilder graph;
    private final MockTime wallClock;
    private final Metrics metrics;
    private final StreamTask task;
    private final StreamTask globalTask;
    private final Set<String> inputTopics = new java.util.LinkedHashSet<>();
    private final Set<String> globalTopics = new java.util.LinkedHashSet<>();
    private final Set<String> sinkTopics = new java.util.LinkedHashSet<>();
    private final List<Pattern> patterns = new ArrayList<>();
    /** The next offset per topic; topics matched by one pattern share one counter (the same array). */
    private final Map<String, long[]> nextOffsets = new HashMap<>();
    private final Map<String, Queue<RawRecord>> outputRecordsByTopic = new HashMap<>();
    /** Records the task produced since the last capture; swapped with {@link #spare} on each capture. */
    private List<RawRecord> produced = new ArrayList<>();
    /**
     * Under exactly_once_v2, records sent since the last commit: they become visible (move to {@link #produced})
     * only when the task commits, as with Kafka's transactional mock producer; what a failed step or the closing
     * flush sends stays invisible unless a later step commits.
     */
    private final List<RawRecord> uncommitted = new ArrayList<>();
    private boolean exactlyOnce;
    private List<RawRecord> spare = new ArrayList<>();
    private Map<String, Pattern> sourceTopicPatterns;
    /** Whether the task reads a topic, per topic. */
    private final Map<String, Boolean> readByTask = new HashMap<>();
    /** Per topic the driver has captured output for: where its records go, looked up once per record. */
    private final Map<String, Route> routes = new HashMap<>();
    /** Topics whose input records passed the source-pattern check (it depends on the topic only). */
    private final Set<String> checkedInputTopics = new HashSet<>();

    /** A driver with default settings and the system clock as the start of its wall clock. */
    public TopologyTestDriver(final Topology topology) {
        this(topology, new Properties());
    }

    /** A driver with the given settings; the wall clock starts at the system time. */
    public TopologyTestDriver(final Topology topology, final Properties config) {
        this(topology, config, null);
    }

    /** A driver with default settings and the given start of its wall clock. */
    public TopologyTestDriver(final Topology topology, final Instant initialWallClockTimeMs) {
        this(topology, new Properties(), initialWallClockTimeMs);
    }

    /**
     * A driver with the given settings and start of its wall clock (the system time when null).
     *
     * @throws org.apache.kafka.common.config.ConfigException for a bad setting
     * @throws org.apache.kafka.streams.errors.StreamsException when a processor or store fails to initialize,
     *         for example for want of a serde
     */
    public TopologyTestDriver(final Topology topology, final Properties config, final Instant initialWallClockTime) {
        final Properties copy = new Properties();
        copy.putAll(config);
        copy.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy-bootstrap-host:0");
        copy.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG,
            "dummy-topology-test-driver-app-id-" + ThreadLocalRandom.current().nextInt());
        // as Kafka's driver: emit-on-close and outer-join emission are not rate-limited by the wall clock
        copy.putIfAbsent("__emit.interval.ms.kstreams.outer.join.spurious.results.fix__", 0L);
        copy.putIfAbsent("__emit.interval.ms.kstreams.windowed.aggregation__", 0L);
        final StreamsConfig streamsConfig = new StreamsConfig(copy);
        this.exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(streamsConfig.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        final TaskConfig taskConfig = new TaskConfig(streamsConfig, topology.topologyConfig);
        final String applicationId = taskConfig.applicationId();
        this.graph = topology.graph;
        this.wallClock = new MockTime(initialWallClockTime == null ? System.currentTimeMillis() : initialWallClockTime.toEpochMilli());
        this.metrics = new Metrics(wallClock);

        final RecordSink sink = new RecordSink() {
            @Override
            public int partitionsFor(final String topic) {
                return 1;
            }

            @Override
            public void send(final RawRecord record, final Integer partition) {
                if (exactlyOnce) {
                    uncommitted.add(record);
                } else {
                    produced.add(record);
                }
            }
        };

        // one record cache for the driver's thread, shared by the global task and the task, as in Kafka
        final RecordCache cache = new RecordCache(taskConfig.cacheMaxBytes());
        final Subtopology global = graph.globalSubtopology(applicationId);
        if (global != null) {
            globalTask = new StreamTask(new TaskId(-1, -1), true, List.of(global), taskConfig.forTestDriverGlobalTask(), sink,
                wallClock::milliseconds, null, metrics);
            globalTask.useRecordCache(cache);
            globalTopics.addAll(graph.globalTopics());
            globalTask.initialize();
        } else {
            globalTask = null;
        }

        final List<Subtopology> subtopologies = graph.subtopologies(applicationId);
        for (final Subtopology subtopology : subtopologies) {
            inputTopics.addAll(subtopology.sourceByTopic().keySet());
            subtopology.patternSources().forEach(source -> patterns.add(source.pattern()));
            sinkTopics.addAll(subtopology.sinkTopics());
        }
        if (!subtopologies.isEmpty()) {
            task = new StreamTask(new TaskId(0, PARTITION), false, subtopologies, taskConfig, sink,
                wallClock::milliseconds, globalTask == null ? null : name -> globalTask.stores().get(name), metrics);
            task.useRecordCache(cache);
            task.setStateLogPrefix("topology-test-driver ");
            // as in Kafka's driver, every input (internal topics too) has been read to its end: under
            // max.task.idle.ms > 0 the task waits for an empty one until the mocked wall clock passes the idle time
            final List<TopicPartition> taskInputs = new java.util.ArrayList<>();
            inputTopics.forEach(topic -> taskInputs.add(new TopicPartition(topic, PARTITION)));
            task.awaitInputs(taskInputs, partition -> 0L);
            task.initialize();
            // Kafka's driver commits the fresh task once before any input
            task.flush();
        } else {
            task = null;
        }
    }

    /** The driver's metrics registry, read-only. */
    public Map<MetricName, ? extends Metric> metrics() {
        return Collections.unmodifiableMap(metrics.metrics());
    }

    /**
     * Moves the mocked wall clock forward; due wall-clock punctuations run, then the task commits.
     *
     * @throws NullPointerException if {@code advance} is null
     */
    public void advanceWallClockTime(final Duration advance) {
        Objects.requireNonNull(advance, "advance cannot be null");
        wallClock.sleep(advance.toMillis());
        if (task != null) {
            try {
                task.maybePunctuateSystemTime();
                task.prepareCommit();
                task.postCommit();
                commitTransaction();
            } catch (final RuntimeException e) {
                abortTransaction();
                throw e;
            }
        }
        completeAllProcessableWork();
    }

    /**
     * A topic to pipe records into, with record times starting at the current wall-clock time and no
     * auto-advance.
     */
    public final <K, V> TestInputTopic<K, V> createInputTopic(final String topicName, final Serializer<K> keySerializer,
                                                              final Serializer<V> valueSerializer) {
        return new TestInputTopic<>(this, topicName, keySerializer, valueSerializer,
            Instant.ofEpochMilli(wallClock.milliseconds()), Duration.ZERO);
    }

    /** A topic to pipe records into, with generated record times starting at {@code startTimestamp}. */
    public final <K, V> TestInputTopic<K, V> createInputTopic(final String topicName, final Serializer<K> keySerializer,
                                                              final Serializer<V> valueSerializer,
                                                              final Instant startTimestamp, final Duration autoAdvance) {
        return new TestInputTopic<>(this, topicName, keySerializer, valueSerializer, startTimestamp, autoAdvance);
    }

    /** A topic to read the topology's output from. */
    public final <K, V> TestOutputTopic<K, V> createOutputTopic(final String topicName,
                                                                final Deserializer<K> keyDeserializer,
                                                                final Deserializer<V> valueDeserializer) {
        return new TestOutputTopic<>(this, topicName, keyDeserializer, valueDeserializer);
    }

    /** The names of every topic the topology has written to so far, internal ones included. */
    public final Set<String> producedTopicNames() {
        return Collections.unmodifiableSet(outputRecordsByTopic.keySet());
    }

    // ------------------------------------------------------------------------------------------------ piping

    <K, V> void pipeRecord(final String topic, final TestRecord<K, V> record, final Serializer<K> keySerializer,
                           final Serializer<V> valueSerializer, final Instant time) {
        final byte[] key = keySerializer.serialize(topic, record.headers(), record.key());
        final byte[] value = valueSerializer.serialize(topic, record.headers(), record.value());
        final long timestamp;
        if (time != null) {
            timestamp = time.toEpochMilli();
        } else if (record.timestamp() != null) {
            timestamp = record.timestamp();
        } else {
            throw new IllegalStateException("Provided `TestRecord` does not have a timestamp and no timestamp overwrite "
                + "was provided via `time` parameter.");
        }
        pipeRecord(topic, timestamp, key, value, record.headers());
    }

    private void pipeRecord(final String topic, final long timestamp, final byte[] key, final byte[] value,
                            final Headers headers) {
        final boolean forTask = readsTopic(topic);
        final boolean forGlobal = globalTopics.contains(topic);
        if (!forTask && !forGlobal) {
            throw new IllegalArgumentException("Unknown topic: " + topic);
        }
        if (forTask) {
            task.addRecord(new RawRecord(topic, PARTITION, nextOffset(topic), timestamp, key, value, headers));
            completeAllProcessableWork();
        }
        if (forGlobal) {
            processGlobal(topic, timestamp, key, value, headers);
        }
    }

    private boolean readsTopic(final String topic) {
        if (task == null) {
            return false;
        }
        if (checkedInputTopics.contains(topic)) {
            return readByTask.computeIfAbsent(topic, task::reads);
        }
        // Kafka refuses a record whose topic is matched by a source topic name read as a regex
        for (final Map.Entry<String, Pattern> source : sourceTopicsAsPatterns().entrySet()) {
            if (!source.getKey().equals(topic) && source.getValue() != null && source.getValue().matcher(topic).matches()) {
                throw new TopologyException("Topology add source of type String for topic: " + source.getKey()
                    + " cannot contain regex pattern for input record topic: " + topic
                    + " and hence cannot process the message.");
            }
        }
        checkedInputTopics.add(topic);
        return readByTask.computeIfAbsent(topic, task::reads);
    }

    /** Each source topic name compiled as a regex (null where it is not a valid one), compiled once. */
    private Map<String, Pattern> sourceTopicsAsPatterns() {
        if (sourceTopicPatterns == null) {
            sourceTopicPatterns = new LinkedHashMap<>();
            for (final String source : inputTopics) {
                Pattern compiled;
                try {
                    compiled = Pattern.compile(source);
                } catch (final java.util.regex.PatternSyntaxException e) {
                    compiled = null;
                }
                sourceTopicPatterns.put(source, compiled);
            }
        }
        return sourceTopicPatterns;
    }

    /**
     * The next offset for a record of {@code topic}. As in Kafka's driver, all topics matched by one pattern
     * subscription share a single partition, hence a single offset sequence.
     */
    private long nextOffset(final String topic) {
        return offsetCounter(topic)[0]++;
    }

    /** The offset counter of {@code topic}: {@code [next offset]}, one array per partition (see {@link #nextOffset}). */
    private long[] offsetCounter(final String topic) {
        long[] next = nextOffsets.get(topic);
        if (next == null) {
            final String key = inputTopics.contains(topic) || globalTopics.contains(topic) ? topic : patternKey(topic);
            next = nextOffsets.get(key);
            if (next == null) {
                next = new long[1];
                nextOffsets.put(key, next);
            }
            nextOffsets.put(topic, next);
        }
        return next;
    }

    private String patternKey(final String topic) {
        for (final Pattern pattern : patterns) {
            if (pattern.matcher(topic).matches()) {
                return pattern.pattern();
            }
        }
        return topic;
    }

    private void processGlobal(final String topic, final long timestamp, final byte[] key, final byte[] value,
                               final Headers headers) {
        globalTask.processGlobal(new RawRecord(topic, PARTITION, nextOffset(topic), timestamp, key, value, headers));
        globalTask.prepareCommit();
        globalTask.postCommit();
    }

    private void completeAllProcessableWork() {
        try {
            captureOutputsAndReEnqueueInternalResults();
            if (task != null) {
                while (task.isProcessable(wallClock.milliseconds())) {
                    task.process();
                    task.maybePunctuateStreamTime();
                    // the driver commits after every record; without a backend only the store flush is observable
                    task.flush();
                    task.postCommit();
                    commitTransaction();
                    captureOutputsAndReEnqueueInternalResults();
                }
            }
        } catch (final RuntimeException e) {
            abortTransaction();
            throw e;
        }
    }

    /** Under exactly_once_v2, drops what a failed step sent: it was never committed. */
    private void abortTransaction() {
        uncommitted.clear();
    }

    /** Under exactly_once_v2, makes what the task sent since the last commit visible. */
    private void commitTransaction() {
        if (!uncommitted.isEmpty()) {
            produced.addAll(uncommitted);
            uncommitted.clear();
        }
    }

    private void captureOutputsAndReEnqueueInternalResults() {
        if (produced.isEmpty()) {
            return;
        }
        final List<RawRecord> output = produced;
        produced = spare;
        spare = output;
        for (final RawRecord record : output) {
            Route route = routes.get(record.topic());
            if (route == null) {
                route = new Route(record.topic());
                routes.put(record.topic(), route);
            }
            route.output.add(record);
            if (route.forTask) {
                task.addRecord(new RawRecord(record.topic(), PARTITION, route.nextOffset[0]++, record.timestamp(),
                    record.key(), record.value(), record.headers()));
            }
            if (route.global) {
                processGlobal(record.topic(), record.timestamp(), record.key(), record.value(), record.headers());
            }
        }
        output.clear();
    }

    /** Where the records a task sends to one topic go: its output queue, and back into the task or a global store. */
    private final class Route {
        final Queue<RawRecord> output;
        final boolean forTask;
        final boolean global;
        /** The topic's offset counter (shared with the other topics of its pattern subscription), if the task reads it. */
        final long[] nextOffset;

        Route(final String topic) {
            this.output = outputRecordsByTopic.computeIfAbsent(topic, t -> new ArrayDeque<>());
            this.forTask = task != null && readByTask.computeIfAbsent(topic, task::reads);
            this.global = globalTopics.contains(topic);
            this.nextOffset = forTask ? offsetCounter(topic) : null;
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    private Queue<RawRecord> recordsQueue(final String topic) {
        final Queue<RawRecord> queue = outputRecordsByTopic.get(topic);
        if (queue == null && !sinkTopics.contains(topic)) {
            LOG.warn("Unrecognized topic: {}, this can occur if dynamic routing is used and no output has been "
                + "sent to this topic yet. If not using a TopicNameExtractor, check that the output topic "
                + "is correct.", topic);
        }
        return queue;
    }

    <K, V> TestRecord<K, V> readRecord(final String topic, final Deserializer<K> keyDeserializer,
                                       final Deserializer<V> valueDeserializer) {
        final Queue<RawRecord> queue = recordsQueue(topic);
        if (queue == null) {
            throw new NoSuchElementException("Uninitialized topic: " + topic);
        }
        final RawRecord record = queue.poll();
        if (record == null) {
            throw new NoSuchElementException("Empty topic: " + topic);
        }
        final K key = keyDeserializer.deserialize(record.topic(), record.headers(), record.key());
        final V value = valueDeserializer.deserialize(record.topic(), record.headers(), record.value());
        // a changelog record Kafka sends without a timestamp (the suppress buffer's) reads back with none, as in Kafka
        return new TestRecord<>(key, value, record.headers(), record.timestamp() < 0 ? null : (Long) record.timestamp());
    }

    final long getQueueSize(final String topic) {
        final Queue<RawRecord> queue = recordsQueue(topic);
        return queue == null ? 0 : queue.size();
    }

    final boolean isEmpty(final String topic) {
        return getQueueSize(topic) == 0;
    }

    // ------------------------------------------------------------------------------------------------ stores

    /**
     * Every store of the topology, regular and global, by name. A store that is added but not connected to any
     * processor maps to null.
     */
    public Map<String, StateStore> getAllStateStores() {
        final Map<String, StateStore> all = new HashMap<>();
        for (final String name : graph.allStoreNames()) {
            all.put(name, getStateStore(name, false));
        }
        return all;
    }

    /**
     * The store with the given name, for custom stores; built-in store types must be read through their typed
     * accessors.
     *
     * @return the store, or null when there is none of that name
     * @throws IllegalArgumentException if the store is a built-in key-value, window or session store
     */
    public StateStore getStateStore(final String name) throws IllegalArgumentException {
        return getStateStore(name, true);
    }

    private StateStore getStateStore(final String name, final boolean throwForBuiltIn) {
        StateStore store = task == null ? null : task.stores().get(name);
        if (store == null && globalTask != null) {
            store = globalTask.stores().get(name);
        }
        if (store != null && throwForBuiltIn) {
            throwIfBuiltIn(store);
        }
        return store;
    }

    private static void throwIfBuiltIn(final StateStore store) {
        if (store instanceof VersionedKeyValueStore) {
            throw new IllegalArgumentException("Store " + store.name()
                + " is a versioned key-value store and should be accessed via `getVersionedKeyValueStore()`");
        }
        if (store instanceof TimestampedKeyValueStore) {
            throw new IllegalArgumentException("Store " + store.name()
                + " is a timestamped key-value store and should be accessed via `getTimestampedKeyValueStore()`");
        }
        if (store instanceof ReadOnlyKeyValueStore) {
            throw new IllegalArgumentException("Store " + store.name()
                + " is a key-value store and should be accessed via `getKeyValueStore()`");
        }
        if (store instanceof TimestampedWindowStore) {
            throw new IllegalArgumentException("Store " + store.name()
                + " is a timestamped window store and should be accessed via `getTimestampedWindowStore()`");
        }
        if (store instanceof ReadOnlyWindowStore) {
            throw new IllegalArgumentException("Store " + store.name()
                + " is a window store and should be accessed via `getWindowStore()`");
        }
        if (store instanceof ReadOnlySessionStore) {
            throw new IllegalArgumentException("Store " + store.name()
                + " is a session store and should be accessed via `getSessionStore()`");
        }
    }

    /**
     * The key-value store with the given name; a timestamped store is returned as a value-only view.
     *
     * @return the store, or null when there is no key-value store of that name
     */
    @SuppressWarnings("unchecked")
    public <K, V> KeyValueStore<K, V> getKeyValueStore(final String name) {
        final StateStore store = getStateStore(name, false);
        if (store instanceof TimestampedKeyValueStore) {
            return new StoreFacades.KeyValueFacade<>((TimestampedKeyValueStore<K, V>) store);
        }
        return store instanceof KeyValueStore ? (KeyValueStore<K, V>) store : null;
    }

    /** The timestamped key-value store with the given name, or null. */
    @SuppressWarnings("unchecked")
    public <K, V> KeyValueStore<K, ValueAndTimestamp<V>> getTimestampedKeyValueStore(final String name) {
        final StateStore store = getStateStore(name, false);
        return store instanceof TimestampedKeyValueStore ? (TimestampedKeyValueStore<K, V>) store : null;
    }

    /** The timestamped key-value store with headers of the given name, or null. */
    @SuppressWarnings("unchecked")
    public <K, V> KeyValueStore<K, ValueTimestampHeaders<V>> getTimestampedKeyValueStoreWithHeaders(final String name) {
        final StateStore store = getStateStore(name, false);
        return store instanceof TimestampedKeyValueStoreWithHeaders
            ? (TimestampedKeyValueStoreWithHeaders<K, V>) store : null;
    }

    /** The versioned key-value store with the given name, or null. */
    @SuppressWarnings("unchecked")
    public <K, V> VersionedKeyValueStore<K, V> getVersionedKeyValueStore(final String name) {
        final StateStore store = getStateStore(name, false);
        return store instanceof VersionedKeyValueStore ? (VersionedKeyValueStore<K, V>) store : null;
    }

    /** The window store with the given name (a timestamped one as a value-only view), or null. */
    @SuppressWarnings("unchecked")
    public <K, V> WindowStore<K, V> getWindowStore(final String name) {
        final StateStore store = getStateStore(name, false);
        // WINDOW-FACADE: a timestamped window store is exposed through a value-only view, as in Kafka's driver.
        if (store instanceof TimestampedWindowStore) {
            return new WindowStoreFacade<>((TimestampedWindowStore<K, V>) store);
        }
        return store instanceof WindowStore ? (WindowStore<K, V>) store : null;
    }

    /** The timestamped window store with the given name, or null. */
    @SuppressWarnings("unchecked")
    public <K, V> WindowStore<K, ValueAndTimestamp<V>> getTimestampedWindowStore(final String name) {
        final StateStore store = getStateStore(name, false);
        return store instanceof TimestampedWindowStore ? (TimestampedWindowStore<K, V>) store : null;
    }

    /** The timestamped window store with headers of the given name, or null. */
    @SuppressWarnings("unchecked")
    public <K, V> WindowStore<K, ValueTimestampHeaders<V>> getTimestampedWindowStoreWithHeaders(final String name) {
        final StateStore store = getStateStore(name, false);
        return store instanceof TimestampedWindowStoreWithHeaders
            ? (TimestampedWindowStoreWithHeaders<K, V>) store : null;
    }

    /** The session store with the given name, or null. */
    @SuppressWarnings("unchecked")
    public <K, V> SessionStore<K, V> getSessionStore(final String name) {
        final StateStore store = getStateStore(name, false);
        return store instanceof SessionStore ? (SessionStore<K, V>) store : null;
    }

    /** The session store with headers of the given name, or null. */
    @SuppressWarnings("unchecked")
    public <K, V> SessionStoreWithHeaders<K, V> getSessionStoreWithHeaders(final String name) {
        final StateStore store = getStateStore(name, false);
        return store instanceof SessionStoreWithHeaders ? (SessionStoreWithHeaders<K, V>) store : null;
    }

    /**
     * Closes the driver as Kafka's does: the processors close, then the stores are committed (so what a processor
     * writes or forwards in {@code close()} still lands) and closed, then the global task; records produced on the
     * way are captured.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        if (task != null) {
            try {
                task.closeTopology();
            } catch (final RuntimeException e) {
                failure = e;
            }
            task.prepareCommit();
            task.postCommit();
            task.closeStores();
        }
        if (globalTask != null) {
            globalTask.prepareCommit();
            globalTask.close();
        }
        capture();
        metrics.close();
        if (failure != null) {
            throw failure;
        }
    }

    /** Moves produced records to the output queues without feeding any back (the task is closed). */
    private void capture() {
        for (final RawRecord record : produced) {
            outputRecordsByTopic.computeIfAbsent(record.topic(), t -> new ArrayDeque<>()).add(record);
        }
        produced.clear();
    }

    /** The driver's wall clock: moves only when told to. */
    static final class MockTime implements Time {
        private long ms;
        private long nanos;

        MockTime(final long startMs) {
            this.ms = startMs;
            this.nanos = startMs * 1_000_000L;
        }

        @Override
        public long milliseconds() {
            return ms;
        }

        @Override
        public long nanoseconds() {
            return nanos;
        }

        @Override
        public void sleep(final long sleepMs) {
            if (sleepMs < 0) {
                throw new IllegalArgumentException("Sleep ms cannot be negative.");
            }
            ms += sleepMs;
            nanos += sleepMs * 1_000_000L;
        }

        @Override
        public void waitObject(final Object obj, final java.util.function.Supplier<Boolean> condition, final long timeoutMs) {
            throw new IllegalStateException("the test driver's clock does not wait");
        }
    }
}
