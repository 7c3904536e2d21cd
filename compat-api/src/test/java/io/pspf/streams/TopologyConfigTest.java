package io.pspf.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.junit.jupiter.api.Test;

/** A topology built with its own {@link TopologyConfig} runs with the settings it overrides, as in Kafka. */
class TopologyConfigTest {

    /** Stamps every record with its value's length times 1000. */
    public static final class LengthTimestamp implements TimestampExtractor {
        @Override
        public long extract(final ConsumerRecord<Object, Object> record, final long partitionTime) {
            return record.value() == null ? 0 : record.value().toString().length() * 1000L;
        }
    }

    private static StreamsConfig appConfig() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-config");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:0");
        return new StreamsConfig(props);
    }

    private static TopologyConfig overriding() {
        final Properties overrides = new Properties();
        overrides.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, LengthTimestamp.class);
        return new TopologyConfig("t", appConfig(), overrides);
    }

    @Test
    void shouldUseTheTimestampExtractorTheTopologyConfigOverridesLikeKafka() {
        final org.apache.kafka.streams.StreamsBuilder kafkaBuilder = new org.apache.kafka.streams.StreamsBuilder(overriding());
        kafkaBuilder.stream("in", Consumed.with(Serdes.String(), Serdes.String())).to("out", Produced.with(Serdes.String(), Serdes.String()));
        final StreamsBuilder pspfBuilder = new StreamsBuilder(overriding());
        pspfBuilder.stream("in", Consumed.with(Serdes.String(), Serdes.String())).to("out", Produced.with(Serdes.String(), Serdes.String()));
        final Properties driverProps = new Properties();
        driverProps.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-config");
        try (org.apache.kafka.streams.TopologyTestDriver kafka = new org.apache.kafka.streams.TopologyTestDriver(kafkaBuilder.build(), driverProps);
             TopologyTestDriver pspf = new TopologyTestDriver(pspfBuilder.build(), driverProps)) {
            kafka.createInputTopic("in", new StringSerializer(), new StringSerializer()).pipeInput("k", "abc", 5L);
            pspf.createInputTopic("in", new StringSerializer(), new StringSerializer()).pipeInput("k", "abc", 5L);
            final List<Long> kafkaTimes = kafka.createOutputTopic("out", new StringDeserializer(), new StringDeserializer())
                .readRecordsToList().stream().map(org.apache.kafka.streams.test.TestRecord::timestamp).toList();
            final List<Long> pspfTimes = pspf.createOutputTopic("out", new StringDeserializer(), new StringDeserializer())
                .readRecordsToList().stream().map(io.pspf.streams.test.TestRecord::timestamp).toList();
            assertEquals(kafkaTimes, pspfTimes);
        }
    }
}
