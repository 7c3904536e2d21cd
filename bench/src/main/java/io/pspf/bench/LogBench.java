package io.pspf.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-to-end benchmark on the file log: for each workload ({@code stateless-alos}, {@code stateless-eos},
 * {@code wordcount-alos}, {@code wordcount-eos}) and engine, R measurements, each in fresh JVMs, then one
 * {@code RESULT} line per (workload, engine) with the median of the runs and a table of pspf/kafka ratios against
 * the goals.
 *
 * <ul>
 *   <li>{@code pspf}: a fresh log directory per measurement; one JVM loads the input ({@link LogRun} {@code load},
 *       skipped with {@code --rate}), another runs {@code PspfStreams} to completion ({@link LogRun} {@code run}).</li>
 *   <li>{@code kafka}: the Kafka baseline's own tool, {@code <baseline>/run.sh e2e ...}, which starts a single-node
 *       broker on this machine, loads the input, runs Kafka Streams to completion and prints its RESULT line.</li>
 * </ul>
 *
 * <p>Run it with {@code bash bench/run.sh log [N] [options]} (see bench/README.md). System properties set by
 * run.sh: {@code bench.java.opts} (the measuring JVMs' options), {@code bench.log.base} (where the log directories
 * go), {@code bench.kafka.baseline} (the baseline's directory). Environment passed to the baseline: {@code KB_WORK}
 * (a temporary directory of this run when unset), {@code KB_MVN_OPTS} ({@code -o} when unset), and the rest as is.
 */
public final class LogBench {
    static final List<String> WORKLOADS = List.of("stateless-alos", "stateless-eos", "wordcount-alos", "wordcount-eos");
    /** Valkey only: the server's own XADD rate, measured with redis-benchmark. */
    static final String XADD = "xadd";
    static final List<String> ENGINES = List.of("pspf", "kafka");
    private static final int GATE_ATTEMPTS = 4;

    private LogBench() {
    }

    /** The command line. */
    static final class Settings {
        int n = 1_000_000;
        int runs = 1;
        List<String> engines = ENGINES;
        List<String> workloads = WORKLOADS;
        long commitIntervalMs = -1;
        int partitions = 4;
        long rate;
        String fsync;
        boolean gate;
        /** Where PSPF's topics live: {@code log} (the file log) or {@code valkey} (a server started per measurement). */
        String backend = "log";
        /** Valkey: the server keeps an append-only file ({@code appendfsync everysec}). */
        boolean aof;
    }

    /** The measurements of one (workload, engine). */
    static final class Outcome {
        final List<Map<String, String>> results = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        String rawResult;
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        final Settings s = parse(args);
        final String javaOpts = System.getProperty("bench.java.opts", "-Xmx1g").trim();
        final Path logBase = Path.of(System.getProperty("bench.log.base", System.getProperty("java.io.tmpdir")));
        final Path baseline = Path.of(System.getProperty("bench.kafka.baseline", "/work/shared/kafka-baseline"));
        System.out.printf("log benchmark: N=%d runs=%d engines=%s workloads=%s partitions=%d commit.interval.ms=%s "
                + "rate=%s fsync=%s gate=%s jvm=[%s] java=%s%n", s.n, s.runs, s.engines, s.workloads, s.partitions,
            s.commitIntervalMs < 0 ? "default" : Long.toString(s.commitIntervalMs),
            s.rate > 0 ? Long.toString(s.rate) : "preloaded", s.fsync == null ? "default" : s.fsync, s.gate, javaOpts,
            System.getProperty("java.version"));

        Path kbWork = null;
        boolean ownKbWork = false;
        if (s.engines.contains("kafka")) {
            final String env = System.getenv("KB_WORK");
            if (env == null || env.isBlank()) {
                kbWork = Files.createTempDirectory(logBase, "pspf-bench-kb-");
                ownKbWork = true;
            } else {
                kbWork = Path.of(env);
            }
            System.out.printf("kafka baseline: %s, KB_WORK=%s, KB_MVN_OPTS=%s%n", baseline, kbWork,
                System.getenv().getOrDefault("KB_MVN_OPTS", "-o"));
        }
        final Map<String, Map<String, Outcome>> byWorkload = new LinkedHashMap<>();
        try {
            for (final String w : s.workloads) {
                final Map<String, Outcome> byEngine = new LinkedHashMap<>();
                byWorkload.put(w, byEngine);
                if (w.equals(XADD)) {
                    final Outcome o = new Outcome();
                    byEngine.put("redis-benchmark", o);
                    System.out.printf("%n== %s on redis-benchmark%n", w);
                    measureXadd(s, o);
                    continue;
                }
                for (final String e : s.engines) {
                    final Outcome o = new Outcome();
                    byEngine.put(e, o);
                    for (int r = 1; r <= s.runs; r++) {
                        System.out.printf("%n== %s on %s, run %d of %d%n", w, e, r, s.runs);
                        System.out.flush();
                        if (e.equals("pspf")) {
                            measurePspf(s, w, javaOpts, logBase, o);
                        } else {
                            measureKafka(s, w, baseline, kbWork, o);
                        }
                    }
                }
            }
        } finally {
            if (ownKbWork) {
                EngineRun.deleteRecursively(kbWork);
            }
        }

        System.out.println();
        boolean failed = false;
        for (final Map<String, Outcome> byEngine : byWorkload.values()) {
            for (final Map.Entry<String, Outcome> e : byEngine.entrySet()) {
                final Outcome o = e.getValue();
                if (!o.failures.isEmpty()) {
                    failed = true;
                } else {
                    System.out.println(o.results.size() == 1 ? o.rawResult : medianLine(o));
                }
            }
        }
        printTable(s, byWorkload);
        if (failed) {
            System.out.flush();
            System.err.println();
            System.err.println("LOG BENCHMARK FAILED:");
            for (final Map.Entry<String, Map<String, Outcome>> we : byWorkload.entrySet()) {
                for (final Map.Entry<String, Outcome> e : we.getValue().entrySet()) {
                    for (final String f : e.getValue().failures) {
                        System.err.println("  " + we.getKey() + "/" + e.getKey() + ": " + f);
                    }
                }
            }
            System.exit(1);
        }
    }

    private static Settings parse(final String[] args) {
        final Settings s = new Settings();
        try {
            for (int i = 0; i < args.length; i++) {
                final String a = args[i];
                switch (a) {
                    case "--runs": s.runs = Integer.parseInt(args[++i]); break;
                    case "--engines": s.engines = Arrays.asList(args[++i].split(",")); break;
                    case "--workloads": s.workloads = Arrays.asList(args[++i].split(",")); break;
                    case "--commit-interval-ms": s.commitIntervalMs = Long.parseLong(args[++i]); break;
                    case "--partitions": s.partitions = Integer.parseInt(args[++i]); break;
                    case "--rate": s.rate = Long.parseLong(args[++i]); break;
                    case "--fsync": s.fsync = args[++i]; break;
                    case "--gate": s.gate = true; break;
                    case "--backend": s.backend = args[++i]; break;
                    case "--aof": s.aof = true; break;
                    default:
                        if (!a.matches("[0-9_]+")) {
                            throw new IllegalArgumentException("unknown argument: " + a);
                        }
                        s.n = Integer.parseInt(a.replace("_", ""));
                }
            }
            if (!s.backend.equals("log") && !s.backend.equals("valkey")) {
                throw new IllegalArgumentException("--backend log|valkey");
            }
            if (s.backend.equals("valkey") && !s.workloads.contains(XADD) && s.workloads == WORKLOADS) {
                s.workloads = new ArrayList<>(WORKLOADS);
                s.workloads.add(XADD);
            }
            final List<String> known = new ArrayList<>(WORKLOADS);
            if (s.backend.equals("valkey")) {
                known.add(XADD);
            }
            if (!ENGINES.containsAll(s.engines) || !known.containsAll(s.workloads)) {
                throw new IllegalArgumentException("engines: " + ENGINES + ", workloads: " + WORKLOADS);
            }
            if (s.n < 1 || s.runs < 1 || s.partitions < 1 || s.rate < 0) {
                throw new IllegalArgumentException("N, --runs and --partitions must be positive, --rate not negative");
            }
        } catch (final RuntimeException e) {
            System.err.println("LogBench: " + e.getMessage());
            System.err.println("usage: LogBench [N] [--runs R] [--engines pspf,kafka] [--workloads "
                + String.join(",", WORKLOADS) + "] [--commit-interval-ms MS] [--partitions P] [--rate R] "
                + "[--fsync none|commit|always] [--gate] [--backend log|valkey] [--aof]");
            System.exit(2);
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------ pspf

    /** One measurement: a fresh log directory, a loading JVM, a measuring JVM; repeated while --gate says so. */
    private static void measurePspf(final Settings s, final String workload, final String javaOpts,
                                    final Path logBase, final Outcome o) throws Exception {
        for (int attempt = 1; attempt <= (s.gate ? GATE_ATTEMPTS : 1); attempt++) {
            final Path dir = Files.createTempDirectory(logBase, "pspf-bench-log-");
            final io.pspf.connector.valkey.ValkeyServer server = s.backend.equals("valkey") ? startServer(s) : null;
            try {
                final List<String> common = new ArrayList<>(List.of(dir.toString(), Integer.toString(s.partitions),
                    Integer.toString(s.n)));
                // the options both children take: the log's fsync level, or the server to use
                final List<String> options = new ArrayList<>(s.fsync == null ? List.of() : List.of("--fsync", s.fsync));
                if (server != null) {
                    options.addAll(List.of("--backend", server.uri()));
                }
                if (s.rate == 0) {
                    final List<String> load = new ArrayList<>(List.of("load"));
                    load.addAll(common);
                    load.addAll(options);
                    final Child c = runJava(javaOpts, load);
                    if (c.exit != 0) {
                        o.failures.add("loading the input failed (exit " + c.exit + ")" + c.errorTail());
                        return;
                    }
                }
                final List<String> run = new ArrayList<>(List.of("run"));
                run.addAll(common);
                run.add(workload);
                if (s.commitIntervalMs >= 0) {
                    run.addAll(List.of("--commit-interval-ms", Long.toString(s.commitIntervalMs)));
                }
                if (s.rate > 0) {
                    run.addAll(List.of("--rate", Long.toString(s.rate)));
                }
                run.addAll(options);
                if (s.gate) {
                    run.add("--gate");
                }
                final Child c = runJava(javaOpts, run);
                if (c.exit != 0 || c.result == null) {
                    o.failures.add("PspfStreams run failed (exit " + c.exit + ")" + c.errorTail());
                    return;
                }
                final double foreign = c.gateForeignPct;
                final boolean contaminated = s.gate && foreign >= Gate.LIMIT * 100;
                if (s.gate) {
                    final String verdict = !contaminated ? ""
                        : attempt < GATE_ATTEMPTS ? " -> contaminated, retry" : " -> contaminated, kept";
                    System.out.printf("  gate: attempt %d, foreign CPU during the run %.0f%% of a core%s%n", attempt,
                        foreign, verdict);
                }
                if (!contaminated || attempt == GATE_ATTEMPTS) {
                    o.results.add(DriverBench.fields(c.result));
                    o.rawResult = c.result;
                    return;
                }
            } finally {
                if (server != null) {
                    server.close();
                }
                EngineRun.deleteRecursively(dir);
            }
        }
    }

    /** A fresh server for one measurement: no persistence, or an append-only file synced every second (--aof). */
    private static io.pspf.connector.valkey.ValkeyServer startServer(final Settings s) throws IOException {
        final io.pspf.connector.valkey.ValkeyServer server = s.aof
            ? io.pspf.connector.valkey.ValkeyServer.start("--appendonly", "yes", "--appendfsync", "everysec")
            : io.pspf.connector.valkey.ValkeyServer.start("--appendonly", "no");
        System.out.printf("  server: %s on port %d (%s)%n", io.pspf.connector.valkey.ValkeyServer.findBinary(),
            server.port(), s.aof ? "appendonly yes, appendfsync everysec" : "no persistence");
        return server;
    }

    /**
     * The server's own XADD rate on a fresh server: {@code redis-benchmark -n N -P 16 XADD ...} (50 clients, one entry
     * per command, 16 commands pipelined), the ceiling of one record per entry.
     */
    private static void measureXadd(final Settings s, final Outcome o) throws Exception {
        try (io.pspf.connector.valkey.ValkeyServer server = startServer(s)) {
            final Path binary = Path.of(io.pspf.connector.valkey.ValkeyServer.findBinary());
            final String name = binary.getFileName().toString().replace("-server", "-benchmark");
            // (7.0's redis-benchmark has no built-in xadd test, so the command is given: one entry per command with
            // a key and value field of the benchmark data's size, 16 commands pipelined per client)
            final ProcessBuilder pb = new ProcessBuilder(binary.resolveSibling(name).toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(server.port()), "-n", Integer.toString(s.n), "-P", "16", "-q", "XADD", "bench", "*",
                "key", "key-__rand_int__", "value", "x".repeat(40));
            pb.redirectErrorStream(true);
            final Process p = pb.start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            final int exit = p.waitFor();
            final java.util.regex.Matcher m = java.util.regex.Pattern
                .compile(": ([0-9.]+) requests per second").matcher(out);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            if (exit != 0 || last == null) {
                o.failures.add(name + " failed (exit " + exit + "): " + out.strip());
                return;
            }
            final String result = String.format("RESULT workload=%s engine=redis-benchmark records_per_s=%d", XADD,
                Math.round(Double.parseDouble(last)));
            System.out.println("  " + out.replace('\r', '\n').strip().lines().reduce((a, b) -> b).orElse(""));
            System.out.println("  (" + result + ")");
            o.results.add(DriverBench.fields(result));
            o.rawResult = result;
        }
    }

    /** What a child process printed that matters here. */
    static final class Child {
        int exit = -1;
        String result;
        double gateForeignPct = -1;
        final Deque<String> stderrTail = new ArrayDeque<>();

        String errorTail() {
            synchronized (stderrTail) {
                return stderrTail.isEmpty() ? "" : "; last stderr lines:\n      " + String.join("\n      ", stderrTail);
            }
        }
    }

    private static Child runJava(final String javaOpts, final List<String> args) throws Exception {
        final List<String> cmd = DriverBench.javaCommand(javaOpts);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LogRun.class.getName()));
        cmd.addAll(args);
        return runChild(new ProcessBuilder(cmd));
    }

    /**
     * Runs a child, copying its stdout (indented; RESULT lines kept back) and stderr (as is, the last lines also kept
     * for the failure report).
     */
    private static Child runChild(final ProcessBuilder pb) throws Exception {
        final Process p = pb.start();
        final Child c = new Child();
        final Thread errors = new Thread(() -> copyStderr(p.getErrorStream(), c), "child-stderr");
        errors.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    c.result = line;
                    System.out.println("  (" + line + ")");
                    continue;
                }
                System.out.println("  " + line);
                if (line.startsWith("GATE ")) {
                    c.gateForeignPct = Double.parseDouble(DriverBench.fields(line).get("foreign_cpu_pct"));
                }
            }
        }
        c.exit = p.waitFor();
        errors.join();
        System.out.flush();
        return c;
    }

    private static void copyStderr(final InputStream in, final Child c) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.err.println(line);
                synchronized (c.stderrTail) {
                    c.stderrTail.addLast(line);
                    if (c.stderrTail.size() > 12) {
                        c.stderrTail.removeFirst();
                    }
                }
            }
        } catch (final IOException e) {
            // the child is gone
        }
    }

    // ------------------------------------------------------------------------------------------------ kafka

    /** One measurement with the baseline's e2e command (which does its own --gate retries). */
    private static void measureKafka(final Settings s, final String workload, final Path baseline, final Path kbWork,
                                     final Outcome o) throws Exception {
        final String[] parts = workload.split("-");
        final List<String> cmd = new ArrayList<>(List.of("bash", baseline.resolve("run.sh").toString(), "e2e",
            parts[0], parts[1].equals("alos") ? "at_least_once" : "exactly_once_v2", Integer.toString(s.n),
            "--partitions", Integer.toString(s.partitions)));
        if (s.commitIntervalMs >= 0) {
            cmd.addAll(List.of("--commit-interval-ms", Long.toString(s.commitIntervalMs)));
        }
        if (s.rate > 0) {
            cmd.addAll(List.of("--rate", Long.toString(s.rate)));
        }
        if (s.gate) {
            cmd.add("--gate");
        }
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KB_WORK", kbWork.toString());
        pb.environment().putIfAbsent("KB_MVN_OPTS", "-o");
        final Child c = runChild(pb);
        if (c.exit != 0 || c.result == null) {
            o.failures.add("the Kafka baseline failed (exit " + c.exit + ")" + c.errorTail());
            return;
        }
        o.results.add(DriverBench.fields(c.result));
        o.rawResult = c.result;
    }

    // ------------------------------------------------------------------------------------------------ report

    /** The median of one field over the runs, -1 when no run has it. */
    static long median(final Outcome o, final String field) {
        final long[] values = o.results.stream().filter(f -> f.containsKey(field))
            .mapToLong(f -> Long.parseLong(f.get(field))).sorted().toArray();
        return values.length == 0 ? -1 : values[values.length / 2];
    }

    /** A RESULT line of the same shape with the median of each field over the runs. */
    private static String medianLine(final Outcome o) {
        final Map<String, String> first = o.results.get(0);
        final StringBuilder line = new StringBuilder("RESULT workload=" + first.get("workload") + " engine="
            + first.get("engine"));
        for (final String field : List.of("records_per_s", "processed_per_s", "p99_ms", "rss_mb")) {
            final long m = median(o, field);
            if (m >= 0) {
                line.append(' ').append(field).append('=').append(m);
            }
        }
        return line.toString();
    }

    private static void printTable(final Settings s, final Map<String, Map<String, Outcome>> byWorkload) {
        System.out.println();
        System.out.printf("End to end: %s (pspf) and a single-node Kafka broker on this machine (kafka); N=%,d, "
                + "%d partitions, commit.interval.ms=%s, %s, median of %d run(s)%n",
            s.backend.equals("valkey") ? "Valkey/Redis on this machine" + (s.aof ? " with AOF everysec" : ", no persistence")
                : "file log", s.n, s.partitions,
            s.commitIntervalMs < 0 ? "Kafka's default (30000 ALOS, 100 EOS)" : Long.toString(s.commitIntervalMs),
            s.rate > 0 ? "input produced at " + s.rate + " rec/s" : "input preloaded", s.runs);
        System.out.println("records/s until the output is complete (records/s until all are processed"
            + (s.rate > 0 ? ", p99 ms" : "") + ", peak RSS MB)");
        final String format = "%-15s %34s %34s %18s  %s%n";
        final String header = String.format(format, "workload", "kafka", "pspf", "pspf/kafka", "goal");
        System.out.print(header);
        System.out.println("-".repeat(header.length() + 24));
        for (final Map.Entry<String, Map<String, Outcome>> we : byWorkload.entrySet()) {
            if (we.getKey().equals(XADD)) {
                final Outcome raw = we.getValue().get("redis-benchmark");
                System.out.printf(format, XADD, "", raw.failures.isEmpty() && !raw.results.isEmpty()
                    ? String.format("%,d (redis-benchmark)", median(raw, "records_per_s")) : "FAILED", "", "one entry "
                    + "per command, the server's own rate");
                continue;
            }
            final Outcome kafka = we.getValue().get("kafka");
            final Outcome pspf = we.getValue().get("pspf");
            final long kRate = figure(kafka, "records_per_s");
            final long pRate = figure(pspf, "records_per_s");
            final long kProcessed = figure(kafka, "processed_per_s");
            final long pProcessed = figure(pspf, "processed_per_s");
            final String ratio = kRate > 0 && pRate > 0
                ? String.format("%.2fx (%.2fx)", (double) pRate / kRate,
                    kProcessed > 0 && pProcessed > 0 ? (double) pProcessed / kProcessed : Double.NaN)
                : "-";
            System.out.printf(format, we.getKey(), cell(kafka), cell(pspf), ratio,
                goal(s.backend, we.getKey(), pRate, kRate));
        }
        if (s.commitIntervalMs < 0 && s.workloads.contains("wordcount-alos")) {
            System.out.println("note: at_least_once with the 30 s default commit interval: wordcount's output completes"
                + " at a commit, so records/s measures the interval; compare with --commit-interval-ms 1000.");
        }
    }

    private static long figure(final Outcome o, final String field) {
        return o == null || !o.failures.isEmpty() || o.results.isEmpty() ? -1 : median(o, field);
    }

    private static String cell(final Outcome o) {
        if (o == null) {
            return "not run";
        }
        if (!o.failures.isEmpty() || o.results.isEmpty()) {
            return "FAILED";
        }
        final long p99 = median(o, "p99_ms");
        return String.format("%,d (%,d%s, %d MB)", median(o, "records_per_s"), median(o, "processed_per_s"),
            p99 >= 0 ? ", " + p99 + " ms" : "", median(o, "rss_mb"));
    }

    /** The goals, reported (not asserted). */
    private static String goal(final String backend, final String workload, final long pspf, final long kafka) {
        if (backend.equals("valkey") && workload.equals("stateless-alos")) {
            return "(no goal)";
        }
        if (workload.startsWith("stateless")) {
            final long target = workload.endsWith("-alos") ? 1_000_000 : 500_000;
            return String.format("pspf >= %,d rec/s: %s", target,
                pspf < 0 ? "-" : pspf >= target ? "met" : String.format("not met (%.0f%%)", 100.0 * pspf / target));
        }
        final String met = pspf < 0 || kafka <= 0 ? "-" : pspf >= 3 * kafka ? "met"
            : String.format("not met (%.2fx)", (double) pspf / kafka);
        return "pspf >= 3x kafka: " + met;
    }
}
