package io.pspf.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

class LogBackendTest {
    @TempDir
    Path dir;

    private static RawRecord record(final String key, final String value) {
        return new RawRecord(null, -1, -1L, 5L, key.getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8), null);
    }

    private static String value(final RawRecord record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    private static CommitUnit unit(final long epoch, final int n, final long inputOffset) {
        return CommitUnit.builder("app", "0_0", epoch)
            .output("out", 0, record("a", "a" + n))
            .output("out", 1, record("b", "b" + n))
            .output("out", 0, record("c", "c" + n))
            .offset(new TopicPartition("in", 0), inputOffset)
            .build();
    }

    @Test
    void shouldKeepTopicsRecordsOffsetsAndEpochsAcrossReopening() {
        final long epoch;
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            backend.createTopic("out", 2);
            backend.createTopic("in", 1);
            backend.append("in", 0, List.of(record("k", "v")));
            epoch = backend.fence("app", "0_0");
            assertEquals(List.of(0L, 0L, 1L), backend.commit(unit(epoch, 1, 1)).outputOffsets());
        }
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            assertEquals(Map.of("out", 2, "in", 1), Map.of("out", backend.partitions("out"), "in", backend.partitions("in")));
            assertEquals(1, backend.read("in", 0, 0, 10).size());
            assertEquals(List.of("a1", "c1"), backend.read("out", 0, 0, 10).stream().map(LogBackendTest::value).toList());
            assertEquals(Map.of(new TopicPartition("in", 0), 1L),
                backend.committedOffsets("app", List.of(new TopicPartition("in", 0))));
            final long next = backend.fence("app", "0_0");
            assertTrue(next > epoch, "epochs survive a restart");
            assertTrue(backend.commit(unit(epoch, 2, 2)).fenced(), "the old owner stays fenced");
            assertTrue(backend.commit(unit(next, 2, 2)).isCommitted());
        }
    }

    @Test
    void shouldApplyACommittedUnitThatACrashLeftHalfAppliedExactlyOnce() {
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            backend.createTopic("out", 2);
            final long epoch = backend.fence("app", "0_0");
            backend.commit(unit(epoch, 1, 1));
            backend.commit(unit(epoch, 2, 2));
        }
        // as if the process had died after writing unit 2 to the journal and to out-0 only: drop its batch from
        // out-1 and its APPLIED record from the journal
        final LogConfig config = LogConfig.defaults();
        try (PartitionLog out1 = PartitionLog.open(dir.resolve("out-1"), "out", 1, config)) {
            out1.truncateTo(1);
        }
        try (PartitionLog journal = PartitionLog.open(dir.resolve(LogBackend.JOURNAL_DIR), "journal", 0, config)) {
            final long last = journal.logEndOffset() - 1;
            assertEquals(JournalEntry.APPLIED, JournalEntry.decode(journal.read(last, 1).get(0).value()).type);
            journal.truncateTo(last);
        }
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            assertEquals(List.of("a1", "c1", "a2", "c2"),
                backend.read("out", 0, 0, 10).stream().map(LogBackendTest::value).toList(), "not applied twice");
            assertEquals(List.of("b1", "b2"),
                backend.read("out", 1, 0, 10).stream().map(LogBackendTest::value).toList(), "applied where missing");
            assertEquals(Map.of(new TopicPartition("in", 0), 2L),
                backend.committedOffsets("app", List.of(new TopicPartition("in", 0))));
        }
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            assertEquals(2, backend.read("out", 1, 0, 10).size(), "and only once, on later opens too");
        }
    }

    @Test
    void shouldLoseNoCommittedUnitWhenTheJournalIsTrimmed() {
        final int units = LogBackend.CHECKPOINT_EVERY_UNITS * 2 + 17;
        long epoch;
        try (LogBackend backend = LogBackend.open(dir, Map.of("pspf.log.fsync", "none"))) {
            backend.createTopic("out", 2);
            epoch = backend.fence("app", "0_0");
            for (int i = 1; i <= units; i++) {
                assertTrue(backend.commit(unit(epoch, i, i)).isCommitted());
            }
        }
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            assertEquals(2L * units, backend.logEndOffset("out", 0));
            assertEquals(units, backend.logEndOffset("out", 1));
            assertEquals(Map.of(new TopicPartition("in", 0), (long) units),
                backend.committedOffsets("app", List.of(new TopicPartition("in", 0))));
            assertTrue(backend.commit(unit(epoch, 0, 0)).isCommitted(), "the epoch survived the trim");
        }
        try (PartitionLog journal = PartitionLog.open(dir.resolve(LogBackend.JOURNAL_DIR), "journal", 0,
            LogConfig.defaults())) {
            assertTrue(journal.logStartOffset() > 0, "the journal was trimmed");
        }
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameDirectory() {
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            final BackendException e = assertThrows(LogBackend.DirectoryInUseException.class, () -> LogBackend.open(dir, Map.of()));
            assertTrue(e.getMessage().contains("open in another process"), e.getMessage());
        }
        LogBackend.open(dir, Map.of()).close();
    }

    @Test
    void shouldBeFoundByItsSchemeAndCheckItsSettings() {
        try (Backend backend = BackendProvider.open("log:" + dir, Map.of())) {
            backend.createTopic("t", 2);
            assertEquals("log:" + dir.toAbsolutePath().normalize(), backend.toString());
        }
        final ConfigException fsync = assertThrows(ConfigException.class,
            () -> BackendProvider.open("log:" + dir, Map.of("pspf.log.fsync", "sometimes")));
        assertTrue(fsync.getMessage().contains("pspf.log.fsync"), fsync.getMessage());
        final ConfigException segment = assertThrows(ConfigException.class,
            () -> BackendProvider.open("log:" + dir, Map.of("segment.bytes", "-5")));
        assertTrue(segment.getMessage().contains("segment.bytes"), segment.getMessage());
    }

    @Test
    void shouldShareOneDirectoryBetweenTheOpenersOfOneJvm() {
        final Backend first = BackendProvider.open("log:" + dir, Map.of());
        final Backend second = BackendProvider.open("log:" + dir.resolve(".").toString(), Map.of());
        first.createTopic("t", 1);
        second.append("t", 0, List.of(record("k", "v")));
        assertEquals(1, first.read("t", 0, 0, 10).size(), "one backend behind both");
        first.close();
        assertEquals(1, second.logEndOffset("t", 0), "still open for the other opener");
        assertThrows(BackendException.class, () -> first.logEndOffset("t", 0));
        assertThrows(BackendException.class, () -> LogBackend.open(dir, Map.of()), "the directory is still held");
        second.close();
        second.close();
        try (LogBackend reopened = LogBackend.open(dir, Map.of())) {
            assertEquals(1, reopened.logEndOffset("t", 0), "released once the last opener closed");
        }
    }

    @Test
    void shouldCompactATopicCreatedWithCleanupPolicyCompactAndKeepItsSettingsAcrossReopening() {
        final Map<String, String> compacted = Map.of("cleanup.policy", "compact", "segment.bytes", "300");
        try (LogBackend backend = LogBackend.open(dir, Map.of("pspf.log.cleaner.interval.ms", "3600000"))) {
            backend.createTopic("app-store-changelog", 1, compacted);
            backend.createTopic("events", 1, Map.of("segment.bytes", "300", "retention.ms", "-1"));
            for (int i = 0; i < 200; i++) {
                backend.append("app-store-changelog", 0, List.of(record("k" + (i % 5), "v" + i)));
                backend.append("events", 0, List.of(record("k" + (i % 5), "v" + i)));
            }
            assertTrue(backend.maintain(System.currentTimeMillis()) > 150, "most updates compacted away");
            final List<RawRecord> changelog = backend.read("app-store-changelog", 0, 0, 1000);
            assertTrue(changelog.size() < 60, "left: " + changelog.size());
            final Map<String, String> table = new java.util.HashMap<>();
            changelog.forEach(r -> table.put(new String(r.key(), StandardCharsets.UTF_8), value(r)));
            assertEquals(Map.of("k0", "v195", "k1", "v196", "k2", "v197", "k3", "v198", "k4", "v199"), table);
            assertEquals(200, backend.logEndOffset("app-store-changelog", 0), "offsets do not change");
            assertEquals(200, backend.read("events", 0, 0, 1000).size(), "a delete-policy topic is not compacted");
        }
        try (LogBackend backend = LogBackend.open(dir, Map.of("pspf.log.cleaner.interval.ms", "3600000"))) {
            for (int i = 200; i < 300; i++) {
                backend.append("app-store-changelog", 0, List.of(record("k" + (i % 5), "v" + i)));
            }
            assertTrue(backend.maintain(System.currentTimeMillis()) > 0, "the policy was kept with the topic");
        }
    }

    @Test
    void shouldRefuseAnUnknownOrBadTopicSetting() {
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            final ConfigException unknown = assertThrows(ConfigException.class,
                () -> backend.createTopic("t", 1, Map.of("compresion.type", "zstd")));
            assertTrue(unknown.getMessage().contains("compresion.type"), unknown.getMessage());
            final ConfigException bad = assertThrows(ConfigException.class,
                () -> backend.createTopic("t", 1, Map.of("cleanup.policy", "shred")));
            assertTrue(bad.getMessage().contains("cleanup.policy"), bad.getMessage());
            assertEquals(-1, backend.partitions("t"), "nothing created");
            // Kafka's own topic settings that mean nothing on one machine are accepted without effect
            backend.createTopic("t", 1, Map.of("compression.type", "zstd", "min.insync.replicas", "2"));
            assertEquals(1, backend.partitions("t"));
        }
    }

    @Test
    void shouldRefuseIllegalTopicNames() {
        try (LogBackend backend = LogBackend.open(dir, Map.of())) {
            for (final String name : new String[] {"", "a/b", "..", "x".repeat(250), "sp ace"}) {
                assertThrows(BackendException.class, () -> backend.createTopic(name, 1), name);
            }
            backend.createTopic("ok.name_with-dashes", 1);
        }
    }
}
