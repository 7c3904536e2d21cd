package io.pspf.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.Topology;

/**
 * One end-to-end measurement of {@code PspfStreams} on the file log, the counterpart of the Kafka baseline's
 * {@code E2E}; started by {@link LogBench}, one fresh JVM per step.
 *
 * <pre>
 * LogRun load &lt;dir&gt; &lt;partitions&gt; &lt;N&gt; [--fsync F] [--backend URI]
 * LogRun run  &lt;dir&gt; &lt;partitions&gt; &lt;N&gt; &lt;stateless|wordcount&gt;-&lt;alos|eos&gt;
 *             [--commit-interval-ms MS] [--rate R] [--fsync F] [--gate] [--backend URI]
 * </pre>
 *
 * <p>{@code load} writes the N records of {@link Data} (key and value; the timestamp is the send time, as Kafka's
 * producer sets it) with a {@link PspfProducer} into topic {@code input} of the log in {@code <dir>/log}, created with
 * {@code <partitions>} partitions.
 *
 * <p>{@code run} creates topic {@code output} with {@code <partitions>} partitions, starts {@code PspfStreams} on the
 * workload's topology ({@link LogTopologies}) with one stream thread and Kafka's defaults but for the guarantee (and
 * the commit interval when given), and measures from just before {@code start()}:
 * <ul>
 *   <li>output complete: a {@link PspfReader} in this JVM (sharing the log with the application) sees one output
 *       record per input whose key does not end in '7' (stateless), or latest counts per word summing to 5 x N
 *       (wordcount);</li>
 *   <li>processed: the tasks' {@code pspf-task-records-processed-count} meters (group {@code pspf-metrics}) add up
 *       to N (stateless) or N + 5 x N (wordcount: the input and the repartition topic), as Kafka's
 *       {@code process-total} does in the baseline;</li>
 *   <li>committed: the input offsets committed by the tasks ({@code metadataForLocalThreads()}) add up to N.</li>
 * </ul>
 * The run ends when all three have happened. With {@code --rate R} the input topic starts empty and a producer in this
 * JVM writes the N records at R records/s once the application is RUNNING; the clock then starts at the first send,
 * and the p99 of (read time - record timestamp) over a sample of output records is reported.
 *
 * <p>stdout: an {@code E2E} line with the details, then (on success) {@code RESULT workload=<label> engine=pspf
 * records_per_s=<n> processed_per_s=<n> [p99_ms=<n>] rss_mb=<n>}; with {@code --gate}, a {@code GATE} line with the
 * CPU other processes used during the run. Exit status 1 on failure or timeout (15 minutes).
 */
public final class LogRun {
    private static final int LOAD_BATCH = 1000;
    private static final int READ_BATCH = 10_000;
    private static final long TIMEOUT_NANOS = Duration.ofMinutes(15).toNanos();
    private static final String PROCESSED_METRIC = "pspf-task-records-processed-count";
    private static final String PSPF_GROUP = "pspf-metrics";

    private LogRun() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (args.length < 4) {
            usage();
        }
        final Path dir = Path.of(args[1]);
        final int partitions = Integer.parseInt(args[2]);
        final int n = Integer.parseInt(args[3]);
        final Options options = Options.parse(args, args[0].equals("run") ? 5 : 4);
        switch (args[0]) {
            case "load":
                load(dir, partitions, n, options);
                break;
            case "run":
                if (args.length < 5) {
                    usage();
                }
                System.exit(run(dir, partitions, n, args[4], options));
                break;
            default:
                usage();
        }
        System.exit(0);
    }

    private static void usage() {
        System.err.println("usage: LogRun load <dir> <partitions> <N> [--fsync F]\n"
            + "       LogRun run <dir> <partitions> <N> <stateless|wordcount>-<alos|eos> [--commit-interval-ms MS] "
            + "[--rate R] [--fsync F] [--gate] [--backend URI]");
        System.exit(2);
    }

    /** The options after the positional arguments. */
    private static final class Options {
        long commitIntervalMs = -1;
        double rate;
        String fsync;
        boolean gate;
        /** {@code pspf.backend} instead of the file log in {@code <dir>/log} (a {@code valkey://} server, say). */
        String backend;

        static Options parse(final String[] args, final int from) {
            final Options o = new Options();
            for (int i = from; i < args.length; i++) {
                switch (args[i]) {
                    case "--commit-interval-ms": o.commitIntervalMs = Long.parseLong(args[++i]); break;
                    case "--rate": o.rate = Double.parseDouble(args[++i]); break;
                    case "--fsync": o.fsync = args[++i]; break;
                    case "--gate": o.gate = true; break;
                    case "--backend": o.backend = args[++i]; break;
                    default: usage();
                }
            }
            return o;
        }
    }

    /** The settings every opener of the log in this JVM passes (the first opener's apply to all). */
    private static Map<String, Object> logConfig(final Path dir, final int partitions, final Options options) {
        final Map<String, Object> config = new HashMap<>();
        config.put("pspf.backend", options.backend != null ? options.backend : "log:" + dir.resolve("log"));
        config.put("pspf.topic.partitions", partitions);
        if (options.fsync != null) {
            config.put("pspf.log.fsync", options.fsync);
        }
        return config;
    }

    private static PspfProducer<String, String> producer(final Map<String, Object> config) {
        return new PspfProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Sends records [from, to) of the data set in one call, timestamps left to the producer (send time). */
    private static void send(final PspfProducer<String, String> producer, final Data data, final int from,
                             final int to) {
        final List<ProducerRecord<String, String>> batch = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            batch.add(new ProducerRecord<>(LogTopologies.INPUT, data.key(i), data.value(i)));
        }
        producer.sendAll(batch);
    }

    private static void load(final Path dir, final int partitions, final int n, final Options options) {
        final Data data = new Data(n);
        final long t0 = System.nanoTime();
        try (PspfProducer<String, String> producer = producer(logConfig(dir, partitions, options))) {
            producer.partitionsFor(LogTopologies.INPUT);
            for (int from = 0; from < n; from += LOAD_BATCH) {
                send(producer, data, from, Math.min(n, from + LOAD_BATCH));
            }
        }
        final double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("LOAD topic=%s partitions=%d n=%d time=%.2f s rate=%.0f rec/s%n", LogTopologies.INPUT,
            partitions, n, seconds, n / seconds);
    }

    /** What the output watcher has seen; written by the watcher thread, read by the main thread. */
    private static final class Watch {
        final AtomicLong progress = new AtomicLong();
        final AtomicLong records = new AtomicLong();
        final AtomicLong doneNanos = new AtomicLong();
        final long[] latencies;
        /** When each latency sample was taken (ms), for the series printed with PSPF_BENCH_SERIES=1. */
        final long[] sampledAt;
        volatile int latencyCount;
        volatile Throwable failure;

        Watch(final boolean sampleLatency) {
            latencies = new long[sampleLatency ? 1 << 20 : 0];
            sampledAt = new long[latencies.length];
        }
    }

    private static int run(final Path dir, final int partitions, final int n, final String label,
                           final Options options) throws Exception {
        final boolean wordcount;
        if (label.startsWith("wordcount-")) {
            wordcount = true;
        } else if (label.startsWith("stateless-")) {
            wordcount = false;
        } else {
            throw new IllegalArgumentException("workload must be stateless-* or wordcount-*: " + label);
        }
        final String guarantee;
        if (label.endsWith("-alos")) {
            guarantee = StreamsConfig.AT_LEAST_ONCE;
        } else if (label.endsWith("-eos")) {
            guarantee = StreamsConfig.EXACTLY_ONCE_V2;
        } else {
            throw new IllegalArgumentException("workload must end in -alos or -eos: " + label);
        }
        final boolean paced = options.rate > 0;
        final long expectedOut = wordcount ? (long) n * Data.WORDS_PER_VALUE : Data.statelessOutputs(n);
        final long expectedProcessed = wordcount ? n + (long) n * Data.WORDS_PER_VALUE : n;

        final Map<String, Object> logConfig = logConfig(dir, partitions, options);
        final Properties props = new Properties();
        props.putAll(logConfig);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pspf-bench-" + label);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        if (options.commitIntervalMs >= 0) {
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitIntervalMs);
        }
        final long commitMs = effectiveCommitInterval(props);
        final Topology topology = wordcount ? LogTopologies.wordCount() : LogTopologies.stateless();

        final PspfProducer<String, String> producer = producer(logConfig);
        final PspfReader<String, byte[]> reader = new PspfReader<>(logConfig, new StringDeserializer(),
            new ByteArrayDeserializer());
        producer.partitionsFor(LogTopologies.OUTPUT);
        producer.partitionsFor(LogTopologies.INPUT);
        if (!paced) {
            long loaded = 0;
            for (int p = 0; p < reader.partitions(LogTopologies.INPUT); p++) {
                loaded += reader.endOffset(LogTopologies.INPUT, p);
            }
            if (loaded != n) {
                System.err.printf("LogRun: topic %s holds %d records, expected %d%n", LogTopologies.INPUT, loaded, n);
                return 1;
            }
        }
        final Data data = paced ? new Data(n) : null;

        final Watch watch = new Watch(paced);
        // a caught-up watcher waits for output as Kafka's consumer does in its poll: on Valkey a blocking read, which
        // returns when output comes, so it may wait long; on the file log a pause, kept short
        final java.time.Duration watchWait = java.time.Duration.ofMillis(
            options.backend != null && options.backend.startsWith("valkey") ? 50 : 2);
        final Thread watcher = new Thread(() -> watchOutput(reader, partitions, wordcount, expectedOut, watchWait,
            Math.max(1, n / 200_000), watch), "output-watcher");
        watcher.setDaemon(true);

        final PspfStreams streams = new PspfStreams(topology, props);
        final AtomicLong runningNanos = new AtomicLong();
        streams.setStateListener((newState, oldState) -> {
            if (newState == PspfStreams.State.RUNNING) {
                runningNanos.compareAndSet(0, System.nanoTime());
            }
        });
        final AtomicLong firstSendNanos = new AtomicLong();
        final Thread pacedProducer = !paced ? null : new Thread(() -> {
            final long start = System.nanoTime();
            firstSendNanos.set(start);
            int i = 0;
            while (i < n && !Thread.currentThread().isInterrupted()) {
                final int due = (int) Math.min(n, (long) ((System.nanoTime() - start) / 1e9 * options.rate) + 1);
                if (due > i) {
                    send(producer, data, i, due);
                    i = due;
                }
                if (i < n) {
                    LockSupport.parkNanos(500_000);
                }
            }
        }, "paced-producer");

        final Gate gate = options.gate ? new Gate() : null;
        if (gate != null) {
            System.out.println(gate.waitQuiet());
            gate.start();
        }
        watcher.start();
        final long t0 = System.nanoTime();
        streams.start();
        long processedNanos = 0;
        long committedNanos = 0;
        long lastCommitCheck = 0;
        final long deadline = t0 + TIMEOUT_NANOS + (paced ? (long) (n / options.rate * 1e9) : 0);
        boolean failed = false;
        try {
            while (true) {
                if (System.nanoTime() > deadline) {
                    System.err.println("LogRun: TIMEOUT waiting for completion");
                    failed = true;
                    break;
                }
                Thread.sleep(20);
                final long now = System.nanoTime();
                if (pacedProducer != null && pacedProducer.getState() == Thread.State.NEW && runningNanos.get() != 0) {
                    pacedProducer.start();
                }
                if (processedNanos == 0 && processed(streams) >= expectedProcessed) {
                    processedNanos = now;
                }
                if (committedNanos == 0 && now - lastCommitCheck > 100_000_000L) {
                    lastCommitCheck = now;
                    if (committedInput(streams) >= n) {
                        committedNanos = System.nanoTime();
                    }
                }
                if (processedNanos != 0 && committedNanos != 0 && watch.doneNanos.get() != 0) {
                    break;
                }
                if (watch.failure != null) {
                    System.err.println("LogRun: reading the output failed");
                    watch.failure.printStackTrace();
                    failed = true;
                    break;
                }
                final PspfStreams.State state = streams.state();
                if (state == PspfStreams.State.ERROR || state == PspfStreams.State.PENDING_ERROR
                    || state == PspfStreams.State.NOT_RUNNING) {
                    System.err.println("LogRun: PspfStreams stopped in state " + state);
                    failed = true;
                    break;
                }
            }
        } finally {
            final long hwmKb = EngineRun.vmHwmKb();
            final double foreign = gate == null ? -1 : gate.foreignSinceStart();
            final long outputNanos = watch.doneNanos.get();
            if (pacedProducer != null) {
                pacedProducer.interrupt();
                pacedProducer.join(10_000);
            }
            final long closeStart = System.nanoTime();
            if (!streams.close(Duration.ofSeconds(60))) {
                System.err.println("LogRun: PspfStreams did not close within 60 s");
                failed = true;
            }
            final double closeSeconds = (System.nanoTime() - closeStart) / 1e9;
            streams.cleanUp();
            watcher.interrupt();
            watcher.join(5000);
            reader.close();
            producer.close();

            final long base = paced ? firstSendNanos.get() : t0;
            String p99 = "";
            final int sampled = watch.latencyCount;
            if (sampled > 0 && "1".equals(System.getenv("PSPF_BENCH_SERIES"))) {
                printLatencySeries(watch, sampled);
            }
            if (sampled > 0) {
                final long[] sorted = Arrays.copyOf(watch.latencies, sampled);
                Arrays.sort(sorted);
                p99 = " p99_ms=" + sorted[(int) Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
            }
            System.out.printf("E2E workload=%s engine=pspf guarantee=%s partitions=%d n=%d commit.interval.ms=%d "
                    + "fsync=%s rate=%s java=%s startupToRunning=%.2f s processed=%.2f s committed(input)=%.2f s "
                    + "outputComplete=%.2f s rate_processed=%.0f rec/s rate_committed=%.0f rec/s "
                    + "rate_output=%.0f rec/s outputProgress=%d/%d outputRecords=%d close=%.2f s vmHWM_MB=%d%s%n",
                label, guarantee, partitions, n, commitMs, options.fsync == null ? "default" : options.fsync,
                paced ? String.format("%.0f", options.rate) : "preloaded", System.getProperty("java.version"),
                seconds(runningNanos.get(), t0), seconds(processedNanos, base), seconds(committedNanos, base),
                seconds(outputNanos, base), rate(n, processedNanos, base), rate(n, committedNanos, base),
                rate(n, outputNanos, base), watch.progress.get(), expectedOut, watch.records.get(), closeSeconds,
                hwmKb >> 10, p99.isEmpty() ? "" : " e2e_latency" + p99);
            if (gate != null) {
                System.out.printf("GATE foreign_cpu_pct=%.0f%n", foreign * 100);
            }
            if (!failed && outputNanos != 0 && processedNanos != 0) {
                if (watch.progress.get() > expectedOut) {
                    System.err.println("LogRun: WARNING output exceeds the expected total (duplicates?)");
                }
                System.out.printf("RESULT workload=%s engine=pspf records_per_s=%d processed_per_s=%d%s%s%n", label,
                    Math.round(rate(n, outputNanos, base)), Math.round(rate(n, processedNanos, base)), p99,
                    hwmKb > 0 ? " rss_mb=" + (hwmKb >> 10) : "");
            } else {
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    /** The commit interval the application runs with: the one given, else Kafka's default for the guarantee. */
    private static long effectiveCommitInterval(final Properties props) {
        final Properties check = new Properties();
        check.putAll(props);
        check.putIfAbsent(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return new StreamsConfig(check).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    }

    /** Records processed by all tasks, from the Micrometer meters that {@code metrics()} shows. */
    private static double processed(final PspfStreams streams) {
        double processed = 0;
        for (final Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            if (e.getKey().name().equals(PROCESSED_METRIC) && e.getKey().group().equals(PSPF_GROUP)) {
                processed += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return processed;
    }

    /** The sum of the input offsets the tasks have committed. */
    private static long committedInput(final PspfStreams streams) {
        long committed = 0;
        for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (final TaskMetadata task : thread.activeTasks()) {
                for (final Map.Entry<TopicPartition, Long> e : task.committedOffsets().entrySet()) {
                    if (e.getKey().topic().equals(LogTopologies.INPUT)) {
                        committed += e.getValue();
                    }
                }
            }
        }
        return committed;
    }

    /**
     * Reads every output partition from its start until the output is complete (or the thread is interrupted),
     * keeping the latest count per word for the word count and sampling latencies when {@code watch} has room.
     */
    private static void watchOutput(final PspfReader<String, byte[]> reader, final int partitions,
                                    final boolean wordcount, final long expectedOut, final java.time.Duration wait,
                                    final int sampleEvery,
                                    final Watch watch) {
        final LongDeserializer longs = new LongDeserializer();
        final Map<String, Long> latest = new HashMap<>();
        final long[] next = new long[partitions];
        long progress = 0;
        long count = 0;
        try {
            while (!Thread.currentThread().isInterrupted() && watch.doneNanos.get() == 0) {
                int read = 0;
                for (int p = 0; p < partitions; p++) {
                    final List<ConsumerRecord<String, byte[]>> records =
                        reader.read(LogTopologies.OUTPUT, p, next[p], READ_BATCH);
                    final long nowMs = System.currentTimeMillis();
                    for (final ConsumerRecord<String, byte[]> r : records) {
                        count++;
                        if (wordcount) {
                            final long value = longs.deserialize(LogTopologies.OUTPUT, r.value());
                            final Long previous = latest.put(r.key(), value);
                            progress += value - (previous == null ? 0 : previous);
                        } else {
                            progress++;
                        }
                        final int sampled = watch.latencyCount;
                        if (count % sampleEvery == 0 && sampled < watch.latencies.length) {
                            watch.latencies[sampled] = nowMs - r.timestamp();
                            watch.sampledAt[sampled] = nowMs;
                            watch.latencyCount = sampled + 1;
                        }
                    }
                    if (!records.isEmpty()) {
                        next[p] = records.get(records.size() - 1).offset() + 1;
                        read += records.size();
                    }
                }
                watch.records.set(count);
                watch.progress.set(progress);
                if (progress >= expectedOut) {
                    watch.doneNanos.set(System.nanoTime());
                } else if (read == 0) {
                    // caught up: wait for more output
                    final Map<Integer, Long> positions = new HashMap<>();
                    for (int p = 0; p < partitions; p++) {
                        positions.put(p, next[p]);
                    }
                    reader.awaitRecords(LogTopologies.OUTPUT, positions, wait);
                }
            }
        } catch (final RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) {
                watch.failure = e;
            }
        }
    }

    /** p50, p99 and max of the latency samples per second of the run (to tell warm-up, pauses and steady state apart). */
    private static void printLatencySeries(final Watch watch, final int sampled) {
        final long first = watch.sampledAt[0];
        final Map<Long, List<Long>> perSecond = new java.util.TreeMap<>();
        for (int i = 0; i < sampled; i++) {
            perSecond.computeIfAbsent((watch.sampledAt[i] - first) / 1000, k -> new java.util.ArrayList<>())
                .add(watch.latencies[i]);
        }
        perSecond.forEach((second, values) -> {
            values.sort(null);
            System.out.printf("SERIES second=%d samples=%d p50_ms=%d p99_ms=%d max_ms=%d%n", second, values.size(),
                values.get(values.size() / 2), values.get((int) Math.min(values.size() - 1,
                    Math.ceil(0.99 * values.size()) - 1)), values.get(values.size() - 1));
        });
    }

    private static double seconds(final long nanos, final long base) {
        return nanos == 0 ? -1 : (nanos - base) / 1e9;
    }

    private static double rate(final long n, final long nanos, final long base) {
        return nanos == 0 ? -1 : n / ((nanos - base) / 1e9);
    }
}
