package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pspf.connector.valkey.ValkeyServer;
import io.pspf.connector.valkey.ValkeyServerExtension;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;

/**
 * The seed's interoperation: another program adds plain entries (field/value pairs) to a stream, an application reads
 * them as records and writes plain entries that a program which knows nothing of PSPF reads with XRANGE.
 */
@ExtendWith(ValkeyServerExtension.class)
class ValkeyPlainTopicTest {
    private final ValkeyServer server;
    @TempDir
    Path dir;

    ValkeyPlainTopicTest(final ValkeyServer server) {
        this.server = server;
    }

    @Test
    void processesEntriesOtherProgramsWriteAndWritesEntriesTheyRead() throws Exception {
        final RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            final var other = connection.sync();
            for (int i = 0; i < 50; i++) {
                final Map<String, String> entry = new LinkedHashMap<>();
                entry.put("key", "user-" + (i % 7));
                entry.put("value", "signed up #" + i);
                entry.put("country", i % 2 == 0 ? "DE" : "FR");
                other.xadd("user-signups", entry);
            }
            final StreamsBuilder builder = new StreamsBuilder();
            builder.stream("user-signups", Consumed.with(Serdes.String(), Serdes.String()))
                .filter((k, v) -> !k.equals("user-3"))
                .mapValues(v -> "welcome, " + v)
                .to("welcome-events", Produced.with(Serdes.String(), Serdes.String()));
            final Properties props = props("plain-app", "user-signups,welcome-events");
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            try (PspfStreams streams = new PspfStreams(builder.build(), props)) {
                streams.start();
                final long deadline = System.currentTimeMillis() + 30_000;
                while (other.xlen("welcome-events") < 42 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
            }
            final List<String> seen = new ArrayList<>();
            for (final StreamMessage<String, String> m : other.xrange("welcome-events", Range.create("-", "+"))) {
                seen.add(m.getBody().get("key") + "|" + m.getBody().get("value") + "|" + m.getBody().get("country"));
            }
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                if (i % 7 != 3) {
                    expected.add("user-" + (i % 7) + "|welcome, signed up #" + i + "|" + (i % 2 == 0 ? "DE" : "FR"));
                }
            }
            assertEquals(expected, seen, "one entry per kept record, in order, the other fields carried as headers");
        } finally {
            client.shutdown();
        }
    }

    /**
     * Another program trims the stream past the entries the application read: its committed offset (the entry after
     * the last one read, in the gap between entry IDs) now lies below the first entry kept, yet no unread entry was
     * lost, so the application goes on with the entries that came since, even under {@code auto.offset.reset=latest}
     * (a topic with consecutive offsets would count the committed offset as out of range).
     */
    @Test
    void goesOnAfterAnotherProgramTrimsTheStreamPastWhatItRead() throws Exception {
        final RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            final var other = connection.sync();
            final List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(other.xadd("trimmed-in", Map.of("key", "k", "value", "v" + i)));
            }
            final java.util.function.Supplier<io.pspf.streams.Topology> topology = () -> {
                final StreamsBuilder builder = new StreamsBuilder();
                builder.stream("trimmed-in", Consumed.with(Serdes.String(), Serdes.String()))
                    .to("trimmed-out", Produced.with(Serdes.String(), Serdes.String()));
                return builder.build();
            };
            final Properties props = props("trimmed-app", "trimmed-in,trimmed-out");
            runUntil(topology, props, other, 5);
            for (int i = 5; i < 8; i++) {
                ids.add(other.xadd("trimmed-in", Map.of("key", "k", "value", "v" + i)));
            }
            other.xtrim("trimmed-in", io.lettuce.core.XTrimArgs.Builder.minId(ids.get(5)));
            props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "latest");
            runUntil(topology, props, other, 8);
            final List<String> seen = new ArrayList<>();
            for (final StreamMessage<String, String> m : other.xrange("trimmed-out", Range.create("-", "+"))) {
                seen.add(m.getBody().get("value"));
            }
            assertEquals(List.of("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"), seen);
        } finally {
            client.shutdown();
        }
    }

    /**
     * A table whose store's changelog is its plain source stream (topology optimization): another program trims the
     * stream past the entries the table read, and adds more. The store's committed offset (in the gap after the last
     * entry read) lies below the first entry kept, which on a plain stream is no sign of a lost entry: the store keeps
     * its state and takes the new entries, instead of being wiped and restored from what the trim left.
     */
    @Test
    void aTableOnAPlainStreamKeepsItsStateAfterAnotherProgramTrimsTheStream() throws Exception {
        final RedisClient client = RedisClient.create("redis://127.0.0.1:" + server.port());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            final var other = connection.sync();
            final Map<String, String> expected = new java.util.TreeMap<>();
            final List<String> ids = new ArrayList<>();
            for (final String key : List.of("a", "b", "c", "d", "e")) {
                ids.add(other.xadd("table-in", Map.of("key", key, "value", key + "1")));
                expected.put(key, key + "1");
            }
            final Properties props = props("plain-table-app", "table-in");
            props.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20);
            final java.util.function.Supplier<io.pspf.streams.Topology> topology = () -> {
                final StreamsBuilder builder = new StreamsBuilder();
                builder.table("table-in", Consumed.with(Serdes.String(), Serdes.String()),
                    org.apache.kafka.streams.kstream.Materialized.as("table-store"));
                return builder.build(props);
            };
            assertEquals(expected, runUntilTableHolds(topology, props, expected));
            for (final String key : List.of("f", "g")) {
                ids.add(other.xadd("table-in", Map.of("key", key, "value", key + "1")));
                expected.put(key, key + "1");
            }
            other.xtrim("table-in", io.lettuce.core.XTrimArgs.Builder.minId(ids.get(5)));
            assertEquals(expected, runUntilTableHolds(topology, props, expected));
        } finally {
            client.shutdown();
        }
    }

    /** Runs the application until its table store holds {@code expected} (or 30 s pass); returns what it held. */
    private static Map<String, String> runUntilTableHolds(final java.util.function.Supplier<io.pspf.streams.Topology> topology,
                                                          final Properties props, final Map<String, String> expected)
        throws InterruptedException {
        try (PspfStreams streams = new PspfStreams(topology.get(), props)) {
            streams.start();
            final long deadline = System.currentTimeMillis() + 30_000;
            Map<String, String> held = Map.of();
            while (!held.equals(expected) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
                held = tableContents(streams);
            }
            // a commit after the last update, so the next run starts from the stored state
            Thread.sleep(100);
            return held;
        }
    }

    private static Map<String, String> tableContents(final PspfStreams streams) {
        final Map<String, String> contents = new java.util.TreeMap<>();
        try (org.apache.kafka.streams.state.KeyValueIterator<String, String> all = streams.store(
            org.apache.kafka.streams.StoreQueryParameters.fromNameAndType("table-store",
                org.apache.kafka.streams.state.QueryableStoreTypes.<String, String>keyValueStore())).all()) {
            all.forEachRemaining(kv -> contents.put(kv.key, kv.value));
        } catch (final org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            return Map.of(); // not running yet
        }
        return contents;
    }

    /** An application on this test's server, reading and writing {@code plainTopics} as plain streams. */
    private Properties props(final String applicationId, final String plainTopics) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put("pspf.backend", server.uri());
        props.put("pspf.valkey.plain.topics", plainTopics);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        return props;
    }

    /** Runs the application until the output stream holds {@code entries} entries (or 30 s pass), then closes it. */
    private static void runUntil(final java.util.function.Supplier<io.pspf.streams.Topology> topology,
                                 final Properties props,
                                 final io.lettuce.core.api.sync.RedisCommands<String, String> other, final long entries)
        throws InterruptedException {
        try (PspfStreams streams = new PspfStreams(topology.get(), props)) {
            streams.start();
            final long deadline = System.currentTimeMillis() + 30_000;
            while (other.xlen("trimmed-out") < entries && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        }
    }
}
