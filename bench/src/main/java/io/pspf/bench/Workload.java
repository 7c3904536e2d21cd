package io.pspf.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** The workloads of the driver benchmark, their topics, the shared user code and the expected output (oracle). */
public enum Workload {
    /** filter(key does not end in '7') -> mapValues(toUpperCase) -> to(output); String values. */
    STATELESS("stateless"),
    /**
     * Processor API word count: source -> {@link WordCountProcessor} (splits the value on \W+, counts each word in an
     * in-memory KeyValueStore&lt;String, Long&gt; and forwards (word, count)) -> sink; Long values.
     */
    PAPI_WORDCOUNT("papi-wordcount"),
    /**
     * DSL word count: flatMapValues(split on \W+) -> groupBy(word) -> count(Materialized.as(STORE)) -> toStream -> to;
     * Long values. The grouping goes through a repartition topic, as in Kafka Streams.
     */
    WORDCOUNT("wordcount"),
    /** groupByKey -> windowedBy(1-minute tumbling windows, no grace) -> count -> key "key@windowStart"; Long values. */
    WINDOWED_COUNT("windowed-count"),
    /** stream(IN).join(table(TABLE), (value, region) -> region + ":" + value); the table holds every key. */
    STREAM_TABLE_JOIN("stream-table-join"),
    /**
     * Processor API: {@link #WINDOWED_COUNT}'s output computed by {@link WindowedCountFloorProcessor} in a plain
     * {@code java.util.HashMap}, with no state store, cache or changelog: what the driver costs around the windowed
     * count, a floor for any implementation of it.
     */
    WINDOWED_FLOOR("windowed-floor");

    public static final String IN = "input";
    public static final String TABLE = "regions";
    public static final long WINDOW_MS = 60_000L;
    public static final String OUT = "output";
    public static final String STORE = "counts";
    public static final Pattern SPLIT = Pattern.compile("\\W+");

    public final String id;

    Workload(final String id) {
        this.id = id;
    }

    public static Workload of(final String id) {
        for (final Workload w : values()) {
            if (w.id.equals(id)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload: " + id
            + " (stateless, papi-wordcount, wordcount, windowed-count, stream-table-join or windowed-floor)");
    }

    public boolean longValues() {
        return this == PAPI_WORDCOUNT || this == WORDCOUNT || this == WINDOWED_COUNT || this == WINDOWED_FLOOR;
    }

    /** The table row of key {@code k} (stream-table join): {@code "region" + (k % 50)}. */
    public static String region(final int k) {
        return "region" + (k % 50);
    }

    public static String joined(final String value, final String region) {
        return region + ":" + value;
    }

    /** The stateless filter, identical on both engines. */
    public static boolean keep(final String key) {
        return !key.endsWith("7");
    }

    public static String upper(final String value) {
        return value.toUpperCase(Locale.ROOT);
    }

    /** The output both engines must produce for {@code data}, computed without any stream processor. */
    public Check expected(final Data data) {
        final Check c = new Check();
        if (this == STATELESS) {
            for (int i = 0; i < data.n; i++) {
                final String k = data.key(i);
                if (keep(k)) {
                    c.add(k, upper(data.value(i)), data.timestamp(i));
                }
            }
        } else if (this == WINDOWED_COUNT || this == WINDOWED_FLOOR) {
            final Map<String, Long> counts = new HashMap<>();
            for (int i = 0; i < data.n; i++) {
                final long start = data.timestamp(i) - data.timestamp(i) % WINDOW_MS;
                final String k = data.key(i) + "@" + start;
                c.add(k, counts.merge(k, 1L, Long::sum), data.timestamp(i));
            }
        } else if (this == STREAM_TABLE_JOIN) {
            for (int i = 0; i < data.n; i++) {
                c.add(data.key(i), joined(data.value(i), region(Integer.parseInt(data.key(i).substring(3)))), data.timestamp(i));
            }
        } else {
            final Map<String, Long> counts = new HashMap<>();
            for (int i = 0; i < data.n; i++) {
                for (final String w : SPLIT.split(data.value(i))) {
                    if (!w.isEmpty()) {
                        final long n = counts.merge(w, 1L, Long::sum);
                        c.add(w, n, data.timestamp(i));
                    }
                }
            }
        }
        return c;
    }

    /** The user processor of {@link #WINDOWED_FLOOR}; the same class runs on both engines. */
    public static final class WindowedCountFloorProcessor implements Processor<String, String, String, Long> {
        private final Map<String, long[]> counts = new HashMap<>();
        private ProcessorContext<String, Long> context;

        @Override
        public void init(final ProcessorContext<String, Long> context) {
            this.context = context;
        }

        @Override
        public void process(final Record<String, String> record) {
            final long start = record.timestamp() - record.timestamp() % WINDOW_MS;
            final String key = record.key() + "@" + start;
            final long[] count = counts.computeIfAbsent(key, k -> new long[1]);
            count[0]++;
            context.forward(record.withKey(key).withValue(count[0]));
        }
    }

    /** The user processor of {@link #PAPI_WORDCOUNT}; the same class runs on both engines. */
    public static final class WordCountProcessor implements Processor<String, String, String, Long> {
        private ProcessorContext<String, Long> context;
        private KeyValueStore<String, Long> store;

        @Override
        public void init(final ProcessorContext<String, Long> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(final Record<String, String> record) {
            final String value = record.value();
            if (value == null) {
                return;
            }
            for (final String word : SPLIT.split(value)) {
                if (word.isEmpty()) {
                    continue;
                }
                final Long old = store.get(word);
                final long count = old == null ? 1L : old + 1L;
                store.put(word, count);
                context.forward(record.withKey(word).withValue(count));
            }
        }
    }
}
