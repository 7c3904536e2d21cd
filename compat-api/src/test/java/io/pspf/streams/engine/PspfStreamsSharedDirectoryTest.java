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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * Two instances of one application share a backend: the tasks split between them, and when one stops the other
 * takes its tasks over, resuming from the committed offsets and restored state. Every count update reaches the output
 * exactly once, in order.
 */
class PspfStreamsSharedDirectoryTest {
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    private Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("events", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(Materialized.as("counts"))
            .toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private String backend(final String kind) {
        return kind.equals("log") ? "log:" + dir.resolve("log") : "memory:shared-" + dir.getFileName();
    }

    private Properties props(final String kind, final String instance) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "shared");
        props.put("pspf.backend", backend(kind));
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

    @ParameterizedTest
    @ValueSource(strings = {"log", "memory"})
    void instancesSplitTheTasksAndTakeOverFromAnInstanceThatStops(final String kind) throws Exception {
        final Map<String, Long> expected = new HashMap<>();
        final Map<String, List<Long>> expectedUpdates = new HashMap<>();
        try (PspfProducer<String, String> producer = new PspfProducer<>(Map.of("pspf.backend", backend(kind),
            "pspf.topic.partitions", PARTITIONS), Serdes.String().serializer(), Serdes.String().serializer())) {
            final PspfStreams first = new PspfStreams(topology(), props(kind, "a"));
            first.start();
            await(() -> tasks(first) == PARTITIONS, "the first instance to run every task");
            produce(producer, 0, 500, expected, expectedUpdates);
            final PspfStreams second = new PspfStreams(topology(), props(kind, "b"));
            second.start();
            await(() -> tasks(first) == PARTITIONS / 2 && tasks(second) == PARTITIONS / 2
                && first.state() == PspfStreams.State.RUNNING && second.state() == PspfStreams.State.RUNNING,
                "the tasks to split between the instances");
            produce(producer, 500, 500, expected, expectedUpdates);
            assertTrue(first.close(java.time.Duration.ofSeconds(30)));
            await(() -> tasks(second) == PARTITIONS && second.state() == PspfStreams.State.RUNNING,
                "the second instance to take every task");
            produce(producer, 1000, 500, expected, expectedUpdates);
            await(() -> lastCounts(kind).equals(expected), "the final counts");
            assertEquals(expectedUpdates, updates(kind), "every update exactly once, in order");
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

    private Map<String, Long> lastCounts(final String kind) {
        final Map<String, Long> last = new HashMap<>();
        updates(kind).forEach((key, values) -> last.put(key, values.get(values.size() - 1)));
        return last;
    }

    private Map<String, List<Long>> updates(final String kind) {
        final Map<String, List<Long>> updates = new HashMap<>();
        try (PspfReader<String, Long> reader = new PspfReader<>(Map.of("pspf.backend", backend(kind)),
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

    @org.junit.jupiter.api.Test
    void anInstanceWhoseLastThreadIsRemovedHandsItsTasksOver() throws Exception {
        try (PspfStreams first = new PspfStreams(topology(), props("memory", "a"));
             PspfStreams second = new PspfStreams(topology(), props("memory", "b"))) {
            first.start();
            await(() -> tasks(first) == PARTITIONS, "the first instance to run every task");
            second.start();
            await(() -> tasks(first) == PARTITIONS / 2 && tasks(second) == PARTITIONS / 2, "the split");
            assertTrue(first.removeStreamThread(java.time.Duration.ofSeconds(30)).isPresent());
            await(() -> tasks(second) == PARTITIONS, "the second instance to take every task");
        }
    }
}
