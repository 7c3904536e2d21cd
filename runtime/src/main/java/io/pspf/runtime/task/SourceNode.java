package io.pspf.runtime.task;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.Record;

import io.pspf.runtime.graph.NodeSpec;

/** Reads records of its topics: deserializes them and forwards them to its children. */
final class SourceNode extends TaskNode {
    private final NodeSpec.Source spec;
    private ProcessorContextImpl context;
    Deserializer<Object> keyDeserializer;
    Deserializer<Object> valueDeserializer;
    TimestampExtractor extractor;

    SourceNode(final NodeSpec.Source spec) {
        super(spec.name());
        this.spec = spec;
    }

    @SuppressWarnings("unchecked")
    @Override
    void init(final ProcessorContextImpl context) {
        this.context = context;
        try {
            keyDeserializer = spec.keyDeserializer() != null
                ? (Deserializer<Object>) spec.keyDeserializer()
                : (Deserializer<Object>) context.keySerde().deserializer();
        } catch (final ConfigException | StreamsException e) {
            throw new StreamsException(String.format("Failed to initialize key serdes for source node %s", name), e,
                context.taskId());
        }
        try {
            valueDeserializer = spec.valueDeserializer() != null
                ? (Deserializer<Object>) spec.valueDeserializer()
                : (Deserializer<Object>) context.valueSerde().deserializer();
        } catch (final ConfigException | StreamsException e) {
            throw new StreamsException(String.format("Failed to initialize value serdes for source node %s", name), e,
                context.taskId());
        }
        wrapDefaults(context, keyDeserializer);
        wrapDefaults(context, valueDeserializer);
        extractor = spec.timestampExtractor() != null ? spec.timestampExtractor() : context.config().timestampExtractor;
    }

    @Override
    void process(final Record<Object, Object> record) {
        context.forward(record);
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
