package io.pspf.streams.differential;

import java.util.Collection;
import java.util.regex.Pattern;

import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The part of {@code StreamsBuilder} a differential DSL topology is written against, once: one implementation wraps
 * {@code org.apache.kafka.streams.StreamsBuilder}, the other {@code io.pspf.streams.StreamsBuilder}. Everything
 * downstream of {@link #stream} is Kafka's own {@link KStream} interface on both sides.
 */
public interface Dsl extends Side {
    <K, V> KStream<K, V> stream(String topic);

    <K, V> KStream<K, V> stream(String topic, Consumed<K, V> consumed);

    <K, V> KStream<K, V> stream(Collection<String> topics);

    <K, V> KStream<K, V> stream(Collection<String> topics, Consumed<K, V> consumed);

    <K, V> KStream<K, V> stream(Pattern topicPattern);

    <K, V> KStream<K, V> stream(Pattern topicPattern, Consumed<K, V> consumed);

    <K, V> KTable<K, V> table(String topic, Consumed<K, V> consumed);

    <K, V> KTable<K, V> table(String topic);

    <K, V> KTable<K, V> table(String topic, Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized);

    <K, V> KTable<K, V> table(String topic, Consumed<K, V> consumed, Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized);

    /** Properties given to {@code build(Properties)} (for {@code topology.optimization}); null builds without. */
    Dsl buildProperties(java.util.Properties properties);

    <K, V> GlobalKTable<K, V> globalTable(String topic, Consumed<K, V> consumed);

    <K, V> GlobalKTable<K, V> globalTable(String topic);

    <K, V> GlobalKTable<K, V> globalTable(String topic, Consumed<K, V> consumed,
                                          Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized);

    <K, V> GlobalKTable<K, V> globalTable(String topic, Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized);

    Dsl addStateStore(StoreBuilder<?> builder);

    <K, V> Dsl addGlobalStore(StoreBuilder<?> storeBuilder, String topic, Consumed<K, V> consumed,
                              ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier);
}
