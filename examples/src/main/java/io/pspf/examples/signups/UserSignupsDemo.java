package io.pspf.examples.signups;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.streams.PspfStreams;

/**
 * The user-signups quick start: a producer and a stream processing application side by side on PSPF's embedded file
 * log, with no Kafka and nothing else to install.
 *
 * <p>One run starts the application ({@link UserSignupsTopology} on {@link PspfStreams}), produces a bounded number of
 * made-up {@link Signup}s as JSON to {@value UserSignupsTopology#SIGNUPS_TOPIC} with {@link PspfProducer} (printing the
 * partition and offset of each), follows the welcome emails and dead letters the application writes with
 * {@link PspfReader} (printing where each signup was read and where its result went) and the counts per country and
 * minute in the application's window store (an interactive query), waits until every signup is processed and
 * committed, prints the counts, closes the application and returns.
 *
 * <p>Everything lives in one directory ({@code --dir}, {@value #DEFAULT_DIR} by default): the topics in
 * {@code <dir>/log}, the application's state in {@code <dir>/state}. A second run in the same directory resumes: the
 * application starts from its committed offsets with its stored counts, so the counts include earlier runs' signups.
 *
 * <pre>
 * bash examples/run-signups.sh [--events N] [--dir PATH] [--delay-ms MS]
 * </pre>
 */
public final class UserSignupsDemo {
    /** The application id, which names the committed offsets and the state directory. */
    public static final String APPLICATION_ID = "user-signups";
    /** Where the demo keeps its topics and state unless told otherwise. */
    public static final String DEFAULT_DIR = "pspf-data/user-signups";
    /** How many signups a run produces unless told otherwise. */
    public static final int DEFAULT_EVENTS = 200;
    /**
     * The partition count of the signups topic: one. The count's one-minute windows have no grace, so a signup that
     * reaches the count after a later signup has closed its window is dropped. The application commits what each
     * task wrote as one unit, so with several input partitions the count would read the tasks' batches one after the
     * other, each going back in signup time, and drop signups near the ends of windows. With one partition the count
     * reads signups in the order they were produced, and every valid signup is counted.
     */
    public static final int SIGNUP_PARTITIONS = 1;
    /** The partition count of the topics the application creates: the welcome emails, dead letters and counts. */
    public static final int OUTPUT_PARTITIONS = 3;

    private static final String USAGE = "usage: UserSignupsDemo [--events N] [--dir PATH] [--delay-ms MS] "
        + "[--timeout-s S]\n"
        + "  --events N     signups to produce in this run (default " + DEFAULT_EVENTS + ")\n"
        + "  --dir PATH     directory of the topics and the application state (default " + DEFAULT_DIR + ");\n"
        + "                 run again with the same directory to resume\n"
        + "  --delay-ms MS  pause between two signups produced (default 10), to watch them being processed\n"
        + "  --timeout-s S  give up when the signups are not all processed after S seconds (default 120)";
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
        .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT)
        .withZone(ZoneOffset.UTC);
    /** The most windows the final table shows (the latest ones); its total row counts them all. */
    private static final int TABLE_ROWS = 12;
    private static final long LIVE_INTERVAL_MS = 1_000;

    private UserSignupsDemo() {
    }

    /**
     * What one run is asked to do.
     *
     * @param dir     the directory of the topics ({@code <dir>/log}) and the state ({@code <dir>/state})
     * @param events  how many signups to produce
     * @param delayMs the pause after each signup produced
     * @param timeout how long to wait for the signups to be processed
     */
    public record Options(Path dir, int events, long delayMs, Duration timeout) {

        /** The defaults, in {@code dir}. */
        public static Options in(final Path dir) {
            return new Options(dir, DEFAULT_EVENTS, 10, Duration.ofSeconds(120));
        }

        /**
         * The options a command line asks for.
         *
         * @throws IllegalArgumentException naming what is wrong, with the usage (also for {@code --help})
         */
        public static Options parse(final String... args) {
            Options options = in(Path.of(DEFAULT_DIR));
            for (int i = 0; i < args.length; i++) {
                final String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    throw new IllegalArgumentException(USAGE);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + flag + "\n" + USAGE);
                }
                final String value = args[++i];
                switch (flag) {
                    case "--events":
                        options = new Options(options.dir, (int) number(flag, value), options.delayMs, options.timeout);
                        break;
                    case "--dir":
                        options = new Options(Path.of(value), options.events, options.delayMs, options.timeout);
                        break;
                    case "--delay-ms":
                        options = new Options(options.dir, options.events, number(flag, value), options.timeout);
                        break;
                    case "--timeout-s":
                        options = new Options(options.dir, options.events, options.delayMs,
                            Duration.ofSeconds(number(flag, value)));
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
                }
            }
            return options;
        }

        private static long number(final String flag, final String value) {
            try {
                final long parsed = Long.parseLong(value);
                if (parsed >= 0 && parsed <= Integer.MAX_VALUE) {
                    return parsed;
                }
            } catch (final NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(flag + " needs a whole number from 0, not '" + value + "'\n" + USAGE);
        }
    }

    /**
     * The count of valid signups from one country in one window, as the application's store holds it.
     *
     * @param country     the country code
     * @param windowStart the window's start; it ends {@link UserSignupsTopology#WINDOW} later
     * @param count       the signups counted
     */
    public record WindowCount(String country, Instant windowStart, long count) {
    }

    /**
     * What a run did.
     *
     * @param signupsBefore      signups already in the input topic when the run began (from earlier runs)
     * @param welcomedBefore     welcome emails already written when the run began
     * @param deadLetteredBefore dead letters already written when the run began
     * @param produced           the signups this run produced, in order
     * @param welcomed           welcome emails written during this run
     * @param deadLettered       dead letters written during this run
     * @param counts             every window count in the store at the end of the run, by window then country
     */
    public record Summary(long signupsBefore, long welcomedBefore, long deadLetteredBefore, List<Signup> produced,
                          long welcomed, long deadLettered, List<WindowCount> counts) {

        /** Whether the run continued a directory that earlier runs had written to. */
        public boolean resumed() {
            return signupsBefore > 0;
        }
    }

    /** Runs the demo with the command line's options; exits with 2 on bad options, 1 when the run fails. */
    public static void main(final String[] args) {
        final Options options;
        try {
            options = Options.parse(args);
        } catch (final IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            run(options, System.out);
        } catch (final TimeoutException | RuntimeException e) {
            System.err.println("user-signups demo failed: " + e);
            System.exit(1);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    /** The application's configuration: the file log and the state in {@code dir}, exactly-once processing. */
    public static Properties streamsConfig(final Path dir) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put("pspf.backend", "log:" + dir.resolve("log"));
        props.put("pspf.topic.partitions", OUTPUT_PARTITIONS);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        return props;
    }

    /** The producer's and the readers' configuration: the same file log; the producer creates the signups topic. */
    public static Map<String, Object> clientConfig(final Path dir) {
        return Map.of("pspf.backend", "log:" + dir.resolve("log"), "pspf.topic.partitions", SIGNUP_PARTITIONS);
    }

    /**
     * Runs the demo once, printing to {@code out}, and returns once every signup in the input topic is processed and
     * committed and the application is closed.
     *
     * @throws TimeoutException when the signups are not all processed within the options' timeout
     * @throws IllegalStateException when the application fails
     */
    public static Summary run(final Options options, final PrintStream out)
        throws InterruptedException, TimeoutException {
        final Path dir = options.dir();
        final Map<String, Object> clientConfig = clientConfig(dir);
        final JsonSerde<Signup> signupSerde = JsonSerde.of(Signup.class);
        out.printf("PSPF user-signups demo: topics in %s, state in %s, %s%n", dir.resolve("log"), dir.resolve("state"),
            StreamsConfig.EXACTLY_ONCE_V2);
        try (PspfReader<String, Signup> signupReader = new PspfReader<>(clientConfig, Serdes.String().deserializer(),
                 signupSerde.deserializer());
             PspfReader<String, WelcomeEmail> welcomeReader = new PspfReader<>(clientConfig,
                 Serdes.String().deserializer(), JsonSerde.of(WelcomeEmail.class).deserializer());
             PspfProducer<String, Signup> producer = new PspfProducer<>(clientConfig, Serdes.String().serializer(),
                 signupSerde.serializer())) {
            final long signupsBefore = TopicTail.total(signupReader, UserSignupsTopology.SIGNUPS_TOPIC);
            final long welcomedBefore = TopicTail.total(welcomeReader, UserSignupsTopology.WELCOME_TOPIC);
            final long deadBefore = TopicTail.total(signupReader, UserSignupsTopology.DLQ_TOPIC);
            printResumed(out, signupsBefore, welcomedBefore, deadBefore);
            final Progress progress = new Progress(out,
                new TopicTail<>(welcomeReader, UserSignupsTopology.WELCOME_TOPIC),
                new TopicTail<>(signupReader, UserSignupsTopology.DLQ_TOPIC), welcomedBefore + deadBefore);
            // created here, before the application would create it with the outputs' partition count
            producer.partitionsFor(UserSignupsTopology.SIGNUPS_TOPIC);

            final AtomicLong restored = new AtomicLong();
            final PspfStreams streams = new PspfStreams(UserSignupsTopology.build(), streamsConfig(dir));
            try {
                streams.setStateListener((newState, oldState) -> out.printf("application: %s -> %s%n", oldState,
                    newState));
                streams.setGlobalStateRestoreListener(new RestoreCounter(restored));
                streams.setUncaughtExceptionHandler(failure -> {
                    out.println("application failed: " + failure);
                    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
                });
                streams.start();
                progress.follow(streams);

                final long lastTime = TopicTail.lastTimestamp(signupReader, UserSignupsTopology.SIGNUPS_TOPIC);
                final SignupGenerator generator = new SignupGenerator(signupsBefore + 1,
                    Math.max(System.currentTimeMillis() / 1000 * 1000, lastTime + SignupGenerator.STEP_MS));
                final List<Signup> produced = produce(options, out, producer, generator, progress);
                final long signupsTotal = TopicTail.total(signupReader, UserSignupsTopology.SIGNUPS_TOPIC);
                progress.awaitAll(signupsTotal, options.timeout());
                if (restored.get() > 0) {
                    out.printf("(state restored from changelogs at start-up: %d records)%n", restored.get());
                }

                final List<WindowCount> counts = queryCounts(streams);
                printTable(out, counts);
                out.printf("This run: %d signups produced; %d welcome emails and %d dead letters written%s.%n",
                    produced.size(), progress.welcomed, progress.deadLettered, progress.reasons());
                out.printf("All runs: %d signups, %d welcome emails, %d dead letters. Run again with --dir %s to add "
                    + "more.%n", signupsTotal, welcomedBefore + progress.welcomed, deadBefore + progress.deadLettered,
                    dir);
                return new Summary(signupsBefore, welcomedBefore, deadBefore, produced, progress.welcomed,
                    progress.deadLettered, counts);
            } finally {
                if (!streams.close(Duration.ofSeconds(30))) {
                    out.println("application did not close within 30 s");
                }
            }
        }
    }

    private static void printResumed(final PrintStream out, final long signupsBefore, final long welcomedBefore,
                                     final long deadBefore) {
        if (signupsBefore == 0) {
            out.println("Fresh start: no signups yet.");
            return;
        }
        final long pending = signupsBefore - welcomedBefore - deadBefore;
        out.printf("Resuming: %s already holds %d signups from earlier runs (%d welcomed, %d dead-lettered%s);%n"
                + "  the application continues from its committed offsets and stored counts.%n",
            UserSignupsTopology.SIGNUPS_TOPIC, signupsBefore, welcomedBefore, deadBefore,
            pending > 0 ? ", " + pending + " not processed yet" : "");
    }

    /** Produces the run's signups one by one, printing where each was stored and what the application did so far. */
    private static List<Signup> produce(final Options options, final PrintStream out,
                                        final PspfProducer<String, Signup> producer, final SignupGenerator generator,
                                        final Progress progress) throws InterruptedException {
        final JsonSerde<Signup> serde = JsonSerde.of(Signup.class);
        final List<Signup> produced = new ArrayList<>(options.events());
        for (int i = 0; i < options.events(); i++) {
            final Signup signup = generator.next();
            if (i == 0) {
                out.printf("Producing %d signups to %s, simulated signup times from %s UTC, %d s apart%n",
                    options.events(), UserSignupsTopology.SIGNUPS_TOPIC, MINUTE.format(Instant.ofEpochMilli(signup.signedUpAt())),
                    SignupGenerator.STEP_MS / 1000);
            }
            final RecordMetadata stored = producer.send(new ProducerRecord<>(UserSignupsTopology.SIGNUPS_TOPIC, null,
                signup.signedUpAt(), signup.userId(), signup));
            produced.add(signup);
            progress.produced++;
            out.printf("produced  %-18s %s%n", position(stored.topic(), stored.partition(), stored.offset()),
                new String(serde.serializer().serialize(stored.topic(), signup), StandardCharsets.UTF_8));
            if (options.delayMs() > 0) {
                Thread.sleep(options.delayMs());
                progress.poll();
            } else if (i % 50 == 49) {
                progress.poll();
            }
        }
        return List.copyOf(produced);
    }

    /** Follows the application's outputs and progress, printing as it goes. */
    private static final class Progress {
        private final PrintStream out;
        private final TopicTail<String, WelcomeEmail> welcomes;
        private final TopicTail<String, Signup> deadLetters;
        private final long processedBefore;
        private final SortedMap<String, Long> reasons = new TreeMap<>();
        private PspfStreams streams;
        private long produced;
        private long welcomed;
        private long deadLettered;
        private long lastLiveMs;

        /**
         * @param processedBefore the welcome emails and dead letters written before the run: the signups processed
         */
        Progress(final PrintStream out, final TopicTail<String, WelcomeEmail> welcomes,
                 final TopicTail<String, Signup> deadLetters, final long processedBefore) {
            this.out = out;
            this.welcomes = welcomes;
            this.deadLetters = deadLetters;
            this.processedBefore = processedBefore;
        }

        /** Starts following the application's state and store. */
        void follow(final PspfStreams application) {
            this.streams = application;
            this.lastLiveMs = System.currentTimeMillis();
        }

        /**
         * Prints the outputs written since the last poll, in the order their signups were read, and the live counts
         * once a second.
         */
        void poll() {
            final SortedMap<String, String> lines = new TreeMap<>();
            for (final ConsumerRecord<String, WelcomeEmail> record : welcomes.poll()) {
                welcomed++;
                lines.put(sortKey(record), String.format("processed %-18s -> %-22s %s  welcome %s (%s)",
                    source(record), position(record.topic(), record.partition(), record.offset()), record.key(),
                    record.value().to(), record.value().country()));
            }
            for (final ConsumerRecord<String, Signup> record : deadLetters.poll()) {
                deadLettered++;
                final String reason = UserSignupsTopology.header(record.headers(), UserSignupsTopology.REASON_HEADER);
                reasons.merge(reason == null ? "?" : reason.replaceAll(" '.*'$", ""), 1L, Long::sum);
                lines.put(sortKey(record), String.format("processed %-18s -> %-22s %s  rejected: %s", source(record),
                    position(record.topic(), record.partition(), record.offset()), record.key(), reason));
            }
            lines.values().forEach(out::println);
            final long now = System.currentTimeMillis();
            if (now - lastLiveMs >= LIVE_INTERVAL_MS) {
                lastLiveMs = now;
                printLive();
            }
        }

        /** Orders outputs by where their signups were read (and then by where they went). */
        private static String sortKey(final ConsumerRecord<?, ?> record) {
            return String.format(Locale.ROOT, "%10s %20s %s",
                UserSignupsTopology.header(record.headers(), UserSignupsTopology.SOURCE_PARTITION_HEADER),
                UserSignupsTopology.header(record.headers(), UserSignupsTopology.SOURCE_OFFSET_HEADER),
                position(record.topic(), record.partition(), record.offset()));
        }

        /**
         * Polls until every signup of the input topic has its welcome email or dead letter and the application has
         * committed all it read (input and repartition topics alike), so that the counts are final.
         */
        void awaitAll(final long signupsTotal, final Duration timeout) throws InterruptedException, TimeoutException {
            final long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (true) {
                poll();
                if (streams.state() == PspfStreams.State.ERROR || streams.state() == PspfStreams.State.PENDING_ERROR) {
                    throw new IllegalStateException("the application failed (state " + streams.state() + ")");
                }
                if (processedBefore + welcomed + deadLettered >= signupsTotal && caughtUp(streams)) {
                    out.printf("All %d signups processed and committed (%d in this run).%n", signupsTotal,
                        welcomed + deadLettered);
                    return;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new TimeoutException("after " + timeout.toSeconds() + " s, " + (processedBefore + welcomed
                        + deadLettered) + " of " + signupsTotal + " signups were processed");
                }
                Thread.sleep(50);
            }
        }

        private void printLive() {
            final List<WindowCount> counts;
            try {
                counts = queryCounts(streams);
            } catch (final InvalidStateStoreException e) {
                return;   // not queryable while the application starts or restores
            }
            if (counts.isEmpty()) {
                return;
            }
            final Instant latest = counts.get(counts.size() - 1).windowStart();
            final StringBuilder line = new StringBuilder();
            for (final WindowCount count : counts) {
                if (count.windowStart().equals(latest)) {
                    line.append(line.length() == 0 ? "" : ", ").append(count.country()).append(' ')
                        .append(count.count());
                }
            }
            out.printf("live      %d processed, %d produced; latest window %s UTC: %s%n", welcomed + deadLettered,
                produced, windowLabel(latest), line);
        }

        String reasons() {
            if (reasons.isEmpty()) {
                return "";
            }
            final StringBuilder text = new StringBuilder(" (");
            for (final Map.Entry<String, Long> e : reasons.entrySet()) {
                text.append(text.length() == 2 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue());
            }
            return text.append(')').toString();
        }
    }

    /**
     * Whether every task of the running application has committed its inputs up to their ends: the input topic and
     * the repartition topic the counts read alike. Kafka's way to see that an application has no lag.
     */
    static boolean caughtUp(final PspfStreams streams) {
        if (streams.state() != PspfStreams.State.RUNNING) {
            return false;
        }
        int tasks = 0;
        for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (final TaskMetadata task : thread.activeTasks()) {
                tasks++;
                for (final TopicPartition tp : task.topicPartitions()) {
                    final long end = task.endOffsets().getOrDefault(tp, 0L);
                    final Long committed = task.committedOffsets().get(tp);
                    if (end > 0 && (committed == null || committed < end)) {
                        return false;
                    }
                }
            }
        }
        return tasks > 0;
    }

    /**
     * Every count in the application's window store, read with an interactive query, ordered by window then country.
     *
     * @throws InvalidStateStoreException while the store cannot be queried (the application is starting or closing)
     */
    static List<WindowCount> queryCounts(final PspfStreams streams) {
        final ReadOnlyWindowStore<String, Long> store = streams.store(StoreQueryParameters.fromNameAndType(
            UserSignupsTopology.COUNTS_STORE, QueryableStoreTypes.windowStore()));
        final List<WindowCount> counts = new ArrayList<>();
        try (KeyValueIterator<Windowed<String>, Long> all = store.all()) {
            while (all.hasNext()) {
                final KeyValue<Windowed<String>, Long> entry = all.next();
                counts.add(new WindowCount(entry.key.key(), entry.key.window().startTime(), entry.value));
            }
        }
        counts.sort((a, b) -> a.windowStart().equals(b.windowStart()) ? a.country().compareTo(b.country())
            : a.windowStart().compareTo(b.windowStart()));
        return counts;
    }

    /** Prints the counts as a table: a row per window (the latest {@value #TABLE_ROWS}), a column per country. */
    private static void printTable(final PrintStream out, final List<WindowCount> counts) {
        final SortedSet<String> countries = new TreeSet<>();
        final SortedMap<Instant, Map<String, Long>> rows = new TreeMap<>();
        final Map<String, Long> totals = new TreeMap<>();
        for (final WindowCount count : counts) {
            countries.add(count.country());
            rows.computeIfAbsent(count.windowStart(), w -> new TreeMap<>()).put(count.country(), count.count());
            totals.merge(count.country(), count.count(), Long::sum);
        }
        out.printf("%nValid signups per country per one-minute window (interactive query of %s):%n",
            UserSignupsTopology.COUNTS_STORE);
        final StringBuilder header = new StringBuilder(String.format("  %-22s", "window (UTC)"));
        for (final String country : countries) {
            header.append(String.format("%6s", country));
        }
        out.println(header.append(String.format("%8s", "all")));
        int skip = Math.max(0, rows.size() - TABLE_ROWS);
        if (skip > 0) {
            out.printf("  (%d earlier windows not shown)%n", skip);
        }
        for (final Map.Entry<Instant, Map<String, Long>> row : rows.entrySet()) {
            if (skip-- > 0) {
                continue;
            }
            out.println(tableRow(windowLabel(row.getKey()), countries, row.getValue()));
        }
        out.println(tableRow("total", countries, totals));
        out.println();
    }

    private static String tableRow(final String label, final SortedSet<String> countries,
                                   final Map<String, Long> values) {
        final StringBuilder line = new StringBuilder(String.format("  %-22s", label));
        long all = 0;
        for (final String country : countries) {
            final long value = values.getOrDefault(country, 0L);
            all += value;
            line.append(String.format("%6d", value));
        }
        return line.append(String.format("%8d", all)).toString();
    }

    private static String windowLabel(final Instant start) {
        return MINUTE.format(start) + "-" + HOUR_MINUTE.format(start.plus(UserSignupsTopology.WINDOW));
    }

    private static String position(final String topic, final int partition, final long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    /** Where the signup behind an output record was read, from the headers the topology stamps. */
    private static String source(final ConsumerRecord<?, ?> record) {
        return UserSignupsTopology.header(record.headers(), UserSignupsTopology.SOURCE_TOPIC_HEADER) + "-"
            + UserSignupsTopology.header(record.headers(), UserSignupsTopology.SOURCE_PARTITION_HEADER) + "@"
            + UserSignupsTopology.header(record.headers(), UserSignupsTopology.SOURCE_OFFSET_HEADER);
    }

    /** Adds up the changelog records restored at start-up (none after a clean close: the SQLite stores kept up). */
    private static final class RestoreCounter implements StateRestoreListener {
        private final AtomicLong restored;

        RestoreCounter(final AtomicLong restored) {
            this.restored = restored;
        }

        @Override
        public void onRestoreStart(final TopicPartition partition, final String store, final long start,
                                   final long end) {
        }

        @Override
        public void onBatchRestored(final TopicPartition partition, final String store, final long batchEnd,
                                    final long count) {
        }

        @Override
        public void onRestoreEnd(final TopicPartition partition, final String store, final long total) {
            restored.addAndGet(total);
        }
    }
}
