package io.pspf.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.TestInputTopic;
import io.pspf.streams.TestOutputTopic;
import io.pspf.streams.TopologyTestDriver;

/**
 * Top-N with a table aggregate: each product's latest score (a table keyed by product) is grouped by category;
 * the aggregate keeps every product's score of the category, the adder adding a product and the subtractor
 * taking out its old score, and the output is the category's three best.
 */
class TopNExampleTest {

    /** "product=score" entries, comma separated, in no particular order. */
    static String add(final String entries, final String entry) {
        return entries.isEmpty() ? entry : entries + "," + entry;
    }

    static String remove(final String entries, final String entry) {
        final List<String> all = entries.isEmpty() ? List.of() : Arrays.asList(entries.split(","));
        final int at = all.indexOf(entry);
        return all.stream().filter(e -> all.indexOf(e) != at || !e.equals(entry)).collect(Collectors.joining(","));
    }

    static String top3(final String entries) {
        if (entries.isEmpty()) {
            return "";
        }
        return Arrays.stream(entries.split(","))
            .sorted(Comparator.comparingInt((String e) -> Integer.parseInt(e.substring(e.indexOf('=') + 1))).reversed()
                .thenComparing(Comparator.naturalOrder()))
            .limit(3)
            .collect(Collectors.joining(","));
    }

    @Test
    void keepsTheThreeBestProductsOfEachCategory() {
        final StreamsBuilder builder = new StreamsBuilder();
        // product -> "category:score"
        builder.table("product-scores", Consumed.with(Serdes.String(), Serdes.String()))
            .groupBy((product, value) -> KeyValue.pair(value.split(":")[0], product + "=" + value.split(":")[1]),
                Grouped.with(Serdes.String(), Serdes.String()))
            .aggregate(() -> "", (category, entry, entries) -> add(entries, entry),
                (category, entry, entries) -> remove(entries, entry),
                Materialized.with(Serdes.String(), Serdes.String()))
            .mapValues(TopNExampleTest::top3)
            .toStream()
            .to("top3-per-category", Produced.with(Serdes.String(), Serdes.String()));

        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "top-n");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            final TestInputTopic<String, String> scores = driver.createInputTopic("product-scores",
                Serdes.String().serializer(), Serdes.String().serializer());
            final TestOutputTopic<String, String> out = driver.createOutputTopic("top3-per-category",
                Serdes.String().deserializer(), Serdes.String().deserializer());

            scores.pipeInput("p1", "books:5");
            scores.pipeInput("p2", "books:9");
            scores.pipeInput("p3", "books:7");
            scores.pipeInput("p4", "books:8");
            scores.pipeInput("p2", "books:1");      // p2 drops out of the top three
            scores.pipeInput("p5", "games:3");
            scores.pipeInput("p1", "games:6");      // p1 moves category: out of books, into games

            assertEquals(List.of(
                KeyValue.pair("books", "p1=5"),
                KeyValue.pair("books", "p2=9,p1=5"),
                KeyValue.pair("books", "p2=9,p3=7,p1=5"),
                KeyValue.pair("books", "p2=9,p4=8,p3=7"),
                // same category: one combined change (KIP-904), the old score taken out and the new one added
                KeyValue.pair("books", "p4=8,p3=7,p1=5"),
                KeyValue.pair("games", "p5=3"),
                // new category: first the subtraction from the old one, then the addition to the new one
                KeyValue.pair("books", "p4=8,p3=7,p2=1"),
                KeyValue.pair("games", "p1=6,p5=3")), out.readKeyValuesToList());
        }
    }
}
