package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    private Map<String, Object> backend() {
        return Map.of("pspf.backend", "log:" + dir.resolve("log"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
    void survivesSigkillsWithTheResultsOfAFailureFreeRun(final String guarantee) throws Exception {
        final Random random = new Random(guarantee.hashCode());
        final CrashWorkload workload = new CrashWorkload(random, KEYS, backend(), PARTITIONS);
        final int perRun = RECORDS / (KILLS + 1);
        for (int run = 0; run <= KILLS; run++) {
            workload.produce(run == KILLS ? RECORDS - workload.produced() : perRun);
            if (run == KILLS) {
                Files.writeString(dir.resolve("input-complete"), "");
            }
            runChild(guarantee, run < KILLS, random);
        }

        final Map<String, Long> stores = CrashWorkload.readStores(dir.resolve("stores.txt"));
        final Map<String, Long> expectedStores = workload.expectedStores();
        if (guarantee.equals("exactly_once_v2")) {
            workload.assertExactOutput();
            CrashWorkload.assertSame(expectedStores, stores, "store contents");
        } else {
            final Map<String, List<Long>> counts = new HashMap<>();
            final Map<String, List<Long>> sums = new HashMap<>();
            workload.readOutput(counts, sums);
            CrashWorkload.assertNothingLost(workload.expectedCounts, counts);
            CrashWorkload.assertNothingLost(workload.expectedSums, sums);
            assertEquals(expectedStores.keySet(), stores.keySet(), "stored keys");
            expectedStores.forEach((key, value) -> assertTrue(stores.get(key) >= value, "store " + key + ": "
                + stores.get(key) + " < " + value));
        }
    }

    /**
     * Two instances in JVMs of their own share the log directory and split the tasks; one is killed with SIGKILL (the
     * one holding the directory, half the time) while input arrives, and the other takes its tasks (and, if need be,
     * the directory) over. The output is exactly the failure-free sequence of updates.
     */
    @Test
    void anInstanceThatDiesHasItsTasksTakenOverByAnother() throws Exception {
        final Random random = new Random(7);
        final CrashWorkload workload = new CrashWorkload(random, KEYS, backend(), PARTITIONS);
        workload.produce(40_000);
        final Process doomed = CrashWorkload.startApp(dir, "exactly_once_v2", List.of("--instance", "a", "--tasks",
            String.valueOf(PARTITIONS)));
        final Process survivor = CrashWorkload.startApp(dir, "exactly_once_v2", List.of("--instance", "b", "--tasks",
            String.valueOf(PARTITIONS), "--until-done"));
        CrashWorkload.awaitLine(doomed, "RUNNING");
        CrashWorkload.awaitLine(survivor, "RUNNING");
        Thread.sleep(200 + random.nextInt(600));
        doomed.destroyForcibly(); // SIGKILL
        assertTrue(doomed.waitFor(30, TimeUnit.SECONDS));
        workload.produce(20_000);
        Files.writeString(dir.resolve("input-complete"), "");
        assertTrue(survivor.waitFor(180, TimeUnit.SECONDS), "the survivor finished");
        assertEquals(0, survivor.exitValue());
        workload.assertExactOutput();
    }

    private void runChild(final String guarantee, final boolean kill, final Random random) throws Exception {
        final Process child = CrashWorkload.startApp(dir, guarantee, kill ? List.of() : List.of("--until-done"));
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
}
