package io.pspf.streams.engine;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

import io.pspf.connector.valkey.ValkeyCluster;
import io.pspf.connector.valkey.ValkeyClusterExtension;

/** Instances sharing a three-primary Valkey Cluster, each test under its own key prefix. */
@ExtendWith(ValkeyClusterExtension.class)
class ValkeyClusterSharedBackendTest extends SharedBackendTest {
    private final ValkeyCluster cluster;

    ValkeyClusterSharedBackendTest(final ValkeyCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    Map<String, Object> backendConfig() {
        return Map.of("pspf.backend", cluster.uri(), "pspf.valkey.key.prefix", "shared-" + dir.getFileName(),
            "session.timeout.ms", 3_000);
    }
}
