package io.pspf.runtime.task;

import org.apache.kafka.streams.processor.api.Record;

/**
 * What the DSL's built-in processors need from the engine beyond Kafka's public {@code ProcessorContext}. The
 * engine's context implements it; a processor finds it with an {@code instanceof} check on the context it is
 * given at {@code init} and does without when the context is someone else's (a test's mock context).
 *
 * <p>Design note: Kafka's DSL processors reach into {@code InternalProcessorContext} for the same two things:
 * forwarding as the node that owns a store when that store's cache is flushed (the flush happens at commit, when
 * no node is running), and the task's {@code dropped-records} sensor.
 */
public interface DslSupport {

    /**
     * A handle on the node being run now; a processor takes it in {@code init} to forward as itself later.
     *
     * @return an opaque handle, null when no node is running
     */
    Object currentNodeHandle();

    /**
     * Forwards {@code record} to the children of {@code node}, as if that node were running, then makes the node
     * that was running before current again.
     *
     * @param node   a handle from {@link #currentNodeHandle()}
     * @param record the record to forward
     */
    <K, V> void forwardAs(Object node, Record<K, V> record);

    /** Counts one record dropped by the DSL (a null key, an expired window) in the task's dropped-records metric. */
    void recordDropped();
}
