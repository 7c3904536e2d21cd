package io.pspf.runtime.task;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Record;

import io.pspf.runtime.graph.NodeSpec;

/** Serializes records and hands them to the task's collector, for a fixed topic or an extracted one. */
final class SinkNode extends TaskNode {
    private final NodeSpec.Sink spec;
    private final String decoratedTopic;
    private ProcessorContextImpl context;
    private Serializer<Object> keySerializer;
    private Serializer<Object> valueSerializer;

    SinkNode(final NodeSpec.Sink spec, final String decoratedTopic) {
        super(spec.name());
        this.spec = spec;
        this.decoratedTopic = decoratedTopic;
    }

    @SuppressWarnings("unchecked")
    @Override
    void init(final ProcessorContextImpl context) {
        this.context = context;
        try {
            keySerializer = spec.keySerializer() != null
                ? (Serializer<Object>) spec.keySerializer()
                : (Serializer<Object>) context.keySerde().serializer();
        } catch (final ConfigException | StreamsException e) {
            throw new StreamsException(String.format("Failed to initialize key serdes for sink node %s", name), e,
                context.taskId());
        }
        try {
            valueSerializer = spec.valueSerializer() != null
                ? (Serializer<Object>) spec.valueSerializer()
                : (Serializer<Object>) context.valueSerde().serializer();
        } catch (final ConfigException | StreamsException e) {
            throw new StreamsException(String.format("Failed to initialize value serdes for sink node %s", name), e,
                context.taskId());
        }
        wrapDefaults(context, keySerializer);
        wrapDefaults(context, valueSerializer);
    }

    @SuppressWarnings("unchecked")
    @Override
    void process(final Record<Object, Object> record) {
        final long timestamp = record.timestamp();
        if (timestamp < 0) {
            throw new StreamsException("Invalid (negative) timestamp of " + timestamp + " for output record <"
                + record.key() + ":" + record.value() + ">.");
        }
        final String topic;
        if (decoratedTopic != null) {
            topic = decoratedTopic;
        } else {
            final TopicNameExtractor<Object, Object> extractor = (TopicNameExtractor<Object, Object>) spec.topicExtractor();
            // as in Kafka, an extracted topic is used as returned, and the extractor sees no source raw key or value
            topic = extractor.extract(record.key(), record.value(), context.extractorContext(record));
        }
        context.task().send(topic, record, keySerializer, valueSerializer,
            (StreamPartitioner<Object, Object>) spec.partitioner(), name);
    }

    @Override
    void close() {
    }

    private static void wrapDefaults(final ProcessorContextImpl context, final Object serde) {
        if (serde instanceof WrapsDefaultSerde) {
            ((WrapsDefaultSerde) serde).setIfUnset(context::keySerde, context::valueSerde);
        }
    }
}
