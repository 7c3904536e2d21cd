package io.pspf.streams.engine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * The application {@link PspfStreamsCrashTest} kills: per key a count ({@code counts}) and a sum per ten-second window
 * ({@code sums}) of the {@code events} topic, with the record cache off so that every update reaches the output.
 * Arguments: {@code <dir> <guarantee> [--until-done] [--instance <name>] [--tasks <n>] [--stores <file>]
 * [--set <key>=<value>]...} ({@code --set} overrides settings, {@code pspf.backend} for one). It prints {@code RUNNING}
 * once the client runs; with {@code --until-done} it closes once {@code <dir>/input-complete} exists, it runs
 * {@code n} tasks (default: any) and every input record is committed, and writes the store contents to
 * {@code <dir>/<file>} (default {@code stores.txt}). Instances with different
 * names share the log directory and split the tasks.
 */
public final class CrashApp {
    static final String INPUT = "events";
    static final long WINDOW_MS = 10_000;

    private CrashApp() {
    }

    static Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        final var events = builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.Long()));
        events.groupByKey()
            .count(Materialized.as("counts"))
            .toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        events.groupByKey()
            .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(WINDOW_MS)))
            .reduce(Long::sum, Materialized.<String, Long, org.apache.kafka.streams.state.WindowStore<
                org.apache.kafka.common.utils.Bytes, byte[]>>as("sums").withRetention(Duration.ofHours(1)))
            .toStream()
            .to("sums", Produced.with(WindowedSerdes.timeWindowedSerdeFrom(String.class, WINDOW_MS), Serdes.Long()));
        return builder.build();
    }

    static Properties props(final Path dir, final String guarantee) {
        return props(dir, guarantee, "");
    }

    static Properties props(final Path dir, final String guarantee, final String instance) {
        return props(dir, guarantee, instance, Map.of("pspf.backend", "log:" + dir.resolve("log")));
    }

    static Properties props(final Path dir, final String guarantee, final String instance,
                            final Map<String, Object> backend) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "crash-app");
        props.putAll(backend);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state" + instance).toString());
        props.put("pspf.group.check.interval.ms", 100);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.LongSerde.class);
        return props;
    }

    public static void main(final String[] args) throws Exception {
        try {
            run(args);
        } catch (final Throwable t) {
            t.printStackTrace();
            System.exit(4); // the stream threads would keep the JVM, and its tasks, alive
        }
    }

    private static void run(final String[] args) throws Exception {
        final Path dir = Path.of(args[0]);
        final java.util.List<String> options = java.util.Arrays.asList(args).subList(2, args.length);
        final boolean untilDone = options.contains("--until-done");
        final String instance = options.contains("--instance") ? "-" + options.get(options.indexOf("--instance") + 1) : "";
        final int tasks = options.contains("--tasks") ? Integer.parseInt(options.get(options.indexOf("--tasks") + 1)) : 1;
        final Map<String, Object> backend = new java.util.HashMap<>(Map.of("pspf.backend", "log:" + dir.resolve("log")));
        for (int i = 0; i + 1 < options.size(); i++) {
            if (options.get(i).equals("--set")) {
                final String setting = options.get(i + 1);
                backend.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        }
        final String storesFile = options.contains("--stores") ? options.get(options.indexOf("--stores") + 1)
            : "stores.txt";
        final PspfStreams streams = new PspfStreams(topology(), props(dir, args[1], instance, backend));
        streams.start();
        while (streams.state() != PspfStreams.State.RUNNING) {
            if (streams.state() == PspfStreams.State.ERROR) {
                System.exit(2);
            }
            Thread.sleep(1);
        }
        System.out.println("RUNNING");
        System.out.flush();
        if (!untilDone) {
            Thread.sleep(Long.MAX_VALUE);
        }
        // the test writes this file once it produced all the input; before that "all committed" means nothing
        while (true) {
            while (!Files.exists(dir.resolve("input-complete")) || !allCommitted(streams, tasks)) {
                Thread.sleep(20);
            }
            try {
                dump(streams, dir.resolve(storesFile));
                break;
            } catch (final org.apache.kafka.streams.errors.InvalidStateStoreException e) {
                Thread.sleep(50); // a task moved while its store was read: wait for the next settled moment
            }
        }
        streams.close();
        System.exit(streams.state() == PspfStreams.State.NOT_RUNNING ? 0 : 3);
    }

    private static void dump(final PspfStreams streams, final Path file) throws java.io.IOException {
        final StringBuilder out = new StringBuilder();
        final ReadOnlyKeyValueStore<String, Long> counts = streams.store(
            StoreQueryParameters.fromNameAndType("counts", QueryableStoreTypes.keyValueStore()));
        final Map<String, Long> countMap = new TreeMap<>();
        try (KeyValueIterator<String, Long> it = counts.all()) {
            it.forEachRemaining(kv -> countMap.put(kv.key, kv.value));
        }
        countMap.forEach((k, v) -> out.append("count ").append(k).append(' ').append(v).append('\n'));
        final ReadOnlyWindowStore<String, Long> sums = streams.store(
            StoreQueryParameters.fromNameAndType("sums", QueryableStoreTypes.windowStore()));
        final Map<String, Long> sumMap = new TreeMap<>();
        try (KeyValueIterator<Windowed<String>, Long> it = sums.all()) {
            while (it.hasNext()) {
                final KeyValue<Windowed<String>, Long> kv = it.next();
                sumMap.put(kv.key.key() + "@" + kv.key.window().start(), kv.value);
            }
        }
        sumMap.forEach((k, v) -> out.append("sum ").append(k).append(' ').append(v).append('\n'));
        Files.writeString(file, out.toString(), StandardCharsets.UTF_8);
    }

    private static boolean allCommitted(final PspfStreams streams, final int expectedTasks) {
        int tasks = 0;
        for (final ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (final TaskMetadata task : thread.activeTasks()) {
                tasks++;
                for (final var e : task.endOffsets().entrySet()) {
                    final Long committed = task.committedOffsets().get(e.getKey());
                    if (committed == null || committed < e.getValue()) {
                        return false;
                    }
                }
            }
        }
        return tasks >= expectedTasks;
    }
}
