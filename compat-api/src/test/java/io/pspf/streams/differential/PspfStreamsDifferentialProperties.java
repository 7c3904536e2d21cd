package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.test.TestRecord;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.streams.PspfStreams;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The same topology and input on Kafka's own {@code TopologyTestDriver} and on {@code PspfStreams} running on a
 * backend (one partition, one thread, no record cache): every output topic must hold, per key, the same updates
 * (value bytes and timestamp) in the same order. Topologies cover a repartitioned count, windowed counts with grace,
 * suppression, a table re-grouped and counted, and a stream-table join; the inputs are generated.
 */
class PspfStreamsDifferentialProperties {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String[] WORDS = {"ant", "bee", "cat", "dog", "eel"};

    /** A topology written once against {@link Dsl}, and the output topics to compare. */
    enum Shape {
        WORD_COUNT(dsl -> dsl.<String, String>stream("text", Consumed.with(Serdes.String(), Serdes.String()))
            .flatMapValues(line -> Arrays.asList(line.split(" ")))
            .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
            .count()
            .toStream()
            .to("out", Produced.with(Serdes.String(), Serdes.Long()))),
        WINDOWED_COUNT(dsl -> dsl.<String, String>stream("text", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(5)))
            .count()
            .toStream((window, count) -> window.key() + "@" + window.window().start())
            .to("out", Produced.with(Serdes.String(), Serdes.Long()))),
        SUPPRESSED(dsl -> dsl.<String, String>stream("text", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), Duration.ofSeconds(2)))
            .count()
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream((window, count) -> window.key() + "@" + window.window().start())
            .to("out", Produced.with(Serdes.String(), Serdes.Long()))),
        TABLE_REGROUP(dsl -> dsl.<String, String>table("text", Consumed.with(Serdes.String(), Serdes.String()))
            .groupBy((key, value) -> KeyValue.pair(value.substring(0, 1), key), Grouped.with(Serdes.String(), Serdes.String()))
            .count()
            .toStream()
            .to("out", Produced.with(Serdes.String(), Serdes.Long()))),
        STREAM_TABLE_JOIN(dsl -> {
            final KTable<String, String> side = dsl.table("side", Consumed.with(Serdes.String(), Serdes.String()));
            dsl.<String, String>stream("text", Consumed.with(Serdes.String(), Serdes.String()))
                .leftJoin(side, (left, right) -> left + "|" + right)
                .to("out", Produced.with(Serdes.String(), Serdes.String()));
        });

        final Consumer<Dsl> topology;

        Shape(final Consumer<Dsl> topology) {
            this.topology = topology;
        }
    }

    /** One input record. */
    record In(String topic, String key, String value, long timestamp) {
    }

    @Provide
    Arbitrary<List<In>> inputs() {
        final Arbitrary<String> keys = Arbitraries.of("a", "b", "c", "d");
        final Arbitrary<String> lines = Arbitraries.of(WORDS).list().ofMinSize(1).ofMaxSize(3).map(w -> String.join(" ", w));
        final Arbitrary<String> topics = Arbitraries.of("text", "text", "text", "side");
        final Arbitrary<Long> gaps = Arbitraries.longs().between(0, 4_000);
        return gaps.list().ofMinSize(1).ofMaxSize(40)
            .flatMap(gapList -> net.jqwik.api.Combinators.combine(
                    topics.list().ofSize(gapList.size()), keys.list().ofSize(gapList.size()),
                    lines.list().ofSize(gapList.size()))
                .as((ts, ks, ls) -> {
                    final List<In> in = new ArrayList<>();
                    long time = 1_000_000L;
                    for (int i = 0; i < gapList.size(); i++) {
                        time += gapList.get(i);
                        // records of two topics with one timestamp: Kafka Streams picks either first (its partition
                        // group orders by timestamp only) and the test driver the one piped first, so no such ties
                        if (i > 0 && gapList.get(i) == 0 && !ts.get(i).equals(ts.get(i - 1))) {
                            time++;
                        }
                        in.add(new In(ts.get(i), ks.get(i), ls.get(i), time));
                    }
                    return in;
                }));
    }

    @Property(tries = 40)
    void pspfStreamsWritesWhatKafkasDriverWrites(@ForAll final Shape shape, @ForAll("inputs") final List<In> inputs)
        throws Exception {
        assertEquals(kafka(shape, inputs), pspf(shape, inputs), shape + " on " + inputs);
    }

    private static Properties props() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "differential-streams");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        return props;
    }

    /** Per key, the output's updates as "value-hex@timestamp". */
    static Map<String, List<String>> kafka(final Shape shape, final List<In> inputs) {
        final Adapters.KafkaDsl dsl = new Adapters.KafkaDsl();
        shape.topology.accept(dsl);
        final Properties props = props();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        final Map<String, List<String>> out = new TreeMap<>();
        try (org.apache.kafka.streams.TopologyTestDriver driver =
                 new org.apache.kafka.streams.TopologyTestDriver(dsl.kafkaTopology(), props)) {
            final Map<String, org.apache.kafka.streams.TestInputTopic<String, String>> topics = new LinkedHashMap<>();
            for (final In in : inputs) {
                if (in.topic().equals("side") && shape != Shape.STREAM_TABLE_JOIN) {
                    continue;
                }
                topics.computeIfAbsent(in.topic(), t -> driver.createInputTopic(t, new StringSerializer(), new StringSerializer()))
                    .pipeInput(new TestRecord<>(in.key(), in.value(), null, in.timestamp()));
            }
            final org.apache.kafka.streams.TestOutputTopic<byte[], byte[]> output =
                driver.createOutputTopic("out", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            for (final TestRecord<byte[], byte[]> record : output.readRecordsToList()) {
                out.computeIfAbsent(new String(record.key()), k -> new ArrayList<>())
                    .add(HexFormat.of().formatHex(record.value()) + "@" + record.timestamp());
            }
        }
        return out;
    }

    private static Map<String, List<String>> pspf(final Shape shape, final List<In> inputs) throws Exception {
        return pspf(shape, inputs, Map.of("pspf.backend", "memory:differential-streams-" + RUNS.incrementAndGet()));
    }

    /** The same on the backend {@code backend} names (its settings; topics there must be new). */
    static Map<String, List<String>> pspf(final Shape shape, final List<In> inputs, final Map<String, Object> backend)
        throws Exception {
        final Adapters.PspfDsl dsl = new Adapters.PspfDsl();
        shape.topology.accept(dsl);
        final Properties props = props();
        props.putAll(backend);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10);
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("differential-streams").toString());
        try (PspfProducer<String, String> producer = new PspfProducer<>(backend,
            Serdes.String().serializer(), Serdes.String().serializer())) {
            producer.partitionsFor("text");
            producer.partitionsFor("side");
            for (final In in : inputs) {
                if (in.topic().equals("side") && shape != Shape.STREAM_TABLE_JOIN) {
                    continue;
                }
                producer.send(new ProducerRecord<>(in.topic(), 0, in.timestamp(), in.key(), in.value()));
            }
        }
        final Map<String, List<String>> out = new TreeMap<>();
        try (PspfStreams streams = new PspfStreams(dsl.pspfTopology(), props)) {
            streams.start();
            awaitDone(streams);
        }
        try (PspfReader<byte[], byte[]> reader = new PspfReader<>(backend,
            new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (reader.partitions("out") > 0) {
                // read on until the end: like a poll, one read may return part of what is there
                long offset = 0;
                List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> page;
                while (!(page = reader.read("out", 0, offset, 100_000)).isEmpty()) {
                    for (final org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record : page) {
                        out.computeIfAbsent(new String(record.key()), k -> new ArrayList<>())
                            .add(HexFormat.of().formatHex(record.value()) + "@" + record.timestamp());
                    }
                    offset = page.get(page.size() - 1).offset() + 1;
                }
            }
        }
        return out;
    }

    /** Until every task (repartition readers included) has committed its inputs to their ends, twice in a row. */
    private static void awaitDone(final PspfStreams streams) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + 30_000;
        int quiet = 0;
        while (quiet < 2) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("PspfStreams did not finish its input");
            }
            boolean done = streams.state() == PspfStreams.State.RUNNING;
            int tasks = 0;
            for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
                for (final TaskMetadata task : thread.activeTasks()) {
                    tasks++;
                    for (final Map.Entry<org.apache.kafka.common.TopicPartition, Long> end : task.endOffsets().entrySet()) {
                        final Long committed = task.committedOffsets().get(end.getKey());
                        if (end.getValue() > 0 && (committed == null || committed < end.getValue())) {
                            done = false;
                        }
                    }
                }
            }
            quiet = done && tasks > 0 ? quiet + 1 : 0;
            Thread.sleep(30);
        }
    }
}
