package io.pspf.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.TestInputTopic;
import io.pspf.streams.TestOutputTopic;
import io.pspf.streams.TopologyTestDriver;

/**
 * Page views per region: page views (keyed by user) are enriched with the user's region from a table of
 * profiles (a stream-table left join), re-keyed by region and counted.
 */
class PageViewsPerRegionExampleTest {

    @Test
    void countsViewsByTheRegionTheUserIsInAtTheTimeOfTheView() {
        final StreamsBuilder builder = new StreamsBuilder();
        final KStream<String, String> views = builder.stream("page-views", Consumed.with(Serdes.String(), Serdes.String()));
        final KTable<String, String> regions = builder.table("user-regions", Consumed.with(Serdes.String(), Serdes.String()));
        views.leftJoin(regions, (page, region) -> region == null ? "UNKNOWN" : region)
            .groupBy((user, region) -> region, Grouped.with(Serdes.String(), Serdes.String()))
            .count()
            .toStream()
            .to("views-per-region", Produced.with(Serdes.String(), Serdes.Long()));

        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "page-views");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            final TestInputTopic<String, String> viewTopic = driver.createInputTopic("page-views",
                Serdes.String().serializer(), Serdes.String().serializer());
            final TestInputTopic<String, String> regionTopic = driver.createInputTopic("user-regions",
                Serdes.String().serializer(), Serdes.String().serializer());
            final TestOutputTopic<String, Long> out = driver.createOutputTopic("views-per-region",
                Serdes.String().deserializer(), Serdes.Long().deserializer());

            regionTopic.pipeInput("alice", "europe");
            regionTopic.pipeInput("bob", "asia");
            viewTopic.pipeInput("alice", "/home");
            viewTopic.pipeInput("bob", "/home");
            viewTopic.pipeInput("carol", "/about");
            regionTopic.pipeInput("alice", "asia");
            viewTopic.pipeInput("alice", "/cart");

            assertEquals(List.of(KeyValue.pair("europe", 1L), KeyValue.pair("asia", 1L), KeyValue.pair("UNKNOWN", 1L),
                KeyValue.pair("asia", 2L)), out.readKeyValuesToList());
        }
    }
}
