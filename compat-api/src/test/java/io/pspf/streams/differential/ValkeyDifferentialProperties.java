package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.pspf.connector.valkey.ValkeyServer;
import io.pspf.streams.differential.PspfStreamsDifferentialProperties.In;
import io.pspf.streams.differential.PspfStreamsDifferentialProperties.Shape;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link PspfStreamsDifferentialProperties} on a real Valkey / Redis server: {@code PspfStreams} on the Valkey backend
 * writes, per key, the updates Kafka's own {@code TopologyTestDriver} writes for the same topology and generated
 * input. The server (from the PATH) is started once for the class; without one the property is skipped, unless
 * {@code PSPF_REQUIRE_VALKEY=1}.
 */
class ValkeyDifferentialProperties {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static ValkeyServer server;
    private static io.pspf.connector.valkey.ValkeyCluster cluster;

    @BeforeContainer
    static void startServer() throws Exception {
        if (ValkeyServer.findBinary() == null) {
            if ("1".equals(System.getenv("PSPF_REQUIRE_VALKEY"))) {
                throw new IllegalStateException("PSPF_REQUIRE_VALKEY=1 but neither valkey-server nor redis-server is on "
                    + "the PATH");
            }
            return;
        }
        server = ValkeyServer.start();
        cluster = io.pspf.connector.valkey.ValkeyCluster.start(3);
    }

    @AfterContainer
    static void stopServer() {
        if (server != null) {
            server.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Provide
    Arbitrary<List<In>> inputs() {
        return new PspfStreamsDifferentialProperties().inputs();
    }

    @Property(tries = 15)
    void pspfStreamsOnValkeyWritesWhatKafkasDriverWrites(@ForAll final Shape shape,
                                                         @ForAll("inputs") final List<In> inputs) throws Exception {
        Assume.that(server != null);
        final Map<String, Object> backend = Map.of("pspf.backend", server.uri(), "pspf.valkey.key.prefix",
            "differential-" + RUNS.incrementAndGet());
        assertEquals(PspfStreamsDifferentialProperties.kafka(shape, inputs),
            PspfStreamsDifferentialProperties.pspf(shape, inputs, backend), shape + " on " + inputs);
    }

    /** The same on a three-primary Valkey Cluster, where commits land in two steps. */
    @Property(tries = 8)
    void pspfStreamsOnValkeyClusterWritesWhatKafkasDriverWrites(@ForAll final Shape shape,
                                                                @ForAll("inputs") final List<In> inputs) throws Exception {
        Assume.that(cluster != null);
        final Map<String, Object> backend = Map.of("pspf.backend", cluster.uri(), "pspf.valkey.key.prefix",
            "differential-" + RUNS.incrementAndGet());
        assertEquals(PspfStreamsDifferentialProperties.kafka(shape, inputs),
            PspfStreamsDifferentialProperties.pspf(shape, inputs, backend), shape + " on " + inputs);
    }
}
