package io.pspf.bench;

import java.util.Arrays;
import java.util.Locale;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * The two topologies of the end-to-end benchmark ({@link LogRun}), built with PSPF's {@code StreamsBuilder} exactly as
 * the Kafka baseline's {@code Topologies} builds them with Kafka's, so that both engines run the same operators with
 * the same serdes and store.
 */
final class LogTopologies {
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    /** The word count's store: Kafka's default supplier for {@code Materialized.as} is persistent (SQLite here). */
    static final String STORE = "counts";

    private LogTopologies() {
    }

    /** {@code filter(key not ending in '7')} -> {@code mapValues(toUpperCase)} -> {@code to(output)}, String/String. */
    static Topology stateless() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
            .filter((key, value) -> !key.endsWith("7"))
            .mapValues(value -> value.toUpperCase(Locale.ROOT))
            .to(OUTPUT, Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    /**
     * {@code flatMapValues(split on \W+)} -> {@code groupBy(word)} (through the repartition topic "words") ->
     * {@code count} in the persistent store "counts" -> {@code toStream} -> {@code to(output)}, String/Long.
     */
    static Topology wordCount() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
            .flatMapValues(value -> Arrays.asList(value.toLowerCase(Locale.ROOT).split("\\W+")))
            .groupBy((key, word) -> word, Grouped.with("words", Serdes.String(), Serdes.String()))
            .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long()))
            .toStream()
            .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }
}
