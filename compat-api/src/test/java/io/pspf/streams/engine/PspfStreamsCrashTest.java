package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;

/**
 * Kills {@link CrashApp} (a grouped count and a windowed sum, in a JVM of its own) with SIGKILL at 20 random moments
 * while its input grows, restarting it each time, then lets a last run finish. Under exactly_once_v2 every key's
 * output is exactly the sequence a failure-free run writes (each update once, none lost) and the stores hold the
 * failure-free results. Under at_least_once nothing is lost: output and changelog records go out before the input
 * offsets are committed, so after a crash a record may be counted twice (as in Kafka Streams), but every count and
 * sum is at least the failure-free one, in the output and in the stores.
 */
class PspfStreamsCrashTest {
    private static final int RECORDS = 200_000;
    private static final int KILLS = 20;
    private static final int KEYS = 500;
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
    void survivesSigkillsWithTheResultsOfAFailureFreeRun(final String guarantee) throws Exception {
        final Random random = new Random(guarantee.hashCode());
        final Map<String, List<Long>> expectedCounts = new HashMap<>();
        final Map<String, List<Long>> expectedSums = new HashMap<>();
        final Map<String, Long> countSoFar = new HashMap<>();
        final Map<String, Long> sumSoFar = new HashMap<>();
        int produced = 0;
        final int perRun = RECORDS / (KILLS + 1);
        for (int run = 0; run <= KILLS; run++) {
            final int upTo = run == KILLS ? RECORDS : produced + perRun;
            final List<ProducerRecord<String, Long>> batch = new ArrayList<>();
            for (; produced < upTo; produced++) {
                final String key = "k" + random.nextInt(KEYS);
                final long value = random.nextInt(100);
                final long timestamp = 1_000_000L + produced * 10L;
                batch.add(new ProducerRecord<>(CrashApp.INPUT, null, timestamp, key, value));
                // per key, in production order: one partition per key keeps that order through the application
                expectedCounts.computeIfAbsent(key, k -> new ArrayList<>()).add(countSoFar.merge(key, 1L, Long::sum));
                final String window = key + "@" + (timestamp - timestamp % CrashApp.WINDOW_MS);
                expectedSums.computeIfAbsent(window, k -> new ArrayList<>()).add(sumSoFar.merge(window, value, Long::sum));
            }
            try (PspfProducer<String, Long> producer = new PspfProducer<>(Map.of("pspf.backend", "log:" + dir.resolve("log"),
                "pspf.topic.partitions", PARTITIONS), Serdes.String().serializer(), Serdes.Long().serializer())) {
                producer.sendAll(batch);
            }
            if (run == KILLS) {
                Files.writeString(dir.resolve("input-complete"), "");
            }
            runChild(guarantee, run < KILLS, random);
        }

        final Map<String, List<Long>> counts = new HashMap<>();
        final Map<String, List<Long>> sums = new HashMap<>();
        readOutput(counts, sums);
        if (guarantee.equals("exactly_once_v2")) {
            assertSame(expectedCounts, counts, "every count update exactly once, in order");
            assertSame(expectedSums, sums, "every windowed sum update exactly once, in order");
        } else {
            assertNothingLost(expectedCounts, counts);
            assertNothingLost(expectedSums, sums);
        }
        final Map<String, Long> stores = new TreeMap<>();
        for (final String line : Files.readAllLines(dir.resolve("stores.txt"))) {
            final String[] parts = line.split(" ");
            stores.put(parts[0] + " " + parts[1], Long.parseLong(parts[2]));
        }
        final Map<String, Long> expectedStores = new TreeMap<>();
        countSoFar.forEach((k, v) -> expectedStores.put("count " + k, v));
        sumSoFar.forEach((k, v) -> expectedStores.put("sum " + k, v));
        if (guarantee.equals("exactly_once_v2")) {
            assertSame(expectedStores, stores, "store contents");
        } else {
            assertEquals(expectedStores.keySet(), stores.keySet(), "stored keys");
            expectedStores.forEach((key, value) -> assertTrue(stores.get(key) >= value, "store " + key + ": "
                + stores.get(key) + " < " + value));
        }
    }

    /** Equality of two maps, reporting at most ten differing keys rather than both maps whole. */
    private static <V> void assertSame(final Map<String, V> expected, final Map<String, V> actual, final String what) {
        final List<String> differences = new ArrayList<>();
        final java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (final String key : keys) {
            if (!java.util.Objects.equals(expected.get(key), actual.get(key))) {
                differences.add(key + ": expected " + expected.get(key) + " but was " + actual.get(key));
            }
        }
        assertTrue(differences.isEmpty(), what + ": " + differences.size() + " keys differ, for example "
            + differences.subList(0, Math.min(10, differences.size())));
    }

    /**
     * Two instances in JVMs of their own share the log directory and split the tasks; one is killed with SIGKILL (the
     * one holding the directory, half the time) while input arrives, and the other takes its tasks (and, if need be,
     * the directory) over. The output is exactly the failure-free sequence of updates.
     */
    @org.junit.jupiter.api.Test
    void anInstanceThatDiesHasItsTasksTakenOverByAnother() throws Exception {
        final Random random = new Random(7);
        final Map<String, List<Long>> expectedCounts = new HashMap<>();
        final Map<String, List<Long>> expectedSums = new HashMap<>();
        final Map<String, Long> countSoFar = new HashMap<>();
        final Map<String, Long> sumSoFar = new HashMap<>();
        final int[] produced = {0};
        final java.util.function.IntConsumer produce = count -> {
            final List<ProducerRecord<String, Long>> batch = new ArrayList<>();
            for (int i = 0; i < count; i++, produced[0]++) {
                final String key = "k" + random.nextInt(KEYS);
                final long value = random.nextInt(100);
                final long timestamp = 1_000_000L + produced[0] * 10L;
                batch.add(new ProducerRecord<>(CrashApp.INPUT, null, timestamp, key, value));
                expectedCounts.computeIfAbsent(key, k -> new ArrayList<>()).add(countSoFar.merge(key, 1L, Long::sum));
                final String window = key + "@" + (timestamp - timestamp % CrashApp.WINDOW_MS);
                expectedSums.computeIfAbsent(window, k -> new ArrayList<>()).add(sumSoFar.merge(window, value, Long::sum));
            }
            try (PspfProducer<String, Long> producer = new PspfProducer<>(Map.of("pspf.backend", "log:" + dir.resolve("log"),
                "pspf.topic.partitions", PARTITIONS), Serdes.String().serializer(), Serdes.Long().serializer())) {
                producer.sendAll(batch);
            }
        };
        produce.accept(40_000);
        final Process doomed = startInstance("a", false);
        final Process survivor = startInstance("b", true);
        awaitLine(doomed, "RUNNING");
        awaitLine(survivor, "RUNNING");
        Thread.sleep(200 + random.nextInt(600));
        doomed.destroyForcibly(); // SIGKILL
        assertTrue(doomed.waitFor(30, TimeUnit.SECONDS));
        produce.accept(20_000);
        Files.writeString(dir.resolve("input-complete"), "");
        assertTrue(survivor.waitFor(180, TimeUnit.SECONDS), "the survivor finished");
        assertEquals(0, survivor.exitValue());
        final Map<String, List<Long>> counts = new HashMap<>();
        final Map<String, List<Long>> sums = new HashMap<>();
        readOutput(counts, sums);
        assertSame(expectedCounts, counts, "every count update exactly once, in order");
        assertSame(expectedSums, sums, "every windowed sum update exactly once, in order");
    }

    private Process startInstance(final String name, final boolean untilDone) throws java.io.IOException {
        final List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            CrashApp.class.getName(), dir.toString(), "exactly_once_v2", "--instance", name, "--tasks",
            String.valueOf(PARTITIONS)));
        if (untilDone) {
            command.add("--until-done");
        }
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void awaitLine(final Process process, final String line) throws Exception {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
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

    private void readOutput(final Map<String, List<Long>> counts, final Map<String, List<Long>> sums) {
        try (PspfReader<String, Long> reader = new PspfReader<>(Map.of("pspf.backend", "log:" + dir.resolve("log")),
            Serdes.String().deserializer(), Serdes.Long().deserializer());
             PspfReader<Windowed<String>, Long> windowed = new PspfReader<>(Map.of("pspf.backend", "log:" + dir.resolve("log")),
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

    /** Every key has output, and its last value is at least the failure-free one (counts and sums only grow). */
    private static void assertNothingLost(final Map<String, List<Long>> expected, final Map<String, List<Long>> actual) {
        assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(actual.keySet()));
        for (final Map.Entry<String, List<Long>> e : expected.entrySet()) {
            final List<Long> seen = actual.get(e.getKey());
            final long want = e.getValue().get(e.getValue().size() - 1);
            assertTrue(seen.get(seen.size() - 1) >= want, "last update of " + e.getKey() + ": " + seen + " below " + want);
        }
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

    private void runChild(final String guarantee, final boolean kill, final Random random) throws Exception {
        final List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
            CrashApp.class.getName(), dir.toString(), guarantee));
        if (!kill) {
            command.add("--until-done");
        }
        final Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final AtomicBoolean running = new AtomicBoolean();
        final Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("RUNNING")) {
                        running.set(true);
                    }
                }
            } catch (final Exception ignored) {
                // the process died
            }
        });
        reader.start();
        if (kill) {
            if (random.nextInt(4) == 0) {
                // now and then while it starts up: opening the log, restoring the stores
                Thread.sleep(300 + random.nextInt(900));
            } else {
                final long deadline = System.currentTimeMillis() + 60_000;
                while (!running.get() && child.isAlive() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(2);
                }
                Thread.sleep(random.nextInt(300));
            }
            child.destroyForcibly(); // SIGKILL
        }
        assertTrue(child.waitFor(180, TimeUnit.SECONDS), "the application ended");
        reader.join();
        if (!kill) {
            assertEquals(0, child.exitValue(), "the last run closed cleanly");
        }
    }

    private static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
