package io.pspf.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.IntegerSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** Skipped records are counted where Kafka counts them: the task's {@code dropped-records-total} metric. */
class DroppedRecordsMetricTest {

    private static Properties config() {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dropped-records");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        return props;
    }

    private static double droppedTotal(final Map<MetricName, ? extends Metric> metrics) {
        double total = 0;
        for (final Map.Entry<MetricName, ? extends Metric> metric : metrics.entrySet()) {
            if (metric.getKey().name().equals("dropped-records-total")
                && metric.getKey().group().equals("stream-task-metrics")) {
                total += (Double) metric.getValue().metricValue();
            }
        }
        return total;
    }

    @Test
    void shouldCountRecordsSkippedForDeserializationErrorsLikeKafka() {
        final org.apache.kafka.streams.StreamsBuilder kafkaBuilder = new org.apache.kafka.streams.StreamsBuilder();
        kafkaBuilder.stream("in", Consumed.with(Serdes.Integer(), Serdes.Integer())).to("out", Produced.with(Serdes.Integer(), Serdes.Integer()));
        final StreamsBuilder pspfBuilder = new StreamsBuilder();
        pspfBuilder.stream("in", Consumed.with(Serdes.Integer(), Serdes.Integer())).to("out", Produced.with(Serdes.Integer(), Serdes.Integer()));
        final byte[] notAnInteger = {1, 2, 3};
        try (org.apache.kafka.streams.TopologyTestDriver kafka = new org.apache.kafka.streams.TopologyTestDriver(kafkaBuilder.build(), config());
             TopologyTestDriver pspf = new TopologyTestDriver(pspfBuilder.build(), config())) {
            kafka.createInputTopic("in", new IntegerSerializer(), new ByteArraySerializer()).pipeInput(1, notAnInteger, 1L);
            pspf.createInputTopic("in", new IntegerSerializer(), new ByteArraySerializer()).pipeInput(1, notAnInteger, 1L);
            kafka.createInputTopic("in", new IntegerSerializer(), new IntegerSerializer()).pipeInput(2, 2, 2L);
            pspf.createInputTopic("in", new IntegerSerializer(), new IntegerSerializer()).pipeInput(2, 2, 2L);
            assertEquals(1.0, droppedTotal(kafka.metrics()));
            assertEquals(droppedTotal(kafka.metrics()), droppedTotal(pspf.metrics()));
            assertEquals(1, pspf.createOutputTopic("out", new IntegerDeserializer(), new IntegerDeserializer()).getQueueSize());
        }
    }
}
