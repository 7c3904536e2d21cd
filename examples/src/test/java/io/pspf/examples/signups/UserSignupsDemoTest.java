package io.pspf.examples.signups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.client.PspfReader;

/**
 * Runs the user-signups demo in-process, twice in one directory, and checks what it wrote against what it produced:
 * every invalid signup (and no valid one) dead-lettered with its reason, one welcome email per valid signup, and
 * window counts per country (in the store and in the counts topic) equal to the valid signups per country and minute,
 * the second run's counts including the first run's signups.
 */
class UserSignupsDemoTest {
    @TempDir
    Path dir;

    @Test
    void deadLettersWelcomesAndCountsEachSignupAndASecondRunResumes() throws Exception {
        final ByteArrayOutputStream firstOutput = new ByteArrayOutputStream();
        final UserSignupsDemo.Summary first = run(40, firstOutput);
        assertFalse(first.resumed());
        assertEquals(40, first.produced().size());
        assertTrue(firstOutput.toString(StandardCharsets.UTF_8).contains("Fresh start"));
        final List<Signup> afterFirst = new ArrayList<>(first.produced());
        assertOutputs(afterFirst, first);

        final ByteArrayOutputStream secondOutput = new ByteArrayOutputStream();
        final UserSignupsDemo.Summary second = run(30, secondOutput);
        assertTrue(second.resumed());
        assertEquals(40, second.signupsBefore());
        assertEquals(40, second.welcomedBefore() + second.deadLetteredBefore());
        assertTrue(secondOutput.toString(StandardCharsets.UTF_8)
            .contains("Resuming: user-signups already holds 40 signups"));
        assertEquals("user-00041", second.produced().get(0).userId(), "the second run makes new users");
        final List<Signup> all = new ArrayList<>(afterFirst);
        all.addAll(second.produced());
        assertOutputs(all, second);
        assertEquals(count(second.produced(), true), second.welcomed());
        assertEquals(count(second.produced(), false), second.deadLettered());
    }

    @Test
    void theSerdeWritesJsonWithoutNullFieldsAndRejectsWhatIsNotJson() {
        final JsonSerde<Signup> serde = JsonSerde.of(Signup.class);
        final Signup noCountry = new Signup("user-1", "Ana", "ana@example.com", null, 1_000L);
        final byte[] json = serde.serializer().serialize("t", noCountry);
        assertEquals("{\"userId\":\"user-1\",\"name\":\"Ana\",\"email\":\"ana@example.com\",\"signedUpAt\":1000}",
            new String(json, StandardCharsets.UTF_8));
        assertEquals(noCountry, serde.deserializer().deserialize("t", json));
        assertNull(serde.serializer().serialize("t", null));
        assertNull(serde.deserializer().deserialize("t", null));
        assertThrows(SerializationException.class,
            () -> serde.deserializer().deserialize("t", "not json".getBytes(StandardCharsets.UTF_8)));

        assertEquals("missing country", SignupValidator.problem(noCountry).orElseThrow());
        assertEquals("invalid email 'ana.example.com'", SignupValidator.problem(
            new Signup("user-1", "Ana", "ana.example.com", "DE", 0)).orElseThrow());
        assertEquals("unknown country code 'Atlantis'", SignupValidator.problem(
            new Signup("user-1", "Ana", "ana@example.com", "Atlantis", 0)).orElseThrow());
        assertTrue(SignupValidator.isValid(new Signup("user-1", "Ana", "ana@example.com", "DE", 0)));
    }

    @Test
    void parsesTheCommandLine() {
        final UserSignupsDemo.Options options = UserSignupsDemo.Options.parse("--events", "7", "--dir", "x/y",
            "--delay-ms", "0");
        assertEquals(7, options.events());
        assertEquals(Path.of("x/y"), options.dir());
        assertEquals(0, options.delayMs());
        assertEquals(UserSignupsDemo.DEFAULT_EVENTS, UserSignupsDemo.Options.parse().events());
        assertEquals(Path.of(UserSignupsDemo.DEFAULT_DIR), UserSignupsDemo.Options.parse().dir());
        assertThrows(IllegalArgumentException.class, () -> UserSignupsDemo.Options.parse("--events", "many"));
        assertThrows(IllegalArgumentException.class, () -> UserSignupsDemo.Options.parse("--events"));
        assertThrows(IllegalArgumentException.class, () -> UserSignupsDemo.Options.parse("--colour", "blue"));
    }

    private UserSignupsDemo.Summary run(final int events, final ByteArrayOutputStream output) throws Exception {
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            return UserSignupsDemo.run(new UserSignupsDemo.Options(dir, events, 0, Duration.ofSeconds(60)), out);
        }
    }

    /** Checks every output topic and the store against all signups produced so far. */
    private void assertOutputs(final List<Signup> produced, final UserSignupsDemo.Summary summary) {
        final Map<String, Signup> invalid = new TreeMap<>();
        final Map<String, Signup> valid = new TreeMap<>();
        final Map<String, Long> expectedCounts = new TreeMap<>();
        for (final Signup signup : produced) {
            if (isValid(signup)) {
                valid.put(signup.userId(), signup);
                final Instant window = Instant.ofEpochMilli(signup.signedUpAt() - signup.signedUpAt() % 60_000);
                expectedCounts.merge(signup.country() + "@" + window, 1L, Long::sum);
            } else {
                invalid.put(signup.userId(), signup);
            }
        }
        assertFalse(invalid.isEmpty(), "the demo makes some invalid signups");
        assertFalse(valid.isEmpty(), "the demo makes some valid signups");

        // the dead-letter topic: exactly the invalid signups, unchanged, each with its reason and where it was read
        final List<ConsumerRecord<String, Signup>> deadLetters = readAll(UserSignupsTopology.DLQ_TOPIC,
            JsonSerde.of(Signup.class).deserializer());
        assertEquals(invalid.size(), deadLetters.size(), "dead letters");
        final Map<String, Signup> deadLettered = new TreeMap<>();
        for (final ConsumerRecord<String, Signup> record : deadLetters) {
            deadLettered.put(record.key(), record.value());
            final String reason = UserSignupsTopology.header(record.headers(), UserSignupsTopology.REASON_HEADER);
            assertNotNull(reason, "reason header of " + record.key());
            assertEquals(expectedReason(record.value()), reason.replaceAll(" '.*'$", ""), "reason of " + record.key());
            assertEquals(UserSignupsTopology.SIGNUPS_TOPIC,
                UserSignupsTopology.header(record.headers(), UserSignupsTopology.SOURCE_TOPIC_HEADER));
            assertNotNull(UserSignupsTopology.header(record.headers(), UserSignupsTopology.SOURCE_OFFSET_HEADER));
        }
        assertEquals(invalid, deadLettered);

        // the welcome emails: one per valid signup
        final List<ConsumerRecord<String, WelcomeEmail>> welcomes = readAll(UserSignupsTopology.WELCOME_TOPIC,
            JsonSerde.of(WelcomeEmail.class).deserializer());
        assertEquals(valid.size(), welcomes.size(), "welcome emails");
        final Map<String, WelcomeEmail> welcomed = new TreeMap<>();
        for (final ConsumerRecord<String, WelcomeEmail> record : welcomes) {
            welcomed.put(record.key(), record.value());
        }
        assertEquals(valid.keySet(), welcomed.keySet());
        for (final Map.Entry<String, WelcomeEmail> e : welcomed.entrySet()) {
            assertEquals(WelcomeEmail.of(valid.get(e.getKey())), e.getValue());
        }

        // the counts, as the store holds them (queried by the run before it closed) and as the last update of each
        final Map<String, Long> stored = new TreeMap<>();
        for (final UserSignupsDemo.WindowCount count : summary.counts()) {
            stored.put(count.country() + "@" + count.windowStart(), count.count());
        }
        assertEquals(expectedCounts, stored, "counts in the store");
        final Map<String, Long> lastUpdates = new TreeMap<>();
        for (final ConsumerRecord<Windowed<String>, Long> record : readAll(UserSignupsTopology.COUNTS_TOPIC,
            UserSignupsTopology.windowedCountrySerde().deserializer(), Serdes.Long().deserializer())) {
            lastUpdates.put(record.key().key() + "@" + record.key().window().startTime(), record.value());
        }
        assertEquals(expectedCounts, lastUpdates, "last count updates in " + UserSignupsTopology.COUNTS_TOPIC);
    }

    /** The test's own reading of the rules, for the kinds of signups the generator makes. */
    private static boolean isValid(final Signup signup) {
        return signup.email().contains("@") && signup.country() != null && signup.country().matches("[A-Z]{2}");
    }

    private static String expectedReason(final Signup signup) {
        if (!signup.email().contains("@")) {
            return "invalid email";
        }
        return signup.country() == null ? "missing country" : "unknown country code";
    }

    private static long count(final List<Signup> signups, final boolean valid) {
        return signups.stream().filter(signup -> isValid(signup) == valid).count();
    }

    private <V> List<ConsumerRecord<String, V>> readAll(final String topic, final Deserializer<V> values) {
        return readAll(topic, Serdes.String().deserializer(), values);
    }

    private <K, V> List<ConsumerRecord<K, V>> readAll(final String topic, final Deserializer<K> keys,
                                                      final Deserializer<V> values) {
        final List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (PspfReader<K, V> reader = new PspfReader<>(UserSignupsDemo.clientConfig(dir), keys, values)) {
            for (int p = 0; p < Math.max(0, reader.partitions(topic)); p++) {
                long offset = reader.startOffset(topic, p);
                while (true) {
                    final List<ConsumerRecord<K, V>> batch = reader.read(topic, p, offset, 1_000);
                    if (batch.isEmpty()) {
                        break;
                    }
                    records.addAll(batch);
                    offset = batch.get(batch.size() - 1).offset() + 1;
                }
            }
        }
        return records;
    }
}
