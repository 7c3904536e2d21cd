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
    /** Null when failures must propagate unhandled (global processors in the test driver, unless enabled). */
    final ProcessingExceptionHandler processingHandler;
    final ProductionExceptionHandler productionHandler;
    final Map<String, Object> originals;
    final File stateDir;
    final long cacheMaxBytes;
    /** {@code max.task.idle.ms} (the topology's own, if it sets one): how long a task waits for an empty input. */
    final long maxTaskIdleMs;
    private io.pspf.runtime.state.PersistentStorage.Provider persistentStorage;
    private StoreTimers storeTimers;

    /** Makes the latency timers of the tasks' stores. */
    @FunctionalInterface
    public interface StoreTimers {
        io.pspf.runtime.state.StoreOperationTimer timer(org.apache.kafka.streams.processor.TaskId task, String storeName,
                                                        String metricsScope);
    }
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
        this.maxTaskIdleMs = overrides.containsKey(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG) ? topologyConfig.maxTaskIdleMs
            : config.getLong(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG);
    }

    private TaskConfig(final TaskConfig base, final DeserializationExceptionHandler deserializationHandler,
                       final ProcessingExceptionHandler processingHandler) {
        this.config = base.config;
        this.applicationId = base.applicationId;
        this.timestampExtractor = base.timestampExtractor;
        this.deserializationHandler = deserializationHandler;
        this.processingHandler = processingHandler;
        this.productionHandler = base.productionHandler;
        this.originals = base.originals;
        this.stateDir = base.stateDir;
        this.cacheMaxBytes = base.cacheMaxBytes;
        this.maxTaskIdleMs = base.maxTaskIdleMs;
        this.persistentStorage = base.persistentStorage;
        this.storeTimers = base.storeTimers;
    }

    /** Measures the tasks' store operations with these timers; null (the default) measures nothing. */
    public TaskConfig useStoreTimers(final StoreTimers timers) {
        this.storeTimers = timers;
        return this;
    }

    StoreTimers storeTimers() {
        return storeTimers;
    }

    /** Where the tasks' persistent stores keep their records; null (the default) for memory. */
    public TaskConfig usePersistentStorage(final io.pspf.runtime.state.PersistentStorage.Provider provider) {
        this.persistentStorage = provider;
        return this;
    }

    io.pspf.runtime.state.PersistentStorage.Provider persistentStorage() {
        return persistentStorage;
    }

    /** The key that lets the processing exception handler see failures of global processors too. */
    public static final String GLOBAL_PROCESSING_HANDLER_ENABLED = "processing.exception.handler.global.enabled";

    /**
     * The settings Kafka's test driver gives its global task: deserialization errors are logged and skipped, and
     * processing failures reach the processing exception handler only when {@value #GLOBAL_PROCESSING_HANDLER_ENABLED}
     * is true (otherwise they propagate as they are).
     */
    public TaskConfig forTestDriverGlobalTask() {
        final boolean enabled = Boolean.parseBoolean(String.valueOf(originals.get(GLOBAL_PROCESSING_HANDLER_ENABLED)));
        return new TaskConfig(this, new org.apache.kafka.streams.errors.LogAndContinueExceptionHandler(),
            enabled ? processingHandler : null);
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
