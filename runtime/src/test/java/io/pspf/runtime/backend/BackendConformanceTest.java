package io.pspf.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every backend keeps, run against each implementation by a subclass that says how to open one.
 * After every test the invariants are checked: offsets are dense from the log start, and each record carries the
 * partition and offset it is stored at.
 */
public abstract class BackendConformanceTest {
    protected Backend backend;

    /** A fresh, empty backend. */
    protected abstract Backend newBackend();

    @BeforeEach
    void open() {
        backend = newBackend();
    }

    @AfterEach
    void checkInvariantsAndClose() {
        try {
            for (final String topic : backend.topics()) {
                for (int p = 0; p < backend.partitions(topic); p++) {
                    final long start = backend.logStartOffset(topic, p);
                    final long end = backend.logEndOffset(topic, p);
                    assertTrue(start <= end, topic + "-" + p + ": start " + start + " > end " + end);
                    final List<RawRecord> all = readAll(backend, topic, p, start, Integer.MAX_VALUE);
                    assertEquals(end - start, all.size(), topic + "-" + p + " holds a record per offset");
                    for (int i = 0; i < all.size(); i++) {
                        assertEquals(start + i, all.get(i).offset(), "dense offsets in " + topic + "-" + p);
                        assertEquals(p, all.get(i).partition());
                    }
                }
            }
        } finally {
            backend.close();
        }
    }

    /**
     * Reads a partition from {@code from} until {@code max} records or its end, as a consumer polls: one read may
     * return fewer records than exist (the contract of {@link Backend#read}), but never none before the end.
     */
    public static List<RawRecord> readAll(final Backend backend, final String topic, final int partition,
                                             final long from, final int max) {
        final List<RawRecord> all = new java.util.ArrayList<>();
        long position = from;
        while (all.size() < max) {
            final List<RawRecord> records = backend.read(topic, partition, position, max - all.size());
            if (records.isEmpty()) {
                break;
            }
            assertTrue(records.size() <= max - all.size(), "a read returned more than it was asked for");
            all.addAll(records);
            position = records.get(records.size() - 1).offset() + 1;
        }
        return all;
    }

    protected static RawRecord record(final String key, final String value, final long timestamp) {
        return new RawRecord(null, -1, -1L, timestamp, bytes(key), bytes(value), new RecordHeaders());
    }

    protected static byte[] bytes(final String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String string(final byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    public void shouldCreateTopicOnceAndRefuseAnotherPartitionCount() {
        backend.createTopic("t", 3);
        backend.createTopic("t", 3);
        assertEquals(3, backend.partitions("t"));
        assertThrows(BackendException.class, () -> backend.createTopic("t", 4));
        assertThrows(BackendException.class, () -> backend.createTopic("u", 0));
        assertEquals(-1, backend.partitions("unknown"));
        assertTrue(backend.topics().contains("t"));
    }

    @Test
    public void shouldGiveDenseOffsetsFromZeroAndReadFromAnyOffset() {
        backend.createTopic("t", 2);
        assertEquals(0L, backend.append("t", 1, List.of(record("a", "1", 10), record("b", "2", 11))));
        assertEquals(2L, backend.append("t", 1, List.of(record("c", "3", 12))));
        assertEquals(3L, backend.logEndOffset("t", 1));
        assertEquals(0L, backend.logEndOffset("t", 0));
        final List<RawRecord> fromOne = readAll(backend, "t", 1, 1, 10);
        assertEquals(2, fromOne.size());
        assertEquals("b", string(fromOne.get(0).key()));
        assertEquals(1L, fromOne.get(0).offset());
        assertEquals("t", fromOne.get(0).topic() == null ? "t" : fromOne.get(0).topic());
        assertEquals(1, backend.read("t", 1, 0, 1).size());
        assertTrue(backend.read("t", 1, 3, 10).isEmpty());
        assertTrue(backend.read("t", 0, 0, 10).isEmpty());
    }

    @Test
    public void shouldKeepNullKeysValuesTimestampsAndHeaders() {
        backend.createTopic("t", 1);
        final RecordHeaders headers = new RecordHeaders();
        headers.add("h", bytes("x"));
        backend.append("t", 0, List.of(new RawRecord(null, -1, -1, 42L, null, null, headers)));
        final RawRecord read = backend.read("t", 0, 0, 1).get(0);
        assertNull(read.key());
        assertNull(read.value());
        assertEquals(42L, read.timestamp());
        assertArrayEquals(bytes("x"), read.headers().lastHeader("h").value());
    }

    @Test
    public void shouldRefuseUnknownTopicsAndPartitions() {
        backend.createTopic("t", 1);
        assertThrows(BackendException.class, () -> backend.read("nope", 0, 0, 1));
        assertThrows(BackendException.class, () -> backend.read("t", 1, 0, 1));
        assertThrows(BackendException.class, () -> backend.append("t", -1, List.of(record("a", "b", 1))));
    }

    /**
     * Reads in small steps through a batch bigger than a step (a backend may keep what it fetched past a read's
     * maximum): every record once, in order; a read of none returns none; a read after a deletion starts at the new
     * log start.
     */
    @Test
    public void shouldReadABigBatchInSmallStepsAndNothingWhenAskedForNothing() {
        backend.createTopic("t", 1);
        final List<RawRecord> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            batch.add(record("k" + i, "v" + i, i));
        }
        backend.append("t", 0, batch);
        long position = 0;
        while (position < 1500) {
            assertTrue(backend.read("t", 0, position, 0).isEmpty(), "a read of no records at " + position);
            final List<RawRecord> step = backend.read("t", 0, position, 7);
            assertFalse(step.isEmpty(), "records at " + position);
            assertTrue(step.size() <= 7);
            for (final RawRecord r : step) {
                assertEquals(position, r.offset());
                assertEquals("v" + position, string(r.value()));
                position++;
            }
        }
        backend.deleteRecordsBefore("t", 0, 2000);
        final List<RawRecord> after = backend.read("t", 0, position, 7);
        assertEquals(2000L, after.get(0).offset(), "the read after the deletion starts at the new log start");
        assertEquals(1000, readAll(backend, "t", 0, 0, Integer.MAX_VALUE).size());
    }

    @Test
    public void shouldDeleteRecordsBeforeAnOffsetAndReadFromTheNewLogStart() {
        backend.createTopic("t", 1);
        backend.append("t", 0, List.of(record("a", "1", 1), record("b", "2", 2), record("c", "3", 3)));
        backend.deleteRecordsBefore("t", 0, 2);
        assertEquals(2L, backend.logStartOffset("t", 0));
        final List<RawRecord> read = readAll(backend, "t", 0, 0, 10);
        assertEquals(1, read.size());
        assertEquals(2L, read.get(0).offset());
        assertEquals(3L, backend.append("t", 0, List.of(record("d", "4", 4))));
    }

    @Test
    public void shouldDeleteTopics() {
        backend.createTopic("t", 1);
        backend.deleteTopic("t");
        assertEquals(-1, backend.partitions("t"));
        backend.deleteTopic("t");
    }

    @Test
    public void shouldCommitOutputsAndOffsetsTogether() {
        backend.createTopic("in", 1);
        backend.createTopic("out", 2);
        final long epoch = backend.fence("app", "0_0");
        final TopicPartition in0 = new TopicPartition("in", 0);
        assertTrue(backend.committedOffsets("app", List.of(in0)).isEmpty());
        final CommitResult result = backend.commit(CommitUnit.builder("app", "0_0", epoch)
            .output("out", 1, record("k", "v", 5))
            .output("out", 1, record("k2", "v2", 6))
            .offset(in0, 7)
            .build());
        assertTrue(result.isCommitted());
        assertEquals(List.of(0L, 1L), result.outputOffsets());
        assertEquals(Map.of(in0, 7L), backend.committedOffsets("app", List.of(in0)));
        assertEquals(2, readAll(backend, "out", 1, 0, 10).size());
        assertTrue(backend.committedOffsets("other-app", List.of(in0)).isEmpty());
    }

    @Test
    public void shouldRefuseCommitsFromAFencedOwnerAndWriteNothing() {
        backend.createTopic("out", 1);
        final long first = backend.fence("app", "0_0");
        final long second = backend.fence("app", "0_0");
        assertTrue(second > first);
        final TopicPartition in0 = new TopicPartition("in", 0);
        final CommitResult zombie = backend.commit(CommitUnit.builder("app", "0_0", first)
            .output("out", 0, record("k", "v", 1)).offset(in0, 1).build());
        assertTrue(zombie.fenced());
        assertEquals(0L, backend.logEndOffset("out", 0));
        assertTrue(backend.committedOffsets("app", List.of(in0)).isEmpty());
        assertTrue(backend.commit(CommitUnit.builder("app", "0_0", second).offset(in0, 1).build()).isCommitted());
        assertEquals(1, backend.fence("app", "1_0"), "epochs are per task");
    }

    @Test
    public void shouldRefuseAWholeUnitOfSeveralTasksWhenOneOfThemIsFenced() {
        backend.createTopic("out", 1);
        final long a = backend.fence("app", "0_0");
        final long b = backend.fence("app", "0_1");
        final TopicPartition in0 = new TopicPartition("in", 0);
        final TopicPartition in1 = new TopicPartition("in", 1);
        assertTrue(backend.commit(CommitUnit.builder("app").task("0_0", a).task("0_1", b)
            .output("out", 0, record("k", "v", 1)).offset(in0, 1).offset(in1, 1).build()).isCommitted());
        backend.fence("app", "0_1");
        final CommitResult refused = backend.commit(CommitUnit.builder("app").task("0_0", a).task("0_1", b)
            .output("out", 0, record("k", "w", 2)).offset(in0, 2).offset(in1, 2).build());
        assertTrue(refused.fenced());
        assertEquals(1L, backend.logEndOffset("out", 0));
        assertEquals(Map.of(in0, 1L, in1, 1L), backend.committedOffsets("app", List.of(in0, in1)));
    }

    @Test
    public void shouldApplyNothingOfAUnitThatNamesAnUnknownPartition() {
        backend.createTopic("out", 1);
        final long epoch = backend.fence("app", "0_0");
        final TopicPartition in0 = new TopicPartition("in", 0);
        assertThrows(BackendException.class, () -> backend.commit(CommitUnit.builder("app", "0_0", epoch)
            .output("out", 0, record("k", "v", 1))
            .output("out", 5, record("k", "v", 1))
            .offset(in0, 3).build()));
        assertEquals(0L, backend.logEndOffset("out", 0));
        assertFalse(backend.committedOffsets("app", List.of(in0)).containsKey(in0));
    }

    @Test
    public void shouldNeverShowAReaderHalfACommitUnit() throws Exception {
        backend.createTopic("out", 1);
        final long epoch = backend.fence("app", "0_0");
        final int unitSize = 50;
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicReference<String> problem = new AtomicReference<>();
        final Thread reader = new Thread(() -> {
            while (!done.get() && problem.get() == null) {
                final long end = backend.logEndOffset("out", 0);
                if (end % unitSize != 0) {
                    problem.set("saw " + end + " records, not a whole number of units");
                }
            }
        });
        reader.start();
        for (int unit = 0; unit < 200; unit++) {
            final CommitUnit.Builder builder = CommitUnit.builder("app", "0_0", epoch);
            for (int i = 0; i < unitSize; i++) {
                builder.output("out", 0, record("k" + i, "v", i));
            }
            assertTrue(backend.commit(builder.offset(new TopicPartition("in", 0), unit + 1).build()).isCommitted());
        }
        done.set(true);
        reader.join();
        assertNull(problem.get());
        assertEquals(200L * unitSize, backend.logEndOffset("out", 0));
    }

    @Test
    public void shouldReadConcurrentAppendsInOrder() throws Exception {
        backend.createTopic("t", 1);
        final List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            final int writer = w;
            writers.add(new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    backend.append("t", 0, List.of(record("w" + writer, Integer.toString(i), i)));
                }
            }));
        }
        writers.forEach(Thread::start);
        for (final Thread t : writers) {
            t.join();
        }
        final List<RawRecord> all = readAll(backend, "t", 0, 0, Integer.MAX_VALUE);
        assertEquals(1000, all.size());
        final int[] next = new int[4];
        for (final RawRecord r : all) {
            final int writer = string(r.key()).charAt(1) - '0';
            assertEquals(next[writer]++, Integer.parseInt(string(r.value())), "per-writer order kept");
        }
    }

    @Test
    public void groupMembersShareReportsAndAnAssignmentWrittenByGeneration() {
        final GroupMembership first = backend.join("board", "m1");
        final GroupMembership second = backend.join("board", "m2");
        try {
            first.publish("threads 1\n");
            second.publish("threads 2\n");
            assertEquals("threads 1\n", first.members().get("m1"));
            final boolean shared = second.members().containsKey("m1");
            assertEquals(GroupMembership.Versioned.NONE, first.assignment());
            assertTrue(first.writeAssignment(0, "A m1 0_0\n"));
            assertEquals(new GroupMembership.Versioned(1, "A m1 0_0\n"), first.assignment());
            assertFalse(first.writeAssignment(0, "A m1 0_1\n"), "a write from a stale generation is refused");
            if (shared) {
                assertEquals(java.util.Set.of("m1", "m2"), first.members().keySet());
                assertEquals("threads 2\n", first.members().get("m2"));
                assertEquals(new GroupMembership.Versioned(1, "A m1 0_0\n"), second.assignment());
                assertFalse(second.writeAssignment(0, "A m2 0_0\n"));
                assertTrue(second.writeAssignment(1, "A m2 0_0\n"));
                assertEquals("A m2 0_0\n", first.assignment().value());
                // a task is fenced only by the member holding (or able to take) its lease
                final long epoch = first.fence(backend, "board", "0_0");
                assertEquals(-1L, second.fence(backend, "board", "0_0"));
                first.release("0_0");
                assertEquals(epoch + 1, second.fence(backend, "board", "0_0"));
                second.close();
                assertEquals(java.util.Set.of("m1"), first.members().keySet(), "a member that left is gone");
            } else {
                assertEquals(java.util.Set.of("m2"), second.members().keySet());
                assertTrue(first.fence(backend, "board", "0_0") > 0);
            }
        } finally {
            first.close();
            second.close();
        }
    }
}
