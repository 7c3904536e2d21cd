package io.pspf.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The driver benchmark: each workload ({@code stateless}, {@code papi-wordcount}) on Kafka Streams' own
 * TopologyTestDriver and on PSPF's, one fresh JVM ({@link EngineRun}) per engine and workload, then the engines'
 * outputs are compared and a table with the ratio pspf/kafka is printed.
 *
 * <p>Run it with {@code bash bench/run.sh driver [N]} (see bench/README.md); directly:
 * <pre>
 * java -cp bench/target/classes:bench/target/lib/* -Dbench.java.opts="-Xmx2g" io.pspf.bench.DriverBench \
 *     [N=1000000] [--runs 3] [--engines kafka-inmem,kafka,pspf] [--workloads stateless,papi-wordcount,wordcount,windowed-count,stream-table-join,windowed-floor] [--store-logging true] [--gate]
 * </pre>
 *
 * <p>stdout: the children's progress lines, then, once every engine of a workload has finished and their warm-up
 * outputs agree, exactly one {@code RESULT workload=.. engine=.. records_per_s=..} line per measurement, then the
 * table. Exit status 1 if a run failed or the engines' outputs differ (the workload's RESULT lines are then withheld).
 */
public final class DriverBench {
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

    private DriverBench() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        int n = 1_000_000;
        int runs = 3;
        List<String> engines = List.of("kafka-inmem", "kafka", "pspf");
        List<String> workloads = List.of("stateless", "papi-wordcount", "wordcount", "windowed-count", "stream-table-join", "windowed-floor");
        String storeLogging = "true";
        boolean gate = false;
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            final String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--runs": runs = Integer.parseInt(v); i++; break;
                case "--engines": engines = Arrays.asList(v.split(",")); i++; break;
                case "--workloads": workloads = Arrays.asList(v.split(",")); i++; break;
                case "--store-logging": storeLogging = Boolean.toString(Boolean.parseBoolean(v)); i++; break;
                case "--gate": gate = true; break;
                default:
                    if (a.matches("[0-9_]+")) {
                        n = Integer.parseInt(a.replace("_", ""));
                    } else {
                        System.err.println("usage: DriverBench [N] [--runs R] [--engines kafka-inmem,kafka,pspf] "
                            + "[--workloads stateless,papi-wordcount,wordcount,windowed-count,stream-table-join,windowed-floor] [--store-logging true|false] [--gate]");
                        System.exit(2);
                    }
            }
        }
        for (final String w : workloads) {
            Workload.of(w);
        }
        for (final String e : engines) {
            Engine.of(e);
        }
        final String javaOpts = System.getProperty("bench.java.opts", "-Xmx2g").trim();
        System.out.printf("driver benchmark: N=%d runs=%d engines=%s workloads=%s storeLogging=%s gate=%s jvm=[%s] java=%s%n",
            n, runs, engines, workloads, storeLogging, gate, javaOpts, System.getProperty("java.version"));

        final Map<String, Map<String, Child>> byWorkload = new LinkedHashMap<>();
        final List<String> failures = new ArrayList<>();
        for (final String w : workloads) {
            final Map<String, Child> children = new LinkedHashMap<>();
            byWorkload.put(w, children);
            for (final String e : engines) {
                final Child c = runChild(javaOpts, e, w, n, runs, storeLogging, gate);
                children.put(e, c);
                if (c.exit != 0) {
                    failures.add(w + "/" + e + ": exit status " + c.exit);
                }
            }
            // the engines must agree on the warm-up output (each run is also checked against the oracle)
            String reference = null;
            String referenceEngine = null;
            for (final Map.Entry<String, Child> ce : children.entrySet()) {
                final String digest = ce.getValue().check;
                if (digest == null) {
                    continue;
                }
                if (reference == null) {
                    reference = digest;
                    referenceEngine = ce.getKey();
                } else if (!reference.equals(digest)) {
                    failures.add(w + ": outputs differ: " + referenceEngine + " [" + reference + "] vs "
                        + ce.getKey() + " [" + digest + "]");
                    for (final Child c : children.values()) {
                        c.result = null;
                    }
                }
            }
        }

        System.out.println();
        for (final Map<String, Child> children : byWorkload.values()) {
            for (final Child c : children.values()) {
                if (c.exit == 0 && c.result != null) {
                    System.out.println(c.result);
                }
            }
        }
        printTable(byWorkload, engines, n);
        if (!failures.isEmpty()) {
            System.out.flush();
            System.err.println();
            System.err.println("DRIVER BENCHMARK FAILED:");
            for (final String f : failures) {
                System.err.println("  " + f);
            }
            System.exit(1);
        }
    }

    static final class Child {
        int exit = -1;
        String check;
        String result;
        long rate = -1;
        long rssMb = -1;
        long liveHeapMb = -1;
        long peakHeapMb = -1;
        String runs = "";
    }

    /** {@code java} with the given options and run.sh's logging settings: the start of a measuring JVM's command. */
    static List<String> javaCommand(final String javaOpts) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        if (!javaOpts.isEmpty()) {
            cmd.addAll(Arrays.asList(javaOpts.split("\\s+")));
        }
        for (final String p : System.getProperties().stringPropertyNames()) {
            if (p.startsWith("org.slf4j.")) { // logging settings of run.sh
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        return cmd;
    }

    static Child runChild(final String javaOpts, final String engine, final String workload, final int n,
                          final int runs, final String storeLogging, final boolean gate) throws Exception {
        final List<String> cmd = javaCommand(javaOpts);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineRun.class.getName(),
            "--engine", engine, "--workload", workload, "--records", Integer.toString(n),
            "--runs", Integer.toString(runs), "--store-logging", storeLogging));
        if (gate) {
            cmd.add("--gate");
        }
        System.out.printf("%n== %s on %s (fresh JVM)%n", workload, engine);
        System.out.flush();
        final Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final Child c = new Child();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    c.result = line; // printed at the end, once the engines' outputs are known to agree
                    final Map<String, String> f = fields(line);
                    c.rate = Long.parseLong(f.get("records_per_s"));
                    continue;
                }
                System.out.println("  " + line);
                if (line.startsWith("CHECK ")) {
                    c.check = line.substring(line.indexOf(" n=") + 1);
                } else if (line.startsWith("SUMMARY ")) {
                    final Map<String, String> f = fields(line);
                    c.rssMb = Long.parseLong(f.getOrDefault("peakRssMB", "-1"));
                    c.liveHeapMb = Long.parseLong(f.getOrDefault("liveHeapMB", "-1"));
                    c.peakHeapMb = Long.parseLong(f.getOrDefault("peakHeapMB", "-1"));
                    c.runs = f.getOrDefault("runs", "");
                }
            }
        }
        c.exit = p.waitFor();
        System.out.flush();
        return c;
    }

    static Map<String, String> fields(final String line) {
        final Map<String, String> m = new LinkedHashMap<>();
        final Matcher matcher = FIELD.matcher(line);
        while (matcher.find()) {
            m.put(matcher.group(1), matcher.group(2));
        }
        return m;
    }

    static void printTable(final Map<String, Map<String, Child>> byWorkload, final List<String> engines, final int n) {
        System.out.println();
        System.out.printf("TopologyTestDriver throughput, N=%,d records, median of the timed runs%n", n);
        System.out.println("records/s (heap in MB: most live after a collection / most in use before one / peak RSS)");
        final StringBuilder header = new StringBuilder(String.format("%-16s", "workload"));
        for (final String e : engines) {
            header.append(String.format(" %30s", e));
        }
        final List<String> baselines = new ArrayList<>();
        if (engines.contains("pspf")) {
            for (final String e : engines) {
                if (e.startsWith("kafka")) {
                    baselines.add(e);
                    header.append(String.format(" %18s", "pspf/" + e));
                }
            }
        }
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (final Map.Entry<String, Map<String, Child>> we : byWorkload.entrySet()) {
            final StringBuilder row = new StringBuilder(String.format("%-16s", we.getKey()));
            for (final String e : engines) {
                final Child c = we.getValue().get(e);
                final boolean ok = c != null && c.exit == 0 && c.result != null;
                row.append(String.format(" %30s", ok
                    ? String.format("%,d (%d/%d/%d)", c.rate, c.liveHeapMb, c.peakHeapMb, c.rssMb) : "FAILED"));
            }
            for (final String baseline : baselines) {
                final Child k = we.getValue().get(baseline);
                final Child p = we.getValue().get("pspf");
                final boolean ok = k.result != null && p.result != null && k.exit == 0 && p.exit == 0 && k.rate > 0;
                row.append(String.format(" %18s", ok ? String.format("%.2fx", (double) p.rate / k.rate) : "-"));
            }
            System.out.println(row);
        }
    }
}
