package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.connector.valkey.ValkeyServer;
import io.pspf.connector.valkey.ValkeyServerExtension;

/**
 * {@link CrashApp} (a grouped count and a windowed sum) on a real Valkey / Redis server, in JVMs of their own, under
 * exactly_once_v2: instances killed with SIGKILL, a server killed and restarted, an instance paused with SIGSTOP past
 * its session timeout. Each time the output topics hold exactly the updates of a failure-free run, in order per key,
 * and the stores (dumped by a last instance that runs every task) hold its results.
 */
@ExtendWith(ValkeyServerExtension.class)
class ValkeyCrashTest {
    private static final int KEYS = 500;
    private static final int PARTITIONS = 4;
    private static final long SESSION_TIMEOUT_MS = 2_000;
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private static final String[] STANDBY = {"--set", "num.standby.replicas=1"};
    private final ValkeyServer server;
    @TempDir
    Path dir;

    ValkeyCrashTest(final ValkeyServer server) {
        this.server = server;
    }

    private static Map<String, Object> backend(final ValkeyServer server, final String prefix) {
        return Map.of("pspf.backend", server.uri(), "pspf.valkey.key.prefix", prefix);
    }

    private static List<String> options(final Map<String, Object> backend, final String instance, final String... more) {
        final List<String> options = new ArrayList<>(List.of("--instance", instance));
        backend.forEach((k, v) -> {
            options.add("--set");
            options.add(k + "=" + v);
        });
        options.addAll(List.of("--set", "session.timeout.ms=" + SESSION_TIMEOUT_MS));
        options.addAll(List.of(more));
        return options;
    }

    /** Marks the input complete, runs an instance that finishes every task, and checks its store dump. */
    private static void finish(final Path dir, final CrashWorkload workload, final Map<String, Object> backend)
        throws Exception {
        Files.writeString(dir.resolve("input-complete"), "");
        final Process last = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "last", "--until-done",
            "--tasks", String.valueOf(PARTITIONS), "--stores", "stores-last.txt"));
        assertTrue(last.waitFor(240, TimeUnit.SECONDS), "the last instance finished");
        assertEquals(0, last.exitValue());
        workload.assertExactOutput();
        CrashWorkload.assertSame(workload.expectedStores(), CrashWorkload.readStores(dir.resolve("stores-last.txt")),
            "store contents");
    }

    private static void stop(final Process... processes) throws InterruptedException {
        for (final Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Three instances share the tasks while 300,000 records arrive, each task with one standby replica; one is killed
     * with SIGKILL a third of the way in and a new instance joins half-way.
     */
    @Test
    void threeInstancesOneKilledAndANewOneJoining() throws Exception {
        threeInstancesOneKilledAndANewOneJoining(dir, backend(server, "crash" + PREFIXES.incrementAndGet()));
    }

    /** The scenario above on any Valkey deployment ({@code backend}: {@code pspf.backend} and a key prefix). */
    static void threeInstancesOneKilledAndANewOneJoining(final Path dir, final Map<String, Object> backend)
        throws Exception {
        final Random random = new Random(11);
        final CrashWorkload workload = new CrashWorkload(random, KEYS, backend, PARTITIONS);
        workload.produce(20_000);
        final Process a = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "a", STANDBY));
        final Process b = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "b", "--until-done",
            "--tasks", "0", "--stores", "stores-b.txt", STANDBY[0], STANDBY[1]));
        final Process c = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "c", "--until-done",
            "--tasks", "0", "--stores", "stores-c.txt", STANDBY[0], STANDBY[1]));
        CrashWorkload.awaitLine(a, "RUNNING");
        CrashWorkload.awaitLine(b, "RUNNING");
        CrashWorkload.awaitLine(c, "RUNNING");
        Process d = null;
        try {
            for (int chunk = 1; chunk < 15; chunk++) {
                workload.produce(20_000);
                Thread.sleep(random.nextInt(300));
                if (chunk == 5) {
                    a.destroyForcibly(); // SIGKILL
                    assertTrue(a.waitFor(30, TimeUnit.SECONDS));
                }
                if (chunk == 7) {
                    d = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "d", "--until-done",
                        "--tasks", "0", "--stores", "stores-d.txt", STANDBY[0], STANDBY[1]));
                    CrashWorkload.awaitLine(d, "RUNNING");
                }
            }
            assertEquals(300_000, workload.produced());
            finish(dir, workload, backend);
            for (final Process p : List.of(b, c, d)) {
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "an instance finished");
                assertEquals(0, p.exitValue());
            }
        } finally {
            stop(a, b, c);
            if (d != null) {
                stop(d);
            }
        }
    }

    /** The server (append-only file on) is killed with SIGKILL mid-run and restarted; the application carries on. */
    @Test
    void recoversOnItsOwnWhenTheServerIsKilledAndRestarted() throws Exception {
        try (ValkeyServer own = ValkeyServer.start("--appendonly", "yes")) {
            final Map<String, Object> backend = backend(own, "server-crash");
            final Random random = new Random(12);
            final CrashWorkload workload = new CrashWorkload(random, KEYS, backend, PARTITIONS);
            workload.produce(40_000);
            final Process app = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "a",
                "--set", "pspf.valkey.retry.timeout.ms=60000"));
            try {
                CrashWorkload.awaitLine(app, "RUNNING");
                for (int kill = 0; kill < 2; kill++) {
                    Thread.sleep(200 + random.nextInt(800));
                    own.kill();
                    Thread.sleep(500 + random.nextInt(1000));
                    own.restart();
                    workload.produce(20_000);
                }
                assertTrue(app.isAlive(), "the application survived the server's restarts");
                stop(app);
                finish(dir, workload, backend);
            } finally {
                stop(app);
            }
        }
    }

    /**
     * An instance paused with SIGSTOP past its session timeout loses its tasks to the other; when it wakes (SIGCONT)
     * nothing it commits lands, and it gives the tasks up.
     */
    @Test
    void aPausedInstanceThatWakesAfterItsTasksMovedCommitsNothing() throws Exception {
        final Map<String, Object> backend = backend(server, "zombie" + PREFIXES.incrementAndGet());
        final Random random = new Random(13);
        final CrashWorkload workload = new CrashWorkload(random, KEYS, backend, PARTITIONS);
        workload.produce(40_000);
        final Process zombie = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "z"));
        final Process other = CrashWorkload.startApp(dir, "exactly_once_v2", options(backend, "w", "--until-done",
            "--tasks", "0", "--stores", "stores-w.txt"));
        try {
            CrashWorkload.awaitLine(zombie, "RUNNING");
            CrashWorkload.awaitLine(other, "RUNNING");
            workload.produce(20_000);
            Thread.sleep(300 + random.nextInt(300));
            signal("STOP", zombie);
            workload.produce(20_000);
            Thread.sleep(3 * SESSION_TIMEOUT_MS);
            workload.produce(20_000);
            signal("CONT", zombie);
            Thread.sleep(2 * SESSION_TIMEOUT_MS);
            assertTrue(zombie.isAlive(), "the woken instance carries on");
            workload.produce(20_000);
            stop(zombie);
            finish(dir, workload, backend);
            assertTrue(other.waitFor(120, TimeUnit.SECONDS));
        } finally {
            stop(zombie, other);
        }
    }

    private static void signal(final String signal, final Process process) throws Exception {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -" + signal);
    }
}
