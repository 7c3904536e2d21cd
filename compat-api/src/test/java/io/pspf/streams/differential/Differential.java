package io.pspf.streams.differential;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.opentest4j.AssertionFailedError;

import io.pspf.streams.differential.Adapters.Built;
import io.pspf.streams.differential.Adapters.Context;
import io.pspf.streams.differential.Adapters.Driver;
import io.pspf.streams.differential.Adapters.Out;

/**
 * The differential harness: a topology written once (against {@link Dsl} or {@link Papi}) is built on Kafka Streams
 * and on PSPF, the same input steps are run through Kafka's {@code TopologyTestDriver} and PSPF's with the same
 * properties, and everything observable is compared:
 * <ul>
 *   <li>the exception building the topology throws, if any (type, message, and the cause chain's);</li>
 *   <li>{@code describe().toString()};</li>
 *   <li>the exception constructing the driver throws, if any;</li>
 *   <li>after each step (a piped record or a wall-clock advance): the exception it threw, if any; the raw records
 *       (key and value bytes, timestamp, headers, in order) of every topic in {@code producedTopicNames()}; the side
 *       effects the topology reported through {@link Side#log}; the text printed to {@code System.out};</li>
 *   <li>at the end: the contents of the named key-value stores, {@code getAllStateStores()}'s names,
 *       {@code producedTopicNames()}, what {@code close()} threw and produced, and the files written to
 *       {@link Side#file} paths.</li>
 * </ul>
 * Each scenario runs under every {@link Config} asked for (by default all four: at-least-once and exactly-once-v2,
 * each with {@code statestore.cache.max.bytes} 0 and default).
 */
public final class Differential {
    /** The {@code application.id} of every run; repartition and changelog topic names contain it. */
    public static final String APP_ID = "differential-app";
    /** Where the drivers' mocked wall clocks start, unless a scenario says otherwise. */
    public static final Instant WALL_CLOCK_START = Instant.ofEpochMilli(0);

    static {
        // Kafka's StreamsConfig logs every property of every driver at INFO: keep test output readable.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
    }

    private Differential() {
    }

    /**
     * For exploring only ({@code -Ddifferential.ignoreChangelogs=true}): leaves changelog topics out of the comparison,
     * to see what else differs while changelog capture differs.
     */
    static final boolean IGNORE_CHANGELOGS = Boolean.getBoolean("differential.ignoreChangelogs");

    private static final ThreadLocal<Side> CURRENT = new ThreadLocal<>();

    /**
     * The side whose run is in progress on this thread; for classes the drivers instantiate from configuration
     * (exception handlers, timestamp extractors), which cannot be handed a {@link Side}.
     */
    public static Side current() {
        final Side side = CURRENT.get();
        if (side == null) {
            throw new IllegalStateException("no differential run in progress on this thread");
        }
        return side;
    }

    /** The properties a scenario runs under, besides the common ones. */
    public enum Config {
        ALOS_NO_CACHE(StreamsConfig.AT_LEAST_ONCE, true),
        ALOS_DEFAULT_CACHE(StreamsConfig.AT_LEAST_ONCE, false),
        EOS_V2_NO_CACHE(StreamsConfig.EXACTLY_ONCE_V2, true),
        EOS_V2_DEFAULT_CACHE(StreamsConfig.EXACTLY_ONCE_V2, false);

        final String guarantee;
        final boolean noCache;

        Config(final String guarantee, final boolean noCache) {
            this.guarantee = guarantee;
            this.noCache = noCache;
        }
    }

    /** A scenario whose topology is built with the DSL. */
    public static Scenario dsl(final Consumer<Dsl> topology) {
        return new Scenario(Adapters::dsl, side -> topology.accept((Dsl) side));
    }

    /** A scenario whose topology is built with the Processor API. */
    public static Scenario papi(final Consumer<Papi> topology) {
        return new Scenario(Adapters::papi, side -> topology.accept((Papi) side));
    }

    // ------------------------------------------------------------------------------------------------ steps

    private interface Step {
        String describe();

        void run(Driver driver);
    }

    private record Pipe(String topic, byte[] key, byte[] value, long timestamp, List<Header> headers) implements Step {
        @Override
        public String describe() {
            return "pipe " + topic + " key=" + bytes(key) + " value=" + bytes(value) + " ts=" + timestamp
                + " headers=" + Differential.headers(headers);
        }

        @Override
        public void run(final Driver driver) {
            final RecordHeaders fresh = new RecordHeaders();
            for (final Header h : headers) {
                fresh.add(new RecordHeader(h.key(), h.value() == null ? null : h.value().clone()));
            }
            driver.pipe(topic, key == null ? null : key.clone(), value == null ? null : value.clone(), fresh, timestamp);
        }
    }

    private record Advance(Duration advance) implements Step {
        @Override
        public String describe() {
            return "advanceWallClockTime " + advance.toMillis() + "ms";
        }

        @Override
        public void run(final Driver driver) {
            driver.advanceWallClockTime(advance);
        }
    }

    // ------------------------------------------------------------------------------------------------ scenario

    /** A topology, input steps and settings; {@link #run()} compares the two sides. */
    public static final class Scenario {
        private final Function<String, Context> contexts;
        private final Consumer<Side> topology;
        private final List<Step> steps = new ArrayList<>();
        private final List<String> stores = new ArrayList<>();
        private final Map<String, Object> config = new LinkedHashMap<>();
        private final Set<String> removedConfig = new TreeSet<>();
        private EnumSet<Config> configs = EnumSet.allOf(Config.class);
        private Instant wallClockStart = WALL_CLOCK_START;
        private boolean continueAfterException;

        private Scenario(final Function<String, Context> contexts, final Consumer<Side> topology) {
            this.contexts = contexts;
            this.topology = topology;
        }

        /** Pipes a record with String key and value (either may be null) into {@code topic}. */
        public Scenario pipe(final String topic, final String key, final String value, final long timestamp,
                             final Header... headers) {
            return pipeRaw(topic, utf8(key), utf8(value), timestamp, headers);
        }

        /** Pipes a record with raw key and value bytes. */
        public Scenario pipeRaw(final String topic, final byte[] key, final byte[] value, final long timestamp,
                                final Header... headers) {
            steps.add(new Pipe(topic, key, value, timestamp, List.of(headers)));
            return this;
        }

        /** Moves both drivers' wall clocks forward. */
        public Scenario advanceWallClock(final Duration advance) {
            steps.add(new Advance(advance));
            return this;
        }

        /** Reads the key-value store {@code name} (through {@code getKeyValueStore(name).all()}) at the end. */
        public Scenario store(final String... names) {
            stores.addAll(Arrays.asList(names));
            return this;
        }

        /** Sets a property on both sides (over the defaults). */
        public Scenario config(final String key, final Object value) {
            config.put(key, value);
            return this;
        }

        /** Leaves out a default property (for example a default serde). */
        public Scenario withoutConfig(final String key) {
            removedConfig.add(key);
            return this;
        }

        /** Runs only under the given configurations. */
        public Scenario configs(final Config first, final Config... rest) {
            configs = EnumSet.of(first, rest);
            return this;
        }

        public Scenario wallClockStart(final Instant start) {
            this.wallClockStart = start;
            return this;
        }

        /** Runs the remaining steps after one throws (by default a run stops at the first exception). */
        public Scenario continueAfterException() {
            this.continueAfterException = true;
            return this;
        }

        /** The properties of a run under {@code c}, as both sides get them (plus a per-side state directory). */
        Properties properties(final Config c) {
            final Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP_ID);
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
            props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
            props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, c.guarantee);
            if (c.noCache) {
                props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
            }
            props.putAll(config);
            removedConfig.forEach(props::remove);
            return props;
        }

        /** Runs the scenario on one side under one configuration. */
        Observation observe(final String side, final Config c) {
            return new Observation(side, c).record(this);
        }

        /**
         * Runs the scenario on both sides under each configuration and fails, describing every difference, unless
         * both sides observed the same. Returns Kafka's observation (under the first configuration) so a test can also
         * check that something meaningful happened.
         */
        public Observation run() {
            Observation first = null;
            final StringBuilder report = new StringBuilder();
            String expected = null;
            String actual = null;
            final List<Config> differing = new ArrayList<>();
            for (final Config c : configs) {
                final Observation kafka = observe(Adapters.KAFKA, c);
                final Observation pspf = observe(Adapters.PSPF, c);
                if (first == null) {
                    first = kafka;
                    if (Boolean.getBoolean("differential.dump")) {
                        System.err.println(kafka);
                    }
                }
                if (!kafka.text().equals(pspf.text())) {
                    differing.add(c);
                    if (expected == null) {
                        expected = kafka.text();
                        actual = pspf.text();
                        report.append(kafka.differences(pspf));
                    }
                }
                if (kafka.buildFailure != null) {
                    break; // the configuration does not matter to building
                }
            }
            if (!differing.isEmpty()) {
                throw new AssertionFailedError("PSPF differs from Kafka Streams under " + differing + " (details for "
                    + differing.get(0) + "):\n" + report + "\n", expected, actual);
            }
            return first;
        }

        /** {@link #run()}, and checks that Kafka failed somewhere (build, driver, a step or close). */
        public Observation runExpectingFailure() {
            final Observation kafka = run();
            if (kafka.failures().isEmpty()) {
                throw new AssertionFailedError("expected Kafka Streams to throw, but it did not:\n" + kafka.text());
            }
            return kafka;
        }
    }

    // ------------------------------------------------------------------------------------------------ observation

    /** Everything one side showed during one run, as text sections, plus the raw output for extra assertions. */
    public static final class Observation {
        private final String side;
        private final Config config;
        private final Map<String, List<String>> sections = new LinkedHashMap<>();
        private final Map<String, List<Out>> outputs = new LinkedHashMap<>();
        private final List<String> effects = new ArrayList<>();
        private final List<Throwable> failures = new ArrayList<>();
        private final Map<String, List<KeyValue<Object, Object>>> storeContents = new LinkedHashMap<>();
        private final StringBuilder stdout = new StringBuilder();
        private Throwable buildFailure;
        private String text;

        Observation(final String side, final Config config) {
            this.side = side;
            this.config = config;
        }

        private List<String> section(final String name) {
            return sections.computeIfAbsent(name, n -> new ArrayList<>());
        }

        Observation record(final Scenario scenario) {
            final PrintStream originalOut = System.out;
            final ByteArrayOutputStream captured = new ByteArrayOutputStream();
            final PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
            Context context = null;
            System.setOut(capture);
            try {
                context = scenario.contexts.apply(side);
                CURRENT.set(context);
                final Built built;
                try {
                    scenario.topology.accept(context);
                } catch (final Throwable e) {
                    buildFailure = e;
                    failures.add(e);
                    section("build").add("topology function threw " + exception(e));
                    return this;
                }
                try {
                    built = context.build();
                } catch (final Throwable e) {
                    buildFailure = e;
                    failures.add(e);
                    section("build").add("build() threw " + exception(e));
                    return this;
                }
                section("build").add("ok");
                try {
                    section("describe").addAll(List.of(built.describe().split("\n", -1)));
                } catch (final Throwable e) {
                    failures.add(e);
                    section("describe").add("threw " + exception(e));
                }
                final Properties props = scenario.properties(config);
                props.put(StreamsConfig.STATE_DIR_CONFIG, context.dir().resolve("state").toString());
                final Driver driver;
                final List<String> driverSection = section("driver");
                try {
                    driver = built.open(props, scenario.wallClockStart);
                } catch (final Throwable e) {
                    failures.add(e);
                    driverSection.add("threw " + exception(e));
                    collect(null, context, captured, driverSection);
                    return this;
                }
                driverSection.add("ok");
                collect(driver, context, captured, driverSection);
                final List<String> run = section("run");
                for (int i = 0; i < scenario.steps.size(); i++) {
                    final Step step = scenario.steps.get(i);
                    run.add("step " + (i + 1) + ": " + step.describe());
                    boolean threw = false;
                    try {
                        step.run(driver);
                    } catch (final Throwable e) {
                        failures.add(e);
                        run.add("  threw " + exception(e));
                        threw = true;
                    }
                    collect(driver, context, captured, run);
                    if (threw && !scenario.continueAfterException) {
                        run.add("(stopped after the exception)");
                        break;
                    }
                }
                final List<String> end = section("end");
                for (final String store : scenario.stores) {
                    try {
                        final List<KeyValue<Object, Object>> contents = driver.keyValueStore(store);
                        storeContents.put(store, contents);
                        end.add("store " + store + ": " + (contents == null ? "no key-value store" : kvs(contents)));
                    } catch (final Throwable e) {
                        end.add("store " + store + ": threw " + exception(e));
                    }
                }
                if (!scenario.stores.isEmpty()) {
                    try {
                        end.add("getAllStateStores: " + driver.allStateStores());
                    } catch (final Throwable e) {
                        end.add("getAllStateStores: threw " + exception(e));
                    }
                }
                try {
                    final Set<String> produced = sorted(driver.producedTopicNames());
                    if (IGNORE_CHANGELOGS) {
                        produced.removeIf(t -> t != null && t.endsWith("-changelog"));
                    }
                    end.add("producedTopicNames: " + produced);
                } catch (final Throwable e) {
                    end.add("producedTopicNames: threw " + exception(e));
                }
                final List<String> close = section("close");
                try {
                    driver.close();
                    close.add("ok");
                } catch (final Throwable e) {
                    failures.add(e);
                    close.add("threw " + exception(e));
                }
                collect(driver, context, captured, close);
                return this;
            } finally {
                CURRENT.remove();
                System.setOut(originalOut);
                if (context != null) {
                    for (final Map.Entry<String, Path> file : context.files().entrySet()) {
                        final List<String> lines = section("file " + file.getKey());
                        try {
                            lines.addAll(List.of(Files.readString(file.getValue(), StandardCharsets.UTF_8)
                                .split("\n", -1)));
                        } catch (final IOException e) {
                            lines.add("unreadable: " + exception(e));
                        }
                    }
                    deleteQuietly(context.dir());
                }
                if (captured.size() > 0) {
                    // text printed outside of a step (should not happen), kept so it is compared too
                    section("stdout (late)").add(captured.toString(StandardCharsets.UTF_8));
                }
            }
        }

        private void collect(final Driver driver, final Context context, final ByteArrayOutputStream captured,
                             final List<String> into) {
            if (driver != null) {
                Set<String> topics;
                try {
                    topics = sorted(driver.producedTopicNames());
                } catch (final Throwable e) {
                    into.add("  producedTopicNames threw " + exception(e));
                    topics = Collections.emptySet();
                }
                for (final String topic : topics) {
                    if (IGNORE_CHANGELOGS && topic != null && topic.endsWith("-changelog")) {
                        continue;
                    }
                    try {
                        for (final Out out : driver.readAll(topic)) {
                            outputs.computeIfAbsent(topic, t -> new ArrayList<>()).add(out);
                            into.add("  out " + topic + ": " + Differential.record(out));
                        }
                    } catch (final Throwable e) {
                        into.add("  reading " + topic + " threw " + exception(e));
                    }
                }
            }
            for (final String effect : context.drainEvents()) {
                effects.add(effect);
                into.add("  effect: " + effect);
            }
            if (captured.size() > 0) {
                final String printed = captured.toString(StandardCharsets.UTF_8);
                captured.reset();
                stdout.append(printed);
                for (final String line : printed.split("\n")) {
                    into.add("  stdout: " + line);
                }
            }
        }

        /** All of it, as compared. */
        public String text() {
            if (text == null) {
                final StringBuilder sb = new StringBuilder();
                sections.forEach((name, lines) -> {
                    sb.append("== ").append(name).append('\n');
                    lines.forEach(l -> sb.append(l).append('\n'));
                });
                text = sb.toString();
            }
            return text;
        }

        String differences(final Observation other) {
            final StringBuilder sb = new StringBuilder();
            final Set<String> names = new java.util.LinkedHashSet<>(sections.keySet());
            names.addAll(other.sections.keySet());
            for (final String name : names) {
                final List<String> mine = sections.getOrDefault(name, List.of("(no such section)"));
                final List<String> theirs = other.sections.getOrDefault(name, List.of("(no such section)"));
                if (mine.equals(theirs)) {
                    continue;
                }
                int i = 0;
                while (i < mine.size() && i < theirs.size() && mine.get(i).equals(theirs.get(i))) {
                    i++;
                }
                sb.append("--- section '").append(name).append("' differs at line ").append(i + 1).append(":\n");
                sb.append("    kafka: ").append(i < mine.size() ? mine.get(i) : "(end)").append('\n');
                sb.append("    pspf : ").append(i < theirs.size() ? theirs.get(i) : "(end)").append('\n');
                sb.append("  kafka's section:\n");
                mine.forEach(l -> sb.append("    | ").append(l).append('\n'));
                sb.append("  pspf's section:\n");
                theirs.forEach(l -> sb.append("    | ").append(l).append('\n'));
            }
            return sb.toString();
        }

        // ---------------------------------------------------------------- accessors for extra assertions

        /** What building threw, or null. */
        public Throwable buildFailure() {
            return buildFailure;
        }

        /** Everything that threw, in order (build, driver, steps, close). */
        public List<Throwable> failures() {
            return failures;
        }

        /** The raw records written to {@code topic}, in order. */
        public List<Out> records(final String topic) {
            return outputs.getOrDefault(topic, List.of());
        }

        /** The values written to {@code topic} as UTF-8 text (null for null). */
        public List<String> values(final String topic) {
            final List<String> values = new ArrayList<>();
            records(topic).forEach(r -> values.add(r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)));
            return values;
        }

        /** The keys written to {@code topic} as UTF-8 text (null for null). */
        public List<String> keys(final String topic) {
            final List<String> keys = new ArrayList<>();
            records(topic).forEach(r -> keys.add(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8)));
            return keys;
        }

        /** The key-value pairs written to {@code topic} as text, {@code key=value}. */
        public List<String> keyValues(final String topic) {
            final List<String> kvs = new ArrayList<>();
            records(topic).forEach(r -> kvs.add(Differential.text(r.key()) + "=" + Differential.text(r.value())));
            return kvs;
        }

        /** The topics something was written to. */
        public Set<String> topics() {
            return outputs.keySet();
        }

        /** The side effects logged through {@link Side#log}, in order. */
        public List<String> effects() {
            return effects;
        }

        /** What was printed to {@code System.out}. */
        public String stdout() {
            return stdout.toString();
        }

        /** The file written to {@link Side#file}{@code (name)}, line by line. */
        public List<String> file(final String name) {
            return sections.getOrDefault("file " + name, List.of());
        }

        /** The contents of a store read at the end. */
        public List<KeyValue<Object, Object>> store(final String name) {
            return storeContents.get(name);
        }

        @Override
        public String toString() {
            return side + " under " + config + ":\n" + text();
        }
    }

    // ------------------------------------------------------------------------------------------------ rendering

    static byte[] utf8(final String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(final byte[] b) {
        return b == null ? "null" : new String(b, StandardCharsets.UTF_8);
    }

    /** Bytes as {@code "text"} when printable ASCII, else as hex; {@code null} for null. */
    static String bytes(final byte[] b) {
        if (b == null) {
            return "null";
        }
        boolean printable = true;
        for (final byte x : b) {
            if (x < 0x20 || x > 0x7e) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return '"' + new String(b, StandardCharsets.US_ASCII) + '"';
        }
        final StringBuilder sb = new StringBuilder("0x");
        for (final byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    static String headers(final Iterable<Header> headers) {
        final StringBuilder sb = new StringBuilder("[");
        if (headers != null) {
            for (final Header h : headers) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(h.key()).append('=').append(bytes(h.value()));
            }
        }
        return sb.append(']').toString();
    }

    static String record(final Out out) {
        return "key=" + bytes(out.key()) + " value=" + bytes(out.value()) + " ts=" + out.timestamp() + " headers="
            + headers(out.headers());
    }

    static String object(final Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof byte[]) {
            return bytes((byte[]) o);
        }
        if (o instanceof String) {
            return '"' + (String) o + '"';
        }
        if (o instanceof ValueAndTimestamp) {
            final ValueAndTimestamp<?> vt = (ValueAndTimestamp<?>) o;
            return "ValueAndTimestamp(" + object(vt.value()) + ", " + vt.timestamp() + ")";
        }
        if (o instanceof Headers) {
            return headers((Headers) o);
        }
        return o + "(" + o.getClass().getSimpleName() + ")";
    }

    static String kvs(final List<KeyValue<Object, Object>> kvs) {
        final StringBuilder sb = new StringBuilder("[");
        for (final KeyValue<Object, Object> kv : kvs) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(object(kv.key)).append(" -> ").append(object(kv.value));
        }
        return sb.append(']').toString();
    }

    /** An exception as {@code Type: message}, followed by its causes, each {@code <- Type: message}. */
    public static String exception(final Throwable e) {
        final StringBuilder sb = new StringBuilder();
        Throwable t = e;
        int depth = 0;
        while (t != null && depth < 10) {
            if (depth > 0) {
                sb.append(" <- caused by ");
            }
            sb.append(t.getClass().getName()).append(": ").append(t.getMessage());
            t = t.getCause() == t ? null : t.getCause();
            depth++;
        }
        return sb.toString();
    }

    /** Topic names sorted, a null name (from a TopicNameExtractor returning null) first. */
    static Set<String> sorted(final Set<String> names) {
        final Set<String> sorted = new TreeSet<>(java.util.Comparator.nullsFirst(java.util.Comparator.<String>naturalOrder()));
        sorted.addAll(names);
        return sorted;
    }

    private static void deleteQuietly(final Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (final IOException ignored) {
                    // best effort
                }
            });
        } catch (final IOException ignored) {
            // best effort
        }
    }

    /** A header, for {@link Scenario#pipe}. */
    public static Header header(final String key, final String value) {
        return new RecordHeader(key, utf8(value));
    }

}
