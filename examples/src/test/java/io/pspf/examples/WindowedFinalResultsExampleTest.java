package io.pspf.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.junit.jupiter.api.Test;

import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.TestInputTopic;
import io.pspf.streams.TestOutputTopic;
import io.pspf.streams.TopologyTestDriver;

/**
 * Windowed final results: page views per page in 1-minute windows with 10 seconds of grace, suppressed until the
 * window closes, so each window is reported once, with its final count; a record later than the grace is dropped.
 */
class WindowedFinalResultsExampleTest {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void reportsEachWindowOnceWhenItCloses() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("views", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(10)))
            .count(Materialized.with(Serdes.String(), Serdes.Long()))
            .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream()
            .map((window, count) -> KeyValue.pair(window.key() + "@" + (window.window().start() - T0.toEpochMilli()) / 1000, count))
            .to("final-counts", Produced.with(Serdes.String(), Serdes.Long()));

        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "final-results");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            final TestInputTopic<String, String> views = driver.createInputTopic("views",
                Serdes.String().serializer(), Serdes.String().serializer());
            final TestOutputTopic<String, Long> out = driver.createOutputTopic("final-counts",
                Serdes.String().deserializer(), Serdes.Long().deserializer());

            views.pipeInput("/home", "u1", T0.plusSeconds(5));
            views.pipeInput("/home", "u2", T0.plusSeconds(30));
            views.pipeInput("/cart", "u1", T0.plusSeconds(40));
            views.pipeInput("/home", "u3", T0.plusSeconds(65));   // next window; the first is still in its grace
            assertTrue(out.isEmpty(), "nothing is final yet");

            views.pipeInput("/home", "u4", T0.plusSeconds(55));   // late but within the grace: counted
            views.pipeInput("/cart", "u2", T0.plusSeconds(71));   // stream time passes 60 s + 10 s: the first window closes
            views.pipeInput("/home", "u5", T0.plusSeconds(20));   // after the grace: dropped

            // windows closing at the same time leave the buffer in key order
            assertEquals(List.of(KeyValue.pair("/cart@0", 1L), KeyValue.pair("/home@0", 3L)), out.readKeyValuesToList());
        }
    }
}
