package io.pspf.runtime.engine;

import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

import io.pspf.runtime.backend.BackendProvider;

/**
 * The settings the engine reads, resolved once. Kafka's own keys were validated by {@link StreamsConfig}; PSPF's keys
 * are validated here, each failure a {@link ConfigException} naming the key and the value.
 */
public final class EngineConfig {
    /** The backend, {@code <scheme>:<location>}; the native file log in {@code ./pspf-data} when not set. */
    public static final String BACKEND_CONFIG = BackendProvider.BACKEND_CONFIG;
    public static final String DEFAULT_BACKEND = "log:./pspf-data";
    /** The partition count of topics the engine creates for sources and sinks that do not exist. */
    public static final String TOPIC_PARTITIONS_CONFIG = "pspf.topic.partitions";
    /**
     * The most output records a task holds for its next commit; a task reaching it commits early (a commit earlier
     * than {@code commit.interval.ms} is always allowed), which bounds the memory a long commit interval takes.
     */
    public static final String COMMIT_MAX_RECORDS_CONFIG = "pspf.commit.max.records";
    /**
     * How often an instance looks at its group (the instances of the application sharing the backend) and moves
     * tasks so that each runs its share: how soon the tasks of an instance that died are taken over.
     */
    public static final String GROUP_CHECK_INTERVAL_MS_CONFIG = "pspf.group.check.interval.ms";

    final StreamsConfig streams;
    final Map<String, Object> originals;
    final String applicationId;
    final String backend;
    final long groupCheckIntervalMs;
    final int topicPartitions;
    final int commitMaxRecords;
    final boolean exactlyOnce;
    final long commitIntervalMs;
    final long pollMs;
    final int maxPollRecords;
    final int bufferedRecordsPerPartition;
    final String autoOffsetReset;
    final long taskTimeoutMs;
    /** {@code application.server}: where this instance answers interactive queries ("" when not set). */
    final String applicationServer;

    public EngineConfig(final StreamsConfig streams) {
        this.streams = streams;
        this.originals = streams.originals();
        this.applicationId = streams.getString(StreamsConfig.APPLICATION_ID_CONFIG);
        final Object backendValue = originals.get(BACKEND_CONFIG);
        this.backend = backendValue == null ? DEFAULT_BACKEND : backendValue.toString().trim();
        BackendProvider.find(backend);
        this.topicPartitions = intValue(TOPIC_PARTITIONS_CONFIG, 1, 1);
        this.commitMaxRecords = intValue(COMMIT_MAX_RECORDS_CONFIG, 100_000, 1);
        this.groupCheckIntervalMs = intValue(GROUP_CHECK_INTERVAL_MS_CONFIG, 1_000, 1);
        this.exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        this.commitIntervalMs = streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        this.pollMs = streams.getLong(StreamsConfig.POLL_MS_CONFIG);
        final Map<String, Object> consumer = streams.getMainConsumerConfigs("pspf", "pspf-consumer", 0);
        this.maxPollRecords = Integer.parseInt(String.valueOf(consumer.getOrDefault("max.poll.records", "1000")));
        this.bufferedRecordsPerPartition = streams.getInt(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG);
        this.autoOffsetReset = String.valueOf(consumer.getOrDefault("auto.offset.reset", "earliest"));
        this.taskTimeoutMs = streams.getLong(StreamsConfig.TASK_TIMEOUT_MS_CONFIG);
        final String server = streams.getString(StreamsConfig.APPLICATION_SERVER_CONFIG);
        this.applicationServer = server == null ? "" : server.trim();
        if (!autoOffsetReset.equals("earliest") && !autoOffsetReset.equals("latest") && !autoOffsetReset.equals("none")) {
            throw new ConfigException("auto.offset.reset", autoOffsetReset, "expected earliest, latest or none");
        }
    }

    private int intValue(final String key, final int defaultValue, final int min) {
        final Object value = originals.get(key);
        if (value == null) {
            return defaultValue;
        }
        final int parsed;
        try {
            parsed = value instanceof Number ? ((Number) value).intValue() : Integer.parseInt(value.toString().trim());
        } catch (final NumberFormatException e) {
            throw new ConfigException(key, value, "not an integer");
        }
        if (parsed < min) {
            throw new ConfigException(key, value, "must be at least " + min);
        }
        return parsed;
    }

    public StreamsConfig streamsConfig() {
        return streams;
    }

    public String applicationId() {
        return applicationId;
    }

    public boolean exactlyOnce() {
        return exactlyOnce;
    }

    /** The client id: {@code client.id}, or {@code <application.id>-<processId>}. */
    public String clientId(final UUID processId) {
        final String clientId = streams.getString(StreamsConfig.CLIENT_ID_CONFIG);
        return clientId == null || clientId.isEmpty() ? applicationId + "-" + processId : clientId;
    }
}
