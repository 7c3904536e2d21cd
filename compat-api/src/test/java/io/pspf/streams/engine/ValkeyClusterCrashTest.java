package io.pspf.streams.engine;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.connector.valkey.ValkeyCluster;
import io.pspf.connector.valkey.ValkeyClusterExtension;

/**
 * {@link ValkeyCrashTest}'s three-instance run (one SIGKILLed, one joining, standby replicas, exactly_once_v2) on a
 * three-primary Valkey Cluster, where every commit lands in two steps: a SIGKILL between them leaves a unit that the
 * task's next owner applies before restoring. Output and stores must equal a failure-free run's.
 */
@ExtendWith(ValkeyClusterExtension.class)
class ValkeyClusterCrashTest {
    private final ValkeyCluster cluster;
    @TempDir
    Path dir;

    ValkeyClusterCrashTest(final ValkeyCluster cluster) {
        this.cluster = cluster;
    }

    @Test
    void threeInstancesOneKilledAndANewOneJoining() throws Exception {
        ValkeyCrashTest.threeInstancesOneKilledAndANewOneJoining(dir, Map.of("pspf.backend", cluster.uri(),
            "pspf.valkey.key.prefix", "cluster-crash"));
    }
}
