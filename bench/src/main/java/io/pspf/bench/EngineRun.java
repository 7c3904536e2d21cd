package io.pspf.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.kafka.streams.StreamsConfig;

/**
 * Measures one engine on one workload in this JVM: a warm-up run with N/5 records, then R timed runs with N
 * records (each on a fresh driver); prints the median as a {@code RESULT} line. Every run's output is compared
 * with the expected output ({@link Workload#expected}); any difference fails the run (exit status 3) before a
 * {@code RESULT} line is printed. With {@code --gate} each timed run waits for a quiet machine and is repeated
 * (at most 4 attempts) if other processes used 10% of a core or more during it (see {@link Gate}). The warm-up's digest is printed as a {@code CHECK} line, which
 * {@link DriverBench} compares between the engines.
 *
 * <p>Usually started by {@link DriverBench}; on its own (e.g. to profile one engine):
 * <pre>
 * java -Xmx2g -cp bench/target/classes:bench/target/lib/* io.pspf.bench.EngineRun \
 *     --engine pspf --workload papi-wordcount [--records 1000000] [--runs 3] [--store-logging true] [--gate]
 * </pre>
 */
public final class EngineRun {
    /** Output is read every this many input records (as the Kafka baseline does), which keeps memory bounded. */
    static final int DRAIN_EVERY = 1000;

    private EngineRun() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        String engineName = null;
        String workloadName = null;
        int n = 1_000_000;
        int runs = 3;
        boolean storeLogging = true;
        boolean gate = false;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            final String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--engine": engineName = v; i++; break;
                case "--workload": workloadName = v; i++; break;
                case "--records": n = Integer.parseInt(v); i++; break;
                case "--runs": runs = Integer.parseInt(v); i++; break;
                case "--store-logging": storeLogging = Boolean.parseBoolean(v); i++; break;
                case "--gate": gate = true; break;
                default:
                    System.err.println("usage: EngineRun --engine kafka|pspf --workload stateless|papi-wordcount "
                        + "[--records N] [--runs R] [--store-logging true|false] [--gate]");
                    System.exit(2);
            }
        }
        if (engineName == null || workloadName == null || n < 1 || runs < 1) {
            System.err.println("EngineRun: --engine and --workload are required; N and R must be positive");
            System.exit(2);
        }
        final Engine engine = Engine.of(engineName);
        final Workload workload = Workload.of(workloadName);
        final String tag = "workload=" + workload.id + " engine=" + engine.name();

        final Data data = new Data(n);
        final int warmN = Math.max(1, n / 5);
        final Data warmData = new Data(warmN);
        final Check expectedWarm = workload.expected(warmData);
        final Check expected = workload.expected(data);

        final HeapWatch heap = new HeapWatch();
        final Outcome warm = runOnce(engine, workload, warmData, storeLogging);
        report("warmup", tag, warm);
        System.out.println("CHECK " + tag + " n=" + warmN + " " + warm.check.digest());
        verify(tag, "warm-up", warm.check, expectedWarm);

        final double[] rates = new double[runs];
        final Gate g = gate ? new Gate() : null;
        System.gc();
        heap.reset();
        for (int r = 0; r < runs; r++) {
            Outcome o = null;
            for (int attempt = 1; attempt <= 4; attempt++) {
                if (g != null) {
                    System.out.println("        " + g.waitQuiet());
                }
                System.gc();
                if (g != null) {
                    g.start();
                }
                o = runOnce(engine, workload, data, storeLogging);
                report("run " + (r + 1), tag, o);
                verify(tag, "run " + (r + 1), o.check, expected);
                if (g == null) {
                    break;
                }
                final double foreign = g.foreignSinceStart();
                final boolean contaminated = foreign >= Gate.LIMIT;
                System.out.printf("        gate: attempt %d, foreign CPU during the run %.0f%% of a core%s%n", attempt,
                    foreign * 100, contaminated ? (attempt < 4 ? " -> contaminated, retry" : " -> contaminated, kept") : "");
                if (!contaminated) {
                    break;
                }
            }
            rates[r] = o.rate;
        }
        final double[] sorted = rates.clone();
        Arrays.sort(sorted);
        final double median = sorted[sorted.length / 2];
        System.out.printf("SUMMARY %s n=%d runs=%s median=%.0f min=%.0f max=%.0f storeLogging=%s java=%s peakRssMB=%d peakHeapMB=%d liveHeapMB=%d%n",
            tag, n, Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()), median, sorted[0],
            sorted[sorted.length - 1], storeLogging, System.getProperty("java.version"), vmHwmKb() >> 10, heap.peakMb(), heap.liveMb());
        System.out.printf("RESULT workload=%s engine=%s records_per_s=%d%n", workload.id, engine.name(), Math.round(median));
    }

    static final class Outcome {
        final int n;
        final Check check;
        final long drainedOther;
        final double seconds;
        final double rate;
        final double closeMs;

        Outcome(final int n, final Check check, final long drainedOther, final long nanos, final long closeNanos) {
            this.n = n;
            this.check = check;
            this.drainedOther = drainedOther;
            this.seconds = nanos / 1e9;
            this.rate = n / seconds;
            this.closeMs = closeNanos / 1e6;
        }
    }

    static Outcome runOnce(final Engine engine, final Workload workload, final Data data, final boolean storeLogging)
        throws IOException {
        final Path stateDir = Files.createTempDirectory("pspf-bench-state-");
        final Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + workload.id);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        final Check check = new Check();
        long other = 0;
        final long t0;
        final long t1;
        try (Engine.Session session = engine.open(workload, config, storeLogging)) {
            if (workload == Workload.STREAM_TABLE_JOIN) {
                // the table is loaded before the clock starts: the join's stream side is measured
                for (int k = 0; k < Data.DISTINCT_KEYS; k++) {
                    session.pipeTable("key" + k, Workload.region(k), Data.T0 - 1);
                }
                other += session.drain(new Check());
            }
            t0 = System.nanoTime();
            final int n = data.n;
            for (int i = 0; i < n; i++) {
                session.pipe(data.key(i), data.value(i), data.timestamp(i));
                if ((i + 1) % DRAIN_EVERY == 0 || i == n - 1) {
                    other += session.drain(check);
                }
            }
            t1 = System.nanoTime();
        }
        final long closeNanos = System.nanoTime() - t1;
        deleteRecursively(stateDir);
        return new Outcome(data.n, check, other, t1 - t0, closeNanos);
    }

    static void report(final String what, final String tag, final Outcome o) {
        System.out.printf("%-7s %s n=%d time=%.3f s rate=%.0f rec/s %s otherTopicRecords=%d close=%.0f ms%n",
            what, tag, o.n, o.seconds, o.rate, o.check.digest(), o.drainedOther, o.closeMs);
    }

    static void verify(final String tag, final String what, final Check actual, final Check expected) {
        if (!actual.digest().equals(expected.digest())) {
            System.out.flush();
            System.err.println("MISMATCH " + tag + " " + what + ": output " + actual.digest()
                + " differs from the expected output " + expected.digest());
            System.exit(3);
        }
    }

    static long vmHwmKb() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (final IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    public static void deleteRecursively(final Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
