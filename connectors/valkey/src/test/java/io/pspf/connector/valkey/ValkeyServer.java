package io.pspf.connector.valkey;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code valkey-server} or {@code redis-server} from PATH, on a free loopback port (plain or TLS), with its own data
 * directory: for tests only. It can be killed (SIGKILL) and started again on the same port and directory, to test
 * recovery from a server crash (with {@code appendonly yes} it keeps its data).
 */
public final class ValkeyServer implements AutoCloseable {
    private final String binary;
    private final Path dir;
    private final List<String> extraArgs;
    private int port;
    private Process process;
    private boolean tls;

    private ValkeyServer(final String binary, final Path dir, final List<String> extraArgs) {
        this.binary = binary;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /** The server binary on PATH ({@code valkey-server} first), or null when there is none. */
    public static String findBinary() {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String name : new String[] {"valkey-server", "redis-server"}) {
            for (final String entry : path.split(File.pathSeparator)) {
                final File candidate = new File(entry, name);
                if (candidate.canExecute()) {
                    return candidate.getAbsolutePath();
                }
            }
        }
        return null;
    }

    /** Starts a server; {@code extraArgs} are server options such as {@code --appendonly yes}. */
    public static ValkeyServer start(final String... extraArgs) throws IOException {
        return start(false, extraArgs);
    }

    /**
     * Starts a server that only accepts TLS connections, with a certificate for 127.0.0.1 signed by a certificate
     * authority made for it ({@link #caFile()}); the certificates are made with {@code openssl}, which must be on the
     * PATH.
     */
    public static ValkeyServer startTls(final String... extraArgs) throws IOException {
        return start(true, null, extraArgs);
    }

    /**
     * Starts a TLS server whose certificate is signed by the authority of {@code authority}, another TLS server: the
     * nodes of a cluster over TLS trust one another, and a client trusts them all with one file.
     */
    public static ValkeyServer startTls(final ValkeyServer authority, final String... extraArgs) throws IOException {
        return start(true, authority, extraArgs);
    }

    private static ValkeyServer start(final boolean tls, final String... extraArgs) throws IOException {
        return start(tls, null, extraArgs);
    }

    private static ValkeyServer start(final boolean tls, final ValkeyServer authority, final String... extraArgs)
        throws IOException {
        final String binary = findBinary();
        if (binary == null) {
            throw new IllegalStateException("Neither valkey-server nor redis-server is on the PATH");
        }
        final ValkeyServer server = new ValkeyServer(binary, Files.createTempDirectory("pspf-valkey-"),
            List.of(extraArgs));
        if (tls) {
            server.tls = true;
            server.makeCertificates(authority);
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            server.port = freePort();
            try {
                server.launch();
                return server;
            } catch (final IOException e) {
                last = e; // the port was taken between choosing and binding it: choose another
            }
        }
        throw last;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void makeCertificates(final ValkeyServer authority) throws IOException {
        Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        if (authority == null) {
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days",
                "2", "-subj", "/CN=pspf-test-ca");
        } else {
            Files.copy(authority.dir.resolve("ca.key"), dir.resolve("ca.key"));
            Files.copy(authority.dir.resolve("ca.crt"), dir.resolve("ca.crt"));
        }
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
            "/CN=127.0.0.1");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "server.crt", "-days", "2", "-extfile", "san.cnf");
    }

    private void openssl(final String... args) throws IOException {
        final List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed: "
                    + Files.readString(dir.resolve("openssl.log")));
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The certificate authority's certificate (PEM) of a TLS server. */
    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    private void launch() throws IOException {
        final List<String> command = new ArrayList<>(List.of(binary, "--bind", "127.0.0.1", "--dir", dir.toString(),
            "--save", "", "--daemonize", "no", "--protected-mode", "yes", "--logfile",
            dir.resolve("server.log").toString()));
        if (tls) {
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file",
                dir.resolve("server.crt").toString(), "--tls-key-file", dir.resolve("server.key").toString(),
                "--tls-ca-cert-file", caFile().toString(), "--tls-auth-clients", "no"));
        } else {
            command.addAll(List.of("--port", Integer.toString(port)));
        }
        command.addAll(extraArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("The server exited at start (" + log() + ")");
            }
            if (tls ? logSays("Ready to accept connections") : ping()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        process.destroyForcibly();
        throw new IOException("The server did not answer PING within 20 s (" + log() + ")");
    }

    private String log() {
        try {
            final Path log = dir.resolve("server.log");
            final List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (final IOException e) {
            return "no log";
        }
    }

    /** Whether the server's log says {@code text} since it last started. */
    private boolean logSays(final String text) {
        try {
            final Path path = dir.resolve("server.log");
            if (!Files.exists(path)) {
                return false;
            }
            final String log = Files.readString(path);
            return log.lastIndexOf(text) > log.lastIndexOf("Server initialized");
        } catch (final IOException e) {
            return false;
        }
    }

    /** A PONG, or a refusal for want of credentials: either way the server is up. */
    private boolean ping() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            socket.setSoTimeout(1000);
            final OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final byte[] reply = new byte[7];
            final int n = in.read(reply);
            final String answer = n > 0 ? new String(reply, 0, n, StandardCharsets.US_ASCII) : "";
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        } catch (final IOException e) {
            return false;
        }
    }

    /** How many times the server has run {@code command} (lower case) so far, from {@code INFO commandstats}. */
    public long commandCalls(final String command) {
        final io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(
            io.lettuce.core.RedisURI.create("redis://127.0.0.1:" + port()));
        try (io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect()) {
            final java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
                .matcher(c.sync().info("commandstats"));
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } finally {
            client.shutdown();
        }
    }

    public boolean tls() {
        return tls;
    }

    public int port() {
        return port;
    }

    /** {@code valkey://127.0.0.1:<port>}, the value of {@code pspf.backend}. */
    public String uri() {
        return (tls ? "valkeys" : "valkey") + "://127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /** Kills the server with SIGKILL and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** Starts the server again on the same port and data directory (after {@link #kill()}). */
    public void restart() throws IOException {
        launch();
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            // a temp directory left behind
        }
    }
}
