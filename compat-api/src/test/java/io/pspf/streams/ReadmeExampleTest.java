package io.pspf.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/** The porting example of README.md, as written there, so the README stays true. */
class ReadmeExampleTest {

    @Test
    void shouldRunTheReadmeExampleAsDocumented() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("input", Consumed.with(Serdes.String(), Serdes.String()))
               .filter((key, value) -> !key.endsWith("7"))
               .mapValues(value -> value.toUpperCase())
               .to("output", Produced.with(Serdes.String(), Serdes.String()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build())) {
            TestInputTopic<String, String> in = driver.createInputTopic("input", new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, String> out = driver.createOutputTopic("output", new StringDeserializer(), new StringDeserializer());
            in.pipeInput("key1", "hello");
            assertEquals(KeyValue.pair("key1", "HELLO"), out.readKeyValue());
            in.pipeInput("key7", "dropped");
            assertEquals(true, out.isEmpty());
        }
    }
}
