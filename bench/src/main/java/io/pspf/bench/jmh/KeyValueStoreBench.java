package io.pspf.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.pspf.bench.Check;
import io.pspf.bench.Engine;
import io.pspf.bench.EngineRun;
import io.pspf.bench.Workload;

/**
 * The word count's store operation, {@code get} then {@code put(word, count + 1)}, on the in-memory
 * KeyValueStore&lt;String, Long&gt; built by {@code Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(..),
 * Serdes.String(), Serdes.Long())} (store layers, serdes, change logging as configured), reached through the
 * driver's {@code getKeyValueStore}. 1000 distinct words, as in the data set.
 *
 * <p>Run: {@code bash bench/run.sh jmh KeyValueStoreBench} (e.g. {@code -p engine=pspf -f 1 -wi 3 -i 5}).
 * Score: nanoseconds per get+put (lower is better).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class KeyValueStoreBench {
    private static final String[] WORDS = new String[1000];

    static {
        for (int i = 0; i < WORDS.length; i++) {
            WORDS[i] = "word" + i;
        }
    }

    @Param({"kafka", "pspf"})
    public String engine;

    @Param({"true", "false"})
    public boolean storeLogging;

    private Engine.Session session;
    private KeyValueStore<String, Long> store;
    private Path stateDir;
    private final Check check = new Check();
    private int i;
    private int ops;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        stateDir = Files.createTempDirectory("pspf-jmh-state-");
        final Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "jmh-store");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        session = Engine.of(engine).open(Workload.PAPI_WORDCOUNT, config, storeLogging);
        store = session.store();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        session.close();
        EngineRun.deleteRecursively(stateDir);
    }

    @Benchmark
    public long getAndIncrement() {
        i += 389; // stride coprime to 1000: visits every word, not in order
        if (i >= WORDS.length) {
            i -= WORDS.length;
        }
        final String word = WORDS[i];
        final Long old = store.get(word);
        final long count = old == null ? 1L : old + 1L;
        store.put(word, count);
        if ((++ops & 0xFFF) == 0) {
            session.drain(check); // changelog records captured by the driver, if any
        }
        return count;
    }
}
