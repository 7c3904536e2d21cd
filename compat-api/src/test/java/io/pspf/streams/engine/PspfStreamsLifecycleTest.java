package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.client.PspfProducer;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * {@code PspfStreams}' life cycle as Kafka's {@code KafkaStreams} has it: configuration errors, the state machine and
 * its listener, closing, the uncaught exception handler's responses, threads added and removed, pause and resume,
 * and queries.
 */
class PspfStreamsLifecycleTest {
    @TempDir
    Path dir;

    private Properties props() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "lifecycle");
        props.put("pspf.backend", "log:" + dir.resolve("log"));
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20);
        props.put("pspf.topic.partitions", 2);
        return props;
    }

    /** Counts per key; a value "boom" makes the processor throw. */
    private static Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
            .peek((key, value) -> {
                if ("boom".equals(value)) {
                    throw new IllegalStateException("boom");
                }
            })
            .groupByKey()
            .count(Materialized.as("counts"));
        return builder.build();
    }

    private void produce(final String key, final String value) {
        try (PspfProducer<String, String> producer = new PspfProducer<>(Map.of("pspf.backend", "log:" + dir.resolve("log"),
            "pspf.topic.partitions", 2), Serdes.String().serializer(), Serdes.String().serializer())) {
            producer.send(new ProducerRecord<>("in", key, value));
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static Long count(final PspfStreams streams, final String key) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType("counts",
                QueryableStoreTypes.<String, Long>keyValueStore())).get(key);
        } catch (final RuntimeException e) {
            return null;
        }
    }

    @Test
    void aStoreHandleWhoseTaskWentAwayThrowsInvalidStateStoreException() throws Exception {
        try (PspfStreams streams = new PspfStreams(topology(), props())) {
            streams.start();
            produce("k", "v");
            await(() -> Long.valueOf(1).equals(count(streams, "k")), "the count");
            final org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, Long> store = streams.store(
                StoreQueryParameters.fromNameAndType("counts", QueryableStoreTypes.<String, Long>keyValueStore()));
            assertEquals(1L, store.get("k"));
            assertTrue(streams.removeStreamThread(java.time.Duration.ofSeconds(30)).isPresent());
            // the only thread is gone and its tasks with it: the handle reports it as Kafka does, not with a crash
            assertThrows(org.apache.kafka.streams.errors.InvalidStateStoreException.class, () -> store.get("k"));
            assertThrows(org.apache.kafka.streams.errors.InvalidStateStoreException.class, () -> {
                try (var all = store.all()) {
                    all.forEachRemaining(kv -> { });
                }
            });
        }
    }

    @Test
    void badConfigurationFailsInTheConstructorNamingTheKey() {
        final Properties missingId = props();
        missingId.remove(StreamsConfig.APPLICATION_ID_CONFIG);
        assertTrue(assertThrows(ConfigException.class, () -> new PspfStreams(topology(), missingId)).getMessage()
            .contains("application.id"));
        final Properties scheme = props();
        scheme.put("pspf.backend", "nosuch:x");
        final ConfigException unknownScheme = assertThrows(ConfigException.class, () -> new PspfStreams(topology(), scheme));
        assertTrue(unknownScheme.getMessage().contains("pspf.backend") && unknownScheme.getMessage().contains("nosuch:x"),
            unknownScheme.getMessage());
        final Properties guarantee = props();
        guarantee.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once");
        assertEquals("Invalid value exactly_once for configuration processing.guarantee: String must be one of: "
            + "at_least_once, exactly_once_v2", assertThrows(ConfigException.class,
            () -> new PspfStreams(topology(), guarantee)).getMessage());
        final Properties interval = props();
        interval.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, -1);
        assertEquals("Invalid value -1 for configuration commit.interval.ms: Value must be at least 0",
            assertThrows(ConfigException.class, () -> new PspfStreams(topology(), interval)).getMessage());
        final Properties partitions = props();
        partitions.put("pspf.topic.partitions", "0");
        assertTrue(assertThrows(ConfigException.class, () -> new PspfStreams(topology(), partitions)).getMessage()
            .contains("pspf.topic.partitions"));
        assertTrue(assertThrows(TopologyException.class, () -> new PspfStreams(new StreamsBuilder().build(), props()))
            .getMessage().contains("Topology has no stream threads and no global threads"));
    }

    @Test
    void followsKafkasStateMachine() throws Exception {
        final List<String> transitions = Collections.synchronizedList(new ArrayList<>());
        final PspfStreams streams = new PspfStreams(topology(), props());
        streams.setStateListener((newState, oldState) -> transitions.add(oldState + "->" + newState));
        assertEquals(PspfStreams.State.CREATED, streams.state());
        assertThrows(StreamsNotStartedException.class, () -> streams.store(
            StoreQueryParameters.fromNameAndType("counts", QueryableStoreTypes.keyValueStore())));
        streams.start();
        assertTrue(assertThrows(IllegalStateException.class, () -> streams.setStateListener((a, b) -> { })).getMessage()
            .startsWith("Can only set StateListener before calling start(). Current state is: "));
        assertEquals("The client is either already started or already stopped, cannot re-start",
            assertThrows(IllegalStateException.class, streams::start).getMessage());
        await(() -> streams.state() == PspfStreams.State.RUNNING, "RUNNING");
        assertEquals("Cannot clean up while running.", assertThrows(IllegalStateException.class, streams::cleanUp).getMessage());
        assertThrows(IllegalArgumentException.class, () -> streams.close(Duration.ofMillis(-1)));
        assertTrue(streams.close(Duration.ofSeconds(30)));
        assertTrue(streams.close(Duration.ZERO), "closing again returns at once");
        // as in Kafka, the listener runs after the state changed, on the thread that changed it: calls from different
        // threads (the stream thread's RUNNING, the closing one's PENDING_SHUTDOWN) may reach it in either order
        await(() -> transitions.size() == 4, "the last transition");
        assertEquals(Set.of("CREATED->REBALANCING", "REBALANCING->RUNNING", "RUNNING->PENDING_SHUTDOWN",
            "PENDING_SHUTDOWN->NOT_RUNNING"), Set.copyOf(transitions));
        assertTrue(assertThrows(IllegalStateException.class, streams::start).getMessage()
            .endsWith("Unexpected state transition from NOT_RUNNING to REBALANCING"));
        streams.cleanUp();
    }

    @Test
    void closingAnUnstartedClientGoesStraightToNotRunning() throws Exception {
        final List<String> transitions = Collections.synchronizedList(new ArrayList<>());
        final PspfStreams streams = new PspfStreams(topology(), props());
        streams.setStateListener((newState, oldState) -> transitions.add(oldState + "->" + newState));
        streams.close();
        await(() -> transitions.size() == 2, "the last transition");
        assertEquals(List.of("CREATED->PENDING_SHUTDOWN", "PENDING_SHUTDOWN->NOT_RUNNING"), transitions);
    }

    @Test
    void aFailureWithoutAHandlerShutsTheClientDownToError() throws Exception {
        final List<String> transitions = Collections.synchronizedList(new ArrayList<>());
        try (PspfStreams streams = new PspfStreams(topology(), props())) {
            streams.setStateListener((newState, oldState) -> transitions.add(oldState + "->" + newState));
            streams.start();
            produce("a", "boom");
            await(() -> streams.state() == PspfStreams.State.ERROR, "ERROR");
            assertTrue(streams.close(Duration.ofSeconds(5)), "closing a client in ERROR returns true");
            assertEquals(PspfStreams.State.ERROR, streams.state());
        }
        assertTrue(transitions.containsAll(List.of("REBALANCING->RUNNING", "RUNNING->PENDING_ERROR",
            "PENDING_ERROR->ERROR")) || transitions.containsAll(List.of("REBALANCING->PENDING_ERROR",
            "PENDING_ERROR->ERROR")), transitions.toString());
    }

    @Test
    void replaceThreadKeepsTheClientRunningWithANewThread() throws Exception {
        final AtomicInteger calls = new AtomicInteger();
        final List<Throwable> seen = Collections.synchronizedList(new ArrayList<>());
        final Properties props = props();
        props.put(StreamsConfig.CLIENT_ID_CONFIG, "client");
        try (PspfStreams streams = new PspfStreams(topology(), props)) {
            streams.setUncaughtExceptionHandler(exception -> {
                seen.add(exception);
                // the poison record is read again by the new thread: let it fail twice, then skip past it by
                // shutting the client down
                return calls.incrementAndGet() < 3 ? StreamThreadExceptionResponse.REPLACE_THREAD
                    : StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            produce("a", "boom");
            await(() -> streams.state() == PspfStreams.State.ERROR, "ERROR after the third failure");
            assertEquals(3, calls.get());
            assertInstanceOf(StreamsException.class, seen.get(0));
            assertEquals("boom", rootCause(seen.get(0)).getMessage());
        }
    }

    private static Throwable rootCause(final Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void threadsCanBeAddedAndRemovedWhileProcessingGoesOn() throws Exception {
        final Properties props = props();
        props.put(StreamsConfig.CLIENT_ID_CONFIG, "client");
        try (PspfStreams streams = new PspfStreams(topology(), props)) {
            assertEquals(Optional.empty(), streams.addStreamThread(), "not before start");
            streams.start();
            await(() -> streams.state() == PspfStreams.State.RUNNING, "RUNNING");
            assertEquals(Optional.of("client-StreamThread-2"), streams.addStreamThread());
            await(() -> streams.state() == PspfStreams.State.RUNNING, "RUNNING with two threads");
            await(() -> streams.metadataForLocalThreads().stream().allMatch(t -> t.activeTasks().size() == 1),
                "one task per thread");
            final Set<String> names = streams.metadataForLocalThreads().stream().map(ThreadMetadata::threadName)
                .collect(Collectors.toSet());
            assertEquals(Set.of("client-StreamThread-1", "client-StreamThread-2"), names);
            produce("a", "x");
            produce("b", "x");
            await(() -> Long.valueOf(1).equals(count(streams, "a")) && Long.valueOf(1).equals(count(streams, "b")), "counts");
            assertEquals(Optional.of("client-StreamThread-1"), streams.removeStreamThread(Duration.ofSeconds(30)));
            await(() -> streams.state() == PspfStreams.State.RUNNING, "RUNNING with one thread");
            produce("a", "y");
            await(() -> Long.valueOf(2).equals(count(streams, "a")), "count after the removal");
            assertEquals(1, streams.metadataForLocalThreads().size());
            assertEquals(2, streams.metadataForLocalThreads().iterator().next().activeTasks().size());
        }
    }

    @Test
    void pausedClientProcessesNothingUntilResumed() throws Exception {
        try (PspfStreams streams = new PspfStreams(topology(), props())) {
            streams.start();
            await(() -> streams.state() == PspfStreams.State.RUNNING, "RUNNING");
            streams.pause();
            assertTrue(streams.isPaused());
            produce("a", "x");
            Thread.sleep(300);
            assertEquals(null, count(streams, "a"));
            streams.resume();
            assertFalse(streams.isPaused());
            await(() -> Long.valueOf(1).equals(count(streams, "a")), "count after resume");
        }
    }

    @Test
    void answersInteractiveQueries() throws Exception {
        try (PspfStreams streams = new PspfStreams(topology(), props())) {
            streams.start();
            assertThrows(UnknownStateStoreException.class, () -> streams.store(
                StoreQueryParameters.fromNameAndType("nope", QueryableStoreTypes.keyValueStore())));
            for (final String key : List.of("a", "b", "c", "a")) {
                produce(key, "x");
            }
            await(() -> Long.valueOf(2).equals(count(streams, "a")) && Long.valueOf(1).equals(count(streams, "c")), "counts");
            final StateQueryResult<Long> key = streams.query(StateQueryRequest.inStore("counts")
                .withQuery(KeyQuery.<String, Long>withKey("a")));
            assertEquals(2L, key.getOnlyPartitionResult().getResult());
            final StateQueryResult<KeyValueIterator<String, Long>> range = streams.query(StateQueryRequest.inStore("counts")
                .withQuery(RangeQuery.<String, Long>withRange("a", "c")));
            final List<KeyValue<String, Long>> all = new ArrayList<>();
            range.getPartitionResults().values().forEach(r -> r.getResult().forEachRemaining(all::add));
            all.sort((x, y) -> x.key.compareTo(y.key));
            assertEquals(List.of(KeyValue.pair("a", 2L), KeyValue.pair("b", 1L), KeyValue.pair("c", 1L)), all);
            assertEquals(2, range.getPartitionResults().size(), "one result per partition");
            assertTrue(streams.metrics().keySet().stream().anyMatch(m -> m.name().equals("pspf-task-records-processed-count")));
        }
    }

    @Test
    void measuresStoreOperationsAtTheDebugRecordingLevelOnly() throws Exception {
        for (final String level : List.of("INFO", "DEBUG")) {
            final Properties props = props();
            props.put(StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG, level);
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "lifecycle-" + level.toLowerCase(java.util.Locale.ROOT));
            try (PspfStreams streams = new PspfStreams(topology(), props)) {
                streams.start();
                produce("a", "x");
                // the second application also reads the first one's record
                await(() -> count(streams, "a") != null, "the count");
                final boolean timed = streams.metrics().keySet().stream().anyMatch(m -> m.name().equals(
                    "pspf-store-operation-count") && "put".equals(m.tags().get("operation")) && "counts".equals(m.tags().get("store")));
                assertEquals(level.equals("DEBUG"), timed, "store put latency measured at " + level);
            }
        }
    }

    @Test
    void aSourcePatternPicksUpTopicsCreatedWhileRunning() throws Exception {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(java.util.regex.Pattern.compile("clicks-.*"), Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(Materialized.as("counts"));
        final Properties props = props();
        props.put("pspf.group.check.interval.ms", 50);
        final Map<String, Object> producerConfig = Map.of("pspf.backend", "log:" + dir.resolve("log"), "pspf.topic.partitions", 2);
        try (PspfProducer<String, String> producer = new PspfProducer<>(producerConfig, Serdes.String().serializer(),
            Serdes.String().serializer())) {
            producer.send(new ProducerRecord<>("clicks-a", "a", "x"));
            try (PspfStreams streams = new PspfStreams(builder.build(), props)) {
                streams.start();
                await(() -> Long.valueOf(1).equals(count(streams, "a")), "the count from the topic that existed");
                producer.send(new ProducerRecord<>("clicks-b", "a", "y"));
                producer.send(new ProducerRecord<>("clicks-b", "b", "z"));
                await(() -> Long.valueOf(2).equals(count(streams, "a")) && Long.valueOf(1).equals(count(streams, "b")),
                    "the counts from the topic created later");
            }
        }
    }
}
