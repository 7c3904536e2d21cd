package io.pspf.connector.valkey;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.CommitResult;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.GroupMembership;
import io.pspf.runtime.backend.RawRecord;

/**
 * Topics as Valkey / Redis streams (7.0 and later): a partition is one stream, PSPF's records are packed in batches
 * into its entries ({@link EntryCodec}), and every write goes through the server-side functions of {@code pspf.lua},
 * so that a commit unit is one atomic call.
 *
 * <pre>
 * key                              type    holds
 * &lt;p&gt;:topics                       hash    topic -&gt; partition count
 * &lt;p&gt;:topic:&lt;topic&gt;:config         hash    the topic's settings (Kafka's names)
 * &lt;p&gt;:{&lt;topic&gt;:&lt;n&gt;}:s              stream  partition n's records, entry ID 0-&lt;offset after the entry's last record&gt;
 * &lt;p&gt;:{&lt;topic&gt;:&lt;n&gt;}:m              hash    start (log start offset), end (log end offset)
 * &lt;p&gt;:group:&lt;group&gt;:offsets        hash    &lt;topic&gt;:&lt;n&gt; -&gt; committed offset
 * &lt;p&gt;:group:&lt;group&gt;:epochs         hash    task id -&gt; fencing epoch
 * &lt;p&gt;:group:&lt;group&gt;:members        zset    member id, score = its deadline (server time, ms)
 * &lt;p&gt;:group:&lt;group&gt;:reports        hash    member id -&gt; its last report (threads, state held)
 * &lt;p&gt;:group:&lt;group&gt;:assignment     hash    generation, assignment (written by the leader, compare-and-set)
 * &lt;p&gt;:group:&lt;group&gt;:lease:&lt;task&gt;   string  the member running the task, with a time to live
 * &lt;p&gt;:group:&lt;group&gt;:shutdown       string  server time (ms) of the last SHUTDOWN_APPLICATION request
 * </pre>
 * ({@code <p>} is {@code pspf.valkey.key.prefix}, default {@code pspf}.) On Valkey Cluster the registry's keys are
 * {@code <p>:{topics}} and {@code <p>:{topics}:config:<topic>}, and a group's {@code <p>:{g:<group>}:...}: the hash
 * tags put each in one slot.
 *
 * <p>Connections: commands that change nothing are retried on a new connection with growing pauses for up to
 * {@code pspf.valkey.retry.timeout.ms}; a write whose connection failed is never sent again (its outcome is unknown,
 * and the engine recreates its tasks from what the server committed), which is why the client does not reconnect and
 * replay commands by itself.
 */
public final class ValkeyBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(ValkeyBackend.class);
    static final String LIBRARY = "pspf_v2";
    /** The most records one stream entry holds. */
    static final int ENTRY_RECORDS = 2_000;
    /** An entry is closed once its records take this many bytes. */
    static final int ENTRY_BYTES = 512 * 1024;
    /**
     * A read ahead (or records fetched past a read's maximum) older than this is not used (1 s): the topic may have
     * been deleted and made anew by another instance since. Younger ones are used as far as they go, as Kafka's
     * consumer returns the records it fetched before. (With 50 ms, a stream thread whose task buffers were full came
     * back later than that to most partitions, and fetched their entries again.)
     */
    private static final long STALE_NANOS = 1_000_000_000;
    /** How many entries one read asks for. */
    private static final int READ_ENTRIES = 16;
    private static final byte[] N = bytes("n");
    private static final byte[] B = bytes("b");
    private static final byte[] B_MODE = bytes("b");
    private static final byte[] P_MODE = bytes("p");

    /** A {@link RedisClient}, or a {@link RedisClusterClient} for Valkey Cluster. */
    private final io.lettuce.core.AbstractRedisClient client;
    /** The server (for a cluster, the first node named). */
    private final RedisURI uri;
    /** Whether the server is a Valkey Cluster: keys of one call must share a slot, so commits go in two steps. */
    private final boolean cluster;
    private final String prefix;
    private final String display;
    private final long retryTimeoutMs;
    private final Duration commandTimeout;
    private final String library;
    private final Map<String, Object> configs;
    private final PlainTopics plain;
    private final ValkeySettings settings;
    private volatile StatefulConnection<byte[], byte[]> connection;
    private volatile boolean closed;
    private final Map<TopicPartition, byte[][]> partitionKeys = new java.util.concurrent.ConcurrentHashMap<>();

    ValkeyBackend(final RedisURI uri, final ValkeySettings settings, final Map<String, Object> configs) {
        this(List.of(uri), false, settings, configs);
    }

    /**
     * @param uris    the server, or for a cluster the nodes to learn its topology from
     * @param cluster whether the server is a Valkey Cluster
     */
    ValkeyBackend(final List<RedisURI> uris, final boolean cluster, final ValkeySettings settings,
                  final Map<String, Object> configs) {
        final RedisURI uri = uris.get(0);
        this.uri = uri;
        this.cluster = cluster;
        this.prefix = settings.keyPrefix;
        final StringBuilder shown = new StringBuilder((uri.isSsl() ? "valkeys" : "valkey") + (cluster ? "+cluster://" : "://"));
        for (int i = 0; i < uris.size(); i++) {
            shown.append(i == 0 ? "" : ",").append(uris.get(i).getHost()).append(':').append(uris.get(i).getPort());
        }
        this.display = shown.toString();
        if (cluster && (settings.waitReplicas > 0 || settings.waitAof)) {
            throw new org.apache.kafka.common.config.ConfigException(settings.waitAof ? ValkeySettings.WAIT_AOF_CONFIG
                : ValkeySettings.WAIT_REPLICAS_CONFIG, settings.waitAof ? "true" : Integer.toString(settings.waitReplicas),
                "waiting for replicas is not supported on Valkey Cluster yet (a commit writes to several primaries)");
        }
        this.retryTimeoutMs = settings.retryTimeoutMs;
        this.commandTimeout = Duration.ofMillis(settings.commandTimeoutMs);
        this.configs = configs;
        this.plain = new PlainTopics(configs);
        this.settings = settings;
        this.quietNanos = settings.readQuietMs * 1_000_000;
        this.cleaner = new ValkeyCleaner(this, configs);
        final Object interval = configs.get(ValkeyCleaner.INTERVAL_MS_CONFIG);
        this.cleanerIntervalMs = interval == null ? 60_000 : parseInterval(interval);
        for (final RedisURI each : uris) {
            each.setTimeout(commandTimeout);
        }
        final io.lettuce.core.SslOptions ssl = settings.tlsCaFile == null ? io.lettuce.core.SslOptions.create()
            : io.lettuce.core.SslOptions.builder().jdkSslProvider().trustManager(settings.tlsCaFile).build();
        final SocketOptions socket = SocketOptions.builder().connectTimeout(commandTimeout).keepAlive(true).build();
        if (cluster) {
            final RedisClusterClient clusterClient = RedisClusterClient.create(uris);
            clusterClient.setOptions(io.lettuce.core.cluster.ClusterClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .socketOptions(socket)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .sslOptions(ssl)
                .topologyRefreshOptions(io.lettuce.core.cluster.ClusterTopologyRefreshOptions.builder()
                    .enableAllAdaptiveRefreshTriggers().build())
                .build());
            this.client = clusterClient;
        } else {
            final RedisClient standalone = RedisClient.create(uri);
            standalone.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .socketOptions(socket)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .sslOptions(ssl)
                .build());
            this.client = standalone;
        }
        this.library = loadLibrary();
        try {
            retrying("connect", c -> {
                loadLibrary(connection());
                return null;
            });
            if (settings.waitAof) {
                final String info = retrying("read the server version", c -> c.info("server"));
                if (!atLeast(info, 7, 2)) {
                    throw new org.apache.kafka.common.config.ConfigException(ValkeySettings.WAIT_AOF_CONFIG, "true",
                        "the server at " + display + " has no WAITAOF (it needs Valkey or Redis 7.2 or later)");
                }
                final String persistence = retrying("read the server's persistence", c -> c.info("persistence"));
                if (!persistence.contains("aof_enabled:1")) {
                    throw new org.apache.kafka.common.config.ConfigException(ValkeySettings.WAIT_AOF_CONFIG, "true",
                        "the server at " + display + " keeps no append-only file (appendonly no)");
                }
            }
        } catch (final RuntimeException e) {
            client.shutdown(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        // applications clean their topics; producers and readers (no application.id) leave that to them
        if (configs.containsKey("application.id") && cleanerIntervalMs > 0) {
            final Thread thread = new Thread(this::runCleaner, "pspf-valkey-cleaner-" + prefix);
            thread.setDaemon(true);
            thread.start();
        }
        LOG.info("Using {} (keys under '{}:')", display, prefix);
    }

    private final ValkeyCleaner cleaner;
    /** Names this backend's unit streams on a cluster (see {@link #commitInSteps}). */
    private final String instanceId = java.util.UUID.randomUUID().toString();
    private final long cleanerIntervalMs;

    private static long parseInterval(final Object value) {
        try {
            final long ms = Long.parseLong(value.toString().trim());
            if (ms < 0) {
                throw new org.apache.kafka.common.config.ConfigException(ValkeyCleaner.INTERVAL_MS_CONFIG, value,
                    "must be 0 (no cleaning) or more");
            }
            return ms;
        } catch (final NumberFormatException e) {
            throw new org.apache.kafka.common.config.ConfigException(ValkeyCleaner.INTERVAL_MS_CONFIG, value,
                "not a whole number");
        }
    }

    private void runCleaner() {
        long next = System.currentTimeMillis() + cleanerIntervalMs;
        while (!closed) {
            if (System.currentTimeMillis() < next) {
                sleep(Math.min(200, next - System.currentTimeMillis()));
                continue;
            }
            try {
                maintain(System.currentTimeMillis());
            } catch (final RuntimeException e) {
                if (!closed) {
                    LOG.warn("Cleaning the topics on {} failed; trying again in {} ms", display, cleanerIntervalMs, e);
                }
            }
            next = System.currentTimeMillis() + cleanerIntervalMs;
        }
    }

    /** Applies retention and compaction to every topic now, as each topic's {@code cleanup.policy} says. */
    void maintain(final long nowMs) {
        cleaner.maintain(nowMs);
    }

    ValkeyCleaner cleaner() {
        return cleaner;
    }

    /** This backend's own id: its committing threads' unit streams are named after it. */
    String instanceId() {
        return instanceId;
    }

    /** Whether the server is a Valkey Cluster. */
    boolean isCluster() {
        return cluster;
    }

    boolean isPlain(final String topic) {
        return plain.isPlain(topic);
    }

    private static String loadLibrary() {
        try (InputStream in = ValkeyBackend.class.getResourceAsStream("pspf.lua")) {
            if (in == null) {
                throw new IllegalStateException("pspf.lua is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new IllegalStateException("Could not read pspf.lua", e);
        }
    }

    /** Whether the {@code INFO server} text names a version at least {@code major.minor}. */
    static boolean atLeast(final String info, final int major, final int minor) {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:valkey|redis)_version:(\\d+)\\.(\\d+)")
            .matcher(info);
        if (!m.find()) {
            return false;
        }
        final int ma = Integer.parseInt(m.group(1));
        return ma > major || ma == major && Integer.parseInt(m.group(2)) >= minor;
    }

    /**
     * After a write on this connection: waits until {@code pspf.valkey.wait.replicas} replicas (and, with
     * {@code pspf.valkey.wait.aof}, the append-only files) have it, as Kafka's {@code acks=all} waits for in-sync
     * replicas. Fails when fewer acknowledge it in time: the write is on the primary, but not yet safe from its loss.
     */
    private void awaitReplicas(final RedisClusterCommands<byte[], byte[]> c, final String what) {
        if (settings.waitReplicas == 0 && !settings.waitAof) {
            return;
        }
        if (settings.waitAof) {
            final List<Object> acked = c.dispatch(WaitAof.WAITAOF, new io.lettuce.core.output.ArrayOutput<>(
                ByteArrayCodec.INSTANCE), new io.lettuce.core.protocol.CommandArgs<>(ByteArrayCodec.INSTANCE)
                .add(1).add(settings.waitReplicas).add(settings.waitTimeoutMs));
            final long local = (Long) acked.get(0);
            final long replicas = (Long) acked.get(1);
            if (local < 1 || replicas < settings.waitReplicas) {
                throw new BackendException(display + ": " + what + " reached the append-only file of " + local
                    + " server(s) and " + replicas + " of " + settings.waitReplicas + " replica(s) within "
                    + settings.waitTimeoutMs + " ms (" + ValkeySettings.WAIT_AOF_CONFIG + ")");
            }
            return;
        }
        final long acked = c.waitForReplication(settings.waitReplicas, settings.waitTimeoutMs);
        if (acked < settings.waitReplicas) {
            throw new BackendException(display + ": " + what + " is on the primary, but only " + acked + " of "
                + settings.waitReplicas + " replica(s) acknowledged it within " + settings.waitTimeoutMs + " ms ("
                + ValkeySettings.WAIT_REPLICAS_CONFIG + ")");
        }
    }

    /** WAITAOF, which Lettuce's command set lacks. */
    private enum WaitAof implements io.lettuce.core.protocol.ProtocolKeyword {
        WAITAOF;

        private final byte[] bytes = name().getBytes(StandardCharsets.US_ASCII);

        @Override
        public byte[] getBytes() {
            return bytes;
        }

        @Override
        public String toString() {
            return name();
        }
    }

    String display() {
        return display;
    }

    Map<String, Object> configs() {
        return configs;
    }

    // ------------------------------------------------------------------------------------------------ connections

    private StatefulConnection<byte[], byte[]> connection() {
        StatefulConnection<byte[], byte[]> c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        synchronized (this) {
            if (closed) {
                throw new BackendException("The backend " + display + " is closed");
            }
            c = connection;
            if (c == null || !c.isOpen()) {
                if (c != null) {
                    c.closeAsync();
                }
                c = cluster ? ((RedisClusterClient) client).connect(ByteArrayCodec.INSTANCE)
                    : ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
                connection = c;
            }
            return c;
        }
    }

    /** Runs a command that changes nothing, or that may be repeated, retrying connection failures with back-off. */
    <T> T retrying(final String what, final Function<RedisClusterCommands<byte[], byte[]>, T> command) {
        final Backoff backoff = new Backoff(what);
        while (true) {
            StatefulConnection<byte[], byte[]> used = null;
            RuntimeException failure;
            try {
                used = connection();
                return command.apply(sync(used));
            } catch (final RedisCommandExecutionException e) {
                failure = refusedBeforeRunning(what, e);
            } catch (final RedisException e) {
                throwIfAccessRefused(e);
                dropConnection(used);
                failure = e;
            }
            if (failure != null) {
                backoff.pause("failed", failure);
            }
        }
    }

    /**
     * Runs a write once. A connection failure while it was in flight leaves its outcome unknown: it fails with a
     * {@link BackendException} saying so, and is not repeated. A failure before it was sent (no connection), or a
     * refusal that says the server did not run it (loading its data, busy, functions missing), is retried.
     */
    <T> T once(final String what, final Function<RedisClusterCommands<byte[], byte[]>, T> command) {
        final Backoff backoff = new Backoff(what);
        while (true) {
            final StatefulConnection<byte[], byte[]> used;
            try {
                used = connection();
            } catch (final RedisException e) {
                throwIfAccessRefused(e);
                backoff.pause("could not connect", e);
                continue;
            }
            RuntimeException failure;
            try {
                return command.apply(sync(used));
            } catch (final RedisCommandExecutionException e) {
                failure = refusedBeforeRunning(what, e);
            } catch (final RedisConnectionException | RedisCommandTimeoutException e) {
                dropConnection(used);
                throw new BackendException(display + ": " + what + " failed in flight, outcome unknown: "
                    + e.getMessage(), e);
            } catch (final RedisException e) {
                dropConnection(used);
                throw new BackendException(display + ": " + what + " failed, outcome unknown: " + e.getMessage(), e);
            }
            if (failure != null) {
                backoff.pause("was refused", failure);
            }
        }
    }

    /** Growing pauses between attempts, for up to {@code pspf.valkey.retry.timeout.ms}. */
    private final class Backoff {
        private final String what;
        private final long deadline = System.currentTimeMillis() + retryTimeoutMs;
        private long pauseMs = 50;

        Backoff(final String what) {
            this.what = what;
        }

        /** Waits before the next attempt, or fails when the time is up or the backend closed. */
        void pause(final String outcome, final RuntimeException failure) {
            if (closed || System.currentTimeMillis() + pauseMs > deadline) {
                throw new BackendException(display + ": " + what + " " + outcome + " for " + retryTimeoutMs
                    + " ms (pspf.valkey.retry.timeout.ms): " + failure.getMessage(), failure);
            }
            LOG.warn("{}: {} {} ({}); retrying in {} ms", display, what, outcome, failure.getMessage(), pauseMs);
            sleep(pauseMs);
            pauseMs = Math.min(pauseMs * 2, 2_000);
        }
    }

    /**
     * A server error that says the command did not run and may run later: the library was lost (it is loaded again)
     * or the server is loading its data, busy, or without its primary.
     *
     * @return null to try again at once, the refusal to wait on, or throws the error when it is final
     */
    private RuntimeException refusedBeforeRunning(final String what, final RedisCommandExecutionException e) {
        if (isMissingFunction(e)) {
            return reloadLibrary();
        }
        if (isNotReady(e)) {
            return e;
        }
        throw serverError(what, e);
    }

    /** A refusal that says the server did not run the command and may run it later. */
    private static boolean isNotReady(final RedisCommandExecutionException e) {
        if (e instanceof io.lettuce.core.RedisLoadingException || e instanceof io.lettuce.core.RedisBusyException) {
            return true;
        }
        final String message = String.valueOf(e.getMessage());
        return message.startsWith("LOADING") || message.startsWith("BUSY") || message.startsWith("TRYAGAIN")
            || message.startsWith("MASTERDOWN");
    }

    /**
     * Fails at once when the server refused the credentials or the user's rights (retrying would not help), without
     * the credentials (the server's messages do not carry them).
     */
    private void throwIfAccessRefused(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            final String message = t.getMessage();
            if (message == null) {
                continue;
            }
            for (final String code : new String[] {"WRONGPASS", "NOAUTH", "NOPERM"}) {
                final int at = message.indexOf(code);
                if (at >= 0) {
                    throw new BackendException(display + ": the server refused access (" + message.substring(at)
                        + "); check the user and password (in the URI or " + ValkeySettings.USER_CONFIG + " / "
                        + ValkeySettings.PASSWORD_CONFIG + ") and the user's ACL rights");
                }
            }
        }
    }

    private static boolean isMissingFunction(final RedisCommandExecutionException e) {
        final String message = e.getMessage();
        return message != null && message.contains("Function not found");
    }

    /**
     * Loads the library again after a call found it missing (the server restarted without persistence).
     *
     * @return null when it was loaded (call again at once), else the failure to wait on and count against the time
     */
    private RuntimeException reloadLibrary() {
        LOG.warn("{}: the server does not know PSPF's functions (restarted without persistence?); loading them",
            display);
        try {
            loadLibrary(connection());
            return null;
        } catch (final RedisException e) {
            return e;
        }
    }

    private BackendException serverError(final String what, final RedisCommandExecutionException e) {
        final String message = e.getMessage() == null ? "" : e.getMessage();
        final int code = message.indexOf("PSPF_");
        if (code >= 0) {
            final int space = message.indexOf(' ', code);
            return new BackendException(space < 0 ? message.substring(code) : message.substring(space + 1));
        }
        return new BackendException(display + ": " + what + ": " + message, e);
    }

    /**
     * Forgets a connection that failed and closes it; a connection made since by another thread stays. Takes no lock,
     * as it runs on Lettuce's own threads too.
     */
    private void dropConnection(final StatefulConnection<byte[], byte[]> failed) {
        if (failed == null) {
            return;
        }
        CONNECTION.compareAndSet(this, failed, null);
        failed.closeAsync();
    }

    private static final java.lang.invoke.VarHandle CONNECTION;

    static {
        try {
            CONNECTION = java.lang.invoke.MethodHandles.lookup().findVarHandle(ValkeyBackend.class, "connection",
                StatefulConnection.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static RedisClusterCommands<byte[], byte[]> sync(final StatefulConnection<byte[], byte[]> c) {
        return c instanceof StatefulRedisClusterConnection ? ((StatefulRedisClusterConnection<byte[], byte[]>) c).sync()
            : ((StatefulRedisConnection<byte[], byte[]>) c).sync();
    }

    @SuppressWarnings("unchecked")
    private static RedisClusterAsyncCommands<byte[], byte[]> async(final StatefulConnection<byte[], byte[]> c) {
        return c instanceof StatefulRedisClusterConnection ? ((StatefulRedisClusterConnection<byte[], byte[]>) c).async()
            : ((StatefulRedisConnection<byte[], byte[]>) c).async();
    }

    /** Loads PSPF's function library: on the server, or on every primary of a cluster. */
    @SuppressWarnings("unchecked")
    private void loadLibrary(final StatefulConnection<byte[], byte[]> c) {
        if (c instanceof StatefulRedisClusterConnection) {
            final io.lettuce.core.cluster.api.sync.Executions<String> loaded =
                ((StatefulRedisClusterConnection<byte[], byte[]>) c).sync().upstream().commands().functionLoad(library, true);
            loaded.forEach(name -> { });
        } else {
            ((StatefulRedisConnection<byte[], byte[]>) c).sync().functionLoad(library, true);
        }
    }

    private static void sleep(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("Interrupted while waiting to retry", e);
        }
    }

    @SuppressWarnings("unchecked")
    <T> T fcall(final RedisClusterCommands<byte[], byte[]> c, final String function, final ScriptOutputType type,
                        final byte[][] keys, final byte[]... args) {
        return (T) c.fcall(LIBRARY + "_" + function, type, keys, args);
    }

    // ------------------------------------------------------------------------------------------------ keys

    static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(final long n) {
        return bytes(Long.toString(n));
    }

    // On a cluster the registry's and each group's keys carry hash tags, to share a slot; a standalone server keeps
    // the names it always had, so that data written by earlier versions stays readable.

    private byte[] topicsKey() {
        return bytes(cluster ? prefix + ":{topics}" : prefix + ":topics");
    }

    private byte[] configKey(final String topic) {
        return bytes(cluster ? prefix + ":{topics}:config:" + topic : prefix + ":topic:" + topic + ":config");
    }

    /** The stream and meta keys of a partition. */
    byte[][] partitionKeys(final String topic, final int partition) {
        return partitionKeys.computeIfAbsent(new TopicPartition(topic, partition), tp -> {
            final String base = prefix + ":{" + topic + ":" + partition + "}:";
            return new byte[][] {bytes(base + "s"), bytes(base + "m")};
        });
    }

    /** A key of a group's own (offsets, epochs, members, leases, ...): all in one slot of a cluster. */
    String groupKey(final String group, final String suffix) {
        return cluster ? prefix + ":{g:" + group + "}:" + suffix : prefix + ":group:" + group + ":" + suffix;
    }

    private static byte[] offsetField(final TopicPartition tp) {
        return bytes(tp.topic() + ":" + tp.partition());
    }

    // ------------------------------------------------------------------------------------------------ topics

    @Override
    public void createTopic(final String topic, final int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    @Override
    public void createTopic(final String topic, final int partitions, final Map<String, String> topicConfigs) {
        if (partitions < 1) {
            throw new BackendException("A topic needs at least one partition: " + topic + " asked for " + partitions);
        }
        if (plain.isPlain(topic)) {
            if (plain.partitions(topic) != partitions) {
                throw new BackendException("Topic " + topic + " is declared plain with " + plain.partitions(topic)
                    + " partition(s) (" + PlainTopics.TOPICS_CONFIG + "), not " + partitions);
            }
            return; // its streams come into being with their first entry
        }
        final byte[][] keys = new byte[2 + partitions][];
        keys[0] = topicsKey();
        keys[1] = configKey(topic);
        for (int p = 0; p < partitions; p++) {
            keys[2 + p] = partitionKeys(topic, p)[1];
        }
        final List<byte[]> args = new ArrayList<>();
        args.add(bytes(topic));
        args.add(bytes(partitions));
        final Map<String, String> stored = new LinkedHashMap<>(cleaner.inherited());
        stored.putAll(topicConfigs);
        stored.forEach((k, v) -> {
            args.add(bytes(k));
            args.add(bytes(v));
        });
        if (cluster) {
            // keys of one call share a slot: the partitions first, then the registration that makes the topic exist;
            // each step may be repeated
            final int existing = partitions(topic);
            if (existing > 0 && existing != partitions) {
                throw new BackendException("Topic " + topic + " exists with " + existing + " partitions, not "
                    + partitions);
            }
            for (int p = 0; p < partitions; p++) {
                final byte[][] meta = {keys[2 + p]};
                retrying("create topic " + topic, c -> fcall(c, "create_partition", ScriptOutputType.INTEGER, meta));
            }
            retrying("create topic " + topic, c -> fcall(c, "register_topic", ScriptOutputType.INTEGER,
                new byte[][] {keys[0], keys[1]}, args.toArray(new byte[0][])));
            return;
        }
        // repeating it is harmless: a second call finds the topic
        retrying("create topic " + topic, c -> fcall(c, "create_topic", ScriptOutputType.INTEGER, keys,
            args.toArray(new byte[0][])));
    }

    @Override
    public int partitions(final String topic) {
        if (plain.isPlain(topic)) {
            return plain.partitions(topic);
        }
        final byte[] count = retrying("describe topic " + topic, c -> c.hget(topicsKey(), bytes(topic)));
        return count == null ? -1 : Integer.parseInt(new String(count, StandardCharsets.US_ASCII));
    }

    @Override
    public Set<String> topics() {
        final List<byte[]> names = retrying("list topics", c -> c.hkeys(topicsKey()));
        final Set<String> topics = new LinkedHashSet<>();
        for (final byte[] name : names) {
            topics.add(new String(name, StandardCharsets.UTF_8));
        }
        plain.topics().forEach(topics::add);
        return topics;
    }

    /** A topic's settings as stored at creation. */
    Map<String, String> topicConfigs(final String topic) {
        final Map<byte[], byte[]> raw = retrying("describe topic " + topic, c -> c.hgetall(configKey(topic)));
        final Map<String, String> result = new LinkedHashMap<>();
        raw.forEach((k, v) -> result.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
        return result;
    }

    @Override
    public void deleteTopic(final String topic) {
        if (plain.isPlain(topic)) {
            final byte[][] streams = new byte[plain.partitions(topic)][];
            for (int p = 0; p < streams.length; p++) {
                streams[p] = bytes(plain.streamKey(topic, p));
            }
            retrying("delete topic " + topic, c -> c.del(streams));
            return;
        }
        final int partitions = partitions(topic);
        if (partitions < 0) {
            return;
        }
        // per partition: its stream and meta, and the cleaner's end notes and lock (a compaction copy expires)
        final byte[][] keys = new byte[2 + 4 * partitions][];
        keys[0] = topicsKey();
        keys[1] = configKey(topic);
        for (int p = 0; p < partitions; p++) {
            final byte[][] pk = partitionKeys(topic, p);
            final String base = new String(pk[0], StandardCharsets.UTF_8);
            final String stem = base.substring(0, base.length() - 1);
            keys[2 + 4 * p] = pk[0];
            keys[3 + 4 * p] = pk[1];
            keys[4 + 4 * p] = bytes(stem + "seen");
            keys[5 + 4 * p] = bytes(stem + "cleaning");
        }
        if (cluster) {
            // unregistered first, so the topic is gone before its partitions are; each partition's keys in one call
            retrying("delete topic " + topic, c -> fcall(c, "delete_topic", ScriptOutputType.INTEGER,
                new byte[][] {keys[0], keys[1]}, bytes(topic)));
            for (int p = 0; p < partitions; p++) {
                final byte[][] pk = java.util.Arrays.copyOfRange(keys, 2 + 4 * p, 6 + 4 * p);
                retrying("delete topic " + topic, c -> c.del(pk));
            }
        } else {
            retrying("delete topic " + topic, c -> fcall(c, "delete_topic", ScriptOutputType.INTEGER, keys,
                bytes(topic)));
        }
        for (int p = 0; p < partitions; p++) {
            partitionKeys.remove(new TopicPartition(topic, p));
            dropFetched(new TopicPartition(topic, p));
            forgetReadAhead(new TopicPartition(topic, p));
        }
    }

    // ------------------------------------------------------------------------------------------------ records

    /** Packs records into entries: (count, batch) pairs, each entry at most {@link #ENTRY_RECORDS} records. */
    private static void entries(final List<RawRecord> records, final List<byte[]> into) {
        int from = 0;
        while (from < records.size()) {
            int to = from;
            long size = 0;
            while (to < records.size() && to - from < ENTRY_RECORDS && size < ENTRY_BYTES) {
                final RawRecord r = records.get(to);
                size += 16 + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                to++;
            }
            into.add(bytes(to - from));
            into.add(EntryCodec.encode(records, from, to));
            from = to;
        }
    }

    @Override
    public long append(final String topic, final int partition, final List<RawRecord> records) {
        if (records.isEmpty()) {
            if (partition < 0) {
                throw new BackendException("No partition " + partition + " in topic " + topic);
            }
            return logEndOffset(topic, partition);
        }
        final TopicPartition tp = new TopicPartition(topic, partition);
        return appendAll(Map.of(tp, records)).get(tp);
    }

    /** Appends to a plain topic: one entry per record, IDs given by the server. */
    private long appendPlain(final String topic, final int partition, final List<RawRecord> records) {
        final byte[][] keys = {bytes(plain.streamKey(topic, partition))};
        if (records.isEmpty()) {
            return logEndOffset(topic, partition);
        }
        final List<byte[]> args = new ArrayList<>();
        plainEntries(records, args);
        final List<Object> ids = once("append to " + topic + "-" + partition, c -> {
            final List<Object> r = fcall(c, "append_plain", ScriptOutputType.MULTI, keys, args.toArray(new byte[0][]));
            awaitReplicas(c, "an append to " + topic + "-" + partition);
            return r;
        });
        return PlainTopics.offset(new String((byte[]) ids.get(0), StandardCharsets.US_ASCII));
    }

    /** The arguments of plain entries: their count, then per record its field count and field/value pairs. */
    private void plainEntries(final List<RawRecord> records, final List<byte[]> into) {
        into.add(bytes(records.size()));
        for (final RawRecord r : records) {
            final List<byte[]> fields = plain.fields(r);
            into.add(bytes(fields.size() / 2));
            into.addAll(fields);
        }
    }

    /**
     * The appends of {@link #appendAll} and {@link #appendAllAsync}: those to plain topics are made at once (their
     * first offsets go to {@code firsts}); the others are encoded as entries, ready to send, and the partitions'
     * read-aheads are marked as taken before them.
     */
    private final class PreparedAppends {
        final List<TopicPartition> partitions = new ArrayList<>();
        final List<byte[][]> keys = new ArrayList<>();
        final List<byte[][]> args = new ArrayList<>();

        PreparedAppends(final Map<TopicPartition, List<RawRecord>> batches, final Map<TopicPartition, Long> firsts) {
            for (final Map.Entry<TopicPartition, List<RawRecord>> e : batches.entrySet()) {
                final TopicPartition tp = e.getKey();
                if (e.getValue().isEmpty()) {
                    continue;
                }
                if (tp.partition() < 0) {
                    throw new BackendException("No partition " + tp.partition() + " in topic " + tp.topic());
                }
                if (plain.isPlain(tp.topic())) {
                    firsts.put(tp, appendPlain(tp.topic(), tp.partition(), e.getValue()));
                    continue;
                }
                final List<byte[]> entryArgs = new ArrayList<>();
                entries(e.getValue(), entryArgs);
                partitions.add(tp);
                keys.add(partitionKeys(tp.topic(), tp.partition()));
                args.add(entryArgs.toArray(new byte[0][]));
                forgetReadAhead(tp);
            }
        }
    }

    /** The appends go out together, pipelined: one round trip for all the partitions. */
    @Override
    public Map<TopicPartition, Long> appendAll(final Map<TopicPartition, List<RawRecord>> batches) {
        final Map<TopicPartition, Long> firsts = new LinkedHashMap<>();
        final PreparedAppends prepared = new PreparedAppends(batches, firsts);
        final List<TopicPartition> partitions = prepared.partitions;
        final List<byte[][]> keys = prepared.keys;
        final List<byte[][]> args = prepared.args;
        if (partitions.isEmpty()) {
            return firsts;
        }
        once("append to " + partitions, c -> {
            final RedisClusterAsyncCommands<byte[], byte[]> async = async(connection());
            final List<RedisFuture<Long>> replies = new ArrayList<>();
            for (int i = 0; i < partitions.size(); i++) {
                replies.add(async.fcall(LIBRARY + "_append", ScriptOutputType.INTEGER, keys.get(i), args.get(i)));
            }
            for (int i = 0; i < partitions.size(); i++) {
                try {
                    firsts.put(partitions.get(i), await(replies.get(i)));
                    forgetReadAhead(partitions.get(i)); // and after it: see forgetReadAhead
                } catch (final RedisCommandExecutionException e) {
                    if (i > 0 && (isMissingFunction(e) || isNotReady(e))) {
                        // earlier appends of the pipeline may have run: sending them all again could repeat them
                        throw new BackendException(display + ": appends to " + partitions + " partly refused ("
                            + e.getMessage() + "), outcome unknown", e);
                    }
                    throw e;
                }
            }
            awaitReplicas(c, "the appends to " + partitions);
            return null;
        });
        return firsts;
    }

    /**
     * The appends are sent pipelined and the future completes when the server acknowledged them all. They go on the
     * connection earlier ones went on, or, once that one is gone, only after those earlier ones are settled, so that
     * nothing later overtakes an append lost with a connection. With {@code pspf.valkey.wait.replicas} the appends
     * are made at once (waiting for the replicas).
     */
    @Override
    public java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> appendAllAsync(
        final Map<TopicPartition, List<RawRecord>> batches) {
        if (settings.waitReplicas > 0 || settings.waitAof) {
            return Backend.super.appendAllAsync(batches);
        }
        final Map<TopicPartition, Long> firsts = new LinkedHashMap<>();
        final List<java.util.concurrent.CompletableFuture<Void>> replies = new ArrayList<>();
        try {
            final StatefulConnection<byte[], byte[]> c = connection();
            final Object[] last = lastAsync.get(); // this thread's previous send: its connection and its outcome
            if (last != null && last[0] != c) {
                // the connection changed: the previous send must be settled, and well, before anything goes on the
                // new one, or a later send could land while an earlier one was lost
                final java.util.concurrent.CompletableFuture<?> previous = (java.util.concurrent.CompletableFuture<?>) last[1];
                previous.exceptionally(e -> null).join();
                if (previous.isCompletedExceptionally()) {
                    return java.util.concurrent.CompletableFuture.failedFuture(new BackendException(display
                        + ": an earlier send of this thread failed with its connection; nothing more is sent"));
                }
            }
            final PreparedAppends prepared = new PreparedAppends(batches, firsts);
            for (int i = 0; i < prepared.partitions.size(); i++) {
                final TopicPartition tp = prepared.partitions.get(i);
                final RedisFuture<Long> reply = async(c).fcall(LIBRARY + "_append", ScriptOutputType.INTEGER,
                    prepared.keys.get(i), prepared.args.get(i));
                replies.add(reply.toCompletableFuture().thenAccept(first -> {
                    synchronized (firsts) {
                        firsts.put(tp, first);
                    }
                    forgetReadAhead(tp); // and after it: see forgetReadAhead
                }));
            }
            final java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> all =
                java.util.concurrent.CompletableFuture.allOf(replies.toArray(new java.util.concurrent.CompletableFuture[0]))
                    .handle((ok, failure) -> {
                        if (failure != null) {
                            final Throwable cause = failure instanceof java.util.concurrent.CompletionException
                                && failure.getCause() != null ? failure.getCause() : failure;
                            if (!(cause instanceof RedisCommandExecutionException)) {
                                dropConnection(c);
                            }
                            throw new BackendException(display + ": appends to " + batches.keySet()
                                + " failed, outcome unknown: " + cause.getMessage(), cause);
                        }
                        synchronized (firsts) {
                            return new LinkedHashMap<>(firsts);
                        }
                    });
            lastAsync.set(new Object[] {c, all});
            return all;
        } catch (final RedisException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(new BackendException(display + ": appends to "
                + batches.keySet() + " failed, outcome unknown: " + e.getMessage(), e));
        } catch (final BackendException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /** Per sending thread: the connection and the future of its last asynchronous send. */
    private final ThreadLocal<Object[]> lastAsync = new ThreadLocal<>();

    @Override
    public List<RawRecord> read(final String topic, final int partition, final long offset, final int maxRecords) {
        if (partition < 0) {
            throw new BackendException("No partition " + partition + " in topic " + topic);
        }
        if (plain.isPlain(topic)) {
            return readPlain(topic, partition, offset, maxRecords);
        }
        if (maxRecords <= 0) {
            return new ArrayList<>();
        }
        final byte[][] keys = partitionKeys(topic, partition);
        final TopicPartition tp = new TopicPartition(topic, partition);
        final long startNanos = System.nanoTime();
        final List<RawRecord> records = new ArrayList<>(Math.min(maxRecords, 4096));
        // when the oldest answer used was asked for: records kept for the next read are as old as that
        long askedNanos = Long.MAX_VALUE;
        long from = offset;
        // records of entries read before and not returned yet (an entry holds up to ENTRY_RECORDS records, a read
        // returns maxRecords): they are returned first, as Kafka's consumer returns what it fetched before fetching
        final Leftover leftover = leftovers.remove(tp);
        if (leftover != null && leftover.from == offset && startNanos - leftover.fetchedNanos <= STALE_NANOS) {
            while (leftover.index < leftover.records.size() && records.size() < maxRecords) {
                records.add(leftover.records.get(leftover.index++));
            }
            if (leftover.index < leftover.records.size()) {
                leftover.from = records.get(records.size() - 1).offset() + 1;
                leftovers.put(tp, leftover);
                return records; // the read ahead, from the end of the leftover, stays on its way
            }
            from = leftover.upTo;
            if (records.size() >= maxRecords) {
                return records;
            }
        }
        // a stretch a read found nothing in (compaction removed its records, or they lie below the log start): read
        // from its end, so that the reader is not asked about it again and again
        from = pastGap(tp, from, startNanos);
        PendingRead pending = prefetched.remove(tp);
        if (pending != null && pending.from != from) {
            pending = null;
        }
        // the server said a moment ago that nothing follows, and this backend wrote nothing there since: nothing is
        // asked, and a read ahead on its way is not waited for
        final boolean quiet = records.isEmpty() && quiet(tp, from, startNanos) && (pending == null || !pending.isDone())
            && !endKnownPast(tp, from);
        if (quiet && pending != null) {
            prefetched.put(tp, pending);
        }
        boolean fromServer = false;
        while (!quiet && records.size() < maxRecords) {
            final long position = from;
            Object[] reply = null;
            boolean partial = false;
            int asked = READ_ENTRIES;
            long replyAskedNanos;
            long replyVersion;
            boolean fresh = false;
            if (pending != null) {
                asked = pending.asked;
                replyAskedNanos = pending.sentNanos;
                replyVersion = pending.version;
                try {
                    reply = pending.await();
                } catch (final RedisException e) {
                    reply = null; // read again below, with retries
                }
                // sent before this backend's last write to the partition: true as far as it goes, but maybe short
                partial = pending.version != writeVersion(tp).get();
                // an answer asked for long ago is not used (other instances wrote since, the topic may even have been
                // deleted and made anew), nor an empty one older than a quiet spell (records that came since must
                // not wait for the reader's next round)
                final long age = System.nanoTime() - pending.sentNanos;
                if (reply != null && (age > STALE_NANOS || ((List<?>) reply[1]).isEmpty()
                    && (age > quietNanos || endKnownPast(tp, from)))) {
                    reply = null;
                }
                pending = null;
            } else {
                replyAskedNanos = 0;
                replyVersion = 0;
            }
            if (reply == null) {
                final int wanted = entriesFor(tp, maxRecords - records.size());
                asked = wanted;
                replyAskedNanos = System.nanoTime();
                replyVersion = writeVersion(tp).get();
                reply = retrying("read " + topic + "-" + partition, c -> sendRead(keys, position, wanted).await());
                fresh = true;
            }
            fromServer = true;
            askedNanos = Math.min(askedNanos, replyAskedNanos);
            @SuppressWarnings("unchecked")
            final List<KeyValue<byte[], byte[]>> meta = (List<KeyValue<byte[], byte[]>>) reply[0];
            if (!meta.get(1).hasValue()) {
                throw new BackendException("No partition " + partition + " in topic " + topic);
            }
            final long start = parseLong(meta.get(0).getValue());
            final long end = parseLong(meta.get(1).getValue());
            if (fresh) {
                // the server's answer as of now: an end given out before that is past it no longer says anything
                // (the topic was made anew, or compaction left nothing to read up to the end)
                final long readable = ((List<?>) reply[1]).isEmpty() ? from : end;
                knownEnds.computeIfPresent(tp, (k, known) -> Math.min(known, readable));
            }
            if (from < start) {
                from = start;
                if (from >= end) {
                    break;
                }
                continue; // the entries were read from below the log start; read again from it
            }
            @SuppressWarnings("unchecked")
            final List<StreamMessage<byte[], byte[]>> entries = (List<StreamMessage<byte[], byte[]>>) reply[1];
            if (entries.isEmpty()) {
                if (partial) {
                    continue; // read afresh
                }
                if (records.isEmpty()) {
                    lastAnswers.put(tp, new LastAnswer(from, replyAskedNanos, replyVersion));
                }
                break;
            }
            from = decodeEntries(tp, entries, from, maxRecords, records);
            // read on until maxRecords or the end, and past the end as it was before this backend's last write to the
            // partition (so that a reader sees its own writes): a task orders the records of its partitions by
            // timestamp among those it has read, so a partition read short would let another's later records go first
            if (!partial && (entries.size() < asked || from >= end)) {
                break;
            }
        }
        if (records.isEmpty() && from > offset) {
            gaps.put(tp, new Gap(offset, from, startNanos));
        }
        final boolean kept = records.size() > maxRecords;
        if (kept) {
            final List<RawRecord> rest = new ArrayList<>(records.subList(maxRecords, records.size()));
            records.subList(maxRecords, records.size()).clear();
            leftovers.put(tp, new Leftover(records.get(maxRecords - 1).offset() + 1, from, rest, askedNanos));
        }
        // the reader will ask for the next records soon: ask the server now, so that the answer is on its way while
        // these are processed (Kafka's consumer fetches ahead likewise). A partition with nothing more to read is
        // asked again only every so often, not at every read (a busy reader reads its caught-up partitions at every
        // round, thousands of times a second)
        if (fromServer && !records.isEmpty() || !lastAskedWithin(tp, System.nanoTime(), quietNanos / 2)) {
            try {
                prefetched.put(tp, sendRead(tp, keys, records.isEmpty() || kept ? from
                    : records.get(records.size() - 1).offset() + 1, entriesFor(tp, maxRecords)));
            } catch (final RedisException | BackendException e) {
                // no read ahead this time
            }
        }
        return records;
    }

    /**
     * Decodes whole entries (records past {@code maxRecords} are kept for the next read) until {@code records} holds
     * {@code maxRecords}; returns the offset after the last entry decoded. Its own method, apart from {@link #read}'s
     * bookkeeping: the loop is the hot part, and the JIT compiles a small method sooner and at less cost.
     */
    private long decodeEntries(final TopicPartition tp, final List<StreamMessage<byte[], byte[]>> entries, final long from,
                               final int maxRecords, final List<RawRecord> records) {
        final int before = records.size();
        int decoded = 0;
        long next = from;
        for (final StreamMessage<byte[], byte[]> entry : entries) {
            decoded++;
            final long entryEnd = entryEnd(entry.getId());
            byte[] count = null;
            byte[] batch = null;
            for (final Map.Entry<byte[], byte[]> field : entry.getBody().entrySet()) {
                if (java.util.Arrays.equals(field.getKey(), N)) {
                    count = field.getValue();
                } else if (java.util.Arrays.equals(field.getKey(), B)) {
                    batch = field.getValue();
                }
            }
            if (count == null || batch == null) {
                throw new BackendException("Entry " + entry.getId() + " of " + tp + " is not a PSPF record batch "
                    + "(fields n and b)");
            }
            EntryCodec.decode(batch, tp.topic(), tp.partition(), entryEnd, (int) parseLong(count), next,
                Integer.MAX_VALUE, records);
            next = Math.max(next, entryEnd);
            if (records.size() >= maxRecords) {
                break;
            }
        }
        noteEntrySize(tp, records.size() - before, decoded);
        return next;
    }

    /**
     * How long an empty answer stands ({@code pspf.valkey.read.quiet.ms}, 10 ms): a read in that time, with nothing
     * written to the partition by this backend since, returns nothing without asking again. Records other instances
     * write meanwhile are read up to that much later by a reader that keeps reading; one that waits
     * ({@link #awaitRecords}) hears of them at once.
     */
    private final long quietNanos;

    /** A partition's last empty answer: nothing after {@code from} when asked, at this backend's write version then. */
    private record LastAnswer(long from, long askedNanos, long version) {
    }

    private final Map<TopicPartition, LastAnswer> lastAnswers = new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether the server said less than {@link #quietNanos} ago that nothing follows {@code from}, writes aside. */
    private boolean quiet(final TopicPartition tp, final long from, final long nowNanos) {
        final LastAnswer last = lastAnswers.get(tp);
        return last != null && last.from == from && nowNanos - last.askedNanos < quietNanos
            && last.version == writeVersion(tp).get();
    }

    /** Whether a read ahead of the partition is on its way, or an empty answer was asked for within {@code nanos}. */
    private boolean lastAskedWithin(final TopicPartition tp, final long nowNanos, final long nanos) {
        if (prefetched.containsKey(tp)) {
            return true;
        }
        final LastAnswer last = lastAnswers.get(tp);
        return last != null && nowNanos - last.askedNanos < nanos;
    }

    /**
     * Decoded records of a partition that a read fetched past its {@code maxRecords}: returned by the next read if it
     * starts at {@link #from}; they are the partition's records from there up to {@link #upTo} (exclusive).
     */
    private static final class Leftover {
        long from;
        final long upTo;
        final List<RawRecord> records;
        /** When the answer they came in was asked for. */
        final long fetchedNanos;
        int index;

        Leftover(final long from, final long upTo, final List<RawRecord> records, final long fetchedNanos) {
            this.from = from;
            this.upTo = upTo;
            this.records = records;
            this.fetchedNanos = fetchedNanos;
        }
    }

    private final Map<TopicPartition, Leftover> leftovers = new java.util.concurrent.ConcurrentHashMap<>();

    /** Per partition, the records per entry its last read saw, so that a read asks for about as many as it wants. */
    private final Map<TopicPartition, Integer> recordsPerEntry = new java.util.concurrent.ConcurrentHashMap<>();

    private void noteEntrySize(final TopicPartition tp, final int records, final int entries) {
        if (entries > 0 && records > 0) {
            recordsPerEntry.put(tp, Math.max(1, records / entries));
        }
    }

    /**
     * Waits with {@code XREAD BLOCK} on a connection of the calling thread's own (a blocking command would hold up
     * every other command on a shared one) until an entry past one of the positions comes: an entry {@code 0-<end>}
     * holds records below {@code end}, so the entries after {@code 0-<position>} are those with records at or after
     * it. Read aheads of the partitions that got entries, sent before and maybe empty, are dropped, so that the next
     * read asks afresh. A plain topic's stream is waited on past the entry ID of the offset before its position.
     * Valkey Cluster (keys of several slots in one command) waits the default way.
     */
    @Override
    public boolean awaitRecords(final Map<TopicPartition, Long> positions, final long timeoutMs) {
        if (cluster || positions.isEmpty() || timeoutMs < 1) {
            return pause(positions, timeoutMs);
        }
        final List<TopicPartition> tps = new ArrayList<>(positions.keySet());
        @SuppressWarnings("unchecked")
        final XReadArgs.StreamOffset<byte[]>[] offsets = new XReadArgs.StreamOffset[tps.size()];
        for (int i = 0; i < tps.size(); i++) {
            final TopicPartition tp = tps.get(i);
            if (tp.partition() < 0) {
                return pause(positions, timeoutMs);
            }
            if (plain.isPlain(tp.topic())) {
                // the entries after the one at the offset before the position (an ID in a gap is fine: XREAD returns
                // the entries with greater IDs, whether or not one has that ID)
                final long position = positions.get(tp);
                offsets[i] = XReadArgs.StreamOffset.from(bytes(plain.streamKey(tp.topic(), tp.partition())),
                    position <= 0 ? "0-0" : PlainTopics.id(position - 1));
                continue;
            }
            offsets[i] = XReadArgs.StreamOffset.from(partitionKeys(tp.topic(), tp.partition())[0],
                "0-" + pastGap(tp, positions.get(tp), System.nanoTime()));
        }
        final StatefulRedisConnection<byte[], byte[]> c = blockingConnection();
        if (c == null) {
            // while it connects: a short pause, after which the caller reads and waits again
            return pause(positions, Math.min(timeoutMs, 5));
        }
        try {
            final List<StreamMessage<byte[], byte[]>> came = c.sync().xread(
                XReadArgs.Builder.block(timeoutMs).count(1), offsets);
            if (came == null || came.isEmpty()) {
                return false;
            }
            for (final StreamMessage<byte[], byte[]> entry : came) {
                for (final TopicPartition tp : tps) {
                    // a plain topic's reads keep no answers to forget
                    if (!plain.isPlain(tp.topic())
                        && java.util.Arrays.equals(partitionKeys(tp.topic(), tp.partition())[0], entry.getStream())) {
                        prefetched.remove(tp);
                        lastAnswers.remove(tp);
                    }
                }
            }
            return true;
        } catch (final RedisException e) {
            // the reader reads (and meets the failure, with its retries) next
            blockingConnections.remove(Thread.currentThread());
            c.closeAsync();
            return true;
        }
    }

    /**
     * A wait without a blocking read: a pause. The empty answers from before it still stand for their quiet time (an
     * idle thread pauses again and again; clearing them would make each of its reads wait for the server).
     */
    private boolean pause(final Map<TopicPartition, Long> positions, final long timeoutMs) {
        return Backend.super.awaitRecords(positions, timeoutMs);
    }

    /** Per thread that waited for records: its own connection for blocking reads, once connected. */
    private final Map<Thread, java.util.concurrent.CompletableFuture<StatefulRedisConnection<byte[], byte[]>>>
        blockingConnections = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The calling thread's connection for blocking reads; null while it connects (in the background: a reader that
     * waits for the first time must not wait for a connection first), or when it could not connect.
     */
    private StatefulRedisConnection<byte[], byte[]> blockingConnection() {
        final java.util.concurrent.CompletableFuture<StatefulRedisConnection<byte[], byte[]>> pending =
            blockingConnections.get(Thread.currentThread());
        if (pending != null) {
            if (!pending.isDone()) {
                return null;
            }
            final StatefulRedisConnection<byte[], byte[]> c = pending.isCompletedExceptionally() ? null : pending.join();
            if (c != null && c.isOpen()) {
                return c;
            }
            blockingConnections.remove(Thread.currentThread(), pending);
            if (c != null) {
                c.closeAsync();
            }
        }
        synchronized (this) {
            if (closed) {
                return null;
            }
            // threads that ended leave their connections: close them
            blockingConnections.entrySet().removeIf(e -> {
                if (!e.getKey().isAlive()) {
                    e.getValue().thenAccept(StatefulRedisConnection::closeAsync);
                    return true;
                }
                return false;
            });
            blockingConnections.put(Thread.currentThread(),
                ((RedisClient) client).connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture());
            return null;
        }
    }

    private List<RawRecord> readPlain(final String topic, final int partition, final long offset, final int maxRecords) {
        final byte[] key = bytes(plain.streamKey(topic, partition));
        final List<StreamMessage<byte[], byte[]>> entries = retrying("read " + topic + "-" + partition,
            c -> c.xrange(key, Range.create(PlainTopics.id(offset), "+"), Limit.from(Math.min(maxRecords, 10_000))));
        final List<RawRecord> records = new ArrayList<>(entries.size());
        for (final StreamMessage<byte[], byte[]> entry : entries) {
            records.add(plain.toRecord(topic, partition, entry));
        }
        return records;
    }

    /**
     * Notes a write to a partition, so that a read after it sees it: a read ahead sent before the write is used only
     * as far as it goes, and the read goes on from where it ends; an empty answer from before the write does not stand
     * (see {@link #quiet}). Called before a write is sent and again once the server acknowledged it: a read of another
     * thread sent in between may have been answered before the write ran.
     */
    private void forgetReadAhead(final TopicPartition tp) {
        writeVersion(tp).incrementAndGet();
    }

    /** Per partition, how many writes this backend sent to it: a read ahead sent before the last one may miss it. */
    private final Map<TopicPartition, java.util.concurrent.atomic.AtomicLong> writeVersions =
        new java.util.concurrent.ConcurrentHashMap<>();

    private java.util.concurrent.atomic.AtomicLong writeVersion(final TopicPartition tp) {
        return writeVersions.computeIfAbsent(tp, t -> new java.util.concurrent.atomic.AtomicLong());
    }

    /** Reads ahead, per partition: the reply to the next read, asked for when the last one returned. */
    private final Map<TopicPartition, PendingRead> prefetched = new java.util.concurrent.ConcurrentHashMap<>();

    /** A partition's meta and the entries after {@code from}, asked for in one round trip. */
    private final class PendingRead {
        final long from;
        final long sentNanos = System.nanoTime();
        long version;
        /** How many entries were asked for: an answer with fewer reached the end of the stream then. */
        int asked;
        final RedisFuture<List<KeyValue<byte[], byte[]>>> meta;
        final RedisFuture<List<StreamMessage<byte[], byte[]>>> entries;

        PendingRead(final long from, final RedisFuture<List<KeyValue<byte[], byte[]>>> meta,
                    final RedisFuture<List<StreamMessage<byte[], byte[]>>> entries) {
            this.from = from;
            this.meta = meta;
            this.entries = entries;
        }

        Object[] await() {
            return new Object[] {ValkeyBackend.this.await(meta), ValkeyBackend.this.await(entries)};
        }

        boolean isDone() {
            return meta.isDone() && entries.isDone();
        }
    }

    /**
     * How many entries to ask for when {@code records} records are wanted: by the records per entry the partition's
     * last read saw (one at least), plus one, as the first may be read in part; at most {@link #READ_ENTRIES}.
     */
    private int entriesFor(final TopicPartition tp, final int records) {
        final int perEntry = recordsPerEntry.getOrDefault(tp, 1);
        return (int) Math.max(1, Math.min(READ_ENTRIES, ((long) records + perEntry - 1) / perEntry + 1));
    }

    private PendingRead sendRead(final TopicPartition tp, final byte[][] keys, final long from, final int entries) {
        final long version = writeVersion(tp).get();
        final PendingRead read = sendRead(keys, from, entries);
        read.version = version;
        return read;
    }

    private PendingRead sendRead(final byte[][] keys, final long from, final int count) {
        final RedisClusterAsyncCommands<byte[], byte[]> async = async(connection());
        final RedisFuture<List<KeyValue<byte[], byte[]>>> meta = async.hmget(keys[1], bytes("start"), bytes("end"));
        final RedisFuture<List<StreamMessage<byte[], byte[]>>> entries = async.xrange(keys[0],
            Range.from(Range.Boundary.excluding("0-" + from), Range.Boundary.<String>unbounded()),
            Limit.from(count));
        final PendingRead read = new PendingRead(from, meta, entries);
        read.asked = count;
        return read;
    }

    private <T> T await(final RedisFuture<T> future) {
        try {
            return future.get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("Interrupted", e);
        } catch (final ExecutionException e) {
            if (e.getCause() instanceof RedisException) {
                throw (RedisException) e.getCause();
            }
            throw new RedisException(e.getCause());
        } catch (final TimeoutException e) {
            throw new RedisCommandTimeoutException("Command timed out after " + commandTimeout.toMillis() + " ms");
        }
    }

    private static long entryEnd(final String id) {
        final int dash = id.indexOf('-');
        return Long.parseLong(id.substring(dash + 1));
    }

    private static long parseLong(final byte[] b) {
        long v = 0;
        boolean negative = false;
        for (int i = 0; i < b.length; i++) {
            final byte c = b[i];
            if (i == 0 && c == '-') {
                negative = true;
            } else if (c >= '0' && c <= '9') {
                v = v * 10 + (c - '0');
            } else {
                throw new BackendException("Not a number: " + new String(b, StandardCharsets.US_ASCII));
            }
        }
        return negative ? -v : v;
    }

    private long metaField(final String topic, final int partition, final String field) {
        final byte[] value = retrying("describe " + topic + "-" + partition,
            c -> c.hget(partitionKeys(topic, partition)[1], bytes(field)));
        if (value == null) {
            throw new BackendException("No partition " + partition + " in topic " + topic);
        }
        return parseLong(value);
    }

    @Override
    public boolean consecutiveOffsets(final String topic) {
        return !plain.isPlain(topic); // a plain topic's offsets come from entry IDs, with gaps
    }

    @Override
    public long logStartOffset(final String topic, final int partition) {
        if (plain.isPlain(topic)) {
            final byte[] key = bytes(plain.streamKey(topic, partition));
            final List<StreamMessage<byte[], byte[]>> first = retrying("describe " + topic + "-" + partition,
                c -> c.xrange(key, Range.create("-", "+"), Limit.from(1)));
            return first.isEmpty() ? logEndOffset(topic, partition) : PlainTopics.offset(first.get(0).getId());
        }
        return metaField(topic, partition, "start");
    }

    @Override
    public long logEndOffset(final String topic, final int partition) {
        if (plain.isPlain(topic)) {
            final byte[] key = bytes(plain.streamKey(topic, partition));
            final List<StreamMessage<byte[], byte[]>> last = retrying("describe " + topic + "-" + partition,
                c -> c.xrevrange(key, Range.create("-", "+"), Limit.from(1)));
            return last.isEmpty() ? 0 : PlainTopics.offset(last.get(0).getId()) + 1;
        }
        final long end = metaField(topic, partition, "end");
        knownEnds.merge(new TopicPartition(topic, partition), end, Math::max);
        return end;
    }

    /**
     * Per partition, the furthest offset a caller was told records reach ({@link #logEndOffset}, or a committed offset
     * from {@link #committedOffsets}): an empty answer from before that is not taken as the end (a restore reads on to
     * the end it was told, and stops at the first empty read).
     */
    private final Map<TopicPartition, Long> knownEnds = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Per partition, a stretch with nothing to read: a read from {@code from} found no record before {@code to}. Used
     * for {@link #STALE_NANOS} after it was found, as fetched records are.
     */
    private record Gap(long from, long to, long foundNanos) {
    }

    private final Map<TopicPartition, Gap> gaps = new java.util.concurrent.ConcurrentHashMap<>();

    /** Where a read from {@code position} starts: past a stretch found empty lately that begins there. */
    private long pastGap(final TopicPartition tp, final long position, final long nowNanos) {
        final Gap gap = gaps.get(tp);
        return gap != null && gap.from() == position && nowNanos - gap.foundNanos() <= STALE_NANOS ? gap.to() : position;
    }

    /** Whether nothing after {@code from} may be taken from an earlier answer: a caller was told of records there. */
    private boolean endKnownPast(final TopicPartition tp, final long from) {
        final Long end = knownEnds.get(tp);
        return end != null && end > from;
    }

    @Override
    public void deleteRecordsBefore(final String topic, final int partition, final long offset) {
        if (plain.isPlain(topic)) {
            final byte[] key = bytes(plain.streamKey(topic, partition));
            retrying("delete records of " + topic + "-" + partition, c -> c.xtrim(key,
                io.lettuce.core.XTrimArgs.Builder.minId(PlainTopics.id(offset))));
            return;
        }
        final byte[][] keys = partitionKeys(topic, partition);
        retrying("delete records of " + topic + "-" + partition, c -> fcall(c, "delete_before",
            ScriptOutputType.INTEGER, keys, bytes(offset)));
        // what this backend fetched ahead may hold records below the new log start
        dropFetched(new TopicPartition(topic, partition));
    }

    /** Forgets what this backend fetched of a partition ahead of its readers (read aheads and kept records). */
    private void dropFetched(final TopicPartition tp) {
        prefetched.remove(tp);
        leftovers.remove(tp);
        lastAnswers.remove(tp);
        knownEnds.remove(tp);
        gaps.remove(tp);
    }

    // ------------------------------------------------------------------------------------------------ commits

    @Override
    public Map<TopicPartition, Long> committedOffsets(final String group, final Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        final List<TopicPartition> asked = new ArrayList<>(partitions);
        final byte[][] fields = new byte[asked.size()][];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = offsetField(asked.get(i));
        }
        final List<KeyValue<byte[], byte[]>> values = retrying("read the offsets of " + group,
            c -> c.hmget(bytes(groupKey(group, "offsets")), fields));
        final Map<TopicPartition, Long> result = new HashMap<>();
        for (int i = 0; i < fields.length; i++) {
            if (values.get(i).hasValue()) {
                final long offset = parseLong(values.get(i).getValue());
                result.put(asked.get(i), offset);
                // records reach that far: a restore up to a committed offset (a source topic serving as changelog)
                // must not stop at an empty answer from before the commit
                knownEnds.merge(asked.get(i), offset, Math::max);
            }
        }
        return result;
    }

    @Override
    public long fence(final String group, final String taskId) {
        final byte[][] keys = {bytes(groupKey(group, "epochs"))};
        return once("fence task " + taskId, c -> (Long) fcall(c, "fence", ScriptOutputType.INTEGER, keys,
            bytes(taskId)));
    }

    @Override
    public CommitResult commit(final CommitUnit unit) {
        if (cluster) {
            return commitInSteps(unit);
        }
        final Map<TopicPartition, List<RawRecord>> byPartition = unit.recordsByPartition();
        final List<TopicPartition> written = new ArrayList<>(byPartition.keySet());
        final byte[][] keys = new byte[2 + 2 * written.size()][];
        keys[0] = bytes(groupKey(unit.group(), "epochs"));
        keys[1] = bytes(groupKey(unit.group(), "offsets"));
        final List<byte[]> args = commitHead(unit);
        for (int i = 0; i < written.size(); i++) {
            final TopicPartition tp = written.get(i);
            if (tp.partition() < 0) {
                throw new BackendException("No partition " + tp.partition() + " in topic " + tp.topic());
            }
            if (plain.isPlain(tp.topic())) {
                final byte[] stream = bytes(plain.streamKey(tp.topic(), tp.partition()));
                keys[2 + 2 * i] = stream;
                keys[3 + 2 * i] = stream;
                args.add(P_MODE);
                plainEntries(byPartition.get(tp), args);
                continue;
            }
            final byte[][] pk = partitionKeys(tp.topic(), tp.partition());
            keys[2 + 2 * i] = pk[0];
            keys[3 + 2 * i] = pk[1];
            args.add(B_MODE);
            final int countAt = args.size();
            args.add(null);
            entries(byPartition.get(tp), args);
            args.set(countAt, bytes((args.size() - countAt - 1) / 2));
        }
        written.forEach(this::forgetReadAhead);
        final List<Object> reply = once("commit of " + unit.tasks().keySet(), c -> {
            final List<Object> r = fcall(c, "commit", ScriptOutputType.MULTI, keys, args.toArray(new byte[0][]));
            if (!"FENCED".equals(new String((byte[]) r.get(0), StandardCharsets.US_ASCII))) {
                awaitReplicas(c, "the commit of " + unit.tasks().keySet());
            }
            return r;
        });
        final String status = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
        if ("FENCED".equals(status)) {
            return CommitResult.fencedResult();
        }
        written.forEach(this::forgetReadAhead); // and after it: see forgetReadAhead
        final Map<TopicPartition, Long> first = new LinkedHashMap<>();
        final Map<TopicPartition, Long> next = new LinkedHashMap<>();
        for (int i = 0; i < written.size(); i++) {
            final TopicPartition tp = written.get(i);
            final Object outcome = reply.get(1 + i);
            if (outcome instanceof List) {
                // a plain stream: the first and last IDs the server gave
                final List<?> ids = (List<?>) outcome;
                first.put(tp, PlainTopics.offset(new String((byte[]) ids.get(0), StandardCharsets.US_ASCII)));
                next.put(tp, PlainTopics.offset(new String((byte[]) ids.get(1), StandardCharsets.US_ASCII)) + 1);
                continue;
            }
            final long firstOffset = (Long) outcome;
            first.put(tp, firstOffset);
            next.put(tp, firstOffset + byPartition.get(tp).size());
        }
        return CommitResult.committed(unit, first, next);
    }

    /** The arguments every commit function starts with (see {@code check_epochs} in {@code pspf.lua}). */
    private static List<byte[]> commitHead(final CommitUnit unit) {
        final List<byte[]> args = new ArrayList<>();
        args.add(bytes(unit.tasks().size()));
        unit.tasks().forEach((task, epoch) -> {
            args.add(bytes(task));
            args.add(bytes(epoch));
        });
        args.add(bytes(unit.offsets().size()));
        unit.offsets().forEach((tp, offset) -> {
            args.add(offsetField(tp));
            args.add(bytes(offset));
        });
        return args;
    }

    // ------------------------------------------------------------------------------------------------ cluster commits

    /**
     * A commit on Valkey Cluster, where one call may only touch keys of one slot. First, in the group's slot, one call
     * checks the epochs, adds the unit (its entries by partition) to the committing thread's unit stream and stores
     * the input offsets: the unit is committed. Then each destination partition applies the unit in its own slot
     * ({@code apply_unit}), unless it already has it: a partition keeps, per unit stream, the last unit it applied,
     * and a stream's units are applied in order. Finally the unit leaves its stream. Whoever finds a unit still in a
     * stream (a committer that died between the steps) applies it again, harmlessly ({@link #settle}); a task
     * settles its group before it restores, so its state never misses a committed unit.
     */
    private CommitResult commitInSteps(final CommitUnit unit) {
        final Map<TopicPartition, List<RawRecord>> byPartition = unit.recordsByPartition();
        final List<TopicPartition> written = new ArrayList<>(byPartition.keySet());
        final byte[] streams = bytes(groupKey(unit.group(), "unitstreams"));
        // one stream per committing thread of this backend: thread names alone may repeat across processes (a
        // client.id shared by instances), and two committers on one stream could see each other's units as applied
        final byte[] stream = bytes(groupKey(unit.group(), "units:" + instanceId + ":" + Thread.currentThread().getName()));
        final byte[][] keys = {bytes(groupKey(unit.group(), "epochs")), bytes(groupKey(unit.group(), "offsets")), stream,
            streams};
        final List<byte[]> args = commitHead(unit);
        final List<List<byte[]>> entriesByPartition = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            final TopicPartition tp = written.get(i);
            if (tp.partition() < 0) {
                throw new BackendException("No partition " + tp.partition() + " in topic " + tp.topic());
            }
            if (plain.isPlain(tp.topic())) {
                throw new BackendException("Plain topic " + tp.topic() + " cannot be written by an exactly-once "
                    + "commit on Valkey Cluster (its stream has no slot of PSPF's to record the unit in); write it at "
                    + "at_least_once, or use a standalone server");
            }
            final List<byte[]> entries = new ArrayList<>();
            entries(byPartition.get(tp), entries);
            entriesByPartition.add(entries);
            args.add(bytes("d" + i));
            args.add(bytes(tp.partition() + ":" + tp.topic()));
            args.add(bytes("e" + i));
            args.add(packEntries(entries));
        }
        // every destination must exist before the unit is committed (the check the one-step commit makes in its call)
        for (final TopicPartition tp : written) {
            final byte[] meta = partitionKeys(tp.topic(), tp.partition())[1];
            if (!retrying("check partition " + tp, c -> c.hexists(meta, bytes("end")))) {
                throw new BackendException("Unknown partition " + tp + " in the commit of " + unit.tasks().keySet());
            }
        }
        written.forEach(this::forgetReadAhead);
        final List<Object> reply = once("commit of " + unit.tasks().keySet(), c -> fcall(c, "commit_unit",
            ScriptOutputType.MULTI, keys, args.toArray(new byte[0][])));
        if ("FENCED".equals(new String((byte[]) reply.get(0), StandardCharsets.US_ASCII))) {
            return CommitResult.fencedResult();
        }
        final byte[] unitId = (byte[]) reply.get(1);
        final Map<TopicPartition, Long> first = new LinkedHashMap<>();
        final Map<TopicPartition, Long> next = new LinkedHashMap<>();
        for (int i = 0; i < written.size(); i++) {
            final TopicPartition tp = written.get(i);
            final Long firstOffset = applyUnit(stream, unitId, tp, entriesByPartition.get(i));
            if (firstOffset == null) {
                // applied by someone settling the group meanwhile: where it landed is not known here
                throw new BackendException(display + ": the commit of " + unit.tasks().keySet() + " reached " + tp
                    + " through another instance; outcome known only to the partitions");
            }
            if (firstOffset >= 0) {
                first.put(tp, firstOffset);
                next.put(tp, firstOffset + byPartition.get(tp).size());
            }
        }
        once("finish the commit of " + unit.tasks().keySet(), c -> fcall(c, "unit_done", ScriptOutputType.INTEGER,
            new byte[][] {stream, streams}, unitId));
        return CommitResult.committed(unit, first, next);
    }

    /**
     * Applies a unit's entries to one partition: the first offset they got, null if it had them already, or -1 if the
     * partition's topic was deleted since the unit was committed.
     */
    private Long applyUnit(final byte[] stream, final byte[] unitId, final TopicPartition tp, final List<byte[]> entries) {
        final byte[][] pk = partitionKeys(tp.topic(), tp.partition());
        final byte[][] args = new byte[3 + entries.size()][];
        args[0] = stream;
        args[1] = unitId;
        args[2] = bytes(entries.size() / 2);
        for (int j = 0; j < entries.size(); j++) {
            args[3 + j] = entries.get(j);
        }
        forgetReadAhead(tp);
        final List<Object> reply;
        try {
            reply = once("apply a commit to " + tp, c -> fcall(c, "apply_unit", ScriptOutputType.MULTI, pk, args));
            forgetReadAhead(tp); // and after it: see forgetReadAhead
        } catch (final BackendException e) {
            if (e.getMessage() != null && e.getMessage().contains("UNKNOWN_PARTITION")
                || e.getMessage() != null && e.getMessage().startsWith(new String(pk[0], StandardCharsets.UTF_8))) {
                // the topic was deleted after the unit was committed: its records have nowhere to go
                LOG.warn("{}: {} was deleted; the records a commit wrote to it are dropped", display, tp);
                return -1L;
            }
            throw e;
        }
        return "DUP".equals(new String((byte[]) reply.get(0), StandardCharsets.US_ASCII)) ? null : (Long) reply.get(1);
    }

    /** (count, batch) pairs as one value: per item a 4-byte length, then its bytes. */
    private static byte[] packEntries(final List<byte[]> entries) {
        int size = 0;
        for (final byte[] e : entries) {
            size += 4 + e.length;
        }
        final java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(size);
        for (final byte[] e : entries) {
            out.putInt(e.length).put(e);
        }
        return out.array();
    }

    private static List<byte[]> unpackEntries(final byte[] packed) {
        final List<byte[]> entries = new ArrayList<>();
        final java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(packed);
        while (in.hasRemaining()) {
            final byte[] e = new byte[in.getInt()];
            in.get(e);
            entries.add(e);
        }
        return entries;
    }

    /**
     * Applies every unit still waiting in the group's unit streams to its partitions, in each stream's order (those of
     * committers that died between the two steps of a commit, or are applying them right now: applying twice is
     * harmless). Called before a task restores its state.
     */
    @Override
    public void settle(final String group) {
        if (!cluster) {
            return;
        }
        final byte[] streams = bytes(groupKey(group, "unitstreams"));
        final Set<byte[]> pending = retrying("list the unit streams of " + group, c -> c.smembers(streams));
        for (final byte[] stream : pending) {
            final List<StreamMessage<byte[], byte[]>> units = retrying("read the units of " + group,
                c -> c.xrange(stream, Range.create("-", "+")));
            for (final StreamMessage<byte[], byte[]> unit : units) {
                final Map<String, byte[]> fields = new HashMap<>();
                unit.getBody().forEach((k, v) -> fields.put(new String(k, StandardCharsets.UTF_8), v));
                for (int i = 0; fields.containsKey("d" + i); i++) {
                    final String destination = new String(fields.get("d" + i), StandardCharsets.UTF_8);
                    final int colon = destination.indexOf(':');
                    final TopicPartition tp = new TopicPartition(destination.substring(colon + 1),
                        Integer.parseInt(destination.substring(0, colon)));
                    applyUnit(stream, bytes(unit.getId()), tp, unpackEntries(fields.get("e" + i)));
                }
                final byte[] id = bytes(unit.getId());
                once("finish a unit of " + group, c -> fcall(c, "unit_done", ScriptOutputType.INTEGER,
                    new byte[][] {stream, streams}, id));
                LOG.info("{}: applied unit {} of {} left by its committer", display, unit.getId(),
                    new String(stream, StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public GroupMembership join(final String group, final String memberId) {
        return new ValkeyMembership(this, group, memberId, ValkeySettings.sessionTimeoutMs(configs));
    }

    /** Runs a membership function (see {@code pspf.lua}); membership calls may be repeated. */
    <T> T membershipCall(final String what, final String function, final ScriptOutputType type, final byte[][] keys,
                         final byte[]... args) {
        return retrying(what, c -> fcall(c, function, type, keys, args));
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        final StatefulConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "ValkeyBackend(" + display + ")";
    }
}
