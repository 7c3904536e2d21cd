package io.pspf.runtime.state;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * What the DSL's record buffers (suppression's {@link TimeOrderedChangeBuffer}, the stream-table join's
 * {@link GraceBuffer}) share: a name, typed serdes that may come from the context's defaults, and a changelog of
 * their own written through the engine's {@link ChangelogSink}. Like Kafka's buffers they keep no query position.
 */
public abstract class ChangelogBuffer<K, V> implements StateStore {
    protected final String name;
    protected final boolean loggingEnabled;
    protected Serde<K> keySerde;
    protected Serde<V> valueSerde;
    protected StoreEnvironment environment;
    protected ChangelogSink sink;
    protected String changelogTopic;
    protected int partition;
    protected volatile boolean open;

    protected ChangelogBuffer(final String name, final boolean loggingEnabled, final Serde<K> keySerde,
                              final Serde<V> valueSerde) {
        this.name = name;
        this.loggingEnabled = loggingEnabled;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    /**
     * Fills in the serdes the builder was given as null (the processor passes the context's defaults). The defaults
     * are asked for only when missing: a missing default serde fails only then, as in Kafka.
     */
    @SuppressWarnings("unchecked")
    public void setSerdesIfNull(final Supplier<Serde<?>> defaultKeySerde, final Supplier<Serde<?>> defaultValueSerde) {
        if (keySerde == null) {
            keySerde = (Serde<K>) defaultKeySerde.get();
        }
        if (valueSerde == null) {
            valueSerde = (Serde<V>) defaultValueSerde.get();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        environment = StoreEnvironments.of(context);
        sink = environment.changelogSink();
        changelogTopic = StoreEnvironments.changelogTopic(context, name);
        partition = context.taskId() == null ? -1 : context.taskId().partition();
        if (root != null) {
            context.register(root, this::restore);
        }
        open = true;
    }

    /** Applies one record of the buffer's changelog (null value: the key left the buffer). */
    protected abstract void restore(byte[] key, byte[] value);

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        throw new UnsupportedOperationException("This store does not keep track of the position.");
    }

    /** Builds a buffer: caching does not apply to buffers; logging is on by default. */
    public abstract static class Builder<K, V, S extends ChangelogBuffer<K, V>> implements StoreBuilder<S> {
        protected final String name;
        protected final Serde<K> keySerde;
        protected final Serde<V> valueSerde;
        protected boolean loggingEnabled = true;
        private Map<String, String> logConfig = new HashMap<>();

        /**
         * @param keySerde   the key serde; null for the context's default
         * @param valueSerde the value serde; null for the context's default
         */
        protected Builder(final String name, final Serde<K> keySerde, final Serde<V> valueSerde) {
            this.name = name;
            this.keySerde = keySerde;
            this.valueSerde = valueSerde;
        }

        @Override
        public StoreBuilder<S> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<S> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<S> withLoggingEnabled(final Map<String, String> config) {
            logConfig = config;
            return this;
        }

        @Override
        public StoreBuilder<S> withLoggingDisabled() {
            loggingEnabled = false;
            return this;
        }

        @Override
        public Map<String, String> logConfig() {
            return loggingEnabled ? java.util.Collections.unmodifiableMap(logConfig) : Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return loggingEnabled;
        }

        @Override
        public String name() {
            return name;
        }
    }
}
