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
            final Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "plain-app");
            props.put("pspf.backend", server.uri());
            props.put("pspf.valkey.plain.topics", "user-signups,welcome-events");
            props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
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
}
