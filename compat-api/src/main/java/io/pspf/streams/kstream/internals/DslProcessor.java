package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import io.pspf.runtime.task.DslSupport;

/**
 * Base of the DSL's built-in processors: keeps the context, the engine's {@link DslSupport} when the context is
 * the engine's, and describes the current input record for log lines the way Kafka Streams does.
 */
abstract class DslProcessor<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
    ProcessorContext<KOut, VOut> context;
    DslSupport support;

    @Override
    public void init(final ProcessorContext<KOut, VOut> context) {
        this.context = context;
        this.support = context instanceof DslSupport ? (DslSupport) context : null;
    }

    /** Counts a dropped record in the task's dropped-records metric. */
    final void dropped() {
        if (support != null) {
            support.recordDropped();
        }
    }

    /** A handle on this processor's node, to forward as it from a cache flush. */
    final Object nodeHandle() {
        return support == null ? null : support.currentNodeHandle();
    }

    /** "topic=[t] partition=[p] offset=[o]" or Kafka's text for a record without metadata. */
    final String where() {
        final RecordMetadata metadata = context.recordMetadata().orElse(null);
        if (metadata == null) {
            return "Topic, partition, and offset not known.";
        }
        return "topic=[" + metadata.topic() + "] partition=[" + metadata.partition() + "] offset=[" + metadata.offset() + "]";
    }

    /** Forwards as the node identified by {@code node}, or as the running node when the engine is not ours. */
    static <K, V> void forwardAs(final ProcessorContext<K, V> context, final DslSupport support, final Object node,
                                 final Record<K, V> record) {
        if (support != null && node != null) {
            support.forwardAs(node, record);
        } else {
            context.forward(record);
        }
    }
}
