package io.pspf.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.streams.StreamsConfig;
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
import io.pspf.bench.Data;
import io.pspf.bench.Engine;
import io.pspf.bench.EngineRun;
import io.pspf.bench.Workload;

/**
 * The per-record hot path of a TopologyTestDriver: one {@code pipeInput} (serialize, process through the topology,
 * capture the output), with the output read every 1000 records as in the driver benchmark. One driver per fork,
 * fed the deterministic data set cyclically (the word counts keep growing, as in a long run).
 *
 * <p>Run: {@code bash bench/run.sh jmh PipeRecordBench} (add e.g. {@code -p engine=pspf -p workload=stateless},
 * {@code -f 1 -wi 3 -i 5}). Score: microseconds per piped record (lower is better).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class PipeRecordBench {
    private static final int DATA = 1 << 16;

    @Param({"kafka", "pspf"})
    public String engine;

    @Param({"stateless", "papi-wordcount"})
    public String workload;

    private Data data;
    private Engine.Session session;
    private Path stateDir;
    private final Check check = new Check();
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Locale.setDefault(Locale.ROOT);
        data = new Data(DATA);
        stateDir = Files.createTempDirectory("pspf-jmh-state-");
        final Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "jmh-" + workload);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        session = Engine.of(engine).open(Workload.of(workload), config, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        session.close();
        EngineRun.deleteRecursively(stateDir);
    }

    @Benchmark
    public long pipeOne() {
        final int k = i++ & (DATA - 1);
        session.pipe(data.key(k), data.value(k), Data.T0 + i);
        if (i % 1000 == 0) {
            return session.drain(check);
        }
        return k;
    }
}
