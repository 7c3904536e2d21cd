package io.pspf.connector.valkey;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

/** The settings of the Valkey backend, read from the application's configuration; a bad value fails naming its key. */
final class ValkeySettings {
    /** The prefix of every key PSPF writes (several applications may share a server under different prefixes). */
    static final String KEY_PREFIX_CONFIG = "pspf.valkey.key.prefix";
    /** How long commands that change nothing (and connecting) are retried through connection failures. */
    static final String RETRY_TIMEOUT_MS_CONFIG = "pspf.valkey.retry.timeout.ms";
    /** How long one command may take. */
    static final String COMMAND_TIMEOUT_MS_CONFIG = "pspf.valkey.command.timeout.ms";
    /** The ACL user, if not given in the URI. */
    static final String USER_CONFIG = "pspf.valkey.user";
    /** The password, if not given in the URI. Never logged. */
    static final String PASSWORD_CONFIG = "pspf.valkey.password";
    /** A PEM file of the certificates to trust for {@code valkeys://} (default: the JVM's trust store). */
    static final String TLS_CA_FILE_CONFIG = "pspf.valkey.tls.ca.file";
    /** How many replicas must acknowledge each commit and append ({@code WAIT}); 0: none (the default). */
    static final String WAIT_REPLICAS_CONFIG = "pspf.valkey.wait.replicas";
    /** How long a commit waits for those replicas. */
    static final String WAIT_TIMEOUT_MS_CONFIG = "pspf.valkey.wait.timeout.ms";
    /**
     * Whether a commit also waits until its writes are in the append-only file of the server and of the replicas
     * ({@code WAITAOF}, Valkey / Redis 7.2 and later).
     */
    static final String WAIT_AOF_CONFIG = "pspf.valkey.wait.aof";
    /**
     * How long an empty read answer stands: a read of the same partition from the same position in that time asks the
     * server nothing (unless this backend wrote there, or was told of records there, since). 0: every read asks.
     */
    static final String READ_QUIET_MS_CONFIG = "pspf.valkey.read.quiet.ms";
    /** Kafka's consumer setting: an instance that does not heart-beat for this long loses its tasks. */
    static final String SESSION_TIMEOUT_MS_CONFIG = "session.timeout.ms";

    final String keyPrefix;
    final long retryTimeoutMs;
    final long commandTimeoutMs;
    final String user;
    final String password;
    final java.io.File tlsCaFile;
    final int waitReplicas;
    final long waitTimeoutMs;
    final boolean waitAof;
    final long readQuietMs;

    ValkeySettings(final Map<String, Object> configs) {
        this.keyPrefix = string(configs, KEY_PREFIX_CONFIG, "pspf");
        if (keyPrefix.isEmpty()) {
            throw new ConfigException(KEY_PREFIX_CONFIG, keyPrefix, "must not be empty");
        }
        this.retryTimeoutMs = positiveLong(configs, RETRY_TIMEOUT_MS_CONFIG, 60_000);
        this.commandTimeoutMs = positiveLong(configs, COMMAND_TIMEOUT_MS_CONFIG, 10_000);
        final Object quiet = configs.get(READ_QUIET_MS_CONFIG);
        // at most a day (it is kept in nanoseconds)
        this.readQuietMs = quiet == null ? 10 : Math.min(86_400_000L, nonNegative(READ_QUIET_MS_CONFIG, quiet));
        this.user = string(configs, USER_CONFIG, null);
        final Object pw = configs.get(PASSWORD_CONFIG);
        this.password = pw == null ? null
            : pw instanceof org.apache.kafka.common.config.types.Password
                ? ((org.apache.kafka.common.config.types.Password) pw).value() : pw.toString();
        final String ca = string(configs, TLS_CA_FILE_CONFIG, null);
        this.tlsCaFile = ca == null ? null : new java.io.File(ca);
        if (tlsCaFile != null && !tlsCaFile.canRead()) {
            throw new ConfigException(TLS_CA_FILE_CONFIG, ca, "not a readable file");
        }
        final Object replicas = configs.get(WAIT_REPLICAS_CONFIG);
        this.waitReplicas = replicas == null || replicas.toString().trim().equals("0") ? 0
            : (int) parsePositive(WAIT_REPLICAS_CONFIG, replicas);
        this.waitTimeoutMs = positiveLong(configs, WAIT_TIMEOUT_MS_CONFIG, 5_000);
        final Object aofSetting = configs.get(WAIT_AOF_CONFIG);
        final boolean waiting = waitReplicas > 0 || aofSetting != null && aofSetting.toString().equalsIgnoreCase("true");
        if (waiting && waitTimeoutMs >= commandTimeoutMs) {
            throw new ConfigException(WAIT_TIMEOUT_MS_CONFIG, waitTimeoutMs, "must be below "
                + COMMAND_TIMEOUT_MS_CONFIG + " (" + commandTimeoutMs + "), which bounds the wait command itself");
        }
        final Object aof = configs.get(WAIT_AOF_CONFIG);
        if (aof != null && !aof.toString().equalsIgnoreCase("true") && !aof.toString().equalsIgnoreCase("false")) {
            throw new ConfigException(WAIT_AOF_CONFIG, aof, "expected true or false");
        }
        this.waitAof = aof != null && aof.toString().equalsIgnoreCase("true");
    }

    static long sessionTimeoutMs(final Map<String, Object> configs) {
        Object v = configs.get(SESSION_TIMEOUT_MS_CONFIG);
        if (v == null) {
            v = configs.get("consumer." + SESSION_TIMEOUT_MS_CONFIG);
        }
        return v == null ? 45_000 : parsePositive(SESSION_TIMEOUT_MS_CONFIG, v);
    }

    private static String string(final Map<String, Object> configs, final String key, final String otherwise) {
        final Object v = configs.get(key);
        return v == null ? otherwise : v.toString();
    }

    private static long positiveLong(final Map<String, Object> configs, final String key, final long otherwise) {
        final Object v = configs.get(key);
        return v == null ? otherwise : parsePositive(key, v);
    }

    private static long nonNegative(final String key, final Object v) {
        final long n;
        try {
            n = v instanceof Number ? ((Number) v).longValue() : Long.parseLong(v.toString().trim());
        } catch (final NumberFormatException e) {
            throw new ConfigException(key, v, "not a whole number");
        }
        if (n < 0) {
            throw new ConfigException(key, v, "must not be negative");
        }
        return n;
    }

    private static long parsePositive(final String key, final Object v) {
        final long n = nonNegative(key, v);
        if (n == 0) {
            throw new ConfigException(key, v, "must be positive");
        }
        return n;
    }
}
