package io.pspf.runtime.state;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;

/**
 * A store layer over another store (metering, caching, change-logging, format adapters). Name, persistence,
 * open state and position are those of the innermost store; {@code init}, {@code flush} and {@code close} pass
 * down. The engine walks layers with {@link #wrapped()}.
 *
 * @param <S> the type of the wrapped store
 */
public abstract class WrappedStore<S extends StateStore> implements StateStore {
    private final S wrapped;

    /**
     * @param wrapped the store below this layer
     */
    protected WrappedStore(final S wrapped) {
        this.wrapped = wrapped;
    }

    /** @return the store below this layer */
    public S wrapped() {
        return wrapped;
    }

    /**
     * Finds the first layer of the given type in a stack of layers, starting with {@code store} itself.
     *
     * @return the layer, or null when the stack has none of that type
     */
    public static <T> T find(final StateStore store, final Class<T> type) {
        StateStore current = store;
        while (current != null) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            current = current instanceof WrappedStore ? ((WrappedStore<?>) current).wrapped() : null;
        }
        return null;
    }

    @Override
    public String name() {
        return wrapped.name();
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        wrapped.init(context, root);
    }

    @SuppressWarnings("deprecation") // the engine commits with flush(); Kafka 4.4 with commit(offsets)
    @Override
    public void flush() {
        wrapped.flush();
    }

    /**
     * Kafka 4.4 commits stores with {@code commit(offsets)} (its {@code flush()} is a deprecated no-op by default);
     * PSPF's layers treat both alike: the caching layer writes its dirty entries below, then the call passes down.
     */
    @Override
    public void commit(final Map<TopicPartition, Long> changelogOffsets) {
        wrapped.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(final TopicPartition partition) {
        return wrapped.committedOffset(partition);
    }

    @SuppressWarnings("deprecation")
    @Override
    public boolean managesOffsets() {
        return wrapped.managesOffsets();
    }

    @Override
    public void close() {
        wrapped.close();
    }

    @Override
    public boolean persistent() {
        return wrapped.persistent();
    }

    @Override
    public boolean isOpen() {
        return wrapped.isOpen();
    }

    @Override
    public Position getPosition() {
        return wrapped.getPosition();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + wrapped + "]";
    }
}
