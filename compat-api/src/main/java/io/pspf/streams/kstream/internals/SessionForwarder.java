package io.pspf.streams.kstream.internals;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import io.pspf.runtime.state.TypedFlushListener;
import io.pspf.runtime.task.DslSupport;

/**
 * Forwards a session aggregation's changes: at once when its session store has no cache, or when the cache writes
 * the session down when it has one. A flushed change is forwarded as the node that owns the store, timestamped with
 * the session's end, with the headers of the record that last wrote the session.
 */
final class SessionForwarder<K, V> {
    private final ProcessorContext<Windowed<K>, Change<V>> context;
    private final boolean sendOldValues;
    private final boolean cachingEnabled;

    SessionForwarder(final StateStore store, final ProcessorContext<Windowed<K>, Change<V>> context,
                     final DslSupport support, final Object node, final boolean sendOldValues) {
        this.context = context;
        this.sendOldValues = sendOldValues;
        this.cachingEnabled = TypedFlushListener.<Windowed<K>, V>set(store, (key, newValue, oldValue, recordContext) ->
            DslProcessor.forwardAs(context, support, node, new Record<>(key, new Change<>(newValue, oldValue, true),
                key.window().end(), recordContext.headers() != null ? recordContext.headers() : new RecordHeaders())),
            sendOldValues);
    }

    void maybeForward(final Record<Windowed<K>, Change<V>> record) {
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
