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
 * </table>
 */
final class LogConfig {
    static final String FSYNC_CONFIG = "pspf.log.fsync";
    static final String SEGMENT_BYTES_CONFIG = "segment.bytes";
    static final String SEGMENT_MS_CONFIG = "segment.ms";
    static final String INDEX_INTERVAL_BYTES_CONFIG = "index.interval.bytes";
    static final String RETENTION_MS_CONFIG = "retention.ms";
    static final String RETENTION_BYTES_CONFIG = "retention.bytes";

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
    private final LongSupplier clock;

    LogConfig(final Fsync fsync, final int segmentBytes, final long segmentMs, final int indexIntervalBytes,
              final long retentionMs, final long retentionBytes, final LongSupplier clock) {
        this.fsync = fsync;
        this.segmentBytes = segmentBytes;
        this.segmentMs = segmentMs;
        this.indexIntervalBytes = indexIntervalBytes;
        this.retentionMs = retentionMs;
        this.retentionBytes = retentionBytes;
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
        return new LogConfig(fsync, (int) segmentBytes, segmentMs, (int) indexInterval, retentionMs, retentionBytes, clock);
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

    LogConfig withSegmentBytes(final int bytes) {
        return new LogConfig(fsync, bytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes, clock);
    }

    LogConfig withSegmentMs(final long ms) {
        return new LogConfig(fsync, segmentBytes, ms, indexIntervalBytes, retentionMs, retentionBytes, clock);
    }

    LogConfig withIndexIntervalBytes(final int bytes) {
        return new LogConfig(fsync, segmentBytes, segmentMs, bytes, retentionMs, retentionBytes, clock);
    }

    LogConfig withRetention(final long ms, final long bytes) {
        return new LogConfig(fsync, segmentBytes, segmentMs, indexIntervalBytes, ms, bytes, clock);
    }

    LogConfig withFsync(final Fsync level) {
        return new LogConfig(level, segmentBytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes, clock);
    }

    LogConfig withClock(final LongSupplier newClock) {
        return new LogConfig(fsync, segmentBytes, segmentMs, indexIntervalBytes, retentionMs, retentionBytes, newClock);
    }
}
