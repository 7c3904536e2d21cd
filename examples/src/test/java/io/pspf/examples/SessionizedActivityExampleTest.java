package io.pspf.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.junit.jupiter.api.Test;

import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.TestInputTopic;
import io.pspf.streams.TestOutputTopic;
import io.pspf.streams.TopologyTestDriver;

/**
 * Sessionized user activity: clicks per user grouped into sessions that end after 5 minutes of inactivity. A
 * click that bridges two sessions merges them (within the 10-minute grace); the superseded sessions are retracted
 * with a tombstone.
 */
class SessionizedActivityExampleTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void countsClicksPerSessionAndMergesSessionsBridgedByAClick() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("clicks", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMinutes(5), Duration.ofMinutes(10)))
            .count(Materialized.with(Serdes.String(), Serdes.Long()))
            .toStream()
            .map((session, count) -> KeyValue.pair(session.key() + "@" + minute(session.window().start()) + "-"
                + minute(session.window().end()), count == null ? "retracted" : count.toString()))
            .to("sessions", Produced.with(Serdes.String(), Serdes.String()));

        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sessions");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            final TestInputTopic<String, String> clicks = driver.createInputTopic("clicks",
                Serdes.String().serializer(), Serdes.String().serializer());
            final TestOutputTopic<String, String> sessions = driver.createOutputTopic("sessions",
                Serdes.String().deserializer(), Serdes.String().deserializer());

            clicks.pipeInput("ann", "/home", T0);
            clicks.pipeInput("ann", "/cart", T0.plus(Duration.ofMinutes(2)));
            clicks.pipeInput("ann", "/home", T0.plus(Duration.ofMinutes(10)));   // a new session
            clicks.pipeInput("ann", "/help", T0.plus(Duration.ofMinutes(6)));    // bridges both sessions

            assertEquals(List.of(
                KeyValue.pair("ann@0-0", "1"),
                KeyValue.pair("ann@0-0", "retracted"),
                KeyValue.pair("ann@0-2", "2"),
                KeyValue.pair("ann@10-10", "1"),
                KeyValue.pair("ann@0-2", "retracted"),
                KeyValue.pair("ann@10-10", "retracted"),
                KeyValue.pair("ann@0-10", "4")), sessions.readKeyValuesToList());
        }
    }

    private static long minute(final long epochMs) {
        return (epochMs - T0.toEpochMilli()) / 60_000L;
    }
}
