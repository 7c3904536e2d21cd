package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * A word count on {@code PspfStreams} over the file log, with four partitions and two threads, stopped and restarted
 * in the middle: the last count per word in the output and in the store equal the counts of the words produced.
 */
class PspfStreamsWordCountTest {
    @TempDir
    Path dir;

    private Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, String> lines = builder.stream("lines", Consumed.with(Serdes.String(), Serdes.String()));
        lines.flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split(" ")))
            .groupBy((key, word) -> word)
            .count(Materialized.as("counts"))
            .toStream()
            .to("word-counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private Properties props(final String guarantee) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "wordcount");
        props.put("pspf.backend", "log:" + dir.resolve("log"));
        props.put("pspf.topic.partitions", 4);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        return props;
    }

    @ParameterizedTest
    @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
    void countsWordsAcrossARestart(final String guarantee) throws Exception {
        final Map<String, Long> expected = new HashMap<>();
        final Random random = new Random(42);
        final String[] words = {"apple", "banana", "cherry", "date", "elder", "fig", "grape", "honeydew"};
        final Map<String, Object> producerConfig = Map.of("pspf.backend", "log:" + dir.resolve("log"), "pspf.topic.partitions", 4);
        try (PspfStreams streams = new PspfStreams(topology(), props(guarantee));
             PspfProducer<String, String> producer = new PspfProducer<>(producerConfig, Serdes.String().serializer(),
                 Serdes.String().serializer())) {
            streams.start();
            produce(producer, random, words, expected, 2_000);
            awaitCounts(expected, guarantee);
            assertTrue(streams.close(Duration.ofSeconds(30)));
            assertEquals(PspfStreams.State.NOT_RUNNING, streams.state());
            // produced while the application is down
            produce(producer, random, words, expected, 1_000);
        }
        final java.util.concurrent.atomic.AtomicLong restored = new java.util.concurrent.atomic.AtomicLong();
        try (PspfStreams streams = new PspfStreams(topology(), props(guarantee))) {
            streams.setGlobalStateRestoreListener(new org.apache.kafka.streams.processor.StateRestoreListener() {
                @Override
                public void onRestoreStart(final org.apache.kafka.common.TopicPartition tp, final String store,
                                           final long start, final long end) {
                }

                @Override
                public void onBatchRestored(final org.apache.kafka.common.TopicPartition tp, final String store,
                                            final long batchEnd, final long count) {
                }

                @Override
                public void onRestoreEnd(final org.apache.kafka.common.TopicPartition tp, final String store,
                                         final long total) {
                    restored.addAndGet(total);
                }
            });
            streams.start();
            final Map<String, Long> last = awaitCounts(expected, guarantee);
            // the SQLite stores committed with their changelog offsets at the clean close: nothing to replay
            assertEquals(0, restored.get(), "changelog records restored after a clean close");
            awaitRunning(streams);
            final ReadOnlyKeyValueStore<String, Long> store = streams.store(
                StoreQueryParameters.fromNameAndType("counts", QueryableStoreTypes.keyValueStore()));
            for (final Map.Entry<String, Long> e : expected.entrySet()) {
                assertEquals(e.getValue(), store.get(e.getKey()), "store count of " + e.getKey());
            }
            assertEquals(expected, last);
        }
    }

    private static void produce(final PspfProducer<String, String> producer, final Random random, final String[] words,
                                final Map<String, Long> expected, final int lines) {
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            final StringBuilder line = new StringBuilder();
            for (int w = 0; w < 5; w++) {
                final String word = words[random.nextInt(words.length)];
                expected.merge(word, 1L, Long::sum);
                line.append(w == 0 ? "" : " ").append(word);
            }
            records.add(new ProducerRecord<>("lines", "line-" + i, line.toString()));
        }
        producer.sendAll(records);
    }

    /** Reads the output until the last count of every word equals the expected one (or fails after 30 s). */
    private Map<String, Long> awaitCounts(final Map<String, Long> expected, final String guarantee) throws InterruptedException {
        final Map<String, Object> config = Map.of("pspf.backend", "log:" + dir.resolve("log"));
        final long deadline = System.currentTimeMillis() + 30_000;
        Map<String, Long> last = new HashMap<>();
        try (PspfReader<String, Long> reader = new PspfReader<>(config, Serdes.String().deserializer(),
            Serdes.Long().deserializer())) {
            while (System.currentTimeMillis() < deadline) {
                last = new HashMap<>();
                final int partitions = Math.max(0, reader.partitions("word-counts"));
                for (int p = 0; p < partitions; p++) {
                    long offset = reader.startOffset("word-counts", p);
                    while (true) {
                        final List<ConsumerRecord<String, Long>> records = reader.read("word-counts", p, offset, 10_000);
                        if (records.isEmpty()) {
                            break;
                        }
                        for (final ConsumerRecord<String, Long> record : records) {
                            last.put(record.key(), record.value());
                        }
                        offset = records.get(records.size() - 1).offset() + 1;
                    }
                }
                if (last.equals(expected)) {
                    return last;
                }
                Thread.sleep(50);
            }
        }
        assertEquals(expected, last, "final counts under " + guarantee);
        return last;
    }

    private static void awaitRunning(final PspfStreams streams) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (streams.state() != PspfStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(PspfStreams.State.RUNNING, streams.state());
    }

    @org.junit.jupiter.api.Test
    void wipesAStoreWhoseChangelogWasLostAndRestoresFromWhatIsLeft() throws Exception {
        final Map<String, Object> producerConfig = Map.of("pspf.backend", "log:" + dir.resolve("log"), "pspf.topic.partitions", 4);
        final Map<String, Long> first = new HashMap<>();
        final Random random = new Random(3);
        final String[] words = {"apple", "banana", "cherry"};
        try (PspfStreams streams = new PspfStreams(topology(), props("exactly_once_v2"));
             PspfProducer<String, String> producer = new PspfProducer<>(producerConfig, Serdes.String().serializer(),
                 Serdes.String().serializer())) {
            streams.start();
            produce(producer, random, words, first, 50);
            awaitCounts(first, "exactly_once_v2");
        }
        try (io.pspf.runtime.backend.Backend backend = io.pspf.runtime.backend.BackendProvider.open(
            "log:" + dir.resolve("log"), Map.of())) {
            backend.deleteTopic("wordcount-counts-changelog");
        }
        final Map<String, Long> second = new HashMap<>();
        try (PspfStreams streams = new PspfStreams(topology(), props("exactly_once_v2"));
             PspfProducer<String, String> producer = new PspfProducer<>(producerConfig, Serdes.String().serializer(),
                 Serdes.String().serializer())) {
            streams.start();
            awaitRunning(streams);
            produce(producer, random, words, second, 20);
            final long deadline = System.currentTimeMillis() + 30_000;
            boolean match = false;
            while (!match && System.currentTimeMillis() < deadline) {
                final ReadOnlyKeyValueStore<String, Long> store = streams.store(
                    StoreQueryParameters.fromNameAndType("counts", QueryableStoreTypes.keyValueStore()));
                match = second.entrySet().stream().allMatch(e -> e.getValue().equals(store.get(e.getKey())));
                Thread.sleep(20);
            }
            // the counts start again from what the (new, empty) changelog held: the lost state is not resurrected
            assertTrue(match, "the store counts only what came after its changelog was lost");
        }
    }
}
