package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.client.PspfProducer;
import io.pspf.runtime.backend.BackendException;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * A stream thread goes on processing while its exactly-once commit travels to the backend, but only with tasks that
 * have no state stores; what it processes meanwhile goes into the next unit, and is processed again if the commit in
 * flight fails. Commits are held back and failed with the test backend {@code gated:}.
 */
class PipelinedCommitTest {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @TempDir
    Path dir;

    private final String name = "pipelined-" + RUNS.incrementAndGet() + "-" + System.nanoTime();
    private final GatedBackendProvider.Gate gate = GatedBackendProvider.gate(name);

    private Map<String, Object> clientConfig() {
        return Map.of("pspf.backend", "memory:" + name, "pspf.topic.partitions", 1);
    }

    private Properties props() {
        final Properties props = new Properties();
        props.put("pspf.backend", "gated:" + name);
        props.put("pspf.topic.partitions", 1);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pipelined");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        return props;
    }

    private static Topology stateless() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
            .mapValues(v -> v + "!")
            .to("out", Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    private static Topology counting() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(Materialized.as("counts"))
            .toStream()
            .to("out", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private void produce(final String key, final String... values) {
        try (PspfProducer<String, String> producer = new PspfProducer<>(clientConfig(), Serdes.String().serializer(),
            Serdes.String().serializer())) {
            for (final String value : values) {
                producer.send(new ProducerRecord<>("in", key, value));
            }
        }
    }

    private <V> List<V> out(final Deserializer<V> values) {
        return PartitionValues.of(clientConfig(), "out", values);
    }

    private static double processed(final PspfStreams streams) {
        double processed = 0;
        for (final Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            if (e.getKey().name().equals("pspf-task-records-processed-count")) {
                processed += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return processed;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static List<String> marked(final String... values) {
        final List<String> marked = new ArrayList<>();
        for (final String value : values) {
            marked.add(value + "!");
        }
        return marked;
    }

    /**
     * a, b and c commit; then a commit holding some of d and e is held at the gate, and f, g and h are processed while
     * it waits: the thread does not wait for it.
     */
    private void holdACommitAndProcessOn(final PspfStreams streams) throws InterruptedException {
        streams.start();
        produce("k", "a", "b", "c");
        await(() -> out(Serdes.String().deserializer()).size() == 3, "the first records");
        gate.hold();
        produce("k", "d", "e");
        await(() -> gate.waiting.get() == 1, "a commit held at the gate");
        produce("k", "f", "g", "h");
        await(() -> processed(streams) >= 8, "records processed while the commit is held");
    }

    @Test
    void aTaskWithoutStoresGoesOnWhileItsCommitTravelsAndTheOutputComesOnceItLands() throws Exception {
        try (PspfStreams streams = new PspfStreams(stateless(), props())) {
            holdACommitAndProcessOn(streams);
            assertEquals(1, gate.waiting.get(), "one commit at a time");
            assertEquals(marked("a", "b", "c"), out(Serdes.String().deserializer()),
                "under exactly-once nothing is visible before its commit lands");

            gate.open();
            await(() -> out(Serdes.String().deserializer()).size() >= 8, "the rest");
            Thread.sleep(50);
            assertEquals(marked("a", "b", "c", "d", "e", "f", "g", "h"), out(Serdes.String().deserializer()));
        }
    }

    @Test
    void aTaskWithStoresWaitsForTheCommitInFlight() throws Exception {
        try (PspfStreams streams = new PspfStreams(counting(), props())) {
            streams.start();
            produce("k", "1", "2", "3");
            await(() -> out(Serdes.Long().deserializer()).size() == 3, "the first counts");

            gate.hold();
            produce("k", "4");
            await(() -> gate.waiting.get() == 1, "a commit held at the gate");
            final double before = processed(streams);
            produce("k", "5", "6");
            Thread.sleep(300);
            assertEquals(before, processed(streams), "a task with a store processes nothing while its commit travels");

            gate.open();
            await(() -> out(Serdes.Long().deserializer()).size() >= 6, "the rest");
            Thread.sleep(50);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), out(Serdes.Long().deserializer()));
            assertEquals(6L, streams.store(StoreQueryParameters.fromNameAndType("counts",
                QueryableStoreTypes.<String, Long>keyValueStore())).get("k"));
        }
    }

    @Test
    void recordsProcessedWhileAFailedCommitTravelledAreProcessedAgainOnce() throws Exception {
        try (PspfStreams streams = new PspfStreams(stateless(), props())) {
            holdACommitAndProcessOn(streams);
            gate.fail(new BackendException("test: the commit failed"));

            // the tasks start again from the offsets committed before (after c) and process d to h again
            await(() -> out(Serdes.String().deserializer()).size() >= 8, "the records after the failure");
            Thread.sleep(50);
            assertEquals(marked("a", "b", "c", "d", "e", "f", "g", "h"), out(Serdes.String().deserializer()));
            assertTrue(streams.state().isRunningOrRebalancing(), "running on: " + streams.state());
        }
    }
}
