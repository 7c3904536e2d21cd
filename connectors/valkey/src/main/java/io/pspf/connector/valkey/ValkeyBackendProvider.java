package io.pspf.connector.valkey;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

import io.lettuce.core.RedisURI;
import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendProvider;

/**
 * {@code pspf.backend=valkey://host:port}: topics on a Valkey or Redis server (7.0 and later). The URI may carry a
 * user and password ({@code valkey://user:password@host:port}), otherwise {@code pspf.valkey.user} and
 * {@code pspf.valkey.password} give them. {@link Tls} serves {@code valkeys://} (TLS), {@link Cluster}
 * {@code valkey+cluster://} and {@link ClusterTls} {@code valkeys+cluster://}.
 */
public class ValkeyBackendProvider implements BackendProvider {
    final boolean tls;

    public ValkeyBackendProvider() {
        this(false);
    }

    ValkeyBackendProvider(final boolean tls) {
        this.tls = tls;
    }

    @Override
    public String scheme() {
        return tls ? "valkeys" : "valkey";
    }

    @Override
    public Backend create(final String location, final Map<String, Object> configs) {
        final ValkeySettings settings = new ValkeySettings(configs);
        return new ValkeyBackend(uri(location, settings), settings, configs);
    }

    RedisURI uri(final String location, final ValkeySettings settings) {
        final String shown = scheme() + ":" + location.replaceFirst("^(//)?[^@/]*@", "$1***@");
        if (!location.startsWith("//") || location.length() < 3) {
            throw new ConfigException(BACKEND_CONFIG, shown, "expected " + scheme() + "://host:port");
        }
        final RedisURI uri;
        try {
            uri = RedisURI.create((tls ? "rediss:" : "redis:") + location);
        } catch (final RuntimeException e) {
            throw new ConfigException(BACKEND_CONFIG, shown, "not a valid " + scheme() + " URI: " + e.getMessage());
        }
        if (settings.password != null && !location.matches("//[^/]*@.*")) {
            if (settings.user != null) {
                uri.setCredentialsProvider(io.lettuce.core.RedisCredentialsProvider.from(() ->
                    io.lettuce.core.RedisCredentials.just(settings.user, settings.password)));
            } else {
                uri.setCredentialsProvider(io.lettuce.core.RedisCredentialsProvider.from(() ->
                    io.lettuce.core.RedisCredentials.just(null, settings.password)));
            }
        }
        return uri;
    }

    /**
     * {@code valkey+cluster://host:port,host:port,...}: a Valkey Cluster, its topology learnt from any of the nodes
     * given (user and password as for a single server: in the URI's first node or the settings).
     */
    public static class Cluster extends ValkeyBackendProvider {
        public Cluster() {
            this(false);
        }

        Cluster(final boolean tls) {
            super(tls);
        }

        @Override
        public String scheme() {
            return tls ? "valkeys+cluster" : "valkey+cluster";
        }

        @Override
        public Backend create(final String location, final Map<String, Object> configs) {
            final ValkeySettings settings = new ValkeySettings(configs);
            if (!location.startsWith("//") || location.length() < 3) {
                throw new ConfigException(BACKEND_CONFIG, scheme() + ":" + location.replaceFirst("^(//)?[^@/]*@", "$1***@"),
                    "expected " + scheme() + "://host:port,host:port,...");
            }
            final String body = location.substring(2);
            final int at = body.lastIndexOf('@');
            final String credentials = at < 0 ? "" : body.substring(0, at + 1);
            final java.util.List<io.lettuce.core.RedisURI> uris = new java.util.ArrayList<>();
            // every node's URI says TLS or not; the cluster client also connects to the nodes it learns of that way
            final ValkeyBackendProvider single = new ValkeyBackendProvider(tls);
            for (final String node : body.substring(at + 1).split(",")) {
                uris.add(single.uri("//" + credentials + node.trim(), settings));
            }
            return new ValkeyBackend(uris, true, settings, configs);
        }
    }

    /** {@code valkeys+cluster://host:port,host:port,...}: a Valkey Cluster over TLS. */
    public static final class ClusterTls extends Cluster {
        public ClusterTls() {
            super(true);
        }
    }

    /** {@code valkeys://host:port}: the same over TLS. */
    public static final class Tls extends ValkeyBackendProvider {
        public Tls() {
            super(true);
        }
    }
}
