package io.pspf.connector.valkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendConformanceTest;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/** What the conformance suite does not cover of the two-step commits on a three-primary Valkey Cluster. */
@ExtendWith(ValkeyClusterExtension.class)
class ValkeyClusterBackendTest {
    private final ValkeyCluster cluster;

    ValkeyClusterBackendTest(final ValkeyCluster cluster) {
        this.cluster = cluster;
    }

    private static RawRecord record(final String value) {
        return new RawRecord(null, -1, -1, 1L, "k".getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8), new RecordHeaders());
    }

    /**
     * Another instance settles the group over and over while a thread commits (as every task creation in the group
     * does): the units it applies first are the committer's own, which must still succeed with the offsets the records
     * got, and every partition must hold each record once, in order.
     */
    @Test
    void commitsSucceedAndLandOnceWhileAnotherInstanceSettlesTheGroup() throws Exception {
        final Map<String, Object> configs = Map.of(ValkeySettings.KEY_PREFIX_CONFIG, "settling");
        try (Backend committer = BackendProvider.open(cluster.uri(), configs);
             Backend other = BackendProvider.open(cluster.uri(), configs)) {
            committer.createTopic("out", 3);
            final long epoch = committer.fence("app", "0_0");
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread settler = new Thread(() -> {
                while (!done.get()) {
                    try {
                        other.settle("app");
                    } catch (final RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }
            });
            settler.start();
            final int units = 300;
            for (int i = 0; i < units; i++) {
                final CommitUnit.Builder unit = CommitUnit.builder("app", "0_0", epoch)
                    .offset(new TopicPartition("in", 0), i + 1);
                for (int p = 0; p < 3; p++) {
                    unit.output("out", p, record("v" + i));
                }
                final var result = committer.commit(unit.build());
                assertTrue(result.isCommitted(), "unit " + i);
                for (int p = 0; p < 3; p++) {
                    assertEquals(Long.valueOf(i), result.firstOffsets().get(new TopicPartition("out", p)),
                        "where unit " + i + " landed in out-" + p);
                }
            }
            done.set(true);
            settler.join();
            assertNull(failure.get(), () -> "settling failed: " + failure.get());
            for (int p = 0; p < 3; p++) {
                final List<RawRecord> records = BackendConformanceTest.readAll(committer, "out", p, 0, 10_000);
                assertEquals(units, records.size(), "records in out-" + p);
                for (int i = 0; i < units; i++) {
                    assertEquals("v" + i, new String(records.get(i).value(), StandardCharsets.UTF_8));
                    assertEquals(i, records.get(i).offset());
                }
            }
            assertEquals(units, committer.committedOffsets("app", List.of(new TopicPartition("in", 0)))
                .get(new TopicPartition("in", 0)));
        }
    }
}
