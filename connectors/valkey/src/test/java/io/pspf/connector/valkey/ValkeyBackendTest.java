package io.pspf.connector.valkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendConformanceTest;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.GroupMembership;
import io.pspf.runtime.backend.RawRecord;

/** What the conformance suite does not cover: entry packing, server restarts, settings and membership. */
@ExtendWith(ValkeyServerExtension.class)
class ValkeyBackendTest {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private final ValkeyServer server;

    ValkeyBackendTest(final ValkeyServer server) {
        this.server = server;
    }

    private static Backend open(final ValkeyServer server, final Object... settings) {
        final Map<String, Object> configs = new HashMap<>();
        configs.put(ValkeySettings.KEY_PREFIX_CONFIG, "vt" + PREFIXES.incrementAndGet());
        for (int i = 0; i < settings.length; i += 2) {
            configs.put((String) settings[i], settings[i + 1]);
        }
        return BackendProvider.open(server.uri(), configs);
    }

    private static RawRecord record(final Random random, final int i) {
        final RecordHeaders headers = new RecordHeaders();
        for (int h = random.nextInt(3); h > 0; h--) {
            headers.add("h" + h, random.nextBoolean() ? null : ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        final byte[] key = random.nextInt(10) == 0 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
        final byte[] value = random.nextInt(10) == 0 ? null : new byte[random.nextInt(random.nextInt(5) == 0 ? 2000 : 40)];
        if (value != null) {
            random.nextBytes(value);
        }
        return new RawRecord(null, -1, -1, random.nextLong() >> random.nextInt(64), key, value, headers);
    }

    private static void assertSame(final RawRecord expected, final long offset, final RawRecord actual) {
        assertEquals(offset, actual.offset());
        assertEquals(expected.timestamp(), actual.timestamp(), "timestamp at " + offset);
        assertArrayEquals(expected.key(), actual.key(), "key at " + offset);
        assertArrayEquals(expected.value(), actual.value(), "value at " + offset);
        assertArrayEquals(expected.headers().toArray(), actual.headers().toArray(), "headers at " + offset);
    }

    /**
     * Random appends and commits (some far larger than one entry), deletions below random offsets and reads from
     * random offsets with random limits, checked against a list: packing records into entries must not show.
     */
    @Test
    void readsFromAnyOffsetAgreeWithAModelAcrossEntryBoundaries() {
        for (final long seed : new long[] {1, 2, 3, 4}) {
            final Random random = new Random(seed);
            try (Backend backend = open(server)) {
                backend.createTopic("t", 2);
                final List<List<RawRecord>> model = List.of(new ArrayList<>(), new ArrayList<>());
                final long[] start = new long[2];
                final long epoch = backend.fence("app", "0_0");
                int next = 0;
                for (int op = 0; op < 60; op++) {
                    final int p = random.nextInt(2);
                    final int kind = random.nextInt(10);
                    if (kind < 4) {
                        final List<RawRecord> batch = new ArrayList<>();
                        for (int n = 1 + random.nextInt(random.nextBoolean() ? 5 : 4500); n > 0; n--) {
                            batch.add(record(random, next++));
                        }
                        assertEquals(model.get(p).size(), backend.append("t", p, batch), "seed " + seed);
                        model.get(p).addAll(batch);
                    } else if (kind < 6) {
                        final CommitUnit.Builder unit = CommitUnit.builder("app", "0_0", epoch);
                        final int[] counts = new int[2];
                        for (int n = 1 + random.nextInt(3000); n > 0; n--) {
                            final int q = random.nextInt(2);
                            final RawRecord r = record(random, next++);
                            unit.output("t", q, r);
                            model.get(q).add(r);
                            counts[q]++;
                        }
                        final long firstBefore0 = model.get(0).size() - counts[0];
                        final var result = backend.commit(unit.offset(new TopicPartition("in", 0), op).build());
                        assertTrue(result.isCommitted());
                        if (counts[0] > 0) {
                            assertEquals(firstBefore0, result.firstOffsets().get(new TopicPartition("t", 0)));
                        }
                    } else if (kind == 6) {
                        final long to = start[p] + random.nextInt((int) (model.get(p).size() - start[p] + 1));
                        backend.deleteRecordsBefore("t", p, to);
                        start[p] = Math.max(start[p], to);
                        assertEquals(start[p], backend.logStartOffset("t", p));
                    } else {
                        final int size = model.get(p).size();
                        final long from = random.nextInt(size + 2);
                        final int max = 1 + random.nextInt(random.nextBoolean() ? 10 : 6000);
                        final List<RawRecord> once = backend.read("t", p, from, max);
                        final long first = Math.max(from, start[p]);
                        final long expected = Math.max(0, Math.min(max, size - first));
                        // one read returns some of them (none only at the end), all of them when read on
                        assertEquals(expected == 0, once.isEmpty(), "seed " + seed + " op " + op + " read " + from);
                        assertTrue(once.size() <= expected, "seed " + seed + " op " + op + " read " + from);
                        for (int i = 0; i < once.size(); i++) {
                            assertSame(model.get(p).get((int) (first + i)), first + i, once.get(i));
                        }
                        final List<RawRecord> read = once.size() == expected ? once
                            : BackendConformanceTest.readAll(backend, "t", p, from, max);
                        assertEquals(expected, read.size(), "seed " + seed + " op " + op + " read " + from + "+" + max);
                        for (int i = 0; i < read.size(); i++) {
                            assertSame(model.get(p).get((int) (first + i)), first + i, read.get(i));
                            assertEquals(p, read.get(i).partition());
                            assertEquals("t", read.get(i).topic());
                        }
                    }
                    assertEquals(model.get(p).size(), backend.logEndOffset("t", p));
                }
            }
        }
    }

    @Test
    void keepsItsRecordsAndCarriesOnWhenTheServerIsKilledAndRestartedWithAppendOnly() throws Exception {
        try (ValkeyServer own = ValkeyServer.start("--appendonly", "yes", "--appendfsync", "always");
             Backend backend = open(own, ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 20_000)) {
            final Random random = new Random(7);
            backend.createTopic("t", 1);
            final List<RawRecord> written = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                written.add(record(random, i));
            }
            backend.append("t", 0, written);
            final long epoch = backend.fence("app", "0_0");
            assertTrue(backend.commit(CommitUnit.builder("app", "0_0", epoch)
                .offset(new TopicPartition("in", 0), 42).build()).isCommitted());
            own.kill();
            final Thread restarter = new Thread(() -> {
                try {
                    Thread.sleep(500);
                    own.restart();
                } catch (final Exception e) {
                    throw new RuntimeException(e);
                }
            });
            restarter.start();
            // reads are retried until the server is back
            final List<RawRecord> read = BackendConformanceTest.readAll(backend, "t", 0, 0, 1000);
            restarter.join();
            assertEquals(100, read.size());
            for (int i = 0; i < 100; i++) {
                assertSame(written.get(i), i, read.get(i));
            }
            assertEquals(Map.of(new TopicPartition("in", 0), 42L),
                backend.committedOffsets("app", List.of(new TopicPartition("in", 0))));
            assertEquals(100L, backend.append("t", 0, List.of(record(random, 100))));
            // the epoch survived too: the old owner stays fenced
            assertEquals(epoch + 1, backend.fence("app", "0_0"));
        }
    }

    @Test
    void loadsItsFunctionsAgainWhenARestartedServerLostThem() throws Exception {
        try (ValkeyServer own = ValkeyServer.start();
             Backend backend = open(own, ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 20_000)) {
            backend.createTopic("t", 1);
            own.kill();
            own.restart();
            // without persistence the server came back empty, functions included
            assertEquals(-1, backend.partitions("t"));
            backend.createTopic("t", 1);
            assertEquals(0L, backend.append("t", 0, List.of(record(new Random(1), 0))));
        }
    }

    @Test
    void failsAWriteWhoseServerIsGoneOnceItsRetryTimeIsUp() throws Exception {
        try (ValkeyServer own = ValkeyServer.start();
             Backend backend = open(own, ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 300)) {
            backend.createTopic("t", 1);
            own.kill();
            final BackendException e = assertThrows(BackendException.class,
                () -> backend.append("t", 0, List.of(record(new Random(1), 0))));
            assertTrue(e.getMessage().contains("127.0.0.1:" + own.port()), e.getMessage());
            assertThrows(BackendException.class, () -> backend.logEndOffset("t", 0));
        }
    }

    @Test
    void waitsForReplicasAndFailsACommitTheyDoNotAcknowledge() throws Exception {
        try (ValkeyServer primary = ValkeyServer.start();
             ValkeyServer replica = ValkeyServer.start("--replicaof", "127.0.0.1", Integer.toString(primary.port()))) {
            final io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:"
                + primary.port());
            try (var connection = client.connect()) {
                final long deadline = System.currentTimeMillis() + 20_000;
                while (!connection.sync().info("replication").contains("state=online")) {
                    assertTrue(System.currentTimeMillis() < deadline, "the replica did not come online");
                    Thread.sleep(50);
                }
            } finally {
                client.shutdown();
            }
            try (Backend backend = open(primary, ValkeySettings.WAIT_REPLICAS_CONFIG, 1,
                ValkeySettings.WAIT_TIMEOUT_MS_CONFIG, 1_000)) {
                backend.createTopic("t", 1);
                final long epoch = backend.fence("app", "0_0");
                final Random random = new Random(3);
                assertTrue(backend.commit(CommitUnit.builder("app", "0_0", epoch).output("t", 0, record(random, 0))
                    .offset(new TopicPartition("in", 0), 1).build()).isCommitted());
                assertEquals(1L, backend.append("t", 0, List.of(record(random, 1))));
                replica.kill();
                final BackendException e = assertThrows(BackendException.class, () -> backend.commit(
                    CommitUnit.builder("app", "0_0", epoch).output("t", 0, record(random, 2))
                        .offset(new TopicPartition("in", 0), 2).build()));
                assertTrue(e.getMessage().contains(ValkeySettings.WAIT_REPLICAS_CONFIG), e.getMessage());
                assertThrows(BackendException.class, () -> backend.append("t", 0, List.of(record(random, 3))));
                // the writes are on the primary all the same; only their safety from its loss is in doubt
                assertEquals(4L, backend.logEndOffset("t", 0));
            }
        }
        // WAITAOF needs 7.2: an older server is refused at start, naming the setting
        final String info;
        try (Backend backend = open(server)) {
            info = ((ValkeyBackend) backend).retrying("info", c -> c.info("server"));
        }
        if (!ValkeyBackend.atLeast(info, 7, 2)) {
            final ConfigException e = assertThrows(ConfigException.class,
                () -> open(server, ValkeySettings.WAIT_AOF_CONFIG, "true"));
            assertTrue(e.getMessage().contains(ValkeySettings.WAIT_AOF_CONFIG), e.getMessage());
        } else {
            try (Backend backend = open(server, ValkeySettings.WAIT_AOF_CONFIG, "true")) {
                backend.createTopic("t", 1);
                // the test server keeps no append-only file: WAITAOF cannot be satisfied
                final BackendException e = assertThrows(BackendException.class,
                    () -> backend.append("t", 0, List.of(record(new Random(1), 0))));
                assertTrue(e.getMessage().contains("WAITAOF") || e.getMessage().contains("append-only"),
                    e.getMessage());
            }
        }
    }

    /** One instance of an application whose keys start with {@code prefix}: open two to share them. */
    private Backend instanceOf(final String prefix) {
        return open(server, ValkeySettings.KEY_PREFIX_CONFIG, prefix);
    }

    /**
     * A reader waiting for records (a blocking read on a connection of its own) wakes when another instance appends
     * past its position, and not for records before it; with nothing coming it waits the whole time; other commands
     * of the backend go on while it waits.
     */
    @Test
    void aWaitForRecordsEndsWhenAnotherInstanceAppends() throws Exception {
        final String prefix = "await" + PREFIXES.incrementAndGet();
        try (Backend a = instanceOf(prefix); Backend b = instanceOf(prefix)) {
            final Random random = new Random(9);
            a.createTopic("w", 2);
            a.append("w", 0, List.of(record(random, 0), record(random, 1)));
            final Map<TopicPartition, Long> positions = Map.of(new TopicPartition("w", 0), 2L,
                new TopicPartition("w", 1), 0L);
            a.awaitRecords(positions, 1); // the first wait of a thread connects in the background, and pauses briefly
            Thread.sleep(200);
            final long start = System.nanoTime();
            assertFalse(a.awaitRecords(positions, 300), "nothing past the positions");
            final long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMs >= 250, "waited " + waitedMs + " ms of 300");
            // a reader on another thread waits as a poll loop does: wait, read, until it has records
            final java.util.concurrent.atomic.AtomicLong sawAt = new java.util.concurrent.atomic.AtomicLong();
            final java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
            final Thread waiter = new Thread(() -> {
                while (sawAt.get() == 0) {
                    waits.incrementAndGet();
                    a.awaitRecords(positions, 20_000);
                    if (!a.read("w", 1, 0, 10).isEmpty()) {
                        sawAt.set(System.nanoTime());
                    }
                }
            });
            waiter.start();
            Thread.sleep(500);
            // the waiting backend still serves other commands
            assertEquals(2L, a.logEndOffset("w", 0));
            final long appendedAt = System.nanoTime();
            b.append("w", 1, List.of(record(random, 2)));
            waiter.join(10_000);
            assertTrue(sawAt.get() != 0, "the waiting reader never saw the record");
            final long afterMs = (sawAt.get() - appendedAt) / 1_000_000;
            assertTrue(afterMs < 5_000, "saw the record " + afterMs + " ms after the append");
            // it waited, rather than read in a loop: a few short waits while its connection was made, then one
            assertTrue(waits.get() <= 20, waits.get() + " waits in half a second");
        }
    }

    @Test
    void aReadAfterAnotherInstanceWroteSeesItsRecords() throws Exception {
        final String prefix = "stale" + PREFIXES.incrementAndGet();
        try (Backend a = instanceOf(prefix); Backend b = instanceOf(prefix)) {
            final Random random = new Random(5);
            a.createTopic("c", 1);
            a.append("c", 0, List.of(record(random, 0), record(random, 1), record(random, 2)));
            assertEquals(3, a.read("c", 0, 0, 100).size()); // and a read ahead from 3 is on its way, and empty
            Thread.sleep(20);
            b.append("c", 0, List.of(record(random, 3), record(random, 4)));
            assertEquals(5L, a.logEndOffset("c", 0));
            final List<RawRecord> rest = a.read("c", 0, 3, 100);
            assertEquals(2, rest.size(), "the records another instance appended after the read ahead was answered");
            assertEquals(3L, rest.get(0).offset());
            // a topic deleted and made anew (by the other instance) is read afresh, not from old answers
            assertTrue(a.read("c", 0, 5, 100).isEmpty());
            b.deleteTopic("c");
            b.createTopic("c", 1);
            b.append("c", 0, List.of(record(random, 10), record(random, 11), record(random, 12), record(random, 13),
                record(random, 14), record(random, 15)));
            Thread.sleep(60);
            final List<RawRecord> anew = a.read("c", 0, 5, 100);
            assertEquals(1, anew.size());
            assertEquals(5L, anew.get(0).offset());
        }
    }

    /**
     * Nor against a committed offset the reader was told of: a task restoring a store whose changelog is its source
     * topic reads up to the committed offset it was given, and stops at the first empty read.
     */
    @Test
    void anEmptyAnswerDoesNotStandAgainstACommittedOffsetTheReaderWasToldOf() throws Exception {
        final String prefix = "toldcommit" + PREFIXES.incrementAndGet();
        try (Backend a = open(server, ValkeySettings.KEY_PREFIX_CONFIG, prefix, ValkeySettings.READ_QUIET_MS_CONFIG, 60_000);
             Backend b = instanceOf(prefix)) {
            final Random random = new Random(37);
            final TopicPartition tp = new TopicPartition("s", 0);
            a.createTopic("s", 1);
            assertTrue(a.read("s", 0, 0, 100).isEmpty());
            b.append("s", 0, List.of(record(random, 1), record(random, 2)));
            final long epoch = b.fence("app", "0_0");
            assertTrue(b.commit(CommitUnit.builder("app", "0_0", epoch).offset(tp, 2).build()).isCommitted());
            assertTrue(a.read("s", 0, 0, 100).isEmpty(), "the empty answer stands for pspf.valkey.read.quiet.ms");
            assertEquals(2L, a.committedOffsets("app", List.of(tp)).get(tp));
            assertEquals(2, a.read("s", 0, 0, 100).size(), "the records up to the committed offset, at once");
        }
    }

    /**
     * An empty answer stands for a while, but not against what the reader was told since: a read after
     * {@code logEndOffset} named records past the position returns them (a restore reads on to the end it was told and
     * stops at the first empty read).
     */
    @Test
    void anEmptyAnswerDoesNotStandAgainstAnEndTheReaderWasToldOf() throws Exception {
        final String prefix = "toldend" + PREFIXES.incrementAndGet();
        // an empty answer that stands a minute: without the rule the second read would return nothing
        try (Backend a = open(server, ValkeySettings.KEY_PREFIX_CONFIG, prefix, ValkeySettings.READ_QUIET_MS_CONFIG, 60_000);
             Backend b = instanceOf(prefix)) {
            final Random random = new Random(31);
            a.createTopic("r", 1);
            assertTrue(a.read("r", 0, 0, 100).isEmpty());
            b.append("r", 0, List.of(record(random, 1), record(random, 2)));
            assertEquals(2L, a.logEndOffset("r", 0));
            assertEquals(2, a.read("r", 0, 0, 100).size(), "the records the end offset named, at once");
            // and without being told: the empty answer stands (the setting), then gives way to a wait's wake-up
            assertTrue(a.read("r", 0, 2, 100).isEmpty());
            b.append("r", 0, List.of(record(random, 3)));
            assertTrue(a.read("r", 0, 2, 100).isEmpty(), "an empty answer stands for pspf.valkey.read.quiet.ms");
            // a wait on the blocking connection ends when the record is there, and the next read asks (the first wait
            // of a thread may be a short pause while that connection is made)
            List<RawRecord> after = List.of();
            for (int wait = 0; wait < 10 && after.isEmpty(); wait++) {
                a.awaitRecords(Map.of(new TopicPartition("r", 0), 2L), 5_000);
                after = a.read("r", 0, 2, 100);
            }
            assertEquals(1, after.size(), "after a wait that records ended");
        }
    }

    /**
     * What a reader learnt of a partition gives way to what changed since: records deleted below a new log start are
     * not read, a read after this backend's own writes goes on to what another instance wrote after them, and a topic
     * deleted and made anew is read from its new records.
     */
    @Test
    void readsSeeDeletionsOwnWritesAndOtherWritersAfterThem() throws Exception {
        final String prefix = "ownway" + PREFIXES.incrementAndGet();
        try (Backend a = instanceOf(prefix); Backend b = instanceOf(prefix)) {
            final Random random = new Random(23);
            final TopicPartition tp = new TopicPartition("w", 0);
            a.createTopic("w", 1);
            assertTrue(a.read("w", 0, 0, 100).isEmpty());
            final List<RawRecord> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ten.add(record(random, i));
            }
            a.appendAll(Map.of(tp, ten));
            a.deleteRecordsBefore("w", 0, 5);
            final List<RawRecord> afterDelete = BackendConformanceTest.readAll(a, "w", 0, 0, 100);
            assertEquals(5, afterDelete.size());
            assertEquals(5L, afterDelete.get(0).offset(), "a read below the log start begins at it");

            // own writes, then another instance's: one reader reads both, in offset order
            final List<RawRecord> mine = List.of(record(random, 20), record(random, 21), record(random, 22));
            final List<RawRecord> theirs = List.of(record(random, 30), record(random, 31));
            a.appendAll(Map.of(tp, mine));
            b.append("w", 0, theirs);
            final List<RawRecord> both = BackendConformanceTest.readAll(a, "w", 0, 10, 100);
            assertEquals(5, both.size());
            for (int i = 0; i < 3; i++) {
                assertSame(mine.get(i), 10 + i, both.get(i));
            }
            for (int i = 0; i < 2; i++) {
                assertSame(theirs.get(i), 13 + i, both.get(3 + i));
            }

            // a topic deleted and made anew starts at offset 0 again: nothing a learnt of the old one is used
            final TopicPartition tp2 = new TopicPartition("w2", 0);
            a.createTopic("w2", 1);
            assertTrue(a.read("w2", 0, 0, 100).isEmpty());
            a.appendAll(Map.of(tp2, List.of(record(random, 40), record(random, 41), record(random, 42))));
            a.deleteTopic("w2");
            a.createTopic("w2", 1);
            final List<RawRecord> others = List.of(record(random, 50), record(random, 51));
            b.append("w2", 0, others);
            final List<RawRecord> anew = BackendConformanceTest.readAll(a, "w2", 0, 0, 100);
            assertEquals(2, anew.size());
            assertSame(others.get(0), 0, anew.get(0));
            assertEquals(0L, anew.get(0).offset());
        }
    }

    /**
     * A reader that keeps reading a partition with nothing new does not ask the server at every read (a stream thread
     * reads its caught-up partitions at every round), yet sees another instance's records soon after they come.
     */
    @Test
    void aCaughtUpPartitionIsNotAskedAtEveryReadAndOthersRecordsStillCome() throws Exception {
        final String prefix = "quiet" + PREFIXES.incrementAndGet();
        try (Backend a = instanceOf(prefix); Backend b = instanceOf(prefix)) {
            final Random random = new Random(29);
            a.createTopic("q", 1);
            assertTrue(a.read("q", 0, 0, 100).isEmpty());
            final long before = server.commandCalls("xrange");
            int reads = 0;
            final long start = System.nanoTime();
            while (System.nanoTime() - start < 200_000_000L) {
                assertTrue(a.read("q", 0, 0, 100).isEmpty());
                reads++;
            }
            final long asked = server.commandCalls("xrange") - before;
            // about one every 5 ms (each read asked once before)
            assertTrue(asked <= 60 && asked * 10 < reads, asked + " XRANGE calls for " + reads + " reads in 200 ms");

            final List<RawRecord> theirs = List.of(record(random, 1), record(random, 2));
            b.append("q", 0, theirs);
            List<RawRecord> got = List.of();
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (got.isEmpty() && System.nanoTime() < deadline) {
                got = a.read("q", 0, 0, 100);
            }
            assertEquals(2, got.size(), "another instance's records, read by a reader that kept reading");
            assertSame(theirs.get(1), 1, got.get(1));
        }
    }

    @Test
    void retriesWhileTheServerLoadsItsData() throws Exception {
        // loading is slowed down (microseconds per key), so that a restarted server answers LOADING for a while
        try (ValkeyServer own = ValkeyServer.start("--key-load-delay", "500");
             Backend backend = open(own, ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, 30_000)) {
            final Random random = new Random(9);
            backend.createTopic("t", 1);
            backend.append("t", 0, List.of(record(random, 0)));
            final io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:"
                + own.port());
            try (var connection = client.connect()) {
                final var other = connection.sync();
                for (int i = 0; i < 3_000; i++) {
                    other.set("filler-" + i, "x");
                }
                other.save();
            } finally {
                client.shutdown();
            }
            own.kill();
            final Thread restart = new Thread(() -> {
                try {
                    own.restart();
                } catch (final Exception e) {
                    throw new RuntimeException(e);
                }
            });
            restart.start();
            Thread.sleep(300);
            // the server refuses connections, then answers LOADING for about 1.5 s: a read waits it out, and an
            // append refused before it ran is sent again rather than reported as lost
            assertEquals(1, backend.read("t", 0, 0, 10).size());
            assertEquals(1L, backend.append("t", 0, List.of(record(random, 1))));
            restart.join();
            assertEquals(2L, backend.logEndOffset("t", 0));
        }
    }

    @Test
    void refusesBadSettingsNamingTheKey() {
        final ConfigException timeout = assertThrows(ConfigException.class,
            () -> open(server, ValkeySettings.RETRY_TIMEOUT_MS_CONFIG, "-5"));
        assertTrue(timeout.getMessage().contains(ValkeySettings.RETRY_TIMEOUT_MS_CONFIG), timeout.getMessage());
        final ConfigException quiet = assertThrows(ConfigException.class,
            () -> open(server, ValkeySettings.READ_QUIET_MS_CONFIG, "-1"));
        assertTrue(quiet.getMessage().contains(ValkeySettings.READ_QUIET_MS_CONFIG), quiet.getMessage());
        final ConfigException uri = assertThrows(ConfigException.class,
            () -> BackendProvider.open("valkey:localhost", Map.of()));
        assertTrue(uri.getMessage().contains("pspf.backend"), uri.getMessage());
        final ConfigException secret = assertThrows(ConfigException.class,
            () -> BackendProvider.open("valkey:user:hunter2@host", Map.of()));
        assertFalse(secret.getMessage().contains("hunter2"), secret.getMessage());
    }

    @Test
    void sharesLeasesBetweenMembersAndFreesThoseOfAMemberThatStoppedHeartBeating() throws Exception {
        final String prefix = "members" + PREFIXES.incrementAndGet();
        final Backend a = open(server, ValkeySettings.KEY_PREFIX_CONFIG, prefix, "session.timeout.ms", 600);
        try (Backend b = open(server, ValkeySettings.KEY_PREFIX_CONFIG, prefix, "session.timeout.ms", 600)) {
            final GroupMembership ma = a.join("app", "a");
            final GroupMembership mb = b.join("app", "b");
            assertEquals(2, mb.liveMembers());
            assertTrue(ma.tryAcquire("0_0"));
            assertTrue(ma.tryAcquire("0_0"), "holding a lease counts as taking it");
            assertFalse(mb.tryAcquire("0_0"));
            Thread.sleep(1_000);
            assertFalse(mb.tryAcquire("0_0"), "a live member's lease is renewed");
            // fencing is refused, and changes no epoch, while another member holds the lease
            final long epoch = ma.fence(a, "app", "0_0");
            assertTrue(epoch > 0);
            assertEquals(-1L, mb.fence(b, "app", "0_0"));
            assertEquals(epoch + 1, ma.fence(a, "app", "0_0"));
            ma.release("0_0");
            assertEquals(epoch + 2, mb.fence(b, "app", "0_0"), "a free lease is taken with the epoch");
            assertFalse(ma.tryAcquire("0_0"));
            assertTrue(mb.tryAcquire("0_0"));
            assertTrue(ma.tryAcquire("0_1"));
            // a dies: its connection goes and its heart-beats stop, without leaving the group or releasing
            a.close();
            final long deadline = System.currentTimeMillis() + 5_000;
            while (!mb.tryAcquire("0_1") && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(mb.tryAcquire("0_1"), "a dead member's lease expires within the session timeout");
            assertEquals(1, mb.liveMembers());
            ma.close();
            final GroupMembership late = b.join("app", "c");
            mb.requestShutdown();
            assertTrue(mb.shutdownRequested());
            late.close();
            Thread.sleep(5);
            final GroupMembership later = b.join("app", "d");
            assertFalse(later.shutdownRequested(), "a member that joined after the request is not asked");
            later.close();
            mb.close();
        }
    }
}
