package io.pspf.runtime.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * The description of one node of a processor graph, as the user (or the DSL) added it. A task builds its own
 * runtime node from each spec; a spec itself is immutable apart from the stores connected to processors.
 */
public abstract class NodeSpec {
    final String name;
    final List<String> predecessors;
    final List<String> successors = new ArrayList<>();
    /** The position at which the node was added to its graph. */
    int sequence;

    NodeSpec(final String name, final String[] predecessors) {
        this.name = name;
        this.predecessors = List.of(predecessors);
    }

    public String name() {
        return name;
    }

    public List<String> predecessors() {
        return predecessors;
    }

    public List<String> successors() {
        return Collections.unmodifiableList(successors);
    }

    /** The position at which the node was added to its graph: Kafka builds and initializes nodes in this order. */
    public int sequence() {
        return sequence;
    }

    /** A source: reads one or more topics, or every topic matching a pattern. */
    public static final class Source extends NodeSpec {
        final List<String> topics;
        final Pattern pattern;
        final TimestampExtractor timestampExtractor;
        final Deserializer<?> keyDeserializer;
        final Deserializer<?> valueDeserializer;
        final AutoOffsetReset offsetReset;

        Source(final String name, final List<String> topics, final Pattern pattern,
               final TimestampExtractor timestampExtractor, final Deserializer<?> keyDeserializer,
               final Deserializer<?> valueDeserializer, final AutoOffsetReset offsetReset) {
            super(name, new String[0]);
            this.topics = topics;
            this.pattern = pattern;
            this.timestampExtractor = timestampExtractor;
            this.keyDeserializer = keyDeserializer;
            this.valueDeserializer = valueDeserializer;
            this.offsetReset = offsetReset;
        }

        /** The topics as given (undecorated); empty for a pattern source. */
        public List<String> topics() {
            return topics;
        }

        public Pattern pattern() {
            return pattern;
        }

        public TimestampExtractor timestampExtractor() {
            return timestampExtractor;
        }

        public Deserializer<?> keyDeserializer() {
            return keyDeserializer;
        }

        public Deserializer<?> valueDeserializer() {
            return valueDeserializer;
        }

        public AutoOffsetReset offsetReset() {
            return offsetReset;
        }
    }

    /** A processor: a {@link ProcessorSupplier} or, for {@code processValues}, a {@link FixedKeyProcessorSupplier}. */
    public static final class Processor extends NodeSpec {
        final ProcessorSupplier<?, ?, ?, ?> supplier;
        final FixedKeyProcessorSupplier<?, ?, ?> fixedKeySupplier;
        final Set<String> stores = new LinkedHashSet<>();

        Processor(final String name, final String[] predecessors, final ProcessorSupplier<?, ?, ?, ?> supplier,
                  final FixedKeyProcessorSupplier<?, ?, ?> fixedKeySupplier) {
            super(name, predecessors);
            this.supplier = supplier;
            this.fixedKeySupplier = fixedKeySupplier;
        }

        public ProcessorSupplier<?, ?, ?, ?> supplier() {
            return supplier;
        }

        public FixedKeyProcessorSupplier<?, ?, ?> fixedKeySupplier() {
            return fixedKeySupplier;
        }

        public Set<String> stores() {
            return Collections.unmodifiableSet(stores);
        }
    }

    /** A sink: writes to a fixed topic or to the topic a {@link TopicNameExtractor} picks per record. */
    public static final class Sink extends NodeSpec {
        final String topic;
        final TopicNameExtractor<?, ?> topicExtractor;
        final Serializer<?> keySerializer;
        final Serializer<?> valueSerializer;
        final StreamPartitioner<?, ?> partitioner;

        Sink(final String name, final String[] predecessors, final String topic,
             final TopicNameExtractor<?, ?> topicExtractor, final Serializer<?> keySerializer,
             final Serializer<?> valueSerializer, final StreamPartitioner<?, ?> partitioner) {
            super(name, predecessors);
            this.topic = topic;
            this.topicExtractor = topicExtractor;
            this.keySerializer = keySerializer;
            this.valueSerializer = valueSerializer;
            this.partitioner = partitioner;
        }

        /** The fixed topic (undecorated), or null when an extractor picks it. */
        public String topic() {
            return topic;
        }

        public TopicNameExtractor<?, ?> topicExtractor() {
            return topicExtractor;
        }

        public Serializer<?> keySerializer() {
            return keySerializer;
        }

        public Serializer<?> valueSerializer() {
            return valueSerializer;
        }

        public StreamPartitioner<?, ?> partitioner() {
            return partitioner;
        }
    }
}
