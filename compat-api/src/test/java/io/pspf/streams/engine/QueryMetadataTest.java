package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * The metadata calls of one instance, with and without {@code application.server}, answered as Kafka's
 * {@code StreamsMetadataState} answers them (the instances of a group are covered by {@code SharedBackendTest}).
 */
class QueryMetadataTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    private Properties props(final String server) {
        final Properties props = new Properties();
        props.put("pspf.backend", "memory:query-metadata-" + RUNS.incrementAndGet() + "-" + System.nanoTime());
        props.put("pspf.topic.partitions", PARTITIONS);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "query-metadata");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        if (server != null) {
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, server);
        }
        return props;
    }

    private static Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("events", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(Materialized.as("counts"));
        builder.globalTable("places", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("places-store"));
        return builder.build();
    }

    private static void awaitRunning(final PspfStreams streams) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (streams.state() != PspfStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(PspfStreams.State.RUNNING, streams.state());
    }

    @Test
    void withoutAnApplicationServerNoInstanceIsListedAndKeysHaveNoHost() throws Exception {
        try (PspfStreams streams = new PspfStreams(topology(), props(null))) {
            streams.start();
            awaitRunning(streams);
            assertTrue(streams.metadataForAllStreamsClients().isEmpty());
            assertTrue(streams.streamsMetadataForStore("counts").isEmpty());
            final KeyQueryMetadata key = streams.queryMetadataForKey("counts", "k", Serdes.String().serializer());
            assertEquals(HostInfo.unavailable(), key.activeHost());
            assertEquals(Set.of(), key.standbyHosts());
            assertTrue(key.partition() >= 0 && key.partition() < PARTITIONS, "partition " + key.partition());
            assertNull(streams.queryMetadataForKey("no-such-store", "k", Serdes.String().serializer()));
        }
    }

    @Test
    void withAnApplicationServerThisInstanceHoldsItsTasksStoresAndTheGlobalOnes() throws Exception {
        final HostInfo self = new HostInfo("localhost", 8080);
        try (PspfStreams streams = new PspfStreams(topology(), props("localhost:8080"))) {
            streams.start();
            awaitRunning(streams);
            final List<StreamsMetadata> all = List.copyOf(streams.metadataForAllStreamsClients());
            assertEquals(1, all.size());
            assertEquals(self, all.get(0).hostInfo());
            assertEquals(Set.of("counts", "places-store"), all.get(0).stateStoreNames());
            assertEquals(PARTITIONS, all.get(0).topicPartitions().size());
            assertEquals(all, List.copyOf(streams.streamsMetadataForStore("counts")));
            assertEquals(all, List.copyOf(streams.streamsMetadataForStore("places-store")));
            assertTrue(streams.streamsMetadataForStore("no-such-store").isEmpty());

            final KeyQueryMetadata key = streams.queryMetadataForKey("counts", "k", Serdes.String().serializer());
            assertEquals(self, key.activeHost());
            assertEquals(new KeyQueryMetadata(self, Set.of(), -1),
                streams.queryMetadataForKey("places-store", "k", Serdes.String().serializer()));

            final StreamPartitioner<String, Object> first = (topic, k, v, count) -> Optional.of(Set.of(0));
            final StreamPartitioner<String, Object> twoPartitions = (topic, k, v, count) -> Optional.of(Set.of(0, 1));
            assertEquals(0, streams.queryMetadataForKey("counts", "k", first).partition());
            assertThrows(IllegalArgumentException.class, () -> streams.queryMetadataForKey("counts", "k", twoPartitions));
        }
    }

    @Test
    void nullArgumentsAndAMalformedServerAreRefusedAsKafkaRefusesThem() throws Exception {
        for (final String malformed : List.of("localhost", "localhost:", ":8080", "localhost:http")) {
            assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> new PspfStreams(topology(), props(malformed)), malformed);
        }
        try (PspfStreams streams = new PspfStreams(topology(), props("localhost:8080"))) {
            streams.start();
            awaitRunning(streams);
            final NullPointerException noStore = assertThrows(NullPointerException.class,
                () -> streams.queryMetadataForKey(null, "k", Serdes.String().serializer()));
            assertEquals("storeName can't be null", noStore.getMessage());
            final NullPointerException noKey = assertThrows(NullPointerException.class,
                () -> streams.queryMetadataForKey("counts", null, Serdes.String().serializer()));
            assertEquals("key can't be null", noKey.getMessage());
            final NullPointerException noSerializer = assertThrows(NullPointerException.class,
                () -> streams.queryMetadataForKey("counts", "k", (org.apache.kafka.common.serialization.Serializer<String>) null));
            assertEquals("keySerializer can't be null", noSerializer.getMessage());
        }
    }
}
