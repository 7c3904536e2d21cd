package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
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
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("events", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(Materialized.as("counts"))
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
        try (PspfReader<String, Long> reader = new PspfReader<>(backendConfig(),
            Serdes.String().deserializer(), Serdes.Long().deserializer())) {
            for (int p = 0; p < Math.max(0, reader.partitions("counts")); p++) {
                long offset = reader.startOffset("counts", p);
                while (true) {
                    final List<ConsumerRecord<String, Long>> records = reader.read("counts", p, offset, 10_000);
                    if (records.isEmpty()) {
                        break;
                    }
                    for (final ConsumerRecord<String, Long> record : records) {
                        updates.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
                    }
                    offset = records.get(records.size() - 1).offset() + 1;
                }
            }
        }
        return updates;
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
