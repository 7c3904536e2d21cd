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

    /** The dedup fields ({@code unit:<stream>}) a partition's meta holds, by unit stream. */
    private static Map<String, String> unitFields(final ValkeyBackend backend, final String topic, final int partition) {
        final byte[] meta = backend.partitionKeys(topic, partition)[1];
        final Map<String, String> fields = new java.util.TreeMap<>();
        backend.retrying("read meta", c -> c.hgetall(meta)).forEach((k, v) -> {
            final String name = new String(k, StandardCharsets.UTF_8);
            if (name.startsWith("unit:") || name.startsWith("first:")) {
                fields.put(name, new String(v, StandardCharsets.UTF_8));
            }
        });
        return fields;
    }

    /**
     * The dedup marks of unit streams that are gone (a process that ended: its emptied stream expires a day later)
     * are forgotten by the cleaner, so partitions do not gather them with every restart; those of a live stream stay,
     * and a mark that changed after the cleaner looked (a unit applied since) is kept.
     */
    @Test
    void theCleanerForgetsTheDedupMarksOfUnitStreamsThatAreGone() {
        final Map<String, Object> configs = Map.of(ValkeySettings.KEY_PREFIX_CONFIG, "forgetting",
            ValkeyCleaner.INTERVAL_MS_CONFIG, 0);
        try (ValkeyBackend first = (ValkeyBackend) BackendProvider.open(cluster.uri(), configs);
             ValkeyBackend second = (ValkeyBackend) BackendProvider.open(cluster.uri(), configs)) {
            first.createTopic("out", 2);
            final ValkeyBackend[] committers = {first, second};
            for (int c = 0; c < 2; c++) {
                final long epoch = committers[c].fence("app", "0_" + c);
                for (int i = 0; i < 3; i++) {
                    final CommitUnit.Builder unit = CommitUnit.builder("app", "0_" + c, epoch)
                        .offset(new TopicPartition("in", c), i + 1);
                    for (int p = 0; p < 2; p++) {
                        unit.output("out", p, record("c" + c + "-" + i));
                    }
                    assertTrue(committers[c].commit(unit.build()).isCommitted());
                }
            }
            final Map<String, String> before = unitFields(first, "out", 0);
            assertEquals(4, before.size(), "a unit and a first offset per committer: " + before);
            // nothing is gone yet: nothing is forgotten
            assertEquals(0, first.cleaner().forgetFinishedUnitStreams("out", 0, 0, new java.util.HashMap<>()));
            assertEquals(before, unitFields(first, "out", 0));
            // the first committer's stream expires (it waits a day in production)
            final String goneStream = before.keySet().stream().filter(k -> k.startsWith("unit:"))
                .map(k -> k.substring("unit:".length())).filter(k -> k.contains(first.instanceId())).findFirst()
                .orElseThrow();
            final Long deleted = first.retrying("expire", c -> c.del(ValkeyBackend.bytes(goneStream)));
            assertEquals(1L, deleted);
            // a mark that changed since the cleaner looked is kept
            final Long kept = first.retrying("forget", c -> first.fcall(c, "forget_units",
                io.lettuce.core.ScriptOutputType.INTEGER, new byte[][] {first.partitionKeys("out", 0)[1]},
                ValkeyBackend.bytes("0"), ValkeyBackend.bytes(goneStream), ValkeyBackend.bytes("0-1")));
            assertEquals(0L, kept);
            assertEquals(before, unitFields(first, "out", 0));
            // a mark younger than the age asked for is kept (a committer paused while applying may still hold it)
            assertEquals(0, first.cleaner().forgetFinishedUnitStreams("out", 0, ValkeyCleaner.FORGET_UNITS_AFTER_MS,
                new java.util.HashMap<>()));
            assertEquals(before, unitFields(first, "out", 0));
            // the cleaner forgets the gone stream's marks, in each partition, and keeps the live one's
            for (int p = 0; p < 2; p++) {
                assertEquals(1, first.cleaner().forgetFinishedUnitStreams("out", p, 0, new java.util.HashMap<>()),
                    "out-" + p);
                final Map<String, String> after = unitFields(first, "out", p);
                assertEquals(2, after.size(), "out-" + p + ": " + after);
                after.keySet().forEach(k -> assertTrue(!k.contains(goneStream), k));
            }
            // the live committer goes on, deduplicated as before
            final long epoch = second.fence("app", "0_1");
            assertTrue(second.commit(CommitUnit.builder("app", "0_1", epoch).offset(new TopicPartition("in", 1), 9)
                .output("out", 0, record("after")).build()).isCommitted());
            assertEquals(7, BackendConformanceTest.readAll(first, "out", 0, 0, 100).size());
        }
    }
}
