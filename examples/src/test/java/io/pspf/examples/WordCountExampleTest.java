package io.pspf.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.TestInputTopic;
import io.pspf.streams.TestOutputTopic;
import io.pspf.streams.Topology;
import io.pspf.streams.TopologyTestDriver;

/** The word count everyone starts with: lines in, a running count per word out. */
class WordCountExampleTest {

    static Topology wordCount() {
        final StreamsBuilder builder = new StreamsBuilder();
        final KTable<String, Long> counts = builder.stream("text-lines", Consumed.with(Serdes.String(), Serdes.String()))
            .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split("\\W+")))
            .groupBy((key, word) -> word)
            .count(Materialized.as("word-counts-store"));
        counts.toStream().to("word-counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    static Properties config(final long cacheBytes) {
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
        return props;
    }

    @Test
    void countsEveryWordAsItArrives() {
        try (TopologyTestDriver driver = new TopologyTestDriver(wordCount(), config(0))) {
            final TestInputTopic<String, String> lines = driver.createInputTopic("text-lines",
                Serdes.String().serializer(), Serdes.String().serializer());
            final TestOutputTopic<String, Long> counts = driver.createOutputTopic("word-counts",
                Serdes.String().deserializer(), Serdes.Long().deserializer());

            lines.pipeInput("Hello Kafka Streams");
            lines.pipeInput("hello PSPF");

            assertEquals(List.of(KeyValue.pair("hello", 1L), KeyValue.pair("kafka", 1L), KeyValue.pair("streams", 1L),
                KeyValue.pair("hello", 2L), KeyValue.pair("pspf", 1L)), counts.readKeyValuesToList());
            final KeyValueStore<String, Long> store = driver.getKeyValueStore("word-counts-store");
            assertEquals(2L, store.get("hello"));
            assertEquals(1L, store.get("pspf"));
        }
    }

    @Test
    void withTheRecordCacheOnlyTheLatestCountOfAnInputIsSent() {
        try (TopologyTestDriver driver = new TopologyTestDriver(wordCount(), config(10 * 1024 * 1024))) {
            final TestInputTopic<String, String> lines = driver.createInputTopic("text-lines",
                Serdes.String().serializer(), Serdes.String().serializer());
            final TestOutputTopic<String, Long> counts = driver.createOutputTopic("word-counts",
                Serdes.String().deserializer(), Serdes.Long().deserializer());

            lines.pipeInput("a b a");

            // the driver commits after each input record: the cache collapses the two updates of "a"
            assertEquals(Map.of("a", 2L, "b", 1L), counts.readKeyValuesToMap());
        }
    }
}
