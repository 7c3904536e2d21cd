package io.pspf.connector.log;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.CommitResult;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * A log directory as one process on the machine sees it, however many processes use it. The first process to open
 * the directory holds it ({@link LogBackend}) and serves it to the others ({@link LogServer}); the others send their
 * calls there. When the holder goes away (it closes, or dies and the OS drops its lock), the next call of another
 * process takes the directory over - recovering what the holder left, as any open does - or reaches whichever
 * process took it over first.
 *
 * <p>A call that cannot have changed anything (a read, a topic lookup) is simply repeated after a take-over. A call
 * that may have changed the log (an append, a commit) fails with a {@link BackendException} saying its outcome is
 * unknown: the caller finds out from the log (an application recreates its task from the committed offsets, which
 * is exactly-once safe). Setting: {@value #FAILOVER_TIMEOUT_CONFIG}, how long a process keeps trying to reach or take
 * over the directory before it gives up (default 30 s).
 */
final class SharedLogBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(SharedLogBackend.class);
    static final String FAILOVER_TIMEOUT_CONFIG = "pspf.log.failover.timeout.ms";

    private final Path root;
    private final Map<String, ?> configs;
    private final long failoverTimeoutMs;
    private final Object switchLock = new Object();
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();
    private volatile LogBackend local;
    private volatile LogServer server;
    private volatile String[] address;
    private volatile int generation;
    private volatile boolean closed;

    SharedLogBackend(final Path root, final Map<String, ?> configs) {
        this.root = root;
        this.configs = configs;
        final Object timeout = configs.get(FAILOVER_TIMEOUT_CONFIG);
        try {
            this.failoverTimeoutMs = timeout == null ? 30_000L : Long.parseLong(timeout.toString().trim());
        } catch (final NumberFormatException e) {
            throw new ConfigException(FAILOVER_TIMEOUT_CONFIG, timeout, "not a number of milliseconds");
        }
        connectOrTakeOver(System.currentTimeMillis() + failoverTimeoutMs);
    }

    /** Whether this process holds the directory (and serves it). */
    boolean holdsDirectory() {
        return local != null;
    }

    /** The local log, when this process holds the directory; for maintenance in tests. */
    LogBackend localLog() {
        return local;
    }

    private void connectOrTakeOver(final long deadline) {
        long backoff = 5;
        while (true) {
            try {
                final LogBackend opened = LogBackend.open(root, configs);
                try {
                    server = new LogServer(opened);
                } catch (final RuntimeException e) {
                    opened.close();
                    throw e;
                }
                local = opened;
                generation++;
                LOG.info("This process holds the log directory {} and serves it to other processes", root);
                return;
            } catch (final LogBackend.DirectoryInUseException inUse) {
                final String[] found = readServerFile();
                if (found != null) {
                    try {
                        final Connection connection = new Connection(found);
                        address = found;
                        generation++;
                        idle.add(connection);
                        LOG.info("The log directory {} is held by another process; using it through port {}", root, found[0]);
                        return;
                    } catch (final IOException e) {
                        // the holder is gone or not serving yet: try again
                    }
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new BackendException("the log directory " + root + " is held by another process that cannot be "
                    + "reached, and it was not released within " + failoverTimeoutMs + " ms (" + FAILOVER_TIMEOUT_CONFIG + ")");
            }
            try {
                Thread.sleep(backoff);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while opening the log directory " + root, e);
            }
            backoff = Math.min(backoff * 2, 250);
        }
    }

    private String[] readServerFile() {
        try {
            final String text = Files.readString(root.resolve(LogServer.SERVER_FILE), StandardCharsets.UTF_8).trim();
            final String[] parts = text.split(" ");
            return parts.length == 2 ? parts : null;
        } catch (final IOException e) {
            return null;
        }
    }

    /** A connection to the holder, authenticated. */
    private static final class Connection {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Connection(final String[] address) throws IOException {
            socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(address[0])), 2_000);
                socket.setTcpNoDelay(true);
                in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
                out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
                final ByteArrayOutputStream hello = new ByteArrayOutputStream();
                final DataOutputStream helloOut = new DataOutputStream(hello);
                helloOut.writeByte(Wire.HELLO);
                Wire.writeString(helloOut, address[1]);
                // a stale address may name some other program: do not wait on it for ever
                socket.setSoTimeout(5_000);
                exchange(hello.toByteArray());
                socket.setSoTimeout(0);
            } catch (final IOException | RuntimeException e) {
                socket.close();
                throw e instanceof IOException ? (IOException) e : new IOException(e);
            }
        }

        DataInputStream exchange(final byte[] request) throws IOException {
            out.writeInt(request.length);
            out.write(request);
            out.flush();
            final byte[] response = new byte[in.readInt()];
            in.readFully(response);
            final DataInputStream body = new DataInputStream(new ByteArrayInputStream(response));
            final byte status = body.readByte();
            if (status == Wire.CONFIG_ERROR) {
                throw new RemoteConfigError(Wire.readString(body));
            }
            if (status != Wire.OK) {
                throw new BackendException(Wire.readString(body));
            }
            return body;
        }

        void close() {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // closing
            }
        }
    }

    /** A settings error the holder reported; rethrown as a ConfigException. */
    private static final class RemoteConfigError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RemoteConfigError(final String message) {
            super(message);
        }
    }

    @FunctionalInterface
    private interface Request {
        void write(DataOutputStream out) throws IOException;
    }

    @FunctionalInterface
    private interface Response<T> {
        T read(DataInputStream in) throws IOException;
    }

    /**
     * Sends a call to the holder. When the holder is gone, takes the directory over or finds the new holder; then
     * repeats the call if it is {@code repeatable}, else fails saying its outcome is unknown.
     */
    private <T> T remote(final String what, final boolean repeatable, final byte op, final Request request,
                         final Response<T> response, final java.util.function.Supplier<T> ifLocal) {
        while (true) {
            if (closed) {
                throw new BackendException("the log directory " + root + " is closed");
            }
            if (local != null) {
                return ifLocal.get();
            }
            final int seen = generation;
            Connection connection = idle.poll();
            try {
                if (connection == null) {
                    final String[] current = address;
                    if (current == null) {
                        throw new IOException("no holder known");
                    }
                    connection = new Connection(current);
                }
                final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                final DataOutputStream out = new DataOutputStream(bytes);
                out.writeByte(op);
                request.write(out);
                final T result = response.read(connection.exchange(bytes.toByteArray()));
                idle.add(connection);
                return result;
            } catch (final RemoteConfigError e) {
                idle.add(connection);
                throw new ConfigException(e.getMessage());
            } catch (final BackendException e) {
                if (connection != null) {
                    idle.add(connection);
                }
                throw e;
            } catch (final IOException e) {
                if (connection != null) {
                    connection.close();
                }
                takeOver(seen);
                if (!repeatable) {
                    throw new BackendException("the process holding the log directory " + root + " went away during "
                        + what + "; its outcome is unknown", e);
                }
            }
        }
    }

    private void takeOver(final int seenGeneration) {
        synchronized (switchLock) {
            if (generation != seenGeneration || closed) {
                return;
            }
            Connection stale;
            while ((stale = idle.poll()) != null) {
                stale.close();
            }
            address = null;
            LOG.warn("Lost the process holding the log directory {}; taking it over or finding its new holder", root);
            connectOrTakeOver(System.currentTimeMillis() + failoverTimeoutMs);
        }
    }

    // ------------------------------------------------------------------------------------------------ Backend

    @Override
    public void createTopic(final String topic, final int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    @Override
    public void createTopic(final String topic, final int partitions, final Map<String, String> topicConfigs) {
        // the topic keeps this application's settings (with its own on top), whichever process holds the directory
        final Map<String, String> configs = new java.util.TreeMap<>(
            LogConfig.from(this.configs, System::currentTimeMillis).topicSettings());
        configs.putAll(topicConfigs);
        remote("createTopic", true, Wire.CREATE_TOPIC, out -> {
            Wire.writeString(out, topic);
            out.writeInt(partitions);
            out.writeInt(configs.size());
            for (final Map.Entry<String, String> e : configs.entrySet()) {
                Wire.writeString(out, e.getKey());
                Wire.writeString(out, e.getValue());
            }
        }, in -> null, () -> {
            local.createTopic(topic, partitions, configs);
            return null;
        });
    }

    @Override
    public int partitions(final String topic) {
        return remote("partitions", true, Wire.PARTITIONS, out -> Wire.writeString(out, topic), DataInputStream::readInt,
            () -> local.partitions(topic));
    }

    @Override
    public Set<String> topics() {
        return remote("topics", true, Wire.TOPICS, out -> { }, in -> {
            final int count = in.readInt();
            final Set<String> topics = new LinkedHashSet<>();
            for (int i = 0; i < count; i++) {
                topics.add(Wire.readString(in));
            }
            return topics;
        }, () -> local.topics());
    }

    @Override
    public void deleteTopic(final String topic) {
        remote("deleteTopic", true, Wire.DELETE_TOPIC, out -> Wire.writeString(out, topic), in -> null, () -> {
            local.deleteTopic(topic);
            return null;
        });
    }

    @Override
    public long append(final String topic, final int partition, final List<RawRecord> records) {
        return remote("append", false, Wire.APPEND, out -> {
            Wire.writeString(out, topic);
            out.writeInt(partition);
            Wire.writeRecords(out, records);
        }, DataInputStream::readLong, () -> local.append(topic, partition, records));
    }

    @Override
    public List<RawRecord> read(final String topic, final int partition, final long offset, final int maxRecords) {
        return remote("read", true, Wire.READ, out -> {
            Wire.writeString(out, topic);
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeInt(maxRecords);
        }, in -> Wire.readRecords(in, topic, partition), () -> local.read(topic, partition, offset, maxRecords));
    }

    @Override
    public long logStartOffset(final String topic, final int partition) {
        return remote("logStartOffset", true, Wire.LOG_START, out -> {
            Wire.writeString(out, topic);
            out.writeInt(partition);
        }, DataInputStream::readLong, () -> local.logStartOffset(topic, partition));
    }

    @Override
    public long logEndOffset(final String topic, final int partition) {
        return remote("logEndOffset", true, Wire.LOG_END, out -> {
            Wire.writeString(out, topic);
            out.writeInt(partition);
        }, DataInputStream::readLong, () -> local.logEndOffset(topic, partition));
    }

    @Override
    public void deleteRecordsBefore(final String topic, final int partition, final long offset) {
        remote("deleteRecordsBefore", true, Wire.DELETE_BEFORE, out -> {
            Wire.writeString(out, topic);
            out.writeInt(partition);
            out.writeLong(offset);
        }, in -> null, () -> {
            local.deleteRecordsBefore(topic, partition, offset);
            return null;
        });
    }

    @Override
    public Map<TopicPartition, Long> committedOffsets(final String group, final Collection<TopicPartition> partitions) {
        return remote("committedOffsets", true, Wire.COMMITTED, out -> {
            Wire.writeString(out, group);
            final Map<TopicPartition, Long> asked = new LinkedHashMap<>();
            for (final TopicPartition tp : partitions) {
                asked.put(tp, 0L);
            }
            Wire.writeOffsets(out, asked);
        }, Wire::readOffsets, () -> local.committedOffsets(group, partitions));
    }

    @Override
    public long fence(final String group, final String taskId) {
        // repeating a fence only raises the epoch once more; the caller uses the epoch it gets back
        return remote("fence", true, Wire.FENCE, out -> {
            Wire.writeString(out, group);
            Wire.writeString(out, taskId);
        }, DataInputStream::readLong, () -> local.fence(group, taskId));
    }

    @Override
    public CommitResult commit(final CommitUnit unit) {
        return remote("commit", false, Wire.COMMIT, out -> Wire.writeUnit(out, unit), in -> {
            final boolean committed = in.readBoolean();
            final Map<TopicPartition, Long> first = Wire.readOffsets(in);
            final Map<TopicPartition, Long> next = Wire.readOffsets(in);
            return committed ? CommitResult.committed(unit, first, next) : CommitResult.fencedResult();
        }, () -> local.commit(unit));
    }

    /** Membership and task leases as OS file locks in the directory, which every process sharing it sees. */
    @Override
    public io.pspf.runtime.backend.GroupMembership join(final String group, final String memberId) {
        return new FileGroupMembership(root, group, memberId);
    }

    @Override
    public void close() {
        synchronized (switchLock) {
            if (closed) {
                return;
            }
            closed = true;
            Connection connection;
            while ((connection = idle.poll()) != null) {
                connection.close();
            }
            if (server != null) {
                server.close();
            }
            if (local != null) {
                local.close();
            }
        }
    }

    @Override
    public String toString() {
        return "log:" + root + (local != null ? " (held here)" : " (through port " + (address == null ? "?" : address[0]) + ")");
    }
}
