package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ValueAndTimestamp;

import io.pspf.runtime.state.TypedFlushListener;
import io.pspf.runtime.task.DslSupport;

/**
 * Forwards a table node's changes: at once when its store has no cache, or when the cache writes the entry down
 * (at commit, or on eviction) when it has one. A flushed change is forwarded as the node that owns the store, with
 * the timestamp stored with the value (the deleting record's for a delete) and the headers of the record that
 * last wrote the key.
 */
final class TableForwarder<K, V> {
    private final ProcessorContext<K, Change<V>> context;
    private final boolean sendOldValues;
    private final boolean cachingEnabled;

    TableForwarder(final StateStore store, final ProcessorContext<K, Change<V>> context, final DslSupport support,
                   final Object node, final boolean sendOldValues) {
        this.context = context;
        this.sendOldValues = sendOldValues;
        this.cachingEnabled = TypedFlushListener.<K, ValueAndTimestamp<V>>set(store, (key, newValue, oldValue, recordContext) ->
            DslProcessor.forwardAs(context, support, node, new Record<>(key,
                new Change<>(newValue == null ? null : newValue.value(), oldValue == null ? null : oldValue.value(), true),
                newValue != null ? newValue.timestamp() : recordContext.timestamp(), recordContext.headers())),
            sendOldValues);
    }

    void maybeForward(final Record<K, Change<V>> record) {
        if (cachingEnabled) {
            return;
        }
        if (sendOldValues) {
            context.forward(record);
        } else {
            context.forward(record.withValue(new Change<>(record.value().newValue, null, record.value().isLatest)));
        }
    }
}
