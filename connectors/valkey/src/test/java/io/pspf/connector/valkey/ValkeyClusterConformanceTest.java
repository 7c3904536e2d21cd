package io.pspf.connector.valkey;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.extension.ExtendWith;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendConformanceTest;
import io.pspf.runtime.backend.BackendProvider;

/** The backend contract on a three-primary Valkey Cluster: commits in two steps, keys spread over the primaries. */
@ExtendWith(ValkeyClusterExtension.class)
class ValkeyClusterConformanceTest extends BackendConformanceTest {
    private static final AtomicInteger TESTS = new AtomicInteger();
    private final ValkeyCluster cluster;

    ValkeyClusterConformanceTest(final ValkeyCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    protected Backend newBackend() {
        final Map<String, Object> configs = new HashMap<>();
        configs.put(ValkeySettings.KEY_PREFIX_CONFIG, "c" + TESTS.incrementAndGet());
        return BackendProvider.open(cluster.uri(), configs);
    }
}
