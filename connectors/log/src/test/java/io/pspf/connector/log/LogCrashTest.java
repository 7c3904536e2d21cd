package io.pspf.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * Kills a committing process with SIGKILL at random moments and restarts it: in the end every unit's outputs are in
 * the log exactly once, in order, and every unit the dead processes had seen committed is there.
 */
class LogCrashTest {
    private static final long TARGET = 20_000;
    private static final int KILLS = 12;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"commit", "none"})
    void shouldLoseAndDuplicateNoCommittedUnitWhenKilled(final String fsync) throws Exception {
        final Random random = new Random(fsync.hashCode() * 31L + 7);
        long highestAck = 0;
        int kills = 0;
        for (int run = 0; run <= KILLS; run++) {
            final boolean kill = run < KILLS;
            final Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                CommitChild.class.getName(), dir.toString(), Long.toString(TARGET), fsync)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            final AtomicLong ack = new AtomicLong();
            final AtomicLong ready = new AtomicLong(-1);
            final Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("ACK ")) {
                            ack.set(Long.parseLong(line.substring(4)));
                        } else if (line.startsWith("READY ")) {
                            ready.set(Long.parseLong(line.substring(6)));
                        }
                    }
                } catch (final Exception ignored) {
                    // the process died
                }
            });
            reader.start();
            if (kill) {
                final long deadline = System.currentTimeMillis() + 30_000;
                while (ready.get() < 0 && child.isAlive() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(5);
                }
                Thread.sleep(random.nextInt(400));
                child.destroyForcibly(); // SIGKILL
                kills++;
            }
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child ended");
            reader.join();
            assertTrue(ready.get() >= highestAck, "run " + run + " resumed at " + ready.get()
                + " although unit " + highestAck + " had been acknowledged");
            highestAck = Math.max(highestAck, ack.get());
            if (!kill) {
                assertEquals(0, child.exitValue());
                assertEquals(TARGET, Math.max(ack.get(), ready.get()), "the last run finished the work");
            }
        }
        assertEquals(KILLS, kills);

        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            assertEquals(Map.of(CommitChild.INPUT, TARGET), backend.committedOffsets("app", List.of(CommitChild.INPUT)));
            // the expected records per partition, in commit order
            final List<List<String>> expected = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                expected.add(new ArrayList<>());
            }
            for (long i = 1; i <= TARGET; i++) {
                final CommitUnit.Builder unit = CommitUnit.builder("app", "0_0", 0);
                CommitChild.outputs(i, unit);
                for (final CommitUnit.Output output : unit.build().outputs()) {
                    expected.get(output.partition()).add(new String(output.record().value(), StandardCharsets.UTF_8));
                }
            }
            final Set<String> seen = new HashSet<>();
            for (int p = 0; p < 3; p++) {
                final List<String> actual = new ArrayList<>();
                for (final RawRecord r : backend.read("out", p, 0, Integer.MAX_VALUE)) {
                    final String value = new String(r.value(), StandardCharsets.UTF_8);
                    assertTrue(seen.add(value), "duplicated: " + value);
                    actual.add(value);
                }
                assertEquals(expected.get(p), actual, "out-" + p + " after " + kills + " kills");
            }
        }
    }

    private static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }
}
