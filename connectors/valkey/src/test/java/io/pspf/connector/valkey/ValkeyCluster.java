package io.pspf.connector.valkey;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * A Valkey Cluster of primaries on free loopback ports, each a {@link ValkeyServer} started with
 * {@code --cluster-enabled yes}: the 16,384 slots are split evenly, the nodes meet, and {@link #start} returns once
 * every node says {@code cluster_state:ok}. No replicas.
 */
public final class ValkeyCluster implements AutoCloseable {
    private final List<ValkeyServer> nodes = new ArrayList<>();

    private ValkeyCluster() {
    }

    public static ValkeyCluster start(final int primaries, final String... extraArgs) throws IOException {
        return start(false, primaries, extraArgs);
    }

    /**
     * A cluster whose nodes accept TLS only, with certificates from one authority ({@link #caFile()}), and talk TLS
     * to one another on the cluster bus ({@code --tls-cluster yes}).
     */
    public static ValkeyCluster startTls(final int primaries, final String... extraArgs) throws IOException {
        return start(true, primaries, extraArgs);
    }

    private static ValkeyCluster start(final boolean tls, final int primaries, final String... extraArgs)
        throws IOException {
        final ValkeyCluster cluster = new ValkeyCluster();
        try {
            for (int i = 0; i < primaries; i++) {
                final List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                    "nodes.conf", "--cluster-node-timeout", "5000"));
                if (tls) {
                    args.addAll(List.of("--tls-cluster", "yes"));
                }
                args.addAll(List.of(extraArgs));
                final String[] all = args.toArray(new String[0]);
                cluster.nodes.add(!tls ? ValkeyServer.start(all)
                    : i == 0 ? ValkeyServer.startTls(all) : ValkeyServer.startTls(cluster.nodes.get(0), all));
            }
            cluster.form();
            return cluster;
        } catch (final IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void form() throws IOException {
        final int per = 16384 / nodes.size();
        for (int i = 0; i < nodes.size(); i++) {
            final int from = i * per;
            final int to = i == nodes.size() - 1 ? 16383 : from + per - 1;
            final int[] slots = new int[to - from + 1];
            for (int s = 0; s < slots.length; s++) {
                slots[s] = from + s;
            }
            run(nodes.get(i), c -> c.sync().clusterAddSlots(slots));
        }
        for (int i = 1; i < nodes.size(); i++) {
            final int port = nodes.get(i).port();
            run(nodes.get(0), c -> c.sync().clusterMeet("127.0.0.1", port));
        }
        final long deadline = System.currentTimeMillis() + 30_000;
        for (final ValkeyServer node : nodes) {
            while (!run(node, c -> c.sync().clusterInfo()).contains("cluster_state:ok")) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("The cluster did not reach cluster_state:ok within 30 s");
                }
                try {
                    Thread.sleep(50);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }

    private <T> T run(final ValkeyServer node,
                      final java.util.function.Function<StatefulRedisConnection<String, String>, T> command) {
        final RedisURI uri = RedisURI.create("127.0.0.1", node.port());
        uri.setSsl(node.tls());
        final RedisClient client = RedisClient.create(uri);
        if (node.tls()) {
            client.setOptions(io.lettuce.core.ClientOptions.builder().sslOptions(io.lettuce.core.SslOptions.builder()
                .jdkSslProvider().trustManager(caFile().toFile()).build()).build());
        }
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return command.apply(c);
        } finally {
            client.shutdown();
        }
    }

    /** The certificate authority's certificate (PEM) of a cluster over TLS. */
    public java.nio.file.Path caFile() {
        return nodes.get(0).caFile();
    }

    /** {@code valkey+cluster://127.0.0.1:<port>,...} naming every node ({@code valkeys+cluster://} over TLS). */
    public String uri() {
        final StringBuilder uri = new StringBuilder(nodes.get(0).tls() ? "valkeys+cluster://" : "valkey+cluster://");
        for (int i = 0; i < nodes.size(); i++) {
            uri.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port());
        }
        return uri.toString();
    }

    /** How many keys node {@code index} holds ({@code DBSIZE}). */
    public long keyCount(final int index) {
        return run(nodes.get(index), c -> c.sync().dbsize());
    }

    public List<ValkeyServer> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        for (final ValkeyServer node : nodes) {
            node.close();
        }
    }
}
