package io.pspf.connector.valkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.RawRecord;

/**
 * ACL users and passwords, and TLS ({@code valkeys://}, {@code valkeys+cluster://}), on servers started for each test.
 */
class ValkeySecurityTest {
    private static final String SECRET = "s3cr3t-Pa55";

    private static void roundTrip(final Backend backend) {
        backend.createTopic("t", 1);
        backend.append("t", 0, List.of(new RawRecord(null, -1, -1, 1L, null, "v".getBytes(StandardCharsets.UTF_8),
            new RecordHeaders())));
        assertEquals(1, backend.read("t", 0, 0, 10).size());
    }

    private interface Starter<T> {
        T start() throws java.io.IOException;
    }

    /** Starts TLS servers, whose certificates {@code openssl} makes: the test is skipped where there is none. */
    private static <T> T withCertificates(final Starter<T> starter) throws java.io.IOException {
        ValkeyServerExtension.requireServerBinary();
        try {
            return starter.start();
        } catch (final java.io.IOException e) {
            final String message = String.valueOf(e.getMessage());
            if (message.contains("openssl") || message.contains("Cannot run")) {
                Assumptions.abort("no openssl to make certificates: " + e.getMessage());
            }
            throw e;
        }
    }

    private static ValkeyServer aclServer() throws Exception {
        ValkeyServerExtension.requireServerBinary();
        // the default user is off: every connection must log in as pspf-app, whose rights cover PSPF's commands
        return ValkeyServer.start("--user", "default", "off", "--user", "pspf-app", "on", ">" + SECRET, "~*", "&*",
            "+@all");
    }

    @Test
    void logsInAsAnAclUserFromTheUriOrTheSettings() throws Exception {
        try (ValkeyServer server = aclServer()) {
            try (Backend backend = BackendProvider.open("valkey://pspf-app:" + SECRET + "@127.0.0.1:" + server.port(),
                Map.of())) {
                roundTrip(backend);
            }
            final Map<String, Object> configs = new HashMap<>();
            configs.put(ValkeySettings.USER_CONFIG, "pspf-app");
            configs.put(ValkeySettings.PASSWORD_CONFIG, new org.apache.kafka.common.config.types.Password(SECRET));
            configs.put(ValkeySettings.KEY_PREFIX_CONFIG, "other");
            try (Backend backend = BackendProvider.open(server.uri(), configs)) {
                roundTrip(backend);
            }
        }
    }

    @Test
    void failsAtOnceWithoutThePasswordWhenTheCredentialsAreWrong() throws Exception {
        try (ValkeyServer server = aclServer()) {
            final PrintStream err = System.err;
            final ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            final long start = System.currentTimeMillis();
            final BackendException e;
            try {
                e = assertThrows(BackendException.class, () -> BackendProvider.open(
                    "valkey://pspf-app:wrong-" + SECRET + "@127.0.0.1:" + server.port(), Map.of()));
            } finally {
                System.setErr(err);
            }
            assertTrue(System.currentTimeMillis() - start < 20_000, "no retrying of a refused login");
            assertTrue(e.getMessage().contains("refused access"), e.getMessage());
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains(SECRET), "the password in " + t);
            }
            assertFalse(captured.toString(StandardCharsets.UTF_8).contains(SECRET), "the password in the log");
            final BackendException anonymous = assertThrows(BackendException.class,
                () -> BackendProvider.open(server.uri(), Map.of()));
            assertTrue(anonymous.getMessage().contains("refused access"), anonymous.getMessage());
        }
    }

    @Test
    void talksTlsToAServerWhoseCertificateItTrusts() throws Exception {
        final ValkeyServer server = withCertificates(ValkeyServer::startTls);
        try (server) {
            assertTrue(server.uri().startsWith("valkeys://"));
            try (Backend backend = BackendProvider.open(server.uri(), Map.of(ValkeySettings.TLS_CA_FILE_CONFIG,
                server.caFile().toString()))) {
                roundTrip(backend);
            }
            // without the test authority in its trust store the JVM refuses the server's certificate
            final BackendException untrusted = assertThrows(BackendException.class, () -> BackendProvider.open(
                server.uri(), Map.of(ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 500)));
            assertTrue(untrusted.getMessage().contains("127.0.0.1:" + server.port()), untrusted.getMessage());
            // and a plain connection to the TLS port gets nowhere
            assertThrows(BackendException.class, () -> BackendProvider.open("valkey://127.0.0.1:" + server.port(),
                Map.of(ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 500, ValkeySettings.COMMAND_TIMEOUT_MS_CONFIG, 1000)));
        }
    }

    /**
     * A cluster over TLS ({@code valkeys+cluster://}) named by one node: the client learns the others from it and talks
     * TLS to each, a commit writing to partitions on every primary lands once, and a client that does not trust the
     * nodes' authority, or speaks plain to their TLS ports, gets nowhere.
     */
    @Test
    void talksTlsToEveryNodeOfACluster() throws Exception {
        final ValkeyCluster cluster = withCertificates(() -> ValkeyCluster.startTls(3));
        try (cluster) {
            final String uri = cluster.uri();
            assertTrue(uri.startsWith("valkeys+cluster://"), uri);
            final String firstNode = uri.substring(0, uri.indexOf(','));
            final Map<String, Object> trusting = Map.of(ValkeySettings.TLS_CA_FILE_CONFIG, cluster.caFile().toString());
            final int partitions = 12;
            try (Backend backend = BackendProvider.open(firstNode, trusting)) {
                backend.createTopic("t", partitions);
                final long epoch = backend.fence("app", "0_0");
                final io.pspf.runtime.backend.CommitUnit.Builder unit =
                    io.pspf.runtime.backend.CommitUnit.builder("app", "0_0", epoch)
                        .offset(new org.apache.kafka.common.TopicPartition("in", 0), 1);
                for (int p = 0; p < partitions; p++) {
                    unit.output("t", p, new RawRecord(null, -1, -1, 1L, null,
                        ("v" + p).getBytes(StandardCharsets.UTF_8), new RecordHeaders()));
                }
                assertTrue(backend.commit(unit.build()).isCommitted());
                for (int p = 0; p < partitions; p++) {
                    final List<RawRecord> read = backend.read("t", p, 0, 10);
                    assertEquals(1, read.size(), "records in t-" + p);
                    assertEquals("v" + p, new String(read.get(0).value(), StandardCharsets.UTF_8));
                }
            }
            // the partitions are spread over the primaries, so each was reached over TLS
            for (int node = 0; node < cluster.nodes().size(); node++) {
                assertTrue(cluster.keyCount(node) > 0, "keys on node " + node);
            }
            assertThrows(BackendException.class, () -> BackendProvider.open(uri,
                Map.of(ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 500)));
            final String plain = "valkey+cluster://" + uri.substring("valkeys+cluster://".length());
            assertThrows(BackendException.class, () -> BackendProvider.open(plain,
                Map.of(ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 500, ValkeySettings.COMMAND_TIMEOUT_MS_CONFIG, 1000)));
        }
    }
}
