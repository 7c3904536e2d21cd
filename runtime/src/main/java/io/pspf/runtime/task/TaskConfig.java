package io.pspf.runtime.task;

import java.io.File;
import java.util.Map;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The settings a task needs, resolved once from {@link StreamsConfig}: Kafka's own config class parses and
 * validates them, so a bad value fails with Kafka's {@code ConfigException} naming the key.
 */
public final class TaskConfig {
    final StreamsConfig config;
    final String applicationId;
    final TimestampExtractor timestampExtractor;
    final DeserializationExceptionHandler deserializationHandler;
    final ProcessingExceptionHandler processingHandler;
    final ProductionExceptionHandler productionHandler;
    final Map<String, Object> originals;
    final File stateDir;
    final long cacheMaxBytes;
    private Serde<?> keySerde;
    private Serde<?> valueSerde;

    public TaskConfig(final StreamsConfig config) {
        this(config, null);
    }

    /**
     * Settings for the tasks of a topology that carries its own {@link TopologyConfig}: the keys it overrides
     * (timestamp extractor, deserialization and processing exception handlers) win over the application's.
     */
    public TaskConfig(final StreamsConfig config, final TopologyConfig topologyConfig) {
        this.config = config;
        this.applicationId = config.getString(StreamsConfig.APPLICATION_ID_CONFIG);
        final java.util.Properties overrides = topologyConfig == null ? new java.util.Properties() : topologyConfig.topologyOverrides;
        this.timestampExtractor = overrides.containsKey(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG)
            ? topologyConfig.timestampExtractorSupplier.get() : config.defaultTimestampExtractor();
        this.deserializationHandler = overrides.containsKey(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG)
            ? topologyConfig.deserializationExceptionHandlerSupplier.get() : config.deserializationExceptionHandler();
        this.processingHandler = overrides.containsKey(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG)
            ? topologyConfig.processingExceptionHandlerSupplier.get() : config.processingExceptionHandler();
        this.productionHandler = config.productionExceptionHandler();
        this.originals = config.originals();
        this.stateDir = new File(config.getString(StreamsConfig.STATE_DIR_CONFIG));
        this.cacheMaxBytes = Math.max(0, config.getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG));
    }

    public StreamsConfig streamsConfig() {
        return config;
    }

    public String applicationId() {
        return applicationId;
    }

    public long cacheMaxBytes() {
        return cacheMaxBytes;
    }

    /** The default key serde; throws Kafka's ConfigException when none is configured. */
    Serde<?> keySerde() {
        if (keySerde == null) {
            keySerde = config.defaultKeySerde();
        }
        return keySerde;
    }

    Serde<?> valueSerde() {
        if (valueSerde == null) {
            valueSerde = config.defaultValueSerde();
        }
        return valueSerde;
    }
}
