package io.pspf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Optional quiet-machine gate (Linux {@code /proc} only), as in the Kafka baseline's {@code --gate}: before a timed
 * run, wait until the CPU used by everything outside this JVM stays under 10% of one core for 10 consecutive
 * seconds (at most 30 minutes); after the run, report the mean foreign CPU over the run so that a contaminated
 * run can be repeated. Foreign CPU = the machine's busy time ({@code /proc/stat}) minus this process's
 * ({@code /proc/self/stat}). Other processes in other containers sharing the machine count as foreign too.
 */
final class Gate {
    static final double LIMIT = 0.10;      // of one core
    static final int QUIET_SECONDS = 10;
    static final long MAX_WAIT_MS = 30 * 60_000L;

    private long busy0;
    private long own0;
    private long t0;

    /** Waits for a quiet machine; returns a description of the wait. */
    String waitQuiet() throws InterruptedException {
        final long start = System.currentTimeMillis();
        int quiet = 0;
        long[] prev = sample();
        long prevT = System.nanoTime();
        while (quiet < QUIET_SECONDS && System.currentTimeMillis() - start < MAX_WAIT_MS) {
            Thread.sleep(1000);
            final long[] now = sample();
            final long nowT = System.nanoTime();
            final double foreign = foreignCores(prev, now, nowT - prevT);
            quiet = foreign < LIMIT ? quiet + 1 : 0;
            prev = now;
            prevT = nowT;
        }
        return String.format("gate: waited %.0f s for %d quiet seconds%s", (System.currentTimeMillis() - start) / 1000.0,
            QUIET_SECONDS, quiet < QUIET_SECONDS ? " (gave up, machine still busy)" : "");
    }

    void start() {
        final long[] s = sample();
        busy0 = s[0];
        own0 = s[1];
        t0 = System.nanoTime();
    }

    /** Mean CPU used outside this JVM since {@link #start}, in cores. */
    double foreignSinceStart() {
        return foreignCores(new long[] {busy0, own0}, sample(), System.nanoTime() - t0);
    }

    private static double foreignCores(final long[] a, final long[] b, final long nanos) {
        final double ticks = (b[0] - a[0]) - (b[1] - a[1]);
        return Math.max(0, ticks / 100.0 / (nanos / 1e9)); // USER_HZ = 100
    }

    /** {machine busy ticks, own process ticks} */
    private static long[] sample() {
        try {
            final String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            final String[] f = cpu.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            for (final int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += i < f.length ? Long.parseLong(f[i]) : 0;
            }
            final String self = Files.readString(Path.of("/proc/self/stat"));
            final String[] g = self.substring(self.lastIndexOf(')') + 2).split(" ");
            // fields after "(comm) ": state(3) ... utime(14) stime(15) -> indexes 11, 12
            final long own = Long.parseLong(g[11]) + Long.parseLong(g[12]);
            return new long[] {busy, own};
        } catch (final IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
