package io.pspf.connector.valkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/** Plain topics: streams other programs write and read, one record per entry as field/value pairs. */
@ExtendWith(ValkeyServerExtension.class)
class PlainTopicsTest {
    private final ValkeyServer server;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> other;

    PlainTopicsTest(final ValkeyServer server) {
        this.server = server;
    }

    @BeforeEach
    void connect() {
        client = RedisClient.create("redis://127.0.0.1:" + server.port());
        connection = client.connect();
        other = connection.sync();
        other.flushall();
    }

    @AfterEach
    void disconnect() {
        connection.close();
        client.shutdown();
    }

    private Backend open(final Object... settings) {
        final Map<String, Object> configs = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            configs.put((String) settings[i], settings[i + 1]);
        }
        return BackendProvider.open(server.uri(), configs);
    }

    private static String text(final byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static Map<String, String> fields(final String... kv) {
        final Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsWhatAnotherProgramAddedAsRecords() {
        final String first = other.xadd("signups", fields("key", "u1", "value", "alice", "country", "DE"));
        other.xadd("signups", fields("value", "bob", "timestamp", "1234"));
        other.xadd("signups", fields("key", "u3", "value", "carol"));
        try (Backend backend = open(PlainTopics.TOPICS_CONFIG, "signups")) {
            assertEquals(1, backend.partitions("signups"));
            assertTrue(backend.topics().contains("signups"));
            final List<RawRecord> records = backend.read("signups", 0, 0, 100);
            assertEquals(3, records.size());
            final RawRecord alice = records.get(0);
            assertEquals("u1", text(alice.key()));
            assertEquals("alice", text(alice.value()));
            assertEquals("DE", text(alice.headers().lastHeader("country").value()));
            assertEquals(Long.parseLong(first.substring(0, first.indexOf('-'))), alice.timestamp(),
                "the time in the entry's ID");
            assertEquals(PlainTopics.offset(first), alice.offset());
            assertNull(records.get(1).key());
            assertEquals(1234L, records.get(1).timestamp(), "the timestamp field");
            assertTrue(records.get(1).offset() > alice.offset() && records.get(2).offset() > records.get(1).offset());
            assertEquals(records.get(0).offset(), backend.logStartOffset("signups", 0));
            assertEquals(records.get(2).offset() + 1, backend.logEndOffset("signups", 0));
            // from any offset: the next entry at or after it
            final List<RawRecord> fromSecond = backend.read("signups", 0, alice.offset() + 1, 100);
            assertEquals(List.of("bob", "carol"), List.of(text(fromSecond.get(0).value()), text(fromSecond.get(1).value())));
            assertEquals(1, backend.read("signups", 0, alice.offset(), 1).size());
            assertTrue(backend.read("signups", 0, backend.logEndOffset("signups", 0), 10).isEmpty());
            backend.deleteRecordsBefore("signups", 0, records.get(2).offset());
            assertEquals(records.get(2).offset(), backend.logStartOffset("signups", 0));
            assertThrows(BackendException.class, () -> backend.read("signups", 1, 0, 1));
        }
    }

    @Test
    void writesEntriesOtherProgramsCanRead() {
        try (Backend backend = open(PlainTopics.TOPICS_CONFIG, "welcome:2")) {
            assertEquals(2, backend.partitions("welcome"));
            backend.createTopic("welcome", 2);
            assertThrows(BackendException.class, () -> backend.createTopic("welcome", 3));
            final RecordHeaders headers = new RecordHeaders();
            headers.add("source", "pspf".getBytes(StandardCharsets.UTF_8));
            final long first = backend.append("welcome", 1, List.of(
                new RawRecord(null, -1, -1, 42L, "u1".getBytes(StandardCharsets.UTF_8),
                    "hello".getBytes(StandardCharsets.UTF_8), headers),
                new RawRecord(null, -1, -1, 43L, null, null, new RecordHeaders())));
            final List<StreamMessage<String, String>> entries = other.xrange("welcome:1", Range.create("-", "+"));
            assertEquals(2, entries.size());
            assertEquals(fields("key", "u1", "timestamp", "42", "value", "hello", "source", "pspf"), entries.get(0).getBody());
            assertEquals(fields("timestamp", "43"), entries.get(1).getBody());
            assertEquals(PlainTopics.offset(entries.get(0).getId()), first);
            assertEquals(0, other.xlen("welcome:0"));
            // and PSPF reads them back as they were
            final List<RawRecord> back = backend.read("welcome", 1, 0, 10);
            assertEquals("hello", text(back.get(0).value()));
            assertEquals(42L, back.get(0).timestamp());
            assertNull(back.get(1).value());
        }
    }

    @Test
    void readsAndWritesWholeEntriesAsJsonObjects() {
        other.xadd("events", fields("user", "u1", "action", "login"));
        try (Backend backend = open(PlainTopics.TOPICS_CONFIG, "events,out", PlainTopics.VALUE_FIELD_CONFIG, "*",
            PlainTopics.KEY_FIELD_CONFIG, "user")) {
            final RawRecord read = backend.read("events", 0, 0, 10).get(0);
            assertEquals("u1", text(read.key()));
            assertEquals("{\"user\":\"u1\",\"action\":\"login\"}", text(read.value()));
            backend.append("out", 0, List.of(new RawRecord(null, -1, -1, 7L, "u2".getBytes(StandardCharsets.UTF_8),
                "{\"action\":\"logout\",\"tries\":3,\"tags\":[\"a\"]}".getBytes(StandardCharsets.UTF_8),
                new RecordHeaders())));
            assertEquals(fields("user", "u2", "timestamp", "7", "action", "logout", "tries", "3", "tags", "[\"a\"]"),
                other.xrange("out", Range.create("-", "+")).get(0).getBody());
            assertThrows(BackendException.class, () -> backend.append("out", 0, List.of(new RawRecord(null, -1, -1, 7L,
                null, "not json".getBytes(StandardCharsets.UTF_8), new RecordHeaders()))));
        }
    }

    @Test
    void commitsPlainOutputInTheUnitAndNothingWhenFenced() {
        try (Backend backend = open(PlainTopics.TOPICS_CONFIG, "alerts")) {
            backend.createTopic("counts", 1);
            final long epoch = backend.fence("app", "0_0");
            final RawRecord alert = new RawRecord(null, -1, -1, 5L, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8), new RecordHeaders());
            final var result = backend.commit(CommitUnit.builder("app", "0_0", epoch)
                .output("alerts", 0, alert).output("counts", 0, alert).output("alerts", 0, alert)
                .offset(new TopicPartition("in", 0), 3).build());
            assertTrue(result.isCommitted());
            final List<StreamMessage<String, String>> entries = other.xrange("alerts", Range.create("-", "+"));
            assertEquals(2, entries.size());
            assertEquals(PlainTopics.offset(entries.get(0).getId()), result.firstOffsets().get(new TopicPartition("alerts", 0)));
            assertEquals(PlainTopics.offset(entries.get(1).getId()) + 1, result.nextOffsets().get(new TopicPartition("alerts", 0)));
            assertEquals(1L, backend.logEndOffset("counts", 0));
            backend.fence("app", "0_0");
            assertTrue(backend.commit(CommitUnit.builder("app", "0_0", epoch).output("alerts", 0, alert).build()).fenced());
            assertEquals(2, other.xlen("alerts"), "a fenced unit adds nothing to a plain stream");
            assertThrows(BackendException.class, () -> backend.commit(CommitUnit.builder("app", "0_0", epoch + 1)
                .output("alerts", 1, alert).build()));
        }
    }

    /**
     * A reader caught up with a plain stream waits on it with a blocking read: it wakes when another program adds an
     * entry past its position (not for the entries before it), instead of pausing the whole wait.
     */
    @Test
    void aWaitOnAPlainStreamEndsWhenAnotherProgramAddsAnEntry() throws Exception {
        final String first = other.xadd("clicks", fields("key", "u1", "value", "a"));
        try (Backend backend = open(PlainTopics.TOPICS_CONFIG, "clicks")) {
            final org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition("clicks", 0);
            final Map<org.apache.kafka.common.TopicPartition, Long> pastFirst = Map.of(tp, PlainTopics.offset(first) + 1);
            backend.awaitRecords(pastFirst, 1); // the first wait of a thread connects in the background
            Thread.sleep(200);
            assertTrue(backend.awaitRecords(Map.of(tp, 0L), 10_000), "the entry at the position is there at once");
            final long start = System.nanoTime();
            assertFalse(backend.awaitRecords(pastFirst, 300), "nothing past the position");
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 250, "it waited");
            // a reader on a thread of its own waits as a poll loop does: wait, read, until it has records (its first
            // waits are short pauses while its connection is made)
            final long next = PlainTopics.offset(first) + 1;
            final java.util.concurrent.atomic.AtomicLong sawAt = new java.util.concurrent.atomic.AtomicLong();
            final java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
            final Thread waiter = new Thread(() -> {
                final long deadline = System.nanoTime() + 25_000_000_000L;
                while (sawAt.get() == 0 && System.nanoTime() < deadline) {
                    waits.incrementAndGet();
                    backend.awaitRecords(pastFirst, 20_000);
                    if (!backend.read("clicks", 0, next, 10).isEmpty()) {
                        sawAt.set(System.nanoTime());
                    }
                }
            });
            waiter.start();
            Thread.sleep(500);
            final long addedAt = System.nanoTime();
            other.xadd("clicks", fields("key", "u2", "value", "b"));
            waiter.join(30_000);
            assertTrue(sawAt.get() != 0, "the waiting reader never saw the entry");
            // the whole wait is 20 s: seeing the entry within 5 s is the blocking read's doing
            final long afterMs = (sawAt.get() - addedAt) / 1_000_000;
            assertTrue(afterMs < 5_000, "saw the entry " + afterMs + " ms after it came");
            // it waited, rather than read in a loop: a few short waits while its connection was made, then one
            assertTrue(waits.get() <= 20, waits.get() + " waits in half a second");
            assertEquals(List.of("b"), List.of(text(backend.read("clicks", 0, PlainTopics.offset(first) + 1, 10)
                .get(0).value())));
        }
    }

    @Test
    void refusesABadDeclaration() {
        final ConfigException e = assertThrows(ConfigException.class, () -> open(PlainTopics.TOPICS_CONFIG, "a:0"));
        assertTrue(e.getMessage().contains(PlainTopics.TOPICS_CONFIG), e.getMessage());
        assertArrayEquals(new long[] {5L << 20 | 7}, new long[] {PlainTopics.offset("5-7")});
        assertEquals("5-7", PlainTopics.id(5L << 20 | 7));
    }
}
