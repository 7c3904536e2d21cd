package io.pspf.streams.kstream.internals;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.ProcessorContext;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.To;

import io.pspf.runtime.state.StoreEnvironment;
import io.pspf.runtime.state.StoreRecordContext;

/**
 * The old-API {@link ProcessorContext} a {@code KTable.transformValues} transformer is given (Kafka's
 * {@code ForwardingDisabledProcessorContext}): everything is the running processor's context, except that
 * {@code forward} is refused, since a table transformer must not change keys. The record's topic, partition,
 * offset, timestamp and headers are the engine's current record context, or, while a value getter computes a value,
 * a context made from the row being transformed.
 */
final class TransformValuesContext implements ProcessorContext {
    private static final String EXPLANATION = "ProcessorContext#forward() is not supported from this context, as the "
        + "framework must ensure the key is not changed (#forward allows changing the key on messages which are sent). "
        + "Use KStream.process() if you need to change the key.";

    private final org.apache.kafka.streams.processor.api.ProcessorContext<?, ?> delegate;
    private StoreRecordContext override;

    TransformValuesContext(final org.apache.kafka.streams.processor.api.ProcessorContext<?, ?> delegate) {
        this.delegate = delegate;
    }

    /** Makes {@code context} the record context until it is replaced again; returns the one it replaces. */
    StoreRecordContext override(final StoreRecordContext context) {
        final StoreRecordContext previous = override;
        override = context;
        return previous;
    }

    /** The current record context, or null outside of any record (Kafka's defaults apply then). */
    private StoreRecordContext recordContext() {
        if (override != null) {
            return override;
        }
        if (delegate instanceof StoreEnvironment) {
            final StoreRecordContext current = ((StoreEnvironment) delegate).storeRecordContext();
            return current == StoreRecordContext.NONE ? null : current;
        }
        return null;
    }

    @Override
    public String applicationId() {
        return delegate.applicationId();
    }

    @Override
    public TaskId taskId() {
        return delegate.taskId();
    }

    @Override
    public Serde<?> keySerde() {
        return delegate.keySerde();
    }

    @Override
    public Serde<?> valueSerde() {
        return delegate.valueSerde();
    }

    @Override
    public File stateDir() {
        return delegate.stateDir();
    }

    @Override
    public StreamsMetrics metrics() {
        return delegate.metrics();
    }

    @Override
    public void register(final StateStore store, final StateRestoreCallback stateRestoreCallback) {
        if (!(delegate instanceof StateStoreContext)) {
            throw new IllegalStateException("Can only create state stores during initialization.");
        }
        ((StateStoreContext) delegate).register(store, stateRestoreCallback);
    }

    @Override
    public <S extends StateStore> S getStateStore(final String name) {
        return delegate.getStateStore(name);
    }

    @Override
    public Cancellable schedule(final Duration interval, final PunctuationType type, final Punctuator callback) {
        return delegate.schedule(interval, type, callback);
    }

    @Override
    public Cancellable schedule(final Instant startTime, final Duration interval, final PunctuationType type,
                                final Punctuator callback) {
        return delegate.schedule(startTime, interval, type, callback);
    }

    @Override
    public <K, V> void forward(final K key, final V value) {
        throw new StreamsException(EXPLANATION);
    }

    @Override
    public <K, V> void forward(final K key, final V value, final To to) {
        throw new StreamsException(EXPLANATION);
    }

    @Override
    public void commit() {
        delegate.commit();
    }

    @Override
    public String topic() {
        final StoreRecordContext context = recordContext();
        return context == null ? null : context.topic();
    }

    @Override
    public int partition() {
        final StoreRecordContext context = recordContext();
        return context == null ? -1 : context.partition();
    }

    @Override
    public long offset() {
        final StoreRecordContext context = recordContext();
        return context == null ? -1L : context.offset();
    }

    @Override
    public Headers headers() {
        final StoreRecordContext context = recordContext();
        return context == null ? new RecordHeaders() : context.headers();
    }

    @Override
    public long timestamp() {
        final StoreRecordContext context = recordContext();
        return context == null ? 0L : context.timestamp();
    }

    @Override
    public Map<String, Object> appConfigs() {
        return delegate.appConfigs();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(final String prefix) {
        return delegate.appConfigsWithPrefix(prefix);
    }

    @Override
    public long currentSystemTimeMs() {
        return delegate.currentSystemTimeMs();
    }

    @Override
    public long currentStreamTimeMs() {
        return delegate.currentStreamTimeMs();
    }
}
