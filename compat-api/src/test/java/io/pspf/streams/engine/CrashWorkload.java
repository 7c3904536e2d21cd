package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;

/**
 * The input of {@link CrashApp} and what a failure-free run makes of it: per key the sequence of count updates, per
 * window the sequence of sum updates, and the final store contents. Also reads the output back and compares.
 */
final class CrashWorkload {
    private final Random random;
    private final int keys;
    private final Map<String, Object> backend;
    private final int partitions;
    final Map<String, List<Long>> expectedCounts = new HashMap<>();
    final Map<String, List<Long>> expectedSums = new HashMap<>();
    private final Map<String, Long> countSoFar = new HashMap<>();
    private final Map<String, Long> sumSoFar = new HashMap<>();
    private int produced;

    CrashWorkload(final Random random, final int keys, final Map<String, Object> backend, final int partitions) {
        this.random = random;
        this.keys = keys;
        this.backend = backend;
        this.partitions = partitions;
    }

    int produced() {
        return produced;
    }

    /** Produces {@code count} more input records and records what they must lead to. */
    void produce(final int count) {
        final List<ProducerRecord<String, Long>> batch = new ArrayList<>();
        for (int i = 0; i < count; i++, produced++) {
            final String key = "k" + random.nextInt(keys);
            final long value = random.nextInt(100);
            final long timestamp = 1_000_000L + produced * 10L;
            batch.add(new ProducerRecord<>(CrashApp.INPUT, null, timestamp, key, value));
            // per key, in production order: one partition per key keeps that order through the application
            expectedCounts.computeIfAbsent(key, k -> new ArrayList<>()).add(countSoFar.merge(key, 1L, Long::sum));
            final String window = key + "@" + (timestamp - timestamp % CrashApp.WINDOW_MS);
            expectedSums.computeIfAbsent(window, k -> new ArrayList<>()).add(sumSoFar.merge(window, value, Long::sum));
        }
        final Map<String, Object> config = new HashMap<>(backend);
        config.put("pspf.topic.partitions", partitions);
        try (PspfProducer<String, Long> producer = new PspfProducer<>(config, Serdes.String().serializer(),
            Serdes.Long().serializer())) {
            producer.sendAll(batch);
        }
    }

    /** The store contents of a failure-free run, as {@link CrashApp} writes them ("count k" / "sum k@start"). */
    Map<String, Long> expectedStores() {
        final Map<String, Long> stores = new TreeMap<>();
        countSoFar.forEach((k, v) -> stores.put("count " + k, v));
        sumSoFar.forEach((k, v) -> stores.put("sum " + k, v));
        return stores;
    }

    static Map<String, Long> readStores(final Path file) throws IOException {
        final Map<String, Long> stores = new TreeMap<>();
        for (final String line : Files.readAllLines(file)) {
            final String[] parts = line.split(" ");
            stores.put(parts[0] + " " + parts[1], Long.parseLong(parts[2]));
        }
        return stores;
    }

    /** Every count and sum update of the output topics, per key (per key and window), in offset order. */
    void readOutput(final Map<String, List<Long>> counts, final Map<String, List<Long>> sums) {
        try (PspfReader<String, Long> reader = new PspfReader<>(backend, Serdes.String().deserializer(),
            Serdes.Long().deserializer());
             PspfReader<Windowed<String>, Long> windowed = new PspfReader<>(backend,
                 WindowedSerdes.timeWindowedSerdeFrom(String.class, CrashApp.WINDOW_MS).deserializer(),
                 Serdes.Long().deserializer())) {
            for (final ConsumerRecord<String, Long> record : readAll(reader, "counts")) {
                counts.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
            }
            for (final ConsumerRecord<Windowed<String>, Long> record : readAll(windowed, "sums")) {
                sums.computeIfAbsent(record.key().key() + "@" + record.key().window().start(), k -> new ArrayList<>())
                    .add(record.value());
            }
        }
    }

    /** Asserts that the output holds exactly the failure-free updates, in order. */
    void assertExactOutput() {
        final Map<String, List<Long>> counts = new HashMap<>();
        final Map<String, List<Long>> sums = new HashMap<>();
        readOutput(counts, sums);
        assertSame(expectedCounts, counts, "every count update exactly once, in order");
        assertSame(expectedSums, sums, "every windowed sum update exactly once, in order");
    }

    private static <K, V> List<ConsumerRecord<K, V>> readAll(final PspfReader<K, V> reader, final String topic) {
        final List<ConsumerRecord<K, V>> all = new ArrayList<>();
        for (int p = 0; p < reader.partitions(topic); p++) {
            long offset = reader.startOffset(topic, p);
            while (true) {
                final List<ConsumerRecord<K, V>> records = reader.read(topic, p, offset, 10_000);
                if (records.isEmpty()) {
                    break;
                }
                all.addAll(records);
                offset = records.get(records.size() - 1).offset() + 1;
            }
        }
        return all;
    }

    /** Equality of two maps, reporting at most ten differing keys rather than both maps whole. */
    static <V> void assertSame(final Map<String, V> expected, final Map<String, V> actual, final String what) {
        final List<String> differences = new ArrayList<>();
        final java.util.Set<String> all = new java.util.TreeSet<>(expected.keySet());
        all.addAll(actual.keySet());
        for (final String key : all) {
            if (!java.util.Objects.equals(expected.get(key), actual.get(key))) {
                differences.add(key + ": expected " + expected.get(key) + " but was " + actual.get(key));
            }
        }
        assertTrue(differences.isEmpty(), what + ": " + differences.size() + " keys differ, for example "
            + differences.subList(0, Math.min(10, differences.size())));
    }

    /** Every key has output, and its last value is at least the failure-free one (counts and sums only grow). */
    static void assertNothingLost(final Map<String, List<Long>> expected, final Map<String, List<Long>> actual) {
        assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(actual.keySet()));
        for (final Map.Entry<String, List<Long>> e : expected.entrySet()) {
            final List<Long> seen = actual.get(e.getKey());
            final long want = e.getValue().get(e.getValue().size() - 1);
            assertTrue(seen.get(seen.size() - 1) >= want, "last update of " + e.getKey() + ": " + seen + " below " + want);
        }
    }

    static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /** Starts {@link CrashApp} in a JVM of its own. */
    static Process startApp(final Path dir, final String guarantee, final List<String> options) throws IOException {
        // the test's temporary directory (SQLite unpacks its library there; a killed JVM leaves it behind)
        final List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m",
            "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp", System.getProperty("java.class.path"),
            CrashApp.class.getName(), dir.toString(), guarantee));
        command.addAll(options);
        // each JVM's log goes to a file of its own in the test's directory, for a look after a failure
        final int instance = options.indexOf("--instance");
        final String name = (instance >= 0 ? options.get(instance + 1) : "app") + "-" + System.nanoTime() + ".log";
        return new ProcessBuilder(command).redirectError(dir.resolve(name).toFile()).start();
    }

    /** Waits for a line of a process's output (60 s at most). */
    static void awaitLine(final Process process, final String line) throws IOException {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final long deadline = System.currentTimeMillis() + 60_000;
        String read;
        while ((read = reader.readLine()) != null) {
            if (read.equals(line)) {
                return;
            }
            assertTrue(System.currentTimeMillis() < deadline, "waiting for " + line);
        }
        throw new AssertionError("the process ended before printing " + line);
    }
}
