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
    PAPI_WORDCOUNT("papi-wordcount");

    public static final String IN = "input";
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
        throw new IllegalArgumentException("unknown workload: " + id + " (stateless or papi-wordcount)");
    }

    public boolean longValues() {
        return this == PAPI_WORDCOUNT;
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
