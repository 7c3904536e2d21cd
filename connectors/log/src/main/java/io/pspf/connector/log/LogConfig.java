package io.pspf.connector.log;

import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.config.ConfigException;

/**
 * The settings of the file log, read from the application's configuration under Kafka's topic-config names where
 * Kafka has one. Every value is checked when the log opens; a bad one fails there, naming the key.
 *
 * <table>
 *   <caption>keys</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code pspf.log.fsync}</td><td>{@code none}: leave writing back to the operating system;
 *       {@code commit}: force a commit's records to the device before the commit is acknowledged;
 *       {@code always}: force every append</td><td>{@code commit}</td></tr>
 *   <tr><td>{@code segment.bytes}</td><td>a segment is rolled before it would grow past this</td><td>1 GiB</td></tr>
 *   <tr><td>{@code segment.ms}</td><td>a non-empty segment older than this is rolled at the next append</td>
 *       <td>7 days</td></tr>
 *   <tr><td>{@code index.interval.bytes}</td><td>bytes of log between two entries of the sparse indexes</td>
 *       <td>4096</td></tr>
 *   <tr><td>{@code retention.ms}</td><td>sealed segments whose newest record is older are deleted; -1: keep</td>
 *       <td>7 days</td></tr>
 *   <tr><td>{@code retention.bytes}</td><td>oldest sealed segments are deleted while a partition is larger; -1:
 *       no limit</td><td>-1</td></tr>
 *   <tr><td>{@code cleanup.policy}</td><td>{@code delete} (retention), {@code compact} (keep the latest record of
 *       each key), or both, comma-separated</td><td>{@code delete}</td></tr>
 *   <tr><td>{@code delete.retention.ms}</td><td>how long a compacted topic keeps a tombstone, counted from the
 *       newest record of its segment</td><td>1 day</td></tr>
 *   <tr><td>{@code pspf.log.cleaner.interval.ms}</td><td>how often retention and compaction run in the
 *       background</td><td>15 s</td></tr>
 * </table>
 *
 * <p>The topic-level keys can also be given per topic when it is created; those win over the application's.
 */
final class LogConfig {
    static final String FSYNC_CONFIG = "pspf.log.fsync";
    static final String SEGMENT_BYTES_CONFIG = "segment.bytes";
    static final String SEGMENT_MS_CONFIG = "segment.ms";
    static final String INDEX_INTERVAL_BYTES_CONFIG = "index.interval.bytes";
    static final String RETENTION_MS_CONFIG = "retention.ms";
    static final String RETENTION_BYTES_CONFIG = "retention.bytes";
    static final String CLEANUP_POLICY_CONFIG = "cleanup.policy";
    static final String DELETE_RETENTION_MS_CONFIG = "delete.retention.ms";
    static final String CLEANER_INTERVAL_MS_CONFIG = "pspf.log.cleaner.interval.ms";
    /** The keys a topic may set for itself. */
    static final java.util.Set<String> TOPIC_KEYS = java.util.Set.of(SEGMENT_BYTES_CONFIG, SEGMENT_MS_CONFIG,
        INDEX_INTERVAL_BYTES_CONFIG, RETENTION_MS_CONFIG, RETENTION_BYTES_CONFIG, CLEANUP_POLICY_CONFIG,
        DELETE_RETENTION_MS_CONFIG);

    /**
     * Every topic setting Kafka knows ({@link org.apache.kafka.common.config.TopicConfig}'s {@code *_CONFIG} names). The
     * ones outside {@link #TOPIC_KEYS} (replication, message format, ...) have no meaning for one machine's log and are
     * accepted without effect, so that a changelog configured for Kafka works here unchanged.
     */
    static final java.util.Set<String> KAFKA_TOPIC_KEYS = kafkaTopicKeys();

    private static java.util.Set<String> kafkaTopicKeys() {
        final java.util.Set<String> keys = new java.util.HashSet<>();
        for (final java.lang.reflect.Field field : org.apache.kafka.common.config.TopicConfig.class.getFields()) {
            if (field.getName().endsWith("_CONFIG") && field.getType() == String.class) {
                try {
                    keys.add((String) field.get(null));
                } catch (final IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return java.util.Set.copyOf(keys);
    }

    /** When appended records are forced to the storage device. */
    enum Fsync {
        NONE, COMMIT, ALWAYS
    }

    private final Fsync fsync;
    private final int segmentBytes;
    private final long segmentMs;
    private final int indexIntervalBytes;
    private final long retentionMs;
    private final long retentionBytes;
    private final boolean delete;
    private final boolean compact;
    private final long deleteRetentionMs;
    private final long cleanerIntervalMs;
    private final LongSupplier clock;

    LogConfig(final Fsync fsync, final int segmentBytes, final long segmentMs, final int indexIntervalBytes,
              final long retentionMs, final long retentionBytes, final LongSupplier clock) {
        this(fsync, segmentBytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes, true, false,
            24L * 3600 * 1000, 15_000L, clock);
    }

    private LogConfig(final Fsync fsync, final int segmentBytes, final long segmentMs, final int indexIntervalBytes,
                      final long retentionMs, final long retentionBytes, final boolean delete, final boolean compact,
                      final long deleteRetentionMs, final long cleanerIntervalMs, final LongSupplier clock) {
        this.fsync = fsync;
        this.segmentBytes = segmentBytes;
        this.segmentMs = segmentMs;
        this.indexIntervalBytes = indexIntervalBytes;
        this.retentionMs = retentionMs;
        this.retentionBytes = retentionBytes;
        this.delete = delete;
        this.compact = compact;
        this.deleteRetentionMs = deleteRetentionMs;
        this.cleanerIntervalMs = cleanerIntervalMs;
        this.clock = clock;
    }

    /** The defaults, with the system clock. */
    static LogConfig defaults() {
        return from(Map.of(), System::currentTimeMillis);
    }

    /**
     * Reads the settings from an application's configuration.
     *
     * @throws ConfigException naming the key and the value when one is malformed or out of range
     */
    static LogConfig from(final Map<String, ?> configs, final LongSupplier clock) {
        final Object fsyncValue = configs.get(FSYNC_CONFIG);
        final Fsync fsync;
        if (fsyncValue == null) {
            fsync = Fsync.COMMIT;
        } else {
            try {
                fsync = Fsync.valueOf(fsyncValue.toString().trim().toUpperCase(Locale.ROOT));
            } catch (final IllegalArgumentException e) {
                throw new ConfigException(FSYNC_CONFIG, fsyncValue, "expected none, commit or always");
            }
        }
        final long segmentBytes = longValue(configs, SEGMENT_BYTES_CONFIG, 1L << 30, 14, Integer.MAX_VALUE);
        final long segmentMs = longValue(configs, SEGMENT_MS_CONFIG, 7L * 24 * 3600 * 1000, 1, Long.MAX_VALUE);
        final long indexInterval = longValue(configs, INDEX_INTERVAL_BYTES_CONFIG, 4096, 0, Integer.MAX_VALUE);
        final long retentionMs = longValue(configs, RETENTION_MS_CONFIG, 7L * 24 * 3600 * 1000, -1, Long.MAX_VALUE);
        final long retentionBytes = longValue(configs, RETENTION_BYTES_CONFIG, -1, -1, Long.MAX_VALUE);
        final Object policy = configs.get(CLEANUP_POLICY_CONFIG);
        boolean delete = policy == null;
        boolean compact = false;
        if (policy != null) {
            for (final String part : policy.toString().split(",")) {
                switch (part.trim().toLowerCase(Locale.ROOT)) {
                    case "delete":
                        delete = true;
                        break;
                    case "compact":
                        compact = true;
                        break;
                    default:
                        throw new ConfigException(CLEANUP_POLICY_CONFIG, policy, "expected delete, compact or both");
                }
            }
        }
        final long deleteRetentionMs = longValue(configs, DELETE_RETENTION_MS_CONFIG, 24L * 3600 * 1000, 0, Long.MAX_VALUE);
        final long cleanerInterval = longValue(configs, CLEANER_INTERVAL_MS_CONFIG, 15_000L, 1, Long.MAX_VALUE);
        return new LogConfig(fsync, (int) segmentBytes, segmentMs, (int) indexInterval, retentionMs, retentionBytes,
            delete, compact, deleteRetentionMs, cleanerInterval, clock);
    }

    /**
     * These settings with a topic's own settings laid over them.
     *
     * @throws ConfigException naming the key when a topic setting is unknown or bad
     */
    LogConfig forTopic(final Map<String, String> topicConfigs) {
        if (topicConfigs.isEmpty()) {
            return this;
        }
        final Map<String, Object> merged = new java.util.HashMap<>(asMap());
        for (final Map.Entry<String, String> e : topicConfigs.entrySet()) {
            if (TOPIC_KEYS.contains(e.getKey())) {
                merged.put(e.getKey(), e.getValue());
            } else if (!KAFKA_TOPIC_KEYS.contains(e.getKey())) {
                throw new ConfigException(e.getKey(), e.getValue(), "not a topic setting (the file log applies "
                    + new java.util.TreeSet<>(TOPIC_KEYS) + " and accepts Kafka's other topic settings without effect)");
            }
        }
        return from(merged, clock);
    }

    /**
     * The topic-level settings of this configuration, every one of them: what a topic created with it keeps, so that
     * another application opening the directory later does not change them (as on Kafka, a topic's settings are fixed
     * when it is made).
     */
    Map<String, String> topicSettings() {
        final Map<String, String> settings = new java.util.TreeMap<>();
        for (final Map.Entry<String, Object> e : asMap().entrySet()) {
            if (TOPIC_KEYS.contains(e.getKey())) {
                settings.put(e.getKey(), e.getValue().toString());
            }
        }
        return settings;
    }

    private Map<String, Object> asMap() {
        final Map<String, Object> map = new java.util.HashMap<>();
        map.put(FSYNC_CONFIG, fsync.name());
        map.put(SEGMENT_BYTES_CONFIG, segmentBytes);
        map.put(SEGMENT_MS_CONFIG, segmentMs);
        map.put(INDEX_INTERVAL_BYTES_CONFIG, indexIntervalBytes);
        map.put(RETENTION_MS_CONFIG, retentionMs);
        map.put(RETENTION_BYTES_CONFIG, retentionBytes);
        map.put(CLEANUP_POLICY_CONFIG, delete && compact ? "compact,delete" : compact ? "compact" : "delete");
        map.put(DELETE_RETENTION_MS_CONFIG, deleteRetentionMs);
        map.put(CLEANER_INTERVAL_MS_CONFIG, cleanerIntervalMs);
        return map;
    }

    private static long longValue(final Map<String, ?> configs, final String key, final long defaultValue,
                                  final long min, final long max) {
        final Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        final long parsed;
        try {
            parsed = value instanceof Number ? ((Number) value).longValue() : Long.parseLong(value.toString().trim());
        } catch (final NumberFormatException e) {
            throw new ConfigException(key, value, "expected a whole number");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(key, value, "expected a value in [" + min + ", " + max + "]");
        }
        return parsed;
    }

    Fsync fsync() {
        return fsync;
    }

    int segmentBytes() {
        return segmentBytes;
    }

    long segmentMs() {
        return segmentMs;
    }

    int indexIntervalBytes() {
        return indexIntervalBytes;
    }

    long retentionMs() {
        return retentionMs;
    }

    long retentionBytes() {
        return retentionBytes;
    }

    LongSupplier clock() {
        return clock;
    }

    /** Whether retention deletes old segments ({@code cleanup.policy} has {@code delete}). */
    boolean deletes() {
        return delete;
    }

    /** Whether the log is compacted ({@code cleanup.policy} has {@code compact}). */
    boolean compacts() {
        return compact;
    }

    long deleteRetentionMs() {
        return deleteRetentionMs;
    }

    long cleanerIntervalMs() {
        return cleanerIntervalMs;
    }

    LogConfig withSegmentBytes(final int bytes) {
        return new LogConfig(fsync, bytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes, delete, compact,
            deleteRetentionMs, cleanerIntervalMs, clock);
    }

    LogConfig withSegmentMs(final long ms) {
        return new LogConfig(fsync, segmentBytes, ms, indexIntervalBytes, retentionMs, retentionBytes, delete, compact,
            deleteRetentionMs, cleanerIntervalMs, clock);
    }

    LogConfig withIndexIntervalBytes(final int bytes) {
        return new LogConfig(fsync, segmentBytes, segmentMs, bytes, retentionMs, retentionBytes, delete, compact,
            deleteRetentionMs, cleanerIntervalMs, clock);
    }

    LogConfig withRetention(final long ms, final long bytes) {
        return new LogConfig(fsync, segmentBytes, segmentMs, indexIntervalBytes, ms, bytes, delete, compact,
            deleteRetentionMs, cleanerIntervalMs, clock);
    }

    LogConfig withFsync(final Fsync level) {
        return new LogConfig(level, segmentBytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes, delete,
            compact, deleteRetentionMs, cleanerIntervalMs, clock);
    }

    LogConfig withClock(final LongSupplier newClock) {
        return new LogConfig(fsync, segmentBytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes, delete,
            compact, deleteRetentionMs, cleanerIntervalMs, newClock);
    }
}
