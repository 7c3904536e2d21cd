package io.pspf.streams.test;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks that {@link TestRecord} behaves exactly like Kafka Streams' {@code org.apache.kafka.streams.test.TestRecord}:
 * each case builds one record of each class from the same arguments and compares what they report.
 */
class TestRecordTest {

    private static final String KAFKA_NAME = org.apache.kafka.streams.test.TestRecord.class.getName();
    private static final String PSPF_NAME = TestRecord.class.getName();

    /** One way of building a record, applied to both implementations. */
    private static final class Pair {
        final String name;
        final Supplier<TestRecord<String, Integer>> pspf;
        final Supplier<org.apache.kafka.streams.test.TestRecord<String, Integer>> kafka;

        Pair(final String name,
             final Supplier<TestRecord<String, Integer>> pspf,
             final Supplier<org.apache.kafka.streams.test.TestRecord<String, Integer>> kafka) {
            this.name = name;
            this.pspf = pspf;
            this.kafka = kafka;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Headers headers(final String... keyValues) {
        final RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < keyValues.length; i += 2) {
            headers.add(keyValues[i], keyValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static Headers readOnlyHeaders() {
        final RecordHeaders headers = new RecordHeaders(headers("ro", "1"));
        headers.setReadOnly();
        return headers;
    }

    private static ConsumerRecord<String, Integer> consumerRecord(final long timestamp, final Headers headers) {
        return new ConsumerRecord<>("in", 3, 42L, timestamp, TimestampType.CREATE_TIME, 0, 0, "ck", 7, headers,
            Optional.empty());
    }

    static List<Pair> pairs() {
        final List<Pair> pairs = new ArrayList<>();
        final Instant t = Instant.ofEpochMilli(1_000L);
        pairs.add(new Pair("(K, V, Headers, Instant)",
            () -> new TestRecord<>("k", 1, headers("h", "a"), t),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, headers("h", "a"), t)));
        pairs.add(new Pair("(K, V, Headers, Instant) with every argument null",
            () -> new TestRecord<>(null, null, null, (Instant) null),
            () -> new org.apache.kafka.streams.test.TestRecord<>(null, null, null, (Instant) null)));
        pairs.add(new Pair("(K, V, Headers, Instant) before the epoch",
            () -> new TestRecord<>("k", 1, null, Instant.ofEpochMilli(-5L)),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, null, Instant.ofEpochMilli(-5L))));
        pairs.add(new Pair("(K, V, Headers, Instant) with sub-millisecond precision",
            () -> new TestRecord<>("k", 1, null, Instant.ofEpochSecond(1L, 1_500_000L)),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, null, Instant.ofEpochSecond(1L, 1_500_000L))));
        pairs.add(new Pair("(K, V, Headers, Long)",
            () -> new TestRecord<>("k", 1, headers("h", "a"), 1_000L),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, headers("h", "a"), 1_000L)));
        pairs.add(new Pair("(K, V, Headers, Long) with timestamp zero",
            () -> new TestRecord<>("k", 1, null, 0L),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, null, 0L)));
        pairs.add(new Pair("(K, V, Headers, Long) with every argument null",
            () -> new TestRecord<>(null, null, null, (Long) null),
            () -> new org.apache.kafka.streams.test.TestRecord<>(null, null, null, (Long) null)));
        pairs.add(new Pair("(K, V, Headers, Long) with read-only headers",
            () -> new TestRecord<>("k", 1, readOnlyHeaders(), 1_000L),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, readOnlyHeaders(), 1_000L)));
        pairs.add(new Pair("(K, V, Instant)",
            () -> new TestRecord<>("k", 1, t),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, t)));
        pairs.add(new Pair("(K, V, Instant) with null instant",
            () -> new TestRecord<>("k", 1, (Instant) null),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, (Instant) null)));
        pairs.add(new Pair("(K, V, Headers)",
            () -> new TestRecord<>("k", 1, headers("h", "a", "h", "b")),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, headers("h", "a", "h", "b"))));
        pairs.add(new Pair("(K, V, Headers) with null headers",
            () -> new TestRecord<>("k", 1, (Headers) null),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, (Headers) null)));
        pairs.add(new Pair("(K, V)",
            () -> new TestRecord<>("k", 1),
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1)));
        pairs.add(new Pair("(K, V) with null key and value",
            () -> new TestRecord<>((String) null, (Integer) null),
            () -> new org.apache.kafka.streams.test.TestRecord<>((String) null, (Integer) null)));
        pairs.add(new Pair("(V)",
            () -> new TestRecord<>(1),
            () -> new org.apache.kafka.streams.test.TestRecord<>(1)));
        pairs.add(new Pair("(V) with null value",
            () -> new TestRecord<String, Integer>((Integer) null),
            () -> new org.apache.kafka.streams.test.TestRecord<String, Integer>((Integer) null)));
        pairs.add(new Pair("(ConsumerRecord)",
            () -> new TestRecord<>(consumerRecord(1_000L, headers("c", "x"))),
            () -> new org.apache.kafka.streams.test.TestRecord<>(consumerRecord(1_000L, headers("c", "x")))));
        pairs.add(new Pair("(ConsumerRecord) without timestamp",
            () -> new TestRecord<>(consumerRecord(ConsumerRecord.NO_TIMESTAMP, new RecordHeaders())),
            () -> new org.apache.kafka.streams.test.TestRecord<>(consumerRecord(ConsumerRecord.NO_TIMESTAMP, new RecordHeaders()))));
        pairs.add(new Pair("(ProducerRecord)",
            () -> new TestRecord<>(new ProducerRecord<>("out", 2, 1_000L, "pk", 9, headers("p", "y"))),
            () -> new org.apache.kafka.streams.test.TestRecord<>(
                new ProducerRecord<>("out", 2, 1_000L, "pk", 9, headers("p", "y")))));
        pairs.add(new Pair("(ProducerRecord) with null key and value",
            () -> new TestRecord<>(new ProducerRecord<String, Integer>("out", null, 5L, null, null)),
            () -> new org.apache.kafka.streams.test.TestRecord<>(
                new ProducerRecord<String, Integer>("out", null, 5L, null, null))));
        return pairs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void everyConstructorYieldsTheSameGettersAsKafka(final Pair pair) {
        final TestRecord<String, Integer> ours = pair.pspf.get();
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirs = pair.kafka.get();
        assertAll(
            () -> assertEquals(theirs.key(), ours.key(), "key()"),
            () -> assertEquals(theirs.value(), ours.value(), "value()"),
            () -> assertEquals(theirs.timestamp(), ours.timestamp(), "timestamp()"),
            () -> assertEquals(theirs.headers(), ours.headers(), "headers()"),
            () -> assertEquals(theirs.getKey(), ours.getKey(), "getKey()"),
            () -> assertEquals(theirs.getValue(), ours.getValue(), "getValue()"),
            () -> assertEquals(theirs.getRecordTime(), ours.getRecordTime(), "getRecordTime()"),
            () -> assertEquals(theirs.getHeaders(), ours.getHeaders(), "getHeaders()"),
            () -> assertNotNull(ours.headers(), "headers() is never null"),
            () -> assertSame(ours.headers(), ours.getHeaders(), "headers() and getHeaders() are one object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void everyConstructorYieldsTheSameToStringAsKafka(final Pair pair) {
        assertEquals(pair.kafka.get().toString(), pair.pspf.get().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void everyConstructorYieldsTheSameHashCodeAsKafka(final Pair pair) {
        assertEquals(pair.kafka.get().hashCode(), pair.pspf.get().hashCode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void recordsBuiltFromTheSameArgumentsAreEqualAndHashAlike(final Pair pair) {
        final TestRecord<String, Integer> first = pair.pspf.get();
        final TestRecord<String, Integer> second = pair.pspf.get();
        assertNotSame(first, second);
        assertEquals(first, second);
        assertEquals(first.hashCode(), second.hashCode());
        assertEquals(pair.kafka.get(), pair.kafka.get(), "Kafka agrees");
    }

    @Test
    void equalsAgreesWithKafkaForEveryPairOfConstructions() {
        final List<Pair> pairs = pairs();
        for (final Pair a : pairs) {
            for (final Pair b : pairs) {
                final boolean kafkaEqual = a.kafka.get().equals(b.kafka.get());
                final boolean pspfEqual = a.pspf.get().equals(b.pspf.get());
                assertEquals(kafkaEqual, pspfEqual, a + " vs " + b);
            }
        }
    }

    @Test
    void equalsComparesHeadersKeyValueAndTimestamp() {
        final TestRecord<String, Integer> base = new TestRecord<>("k", 1, headers("h", "a"), 10L);
        assertEquals(base, new TestRecord<>("k", 1, headers("h", "a"), Instant.ofEpochMilli(10L)));
        assertNotEquals(base, new TestRecord<>("other", 1, headers("h", "a"), 10L));
        assertNotEquals(base, new TestRecord<>("k", 2, headers("h", "a"), 10L));
        assertNotEquals(base, new TestRecord<>("k", 1, headers("h", "b"), 10L));
        assertNotEquals(base, new TestRecord<>("k", 1, headers("h", "a"), 11L));
        assertNotEquals(base, new TestRecord<>("k", 1, headers("h", "a"), (Long) null));
        assertNotEquals(base, new TestRecord<>(null, 1, headers("h", "a"), 10L));
        assertNotEquals(base, new TestRecord<>("k", null, headers("h", "a"), 10L));
    }

    @Test
    void equalsIsFalseForNullForeignTypesKafkaRecordsAndSubclassesLikeKafka() {
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1);
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirs =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1);
        final TestRecord<String, Integer> oursSubclass = new TestRecord<>("k", 1) { };
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirsSubclass =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1) { };

        assertEquals(theirs.equals(null), ours.equals(null));
        assertFalse(ours.equals(null));
        assertEquals(theirs.equals("k"), ours.equals("k"));
        assertFalse(ours.equals("k"));
        assertFalse(ours.equals(theirs), "a PSPF record never equals a Kafka record");
        assertFalse(theirs.equals(ours), "a Kafka record never equals a PSPF record");
        assertEquals(theirs.equals(theirsSubclass), ours.equals(oursSubclass));
        assertFalse(ours.equals(oursSubclass), "equals requires the exact same class");
        assertTrue(ours.equals(ours));
    }

    @Test
    void equalsIgnorePartitionAlwaysAnswersFalseLikeKafka440() {
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1, headers("h", "a"), 10L);
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirs =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1, headers("h", "a"), 10L);
        final TestRecord<String, Integer> oursCopy = new TestRecord<>("k", 1, headers("h", "a"), 10L);
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirsCopy =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1, headers("h", "a"), 10L);

        assertEquals(theirs.equalsIgnorePartition(theirs), ours.equalsIgnorePartition(ours));
        assertEquals(theirs.equalsIgnorePartition(theirsCopy), ours.equalsIgnorePartition(oursCopy));
        assertEquals(theirs.equalsIgnorePartition(null), ours.equalsIgnorePartition(null));
        assertFalse(ours.equalsIgnorePartition(ours));
        assertFalse(ours.equalsIgnorePartition(oursCopy));
        assertFalse(ours.equalsIgnorePartition(null));
    }

    @Test
    void equalsIgnorePartitionAcceptsTheSameWildcardArgumentsAsKafka() {
        final TestRecord<CharSequence, Number> ours = new TestRecord<>("k", 1);
        final TestRecord<String, Object> oursArg = new TestRecord<>("k", 1);
        final org.apache.kafka.streams.test.TestRecord<CharSequence, Number> theirs =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1);
        final org.apache.kafka.streams.test.TestRecord<String, Object> theirsArg =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1);
        // Compiles only because the parameter is TestRecord<? extends K, ? super V>, as in Kafka.
        assertEquals(theirs.equalsIgnorePartition(theirsArg), ours.equalsIgnorePartition(oursArg));
    }

    @Test
    void negativeLongTimestampIsRejectedWithKafkasExceptionAndMessage() {
        final IllegalArgumentException theirs = assertThrows(IllegalArgumentException.class,
            () -> new org.apache.kafka.streams.test.TestRecord<>("k", 1, null, -1L));
        final IllegalArgumentException ours = assertThrows(IllegalArgumentException.class,
            () -> new TestRecord<>("k", 1, null, -1L));
        assertEquals(theirs.getMessage(), ours.getMessage());
        assertEquals("Invalid timestamp: -1. Timestamp should always be non-negative or null.", ours.getMessage());
    }

    @Test
    void negativeInstantIsAcceptedAndReportedAsNegativeMillisLikeKafka() {
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1, Instant.ofEpochMilli(-7L));
        assertEquals(-7L, ours.timestamp());
        assertEquals(new org.apache.kafka.streams.test.TestRecord<>("k", 1, Instant.ofEpochMilli(-7L)).timestamp(),
            ours.timestamp());
    }

    @Test
    void timestampOfAnInstantBeyondLongMillisThrowsArithmeticExceptionLikeKafka() {
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1, Instant.MAX);
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirs =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1, Instant.MAX);
        final ArithmeticException expected = assertThrows(ArithmeticException.class, theirs::timestamp);
        final ArithmeticException actual = assertThrows(ArithmeticException.class, ours::timestamp);
        assertEquals(expected.getMessage(), actual.getMessage());
        assertSame(Instant.MAX, ours.getRecordTime());
    }

    @Test
    void nullConsumerRecordThrowsNullPointerExceptionWithoutMessageLikeKafka() {
        final NullPointerException theirs = assertThrows(NullPointerException.class,
            () -> new org.apache.kafka.streams.test.TestRecord<>((ConsumerRecord<String, Integer>) null));
        final NullPointerException ours = assertThrows(NullPointerException.class,
            () -> new TestRecord<>((ConsumerRecord<String, Integer>) null));
        assertEquals(theirs.getMessage(), ours.getMessage());
        assertNull(ours.getMessage());
    }

    @Test
    void nullProducerRecordThrowsNullPointerExceptionWithoutMessageLikeKafka() {
        final NullPointerException theirs = assertThrows(NullPointerException.class,
            () -> new org.apache.kafka.streams.test.TestRecord<>((ProducerRecord<String, Integer>) null));
        final NullPointerException ours = assertThrows(NullPointerException.class,
            () -> new TestRecord<>((ProducerRecord<String, Integer>) null));
        assertEquals(theirs.getMessage(), ours.getMessage());
        assertNull(ours.getMessage());
    }

    @Test
    void producerRecordWithoutTimestampThrowsNullPointerExceptionLikeKafka() {
        final ProducerRecord<String, Integer> noTimestamp = new ProducerRecord<>("out", "k", 1);
        final NullPointerException theirs = assertThrows(NullPointerException.class,
            () -> new org.apache.kafka.streams.test.TestRecord<>(noTimestamp));
        final NullPointerException ours = assertThrows(NullPointerException.class,
            () -> new TestRecord<>(noTimestamp));
        assertEquals(theirs.getMessage(), ours.getMessage());
    }

    @Test
    void consumerAndProducerRecordConstructorsShareTheSourceHeadersInstanceLikeKafka() {
        final ConsumerRecord<String, Integer> consumed = consumerRecord(1L, headers("c", "x"));
        final ProducerRecord<String, Integer> produced = new ProducerRecord<>("out", 0, 1L, "k", 1, headers("p", "y"));
        assertSame(consumed.headers(), new TestRecord<>(consumed).headers());
        assertSame(produced.headers(), new TestRecord<>(produced).headers());
        assertSame(consumed.headers(), new org.apache.kafka.streams.test.TestRecord<>(consumed).headers());
        assertSame(produced.headers(), new org.apache.kafka.streams.test.TestRecord<>(produced).headers());
    }

    @Test
    void otherConstructorsCopyTheHeadersSoLaterChangesToTheArgumentDoNotLeakIn() {
        final Headers source = headers("h", "a");
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1, source, 1L);
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirs =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1, source, 1L);
        source.add("late", new byte[] {1});
        assertNotSame(source, ours.headers());
        assertEquals(headers("h", "a"), ours.headers());
        assertEquals(theirs.headers(), ours.headers());
        assertEquals(theirs.toString(), ours.toString());
    }

    @Test
    void copiedReadOnlyHeadersBecomeWritableLikeKafka() {
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1, readOnlyHeaders());
        ours.headers().add(new RecordHeader("more", new byte[] {2}));
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirs =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1, readOnlyHeaders());
        theirs.headers().add(new RecordHeader("more", new byte[] {2}));
        assertEquals(theirs.toString(), ours.toString());
    }

    @Test
    void mutatingTheReturnedHeadersChangesEqualityAndHashCodeLikeKafka() {
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1, Instant.ofEpochMilli(5L));
        final TestRecord<String, Integer> oursTwin = new TestRecord<>("k", 1, Instant.ofEpochMilli(5L));
        final org.apache.kafka.streams.test.TestRecord<String, Integer> theirs =
            new org.apache.kafka.streams.test.TestRecord<>("k", 1, Instant.ofEpochMilli(5L));
        ours.headers().add("x", new byte[] {3});
        theirs.headers().add("x", new byte[] {3});
        assertNotEquals(oursTwin, ours);
        assertEquals(theirs.hashCode(), ours.hashCode());
        assertEquals(theirs.toString(), ours.toString());
    }

    @Test
    void consumerRecordWithoutTimestampBecomesOneMillisecondBeforeTheEpoch() {
        final TestRecord<String, Integer> ours = new TestRecord<>(consumerRecord(ConsumerRecord.NO_TIMESTAMP, new RecordHeaders()));
        assertEquals(Instant.ofEpochMilli(-1L), ours.getRecordTime());
        assertEquals(-1L, ours.timestamp());
    }

    @Test
    void toStringListsKeyValueHeadersAndRecordTimeInKafkasFormat() {
        final TestRecord<String, Integer> ours = new TestRecord<>("k", 1, headers("h", "a"), 5L);
        assertEquals("TestRecord[key=k, value=1, headers=RecordHeaders(headers = [RecordHeader(key = h, value = [97])],"
            + " isReadOnly = false), recordTime=1970-01-01T00:00:00.005Z]", ours.toString());
        assertEquals("TestRecord[key=null, value=null, headers=RecordHeaders(headers = [], isReadOnly = false),"
            + " recordTime=null]", new TestRecord<String, Integer>((Integer) null).toString());
    }

    @Test
    void hasExactlyTheSamePublicConstructorsAndMethodsAsKafka() {
        assertEquals(publicSignatures(org.apache.kafka.streams.test.TestRecord.class),
            publicSignatures(TestRecord.class));
        assertEquals(Modifier.isFinal(org.apache.kafka.streams.test.TestRecord.class.getModifiers()),
            Modifier.isFinal(TestRecord.class.getModifiers()), "same finality (subclassable)");
        assertEquals(Arrays.toString(org.apache.kafka.streams.test.TestRecord.class.getTypeParameters()),
            Arrays.toString(TestRecord.class.getTypeParameters()));
    }

    private static TreeSet<String> publicSignatures(final Class<?> type) {
        return Stream.concat(Arrays.stream(type.getDeclaredConstructors()), Arrays.stream(type.getDeclaredMethods()))
            .filter(member -> Modifier.isPublic(member.getModifiers()))
            .map(Executable::toGenericString)
            .map(signature -> signature.replace(KAFKA_NAME, PSPF_NAME))
            .collect(Collectors.toCollection(TreeSet::new));
    }
}
