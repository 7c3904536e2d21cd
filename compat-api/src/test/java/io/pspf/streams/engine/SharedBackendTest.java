package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * Two instances of one application share a backend: the tasks split between them, and when one stops the other
 * takes its tasks over, resuming from the committed offsets and restored state. Every count update reaches the output
 * exactly once, in order. Run on each backend that instances can share by a subclass.
 */
abstract class SharedBackendTest {
    static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    /** {@code pspf.backend} and any other setting that places this test's topics on the backend, fresh per test. */
    abstract Map<String, Object> backendConfig();

    private Topology topology() {
        return topology(false);
    }

    /** Counts per key, in a persistent store or (with {@code inMemory}) an in-memory one. */
    private Topology topology(final boolean inMemory) {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("events", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(inMemory ? Materialized.as(io.pspf.streams.state.Stores.inMemoryKeyValueStore("counts"))
                : Materialized.as("counts"))
            .toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private Map<String, Object> clientConfig() {
        final Map<String, Object> config = new HashMap<>(backendConfig());
        config.put("pspf.topic.partitions", PARTITIONS);
        return config;
    }

    private Properties props(final String instance) {
        final Properties props = new Properties();
        props.putAll(backendConfig());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "shared");
        props.put("pspf.topic.partitions", PARTITIONS);
        props.put("pspf.group.check.interval.ms", 50);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + instance).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        return props;
    }

    /** {@link #props} with one standby replica of every task. */
    private Properties standbyProps(final String instance) {
        final Properties props = props(instance);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        return props;
    }

    private static int standbyTasks(final PspfStreams streams) {
        int count = 0;
        for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
            count += thread.standbyTasks().size();
        }
        return count;
    }

    private static Set<Integer> activePartitions(final PspfStreams streams) {
        final Set<Integer> partitions = new TreeSet<>();
        for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (final TaskMetadata task : thread.activeTasks()) {
                partitions.add(task.taskId().partition());
            }
        }
        return partitions;
    }

    /** Every count an instance holds, in its active stores and (stale stores enabled) its standby copies. */
    private static Map<String, Long> localCounts(final PspfStreams streams) {
        final Map<String, Long> counts = new HashMap<>();
        try (KeyValueIterator<String, Long> all = streams.store(StoreQueryParameters.fromNameAndType("counts",
            QueryableStoreTypes.<String, Long>keyValueStore()).enableStaleStores()).all()) {
            all.forEachRemaining(kv -> counts.put(kv.key, kv.value));
        } catch (final InvalidStateStoreException e) {
            return Map.of(); // a task moving meanwhile: asked again
        }
        return counts;
    }

    /** Records what the restore and standby listeners of an instance are told. */
    private static final class Listeners implements StateRestoreListener, StandbyUpdateListener {
        final AtomicLong restored = new AtomicLong();
        final Set<TopicPartition> updated = ConcurrentHashMap.newKeySet();
        final Set<TopicPartition> promoted = ConcurrentHashMap.newKeySet();

        @Override
        public void onRestoreStart(final TopicPartition tp, final String store, final long start, final long end) {
        }

        @Override
        public void onBatchRestored(final TopicPartition tp, final String store, final long batchEnd, final long count) {
            restored.addAndGet(count);
        }

        @Override
        public void onRestoreEnd(final TopicPartition tp, final String store, final long total) {
        }

        @Override
        public void onUpdateStart(final TopicPartition tp, final String store, final long start) {
        }

        @Override
        public void onBatchLoaded(final TopicPartition tp, final String store, final TaskId task, final long batchEnd,
                                  final long batchSize, final long currentEnd) {
            updated.add(tp);
        }

        @Override
        public void onUpdateSuspended(final TopicPartition tp, final String store, final long storeOffset,
                                      final long currentEnd, final SuspendReason reason) {
            if (reason == SuspendReason.PROMOTED) {
                promoted.add(tp);
            }
        }
    }

    private static int tasks(final PspfStreams streams) {
        int count = 0;
        for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
            count += thread.activeTasks().size();
        }
        return count;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void instancesSplitTheTasksAndTakeOverFromAnInstanceThatStops() throws Exception {
        final Map<String, Long> expected = new HashMap<>();
        final Map<String, List<Long>> expectedUpdates = new HashMap<>();
        try (PspfProducer<String, String> producer = new PspfProducer<>(clientConfig(), Serdes.String().serializer(), Serdes.String().serializer())) {
            final PspfStreams first = new PspfStreams(topology(), props("a"));
            first.start();
            await(() -> tasks(first) == PARTITIONS, "the first instance to run every task");
            produce(producer, 0, 500, expected, expectedUpdates);
            final PspfStreams second = new PspfStreams(topology(), props("b"));
            second.start();
            await(() -> tasks(first) == PARTITIONS / 2 && tasks(second) == PARTITIONS / 2
                && first.state() == PspfStreams.State.RUNNING && second.state() == PspfStreams.State.RUNNING,
                "the tasks to split between the instances");
            produce(producer, 500, 500, expected, expectedUpdates);
            assertTrue(first.close(java.time.Duration.ofSeconds(30)));
            await(() -> tasks(second) == PARTITIONS && second.state() == PspfStreams.State.RUNNING,
                "the second instance to take every task");
            produce(producer, 1000, 500, expected, expectedUpdates);
            await(() -> lastCounts().equals(expected), "the final counts");
            assertEquals(expectedUpdates, updates(), "every update exactly once, in order");
            second.close();
        }
    }

    /**
     * Instances that set {@code application.server} learn one another's through the group, as Kafka's instances do
     * through the rebalance: both list both in {@code metadataForAllStreamsClients}, with what each runs and keeps a
     * standby copy of, and {@code queryMetadataForKey} names the instance running a key's partition (and the one
     * keeping its standby) whichever instance is asked.
     */
    @Test
    void eachInstanceKnowsWhereEveryKeysPartitionRuns() throws Exception {
        final Properties propsA = props("a");
        propsA.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "host-a:7001");
        propsA.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        final Properties propsB = props("b");
        propsB.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "host-b:7002");
        propsB.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        final HostInfo hostA = new HostInfo("host-a", 7001);
        final HostInfo hostB = new HostInfo("host-b", 7002);
        try (PspfStreams a = new PspfStreams(topology(), propsA);
             PspfStreams b = new PspfStreams(topology(), propsB)) {
            a.start();
            b.start();
            await(() -> tasks(a) == PARTITIONS / 2 && tasks(b) == PARTITIONS / 2 && standbyTasks(a) == PARTITIONS / 2
                && standbyTasks(b) == PARTITIONS / 2 && a.state() == PspfStreams.State.RUNNING
                && b.state() == PspfStreams.State.RUNNING, "the tasks and their standbys to split between the instances");
            final Set<TopicPartition> fromA = new TreeSet<>(java.util.Comparator.comparing(TopicPartition::toString));
            activePartitions(a).forEach(p -> fromA.add(new TopicPartition("events", p)));
            final Set<TopicPartition> fromB = new TreeSet<>(java.util.Comparator.comparing(TopicPartition::toString));
            activePartitions(b).forEach(p -> fromB.add(new TopicPartition("events", p)));
            for (final PspfStreams asked : List.of(a, b)) {
                await(() -> asked.metadataForAllStreamsClients().size() == 2, "both instances in the metadata");
                final Map<HostInfo, StreamsMetadata> byHost = new HashMap<>();
                asked.metadataForAllStreamsClients().forEach(m -> byHost.put(m.hostInfo(), m));
                assertEquals(Set.of(hostA, hostB), byHost.keySet());
                assertEquals(fromA, new HashSet<>(byHost.get(hostA).topicPartitions()));
                assertEquals(fromB, new HashSet<>(byHost.get(hostB).topicPartitions()));
                assertEquals(fromB, new HashSet<>(byHost.get(hostA).standbyTopicPartitions()));
                assertTrue(byHost.get(hostB).stateStoreNames().contains("counts"));
                assertEquals(2, asked.streamsMetadataForStore("counts").size());
                for (int k = 0; k < 20; k++) {
                    final KeyQueryMetadata where = asked.queryMetadataForKey("counts", "key" + k,
                        Serdes.String().serializer());
                    final TopicPartition tp = new TopicPartition("events", where.partition());
                    assertEquals(fromA.contains(tp) ? hostA : hostB, where.activeHost(), "active host of key" + k);
                    assertEquals(Set.of(fromA.contains(tp) ? hostB : hostA), where.standbyHosts(),
                        "standby hosts of key" + k);
                }
            }
        }
    }

    /**
     * A stream-table join whose table topic holds a backlog of earlier records than the stream's: the task takes its
     * inputs in timestamp order across reads (it waits for an input whose buffer ran empty until a read of it found
     * nothing more, as Kafka Streams waits for a partition with known lag), so every stream record meets the table's
     * final values. Small reads and buffers make the table's buffer run empty many times on the way.
     */
    @Test
    void aJoinWaitsForTheTableBacklogBeforeTakingLaterStreamRecords() throws Exception {
        final int tableRecords = 2_000;
        final int streamRecords = 200;
        final int keys = 8;
        try (PspfProducer<String, String> producer = new PspfProducer<>(clientConfig(), Serdes.String().serializer(),
            Serdes.String().serializer())) {
            final List<ProducerRecord<String, String>> table = new ArrayList<>();
            final Map<String, String> last = new HashMap<>();
            for (int i = 0; i < tableRecords; i++) {
                final String key = "k" + (i % keys);
                table.add(new ProducerRecord<>("table-in", null, 1_000L + i, key, "t" + i));
                last.put(key, "t" + i);
            }
            producer.sendAll(table);
            final List<ProducerRecord<String, String>> stream = new ArrayList<>();
            final Map<String, List<String>> expected = new HashMap<>();
            for (int i = 0; i < streamRecords; i++) {
                final String key = "k" + (i % keys);
                stream.add(new ProducerRecord<>("stream-in", null, 10_000L + i, key, "s" + i));
                expected.computeIfAbsent(key, k -> new ArrayList<>()).add("s" + i + "|" + last.get(key));
            }
            producer.sendAll(stream);

            final StreamsBuilder builder = new StreamsBuilder();
            builder.stream("stream-in", Consumed.with(Serdes.String(), Serdes.String()))
                .join(builder.table("table-in", Consumed.with(Serdes.String(), Serdes.String())), (s, t) -> s + "|" + t)
                .to("joined", Produced.with(Serdes.String(), Serdes.String()));
            final Properties props = props("join");
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "backlog-join");
            props.put(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
            props.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 10);
            try (PspfStreams streams = new PspfStreams(builder.build(), props)) {
                streams.start();
                await(() -> joined().values().stream().mapToInt(List::size).sum() >= streamRecords,
                    "every stream record to be joined");
                assertEquals(expected, joined());
            }
        }
    }

    private Map<String, List<String>> joined() {
        final Map<String, List<String>> joined = new HashMap<>();
        for (final ConsumerRecord<String, String> record : readAll("joined", Serdes.String().deserializer())) {
            joined.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
        }
        return joined;
    }

    /** Every record of a topic, partition by partition, each in offset order. */
    private <V> List<ConsumerRecord<String, V>> readAll(final String topic,
                                                        final org.apache.kafka.common.serialization.Deserializer<V> values) {
        final List<ConsumerRecord<String, V>> all = new ArrayList<>();
        try (PspfReader<String, V> reader = new PspfReader<>(backendConfig(), Serdes.String().deserializer(), values)) {
            for (int p = 0; p < Math.max(0, reader.partitions(topic)); p++) {
                long offset = reader.startOffset(topic, p);
                List<ConsumerRecord<String, V>> records;
                while (!(records = reader.read(topic, p, offset, 10_000)).isEmpty()) {
                    all.addAll(records);
                    offset = records.get(records.size() - 1).offset() + 1;
                }
            }
        }
        return all;
    }

    private static void produce(final PspfProducer<String, String> producer, final int from, final int count,
                                final Map<String, Long> expected, final Map<String, List<Long>> updates) {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            final String key = "k" + (i * 7 % 23);
            records.add(new ProducerRecord<>("events", key, "v" + i));
            updates.computeIfAbsent(key, k -> new ArrayList<>()).add(expected.merge(key, 1L, Long::sum));
        }
        producer.sendAll(records);
    }

    private Map<String, Long> lastCounts() {
        final Map<String, Long> last = new HashMap<>();
        updates().forEach((key, values) -> last.put(key, values.get(values.size() - 1)));
        return last;
    }

    private Map<String, List<Long>> updates() {
        final Map<String, List<Long>> updates = new HashMap<>();
        for (final ConsumerRecord<String, Long> record : readAll("counts", Serdes.Long().deserializer())) {
            updates.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
        }
        return updates;
    }

    /**
     * With {@code num.standby.replicas=1} each instance keeps a copy of the other's tasks, fed from the changelogs; when
     * one stops, the other takes its tasks over from those copies and restores nothing.
     */
    @Test
    void aStandbyReplicaLetsATakeOverRestoreNothing() throws Exception {
        standbyTakeOverRestoresNothing(false);
    }

    /**
     * The same with an in-memory store: the standby's copy is handed to the active task that follows it (as Kafka
     * recycles a standby's stores), so the take-over restores nothing either.
     */
    @Test
    void aStandbyReplicaOfAnInMemoryStoreLetsATakeOverRestoreNothing() throws Exception {
        standbyTakeOverRestoresNothing(true);
    }

    private void standbyTakeOverRestoresNothing(final boolean inMemory) throws Exception {
        final Map<String, Long> expected = new HashMap<>();
        final Map<String, List<Long>> expectedUpdates = new HashMap<>();
        final Properties propsA = standbyProps("a");
        final Properties propsB = standbyProps("b");
        final Listeners listeners = new Listeners();
        try (PspfProducer<String, String> producer = new PspfProducer<>(clientConfig(), Serdes.String().serializer(), Serdes.String().serializer());
             PspfStreams a = new PspfStreams(topology(inMemory), propsA);
             PspfStreams b = new PspfStreams(topology(inMemory), propsB)) {
            b.setGlobalStateRestoreListener(listeners);
            b.setStandbyUpdateListener(listeners);
            a.start();
            await(() -> tasks(a) == PARTITIONS, "the first instance to run every task");
            b.start();
            await(() -> tasks(a) == PARTITIONS / 2 && tasks(b) == PARTITIONS / 2 && standbyTasks(a) == PARTITIONS / 2
                && standbyTasks(b) == PARTITIONS / 2, "the tasks and their standbys to split between the instances");
            produce(producer, 0, 2000, expected, expectedUpdates);
            await(() -> lastCounts().equals(expected), "the counts");
            await(() -> localCounts(b).equals(expected), "the second instance's copies of every count");
            final Set<Integer> fromA = activePartitions(a);
            final long restoredBefore = listeners.restored.get();
            assertTrue(a.close(java.time.Duration.ofSeconds(30)));
            await(() -> tasks(b) == PARTITIONS && b.state() == PspfStreams.State.RUNNING,
                "the second instance to take every task");
            assertEquals(0L, listeners.restored.get() - restoredBefore, "records restored by the take-over");
            final Set<Integer> promoted = new TreeSet<>();
            listeners.promoted.forEach(tp -> promoted.add(tp.partition()));
            assertTrue(promoted.containsAll(fromA), "standbys promoted: " + promoted + ", tasks taken over: " + fromA);
            assertTrue(!listeners.updated.isEmpty(), "the standby listener saw no batch");
            produce(producer, 2000, 500, expected, expectedUpdates);
            await(() -> lastCounts().equals(expected), "the final counts");
            assertEquals(expectedUpdates, updates(), "every update exactly once, in order");
        }
    }

    /**
     * The same with a suppression buffer (Kafka's in-memory time-ordered buffer, here holding every count while stream
     * time stays within the time limit): the standby's copy is handed over with the in-memory count store, the
     * take-over restores nothing, and the buffer later emits every key's count, those of the tasks taken over included.
     */
    @Test
    void aStandbyReplicaOfASuppressionBufferLetsATakeOverRestoreNothing() throws Exception {
        final Map<String, Long> expected = new HashMap<>();
        final Properties propsA = standbyProps("a");
        final Properties propsB = standbyProps("b");
        final Listeners listeners = new Listeners();
        try (PspfProducer<String, String> producer = new PspfProducer<>(clientConfig(), Serdes.String().serializer(), Serdes.String().serializer());
             PspfStreams a = new PspfStreams(suppressedTopology(), propsA);
             PspfStreams b = new PspfStreams(suppressedTopology(), propsB)) {
            b.setGlobalStateRestoreListener(listeners);
            a.start();
            await(() -> tasks(a) == PARTITIONS, "the first instance to run every task");
            b.start();
            await(() -> tasks(a) == PARTITIONS / 2 && tasks(b) == PARTITIONS / 2 && standbyTasks(a) == PARTITIONS / 2
                && standbyTasks(b) == PARTITIONS / 2, "the tasks and their standbys to split between the instances");
            produce(producer, 0, 2000, expected, new HashMap<>());
            await(() -> localCounts(b).equals(expected), "the second instance's copies of every count");
            await(() -> allCaughtUp(b), "the second instance's copies of every changelog");
            final long restoredBefore = listeners.restored.get();
            assertTrue(a.close(java.time.Duration.ofSeconds(30)));
            await(() -> tasks(b) == PARTITIONS && b.state() == PspfStreams.State.RUNNING,
                "the second instance to take every task");
            assertEquals(0L, listeners.restored.get() - restoredBefore, "records restored by the take-over");
            assertTrue(updates().isEmpty(), "nothing emitted within the time limit");
            // stream time moves past the limit in every partition: the buffer emits what it holds
            final long later = System.currentTimeMillis() + java.time.Duration.ofHours(2).toMillis();
            final Set<Integer> flushed = new TreeSet<>();
            for (int i = 0; flushed.size() < PARTITIONS; i++) {
                final String key = "flush-" + i;
                if (flushed.add(b.queryMetadataForKey("counts", key, Serdes.String().serializer()).partition())) {
                    producer.send(new ProducerRecord<>("events", null, later, key, "late"));
                }
            }
            await(() -> lastCounts().equals(expected), "every count, emitted by the buffers");
        }
    }

    /** Counts in an in-memory store, suppressed for an hour of stream time into an in-memory buffer. */
    private static Topology suppressedTopology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("events", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(Materialized.as(io.pspf.streams.state.Stores.inMemoryKeyValueStore("counts")))
            .suppress(org.apache.kafka.streams.kstream.Suppressed.untilTimeLimit(java.time.Duration.ofHours(1),
                org.apache.kafka.streams.kstream.Suppressed.BufferConfig.unbounded()))
            .toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    /** Whether every store copy of an instance, active or standby, is at its changelog's end. */
    private static boolean allCaughtUp(final PspfStreams streams) {
        for (final Map<Integer, org.apache.kafka.streams.LagInfo> lags : streams.allLocalStorePartitionLags().values()) {
            for (final org.apache.kafka.streams.LagInfo lag : lags.values()) {
                if (lag.offsetLag() != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * An instance joining a group whose tasks have state gets warm-up replicas first: the tasks it is to run stay on
     * the caught-up instance until its copies have caught up (here {@code acceptable.recovery.lag=0}), so they move
     * without a restore.
     */
    @Test
    void aJoiningInstanceWarmsUpBeforeItTakesTasksOver() throws Exception {
        final Map<String, Long> expected = new HashMap<>();
        final Map<String, List<Long>> expectedUpdates = new HashMap<>();
        final Properties propsA = props("a");
        propsA.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, 0L);
        final Properties propsB = props("b");
        propsB.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, 0L);
        final Listeners listeners = new Listeners();
        try (PspfProducer<String, String> producer = new PspfProducer<>(clientConfig(), Serdes.String().serializer(), Serdes.String().serializer());
             PspfStreams a = new PspfStreams(topology(), propsA);
             PspfStreams b = new PspfStreams(topology(), propsB)) {
            b.setGlobalStateRestoreListener(listeners);
            b.setStandbyUpdateListener(listeners);
            a.start();
            await(() -> tasks(a) == PARTITIONS, "the first instance to run every task");
            produce(producer, 0, 3000, expected, expectedUpdates);
            await(() -> lastCounts().equals(expected), "the counts");
            b.start();
            await(() -> tasks(a) == PARTITIONS / 2 && tasks(b) == PARTITIONS / 2 && b.state() == PspfStreams.State.RUNNING,
                "the tasks to split between the instances");
            assertEquals(0L, listeners.restored.get(), "records restored when the tasks moved");
            final Set<Integer> warmed = new TreeSet<>();
            listeners.promoted.forEach(tp -> warmed.add(tp.partition()));
            assertEquals(activePartitions(b), warmed, "the tasks that moved are those warmed up");
            produce(producer, 3000, 500, expected, expectedUpdates);
            await(() -> lastCounts().equals(expected), "the final counts");
            assertEquals(expectedUpdates, updates(), "every update exactly once, in order");
        }
    }

    @Test
    void anInstanceWhoseLastThreadIsRemovedHandsItsTasksOver() throws Exception {
        try (PspfStreams first = new PspfStreams(topology(), props("a"));
             PspfStreams second = new PspfStreams(topology(), props("b"))) {
            first.start();
            await(() -> tasks(first) == PARTITIONS, "the first instance to run every task");
            second.start();
            await(() -> tasks(first) == PARTITIONS / 2 && tasks(second) == PARTITIONS / 2, "the split");
            assertTrue(first.removeStreamThread(java.time.Duration.ofSeconds(30)).isPresent());
            await(() -> tasks(second) == PARTITIONS, "the second instance to take every task");
        }
    }
}
