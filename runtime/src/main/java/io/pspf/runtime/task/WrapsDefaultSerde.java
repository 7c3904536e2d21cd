package io.pspf.runtime.task;

import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serde;

/**
 * A serializer or deserializer that wraps another one and may have been made without it (the DSL's wrappers for
 * table changes and windowed keys on internal topics). Source and sink nodes give it the configured default
 * serdes when they are initialized, so that it can fill in the inner one it lacks — Kafka's
 * {@code WrappingNullableSerializer.setIfUnset}.
 */
public interface WrapsDefaultSerde {
    /**
     * @param defaultKeySerde   gives the configured default key serde (and fails as the config does when none is set)
     * @param defaultValueSerde gives the configured default value serde
     */
    void setIfUnset(Supplier<Serde<?>> defaultKeySerde, Supplier<Serde<?>> defaultValueSerde);
}
