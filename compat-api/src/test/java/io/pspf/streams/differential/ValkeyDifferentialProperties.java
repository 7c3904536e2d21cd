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
import net.jqwik.api.Example;
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

    /**
     * The sample that failed in CI when a Valkey read returned only what one answer held: 30 stream records, then a
     * table update with a later timestamp than all of them. A task orders only the records it has read, so a short
     * read of the stream let the update be joined before the stream records it follows.
     */
    @Example
    void aTableUpdateIsJoinedOnlyAfterTheStreamRecordsBeforeIt() throws Exception {
        Assume.that(server != null);
        final List<In> inputs = new java.util.ArrayList<>();
        for (final String line : ("text a eel 1002839|text a eel cat ant 1003970|text a eel 1003970|text a eel 1007969|"
            + "text a dog cat eel 1009297|text a bee 1009395|text a bee ant ant 1009395|text a eel 1009397|"
            + "text a ant dog bee 1013396|text a bee 1013406|text a bee dog 1013785|text a cat ant cat 1013832|"
            + "text a eel 1013871|text a cat ant 1013993|text b eel 1015644|text c eel 1018030|text b eel 1018090|"
            + "text b eel cat 1018211|text d eel cat 1021749|text d bee 1021779|text d bee cat eel 1022124|"
            + "text d bee cat dog 1022609|text d eel 1025379|text d cat 1025392|text d ant cat 1029391|"
            + "text a eel ant 1031810|text a eel 1031835|text d ant ant dog 1032724|text a eel cat dog 1036724|"
            + "text a ant 1036725|side a ant ant 1036726").split("\\|")) {
            final String[] words = line.split(" ");
            inputs.add(new In(words[0], words[1], String.join(" ", java.util.Arrays.copyOfRange(words, 2,
                words.length - 1)), Long.parseLong(words[words.length - 1])));
        }
        final Map<String, Object> backend = Map.of("pspf.backend", server.uri(), "pspf.valkey.key.prefix",
            "differential-" + RUNS.incrementAndGet());
        assertEquals(PspfStreamsDifferentialProperties.kafka(Shape.STREAM_TABLE_JOIN, inputs),
            PspfStreamsDifferentialProperties.pspf(Shape.STREAM_TABLE_JOIN, inputs, backend));
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
