package io.pspf.streams.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

/**
 * The test driver's own API beyond what the harness uses — input-topic clocks, reading empty or unknown topics,
 * {@code producedTopicNames}, store getters, {@code toString}s — called the same way on Kafka's
 * {@code TopologyTestDriver} and PSPF's; results and exceptions must match.
 */
class DriverApiTest {
    static final StringSerializer SS = new StringSerializer();
    static final StringDeserializer SD = new StringDeserializer();
    static final Instant START = Instant.ofEpochMilli(5_000);

    static Properties props() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, Differential.APP_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class.getName());
        return props;
    }

    static org.apache.kafka.streams.TopologyTestDriver kafka() {
        final org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String())).mapValues(v -> v + "!").to("out");
        return new org.apache.kafka.streams.TopologyTestDriver(builder.build(), props(), START);
    }

    static io.pspf.streams.TopologyTestDriver pspf() {
        final io.pspf.streams.StreamsBuilder builder = new io.pspf.streams.StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String())).mapValues(v -> v + "!").to("out");
        return new io.pspf.streams.TopologyTestDriver(builder.build(), props(), START);
    }

    static String attempt(final Callable<?> call) {
        try {
            return String.valueOf(call.call());
        } catch (final Throwable e) {
            return "threw " + Differential.exception(e);
        }
    }

    interface KafkaProbe {
        Object run(org.apache.kafka.streams.TopologyTestDriver driver) throws Exception;
    }

    interface PspfProbe {
        Object run(io.pspf.streams.TopologyTestDriver driver) throws Exception;
    }

    static void same(final KafkaProbe kafka, final PspfProbe pspf) {
        final String expected;
        try (org.apache.kafka.streams.TopologyTestDriver driver = kafka()) {
            expected = attempt(() -> kafka.run(driver));
        }
        final String actual;
        try (io.pspf.streams.TopologyTestDriver driver = pspf()) {
            actual = attempt(() -> pspf.run(driver));
        }
        assertEquals(expected, actual);
    }

    @Test
    void shouldStampRecordsPipedWithoutTimestampLikeKafka() {
        // Kafka's createInputTopic(topic, ser, ser) starts the topic clock at Instant.now(), not at the mocked wall
        // clock: compare whether the stamped time is the driver's start time or near the real time
        final long before = System.currentTimeMillis();
        same(d -> {
            d.createInputTopic("in", SS, SS).pipeInput("k", "v");
            final long ts = d.createOutputTopic("out", SD, SD).readRecord().timestamp();
            return ts == START.toEpochMilli() ? "driver start time" : ts >= before ? "system time" : "other: " + ts;
        }, d -> {
            d.createInputTopic("in", SS, SS).pipeInput("k", "v");
            final long ts = d.createOutputTopic("out", SD, SD).readRecord().timestamp();
            return ts == START.toEpochMilli() ? "driver start time" : ts >= before ? "system time" : "other: " + ts;
        });
    }

    @Test
    void shouldAutoAdvanceInputTopicTimeLikeKafka() {
        same(d -> {
            final var in = d.createInputTopic("in", SS, SS, Instant.ofEpochMilli(100), Duration.ofMillis(7));
            in.pipeInput("a");
            in.pipeInput("k", "b");
            in.advanceTime(Duration.ofMillis(50));
            in.pipeInput("k", "c", 3L);
            in.pipeValueList(List.of("d", "e"));
            return d.createOutputTopic("out", SD, SD).readRecordsToList() + " " + in;
        }, d -> {
            final var in = d.createInputTopic("in", SS, SS, Instant.ofEpochMilli(100), Duration.ofMillis(7));
            in.pipeInput("a");
            in.pipeInput("k", "b");
            in.advanceTime(Duration.ofMillis(50));
            in.pipeInput("k", "c", 3L);
            in.pipeValueList(List.of("d", "e"));
            return d.createOutputTopic("out", SD, SD).readRecordsToList() + " " + in;
        });
    }

    @Test
    void shouldFailToReadFromEmptyOutputTopicLikeKafka() {
        same(d -> {
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "v");
            final var out = d.createOutputTopic("out", SD, SD);
            out.readRecord();
            return out.readRecord();
        }, d -> {
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "v");
            final var out = d.createOutputTopic("out", SD, SD);
            out.readRecord();
            return out.readRecord();
        });
    }

    @Test
    void shouldFailToReadFromTopicNothingWasWrittenToLikeKafka() {
        same(d -> d.createOutputTopic("out", SD, SD).readValue(), d -> d.createOutputTopic("out", SD, SD).readValue());
    }

    @Test
    void shouldFailToReadUnknownTopicLikeKafka() {
        same(d -> d.createOutputTopic("nowhere", SD, SD).readValue(),
            d -> d.createOutputTopic("nowhere", SD, SD).readValue());
    }

    @Test
    void shouldReportQueueSizeAndEmptinessLikeKafka() {
        same(d -> {
            final var out = d.createOutputTopic("out", SD, SD);
            final String before = out.getQueueSize() + "/" + out.isEmpty();
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeKeyValueList(
                List.of(org.apache.kafka.streams.KeyValue.pair("a", "1"), org.apache.kafka.streams.KeyValue.pair("b", "2")));
            return before + " " + out.getQueueSize() + "/" + out.isEmpty() + " " + out;
        }, d -> {
            final var out = d.createOutputTopic("out", SD, SD);
            final String before = out.getQueueSize() + "/" + out.isEmpty();
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeKeyValueList(
                List.of(org.apache.kafka.streams.KeyValue.pair("a", "1"), org.apache.kafka.streams.KeyValue.pair("b", "2")));
            return before + " " + out.getQueueSize() + "/" + out.isEmpty() + " " + out;
        });
    }

    @Test
    void shouldRejectNullKeyInReadKeyValuesToMapLikeKafka() {
        same(d -> {
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("v");
            return d.createOutputTopic("out", SD, SD).readKeyValuesToMap();
        }, d -> {
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("v");
            return d.createOutputTopic("out", SD, SD).readKeyValuesToMap();
        });
    }

    @Test
    void shouldRejectPipingIntoUnknownTopicLikeKafka() {
        same(d -> {
            d.createInputTopic("unknown", SS, SS).pipeInput("k", "v", 1L);
            return "piped";
        }, d -> {
            d.createInputTopic("unknown", SS, SS).pipeInput("k", "v", 1L);
            return "piped";
        });
    }

    @Test
    void shouldRejectNegativeInputTopicAdvanceLikeKafka() {
        same(d -> {
            d.createInputTopic("in", SS, SS).advanceTime(Duration.ofMillis(-1));
            return "advanced";
        }, d -> {
            d.createInputTopic("in", SS, SS).advanceTime(Duration.ofMillis(-1));
            return "advanced";
        });
    }

    @Test
    void shouldRejectNegativeAutoAdvanceLikeKafka() {
        same(d -> d.createInputTopic("in", SS, SS, START, Duration.ofMillis(-1)),
            d -> d.createInputTopic("in", SS, SS, START, Duration.ofMillis(-1)));
    }

    @Test
    void shouldRejectNullDeserializerLikeKafka() {
        same(d -> d.createOutputTopic("out", null, SD), d -> d.createOutputTopic("out", null, SD));
    }

    @Test
    void shouldRejectNullSerializerLikeKafka() {
        same(d -> d.createInputTopic("in", null, SS), d -> d.createInputTopic("in", null, SS));
    }

    @Test
    void shouldListProducedTopicNamesLikeKafka() {
        same(d -> {
            final String before = d.producedTopicNames().toString();
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "v");
            return before + " " + d.producedTopicNames();
        }, d -> {
            final String before = d.producedTopicNames().toString();
            d.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "v");
            return before + " " + d.producedTopicNames();
        });
    }

    @Test
    void shouldReturnNoStoresForStatelessTopologyLikeKafka() {
        same(d -> d.getAllStateStores() + " " + d.getStateStore("x") + " " + d.getKeyValueStore("x") + " "
                + d.getWindowStore("x") + " " + d.getSessionStore("x") + " " + d.getTimestampedKeyValueStore("x")
                + " " + d.getVersionedKeyValueStore("x") + " " + d.getTimestampedWindowStore("x"),
            d -> d.getAllStateStores() + " " + d.getStateStore("x") + " " + d.getKeyValueStore("x") + " "
                + d.getWindowStore("x") + " " + d.getSessionStore("x") + " " + d.getTimestampedKeyValueStore("x")
                + " " + d.getVersionedKeyValueStore("x") + " " + d.getTimestampedWindowStore("x"));
    }

    @Test
    void shouldDescribeInputTopicLikeKafka() {
        same(d -> d.createInputTopic("in", SS, SS, START, Duration.ofMillis(3)).toString(),
            d -> d.createInputTopic("in", SS, SS, START, Duration.ofMillis(3)).toString());
    }

    @Test
    void shouldRejectNullWallClockAdvanceLikeKafka() {
        same(d -> {
            d.advanceWallClockTime(null);
            return "advanced";
        }, d -> {
            d.advanceWallClockTime(null);
            return "advanced";
        });
    }

    @Test
    void shouldReadRecordsPipedAfterCloseLikeKafka() {
        final String expected;
        final String actual;
        final org.apache.kafka.streams.TopologyTestDriver k = kafka();
        k.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "v");
        k.close();
        expected = attempt(() -> k.createOutputTopic("out", SD, SD).readRecordsToList() + " then "
            + attempt(() -> {
                k.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "after");
                return "piped";
            }));
        final io.pspf.streams.TopologyTestDriver p = pspf();
        p.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "v");
        p.close();
        actual = attempt(() -> p.createOutputTopic("out", SD, SD).readRecordsToList() + " then "
            + attempt(() -> {
                p.createInputTopic("in", SS, SS, START, Duration.ZERO).pipeInput("k", "after");
                return "piped";
            }));
        assertEquals(expected, actual);
    }
}
