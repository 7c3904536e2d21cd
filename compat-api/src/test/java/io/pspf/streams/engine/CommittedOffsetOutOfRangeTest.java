package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pspf.client.PspfProducer;
import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * An input topic deleted and made anew while the application was away: its committed offset points past the new
 * topic's records, and the application starts from where the offset reset policy says (Kafka's broker drops a deleted
 * topic's offsets, and its consumer resets a position out of range), instead of waiting for offsets the new topic
 * has not reached.
 */
class CommittedOffsetOutOfRangeTest {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @TempDir
    Path dir;

    private final String name = "out-of-range-" + RUNS.incrementAndGet() + "-" + System.nanoTime();

    private Map<String, Object> clientConfig() {
        return Map.of("pspf.backend", "memory:" + name, "pspf.topic.partitions", 1);
    }

    private Properties props(final String reset) {
        final Properties props = new Properties();
        props.putAll(clientConfig());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "out-of-range");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), reset);
        return props;
    }

    private static Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
            .mapValues(v -> v + "!")
            .to("out", Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    private void produce(final String... values) {
        try (PspfProducer<String, String> producer = new PspfProducer<>(clientConfig(), Serdes.String().serializer(),
            Serdes.String().serializer())) {
            for (final String value : values) {
                producer.send(new ProducerRecord<>("in", "k", value));
            }
        }
    }

    private List<String> out() {
        return PartitionValues.of(clientConfig(), "out", Serdes.String().deserializer());
    }

    /** Runs the application until the output holds {@code expected} (or 20 s pass), then closes it. */
    private List<String> runUntil(final String reset, final List<String> expected, final Runnable whileRunning)
        throws InterruptedException {
        try (PspfStreams streams = new PspfStreams(topology(), props(reset))) {
            streams.start();
            whileRunning.run();
            final long deadline = System.currentTimeMillis() + 20_000;
            List<String> out = out();
            while (!out.equals(expected) && out.size() <= expected.size() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
                out = out();
            }
            return out;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"earliest", "latest"})
    void startsByTheResetPolicyWhenTheCommittedOffsetIsPastTheEnd(final String reset) throws Exception {
        produce("a", "b", "c");
        // a first run from the start, whatever the policy: the topic's records came before the application
        try (Backend backend = BackendProvider.open("memory:" + name, Map.of())) {
            assertEquals(3, backend.logEndOffset("in", 0));
        }
        assertEquals(List.of("a!", "b!", "c!"), runUntil("earliest", List.of("a!", "b!", "c!"), () -> { }));

        try (Backend backend = BackendProvider.open("memory:" + name, Map.of())) {
            backend.deleteTopic("in");
            backend.createTopic("in", 1);
        }
        produce("d", "e"); // offsets 0 and 1 of the new topic, below the committed offset 3
        if (reset.equals("earliest")) {
            assertEquals(List.of("a!", "b!", "c!", "d!", "e!"),
                runUntil(reset, List.of("a!", "b!", "c!", "d!", "e!"), () -> { }));
        } else {
            // latest: the records already there are skipped, a record that comes after the start is processed
            assertEquals(List.of("a!", "b!", "c!", "f!"), runUntil(reset, List.of("a!", "b!", "c!", "f!"), () -> {
                try {
                    Thread.sleep(500);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                produce("f");
            }));
        }
    }
}
