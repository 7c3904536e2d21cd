package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * A suppression buffer survives a restart: records of a window arrive, the application stops before the window
 * closes, and after the restart the window's one final result still counts every record (the buffer and the count
 * are restored from their changelogs).
 */
class PspfStreamsBufferRestoreTest {
    @TempDir
    Path dir;

    private static Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("clicks", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(10)))
            .count()
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream()
            .to("final-counts", Produced.with(WindowedSerdes.timeWindowedSerdeFrom(String.class, 10_000L), Serdes.Long()));
        return builder.build();
    }

    private Properties props(final String guarantee) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "suppress-restart");
        props.put("pspf.backend", "log:" + dir.resolve("log"));
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20);
        return props;
    }

    @ParameterizedTest
    @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
    void finalResultCountsRecordsFromBeforeTheRestart(final String guarantee) throws Exception {
        final Map<String, Object> config = Map.of("pspf.backend", "log:" + dir.resolve("log"));
        try (PspfProducer<String, String> producer = new PspfProducer<>(config, Serdes.String().serializer(),
            Serdes.String().serializer())) {
            try (PspfStreams streams = new PspfStreams(topology(), props(guarantee))) {
                streams.start();
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("clicks", null, 1_000L + i, "alice", "c" + i));
                }
                awaitCommitted(streams, 5);
            }
            assertEquals(List.of(), finalCounts(config), "the window has not closed yet");
            try (PspfStreams streams = new PspfStreams(topology(), props(guarantee))) {
                streams.start();
                // stream time passes the end of the first window: its final result, buffered before the restart,
                // goes out
                producer.send(new ProducerRecord<>("clicks", null, 25_000L, "alice", "next"));
                awaitCommitted(streams, 6);
            }
        }
        assertEquals(List.of("alice@0=5"), finalCounts(config));
    }

    private static void awaitCommitted(final PspfStreams streams, final long offset) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            final long committed = streams.metadataForLocalThreads().stream()
                .flatMap(t -> t.activeTasks().stream())
                .flatMap(t -> t.committedOffsets().values().stream())
                .mapToLong(Long::longValue).sum();
            if (committed >= offset) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("input not committed up to " + offset);
    }

    private static List<String> finalCounts(final Map<String, Object> config) {
        final List<String> result = new ArrayList<>();
        try (PspfReader<Windowed<String>, Long> reader = new PspfReader<>(config,
            WindowedSerdes.timeWindowedSerdeFrom(String.class, 10_000L).deserializer(), Serdes.Long().deserializer())) {
            if (reader.partitions("final-counts") < 1) {
                return result;
            }
            for (final ConsumerRecord<Windowed<String>, Long> record : reader.read("final-counts", 0, 0, 1000)) {
                result.add(record.key().key() + "@" + record.key().window().start() + "=" + record.value());
            }
        }
        return result;
    }
}
