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
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.CommitResult;

/**
 * Serves a log directory to the other processes on the machine that open it. The process holding the directory
 * ({@link LogBackend}'s lock) runs one; the others reach the log through {@link RemoteLogBackend}. It listens on a
 * loopback port written, with a random secret, to {@code <dir>/server} (readable by the directory's owner only);
 * a client must present the secret first.
 *
 * <p>Design note: keeping one writer per directory keeps every rule of the log (the commit journal, recovery,
 * compaction) in one process, so no file-level coordination between writers is needed; the price is that the other
 * processes' reads and writes cross a socket.
 */
final class LogServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogServer.class);
    static final String SERVER_FILE = "server";
    /** The largest hello a client may send (the op and the secret). */
    private static final int MAX_HELLO = 256;

    private final LogBackend backend;
    private final ServerSocket socket;
    private final String secret;
    private final Thread acceptor;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    LogServer(final LogBackend backend) {
        this.backend = backend;
        final byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.secret = HexFormat.of().formatHex(random);
        try {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            final Path file = backend.root().resolve(SERVER_FILE);
            final Path tmp = backend.root().resolve(SERVER_FILE + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                // readable by the owner only from the moment it exists
                Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (final UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, socket.getLocalPort() + " " + secret + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new io.pspf.runtime.backend.BackendException("cannot serve the log directory " + backend.root(), e);
        }
        acceptor = new Thread(this::accept, "pspf-log-server-" + backend.root().getFileName());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!closed) {
            try {
                final Socket client = socket.accept();
                client.setTcpNoDelay(true);
                clients.add(client);
                final Thread handler = new Thread(() -> serve(client), "pspf-log-server-client-" + client.getPort());
                handler.setDaemon(true);
                handler.start();
            } catch (final IOException e) {
                if (!closed) {
                    LOG.warn("Log server of {} stopped accepting", backend.root(), e);
                }
                return;
            }
        }
    }

    private void serve(final Socket client) {
        try (client;
             DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream(), 1 << 16));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(client.getOutputStream(), 1 << 16))) {
            // nothing large is read, and nobody waits long, before the client proved it knows the secret
            client.setSoTimeout(5_000);
            final int helloLength = in.readInt();
            if (helloLength < 0 || helloLength > MAX_HELLO) {
                return;
            }
            final byte[] hello = new byte[helloLength];
            in.readFully(hello);
            final DataInputStream helloIn = new DataInputStream(new ByteArrayInputStream(hello));
            if (helloIn.readByte() != Wire.HELLO || !java.security.MessageDigest.isEqual(
                secret.getBytes(StandardCharsets.UTF_8), String.valueOf(Wire.readString(helloIn)).getBytes(StandardCharsets.UTF_8))) {
                return;
            }
            client.setSoTimeout(0);
            respond(out, Wire.OK, new byte[0]);
            while (!closed) {
                final int length;
                try {
                    length = in.readInt();
                } catch (final java.io.EOFException e) {
                    return;
                }
                final byte[] request = new byte[length];
                in.readFully(request);
                final ByteArrayOutputStream body = new ByteArrayOutputStream();
                byte status = Wire.OK;
                try {
                    handle(new DataInputStream(new ByteArrayInputStream(request)), new DataOutputStream(body));
                } catch (final ConfigException e) {
                    status = Wire.CONFIG_ERROR;
                    body.reset();
                    Wire.writeString(new DataOutputStream(body), e.getMessage());
                } catch (final RuntimeException e) {
                    status = Wire.BACKEND_ERROR;
                    body.reset();
                    Wire.writeString(new DataOutputStream(body), String.valueOf(e.getMessage()));
                }
                respond(out, status, body.toByteArray());
            }
        } catch (final IOException e) {
            if (!closed) {
                LOG.debug("A client of the log server of {} left", backend.root(), e);
            }
        } finally {
            clients.remove(client);
        }
    }

    private static void respond(final DataOutputStream out, final byte status, final byte[] body) throws IOException {
        out.writeInt(body.length + 1);
        out.writeByte(status);
        out.write(body);
        out.flush();
    }

    private void handle(final DataInputStream in, final DataOutputStream out) throws IOException {
        final byte op = in.readByte();
        switch (op) {
            case Wire.CREATE_TOPIC: {
                final String topic = Wire.readString(in);
                final int partitions = in.readInt();
                final int count = in.readInt();
                final Map<String, String> configs = new HashMap<>();
                for (int i = 0; i < count; i++) {
                    configs.put(Wire.readString(in), Wire.readString(in));
                }
                backend.createTopic(topic, partitions, configs);
                break;
            }
            case Wire.PARTITIONS:
                out.writeInt(backend.partitions(Wire.readString(in)));
                break;
            case Wire.TOPICS: {
                final Set<String> topics = backend.topics();
                out.writeInt(topics.size());
                for (final String topic : topics) {
                    Wire.writeString(out, topic);
                }
                break;
            }
            case Wire.DELETE_TOPIC:
                backend.deleteTopic(Wire.readString(in));
                break;
            case Wire.APPEND: {
                final String topic = Wire.readString(in);
                final int partition = in.readInt();
                out.writeLong(backend.append(topic, partition, Wire.readRecords(in, topic, partition)));
                break;
            }
            case Wire.READ: {
                final String topic = Wire.readString(in);
                final int partition = in.readInt();
                Wire.writeRecords(out, backend.read(topic, partition, in.readLong(), in.readInt()));
                break;
            }
            case Wire.LOG_START:
                out.writeLong(backend.logStartOffset(Wire.readString(in), in.readInt()));
                break;
            case Wire.LOG_END:
                out.writeLong(backend.logEndOffset(Wire.readString(in), in.readInt()));
                break;
            case Wire.DELETE_BEFORE:
                backend.deleteRecordsBefore(Wire.readString(in), in.readInt(), in.readLong());
                break;
            case Wire.COMMITTED: {
                final String group = Wire.readString(in);
                final List<TopicPartition> partitions = new ArrayList<>(Wire.readOffsets(in).keySet());
                Wire.writeOffsets(out, backend.committedOffsets(group, partitions));
                break;
            }
            case Wire.FENCE:
                out.writeLong(backend.fence(Wire.readString(in), Wire.readString(in)));
                break;
            case Wire.COMMIT: {
                final CommitResult result = backend.commit(Wire.readUnit(in));
                out.writeBoolean(result.isCommitted());
                Wire.writeOffsets(out, result.firstOffsets());
                Wire.writeOffsets(out, result.nextOffsets());
                break;
            }
            default:
                throw new io.pspf.runtime.backend.BackendException("unknown request " + op);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            Files.deleteIfExists(backend.root().resolve(SERVER_FILE));
        } catch (final IOException ignored) {
            // the next owner replaces it
        }
        try {
            socket.close();
        } catch (final IOException ignored) {
            // closing
        }
        for (final Socket client : clients) {
            try {
                client.close();
            } catch (final IOException ignored) {
                // closing
            }
        }
    }
}
