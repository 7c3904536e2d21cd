package io.pspf.runtime.state;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * What all of PSPF's store builders share, with Kafka's behaviour: logging is on by default, caching off;
 * {@code withLoggingEnabled} adds to the changelog topic config, {@code withLoggingDisabled} clears it; every
 * {@code with} method changes this builder and returns it.
 *
 * @param <K> key type
 * @param <V> value type
 * @param <T> the type of store built
 */
public abstract class AbstractStoreBuilder<K, V, T extends StateStore> implements StoreBuilder<T> {
    private final Map<String, String> logConfig = new HashMap<>();
    private final String name;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;
    boolean enableCaching;
    private boolean enableLogging = true;

    AbstractStoreBuilder(final String name, final Serde<K> keySerde, final Serde<V> valueSerde) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    @Override
    public StoreBuilder<T> withCachingEnabled() {
        enableCaching = true;
        return this;
    }

    @Override
    public StoreBuilder<T> withCachingDisabled() {
        enableCaching = false;
        return this;
    }

    @Override
    public StoreBuilder<T> withLoggingEnabled(final Map<String, String> config) {
        Objects.requireNonNull(config, "config can't be null");
        enableLogging = true;
        logConfig.putAll(config);
        return this;
    }

    @Override
    public StoreBuilder<T> withLoggingDisabled() {
        enableLogging = false;
        logConfig.clear();
        return this;
    }

    @Override
    public Map<String, String> logConfig() {
        return logConfig;
    }

    @Override
    public boolean loggingEnabled() {
        return enableLogging;
    }

    /** @return whether the built store has a caching layer */
    public boolean cachingEnabled() {
        return enableCaching;
    }

    @Override
    public String name() {
        return name;
    }
}
