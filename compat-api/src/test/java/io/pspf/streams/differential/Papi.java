package io.pspf.streams.differential;

import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The Processor API methods of {@code Topology} a differential topology is written against, once: one implementation
 * wraps {@code org.apache.kafka.streams.Topology}, the other {@code io.pspf.streams.Topology}. Each method calls the
 * same-named overload on the wrapped topology and returns this adapter for chaining.
 */
public interface Papi extends Side {
    Papi addSource(String name, String... topics);

    Papi addSource(String name, Pattern topicPattern);

    Papi addSource(AutoOffsetReset offsetReset, String name, String... topics);

    Papi addSource(TimestampExtractor timestampExtractor, String name, String... topics);

    <K, V> Papi addSource(String name, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
                          String... topics);

    <K, V> Papi addSource(AutoOffsetReset offsetReset, String name, TimestampExtractor timestampExtractor,
                          Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer, String... topics);

    Papi addSink(String name, String topic, String... parentNames);

    <K, V> Papi addSink(String name, String topic, StreamPartitioner<? super K, ? super V> partitioner,
                        String... parentNames);

    <K, V> Papi addSink(String name, String topic, Serializer<K> keySerializer, Serializer<V> valueSerializer,
                        String... parentNames);

    <K, V> Papi addSink(String name, String topic, Serializer<K> keySerializer, Serializer<V> valueSerializer,
                        StreamPartitioner<? super K, ? super V> partitioner, String... parentNames);

    <K, V> Papi addSink(String name, TopicNameExtractor<? super K, ? super V> topicExtractor, String... parentNames);

    <K, V> Papi addSink(String name, TopicNameExtractor<? super K, ? super V> topicExtractor,
                        Serializer<K> keySerializer, Serializer<V> valueSerializer, String... parentNames);

    <KIn, VIn, KOut, VOut> Papi addProcessor(String name, ProcessorSupplier<KIn, VIn, KOut, VOut> supplier,
                                             String... parentNames);

    <S extends StateStore> Papi addStateStore(StoreBuilder<S> storeBuilder, String... processorNames);

    Papi connectProcessorAndStateStores(String processorName, String... stateStoreNames);

    <K, V, S extends StateStore> Papi addGlobalStore(StoreBuilder<S> storeBuilder, String sourceName,
                                                     Deserializer<K> keyDeserializer,
                                                     Deserializer<V> valueDeserializer, String topic,
                                                     String processorName,
                                                     ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier);

    <K, V, S extends StateStore> Papi addReadOnlyStateStore(StoreBuilder<S> storeBuilder, String sourceName,
                                                            Deserializer<K> keyDeserializer,
                                                            Deserializer<V> valueDeserializer, String topic,
                                                            String processorName,
                                                            ProcessorSupplier<K, V, Void, Void> stateUpdateSupplier);
}
