package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@link Stores} against Kafka's {@code Stores}: the same arguments must give suppliers with the same name,
 * metrics scope, persistence and parameters, and the same invalid arguments the same exception type and message.
 */
class StoresTest {
    private static final Duration NEGATIVE = Duration.ofMillis(-1);
    private static final Duration TOO_LARGE = Duration.ofSeconds(Long.MAX_VALUE);
    private static final Duration ONE = Duration.ofMillis(1);
    private static final Duration TWO = Duration.ofMillis(2);

    /** The outcome of a call: the exception's type and message, or "ok". */
    private static String outcome(final Supplier<?> call) {
        try {
            call.get();
            return "ok";
        } catch (final RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static void assertSameOutcome(final Supplier<?> kafka, final Supplier<?> pspf) {
        assertEquals(outcome(kafka), outcome(pspf));
    }

    @Test
    void shouldRejectInvalidArgumentsExactlyAsKafkaDoes() {
        final List<Duration> durations = new ArrayList<>(java.util.Arrays.asList(null, NEGATIVE, TOO_LARGE, ONE, TWO));
        for (final String name : new String[] {null, "s"}) {
            assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name),
                () -> Stores.persistentKeyValueStore(name));
            assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentTimestampedKeyValueStore(name),
                () -> Stores.persistentTimestampedKeyValueStore(name));
            assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentTimestampedKeyValueStoreWithHeaders(name),
                () -> Stores.persistentTimestampedKeyValueStoreWithHeaders(name));
            assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(name),
                () -> Stores.inMemoryKeyValueStore(name));
            for (final int size : new int[] {-1, 0, 5}) {
                assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.lruMap(name, size), () -> Stores.lruMap(name, size));
            }
            for (final Duration a : durations) {
                assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore(name, a),
                    () -> Stores.persistentVersionedKeyValueStore(name, a));
                assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentSessionStore(name, a),
                    () -> Stores.persistentSessionStore(name, a));
                assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentSessionStoreWithHeaders(name, a),
                    () -> Stores.persistentSessionStoreWithHeaders(name, a));
                assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.inMemorySessionStore(name, a),
                    () -> Stores.inMemorySessionStore(name, a));
                for (final Duration b : durations) {
                    assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore(name, a, b),
                        () -> Stores.persistentVersionedKeyValueStore(name, a, b));
                    assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentWindowStore(name, a, b, false),
                        () -> Stores.persistentWindowStore(name, a, b, false));
                    assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentTimestampedWindowStore(name, a, b, true),
                        () -> Stores.persistentTimestampedWindowStore(name, a, b, true));
                    assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.persistentTimestampedWindowStoreWithHeaders(name, a,
                        b, false), () -> Stores.persistentTimestampedWindowStoreWithHeaders(name, a, b, false));
                    assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.inMemoryWindowStore(name, a, b, false),
                        () -> Stores.inMemoryWindowStore(name, a, b, false));
                }
            }
        }
        assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(null, null, null),
            () -> Stores.keyValueStoreBuilder(null, null, null));
        assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.windowStoreBuilder(null, null, null),
            () -> Stores.windowStoreBuilder(null, null, null));
        assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.sessionStoreWithHeadersBuilder(null, null, null),
            () -> Stores.sessionStoreWithHeadersBuilder(null, null, null));
        assertSameOutcome(() -> org.apache.kafka.streams.state.Stores.versionedKeyValueStoreBuilder(null, null, null),
            () -> Stores.versionedKeyValueStoreBuilder(null, null, null));
    }

    @Test
    void shouldDescribeSuppliersAsKafkaDoes() {
        final Duration retention = Duration.ofMinutes(10);
        final Duration size = Duration.ofMinutes(1);
        assertSameKeyValue(org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore("s"), Stores.inMemoryKeyValueStore("s"));
        assertSameKeyValue(org.apache.kafka.streams.state.Stores.lruMap("s", 3), Stores.lruMap("s", 3));
        assertSameKeyValue(org.apache.kafka.streams.state.Stores.persistentTimestampedKeyValueStore("s"),
            Stores.persistentTimestampedKeyValueStore("s"));
        assertSameWindow(org.apache.kafka.streams.state.Stores.inMemoryWindowStore("w", retention, size, true),
            Stores.inMemoryWindowStore("w", retention, size, true));
        assertSameWindow(org.apache.kafka.streams.state.Stores.persistentTimestampedWindowStore("w", retention, size, false),
            Stores.persistentTimestampedWindowStore("w", retention, size, false));
        assertSameSession(org.apache.kafka.streams.state.Stores.inMemorySessionStore("x", retention),
            Stores.inMemorySessionStore("x", retention));
        assertSameSession(org.apache.kafka.streams.state.Stores.persistentSessionStore("x", retention),
            Stores.persistentSessionStore("x", retention));
        final VersionedBytesStoreSupplier kafka =
            org.apache.kafka.streams.state.Stores.persistentVersionedKeyValueStore("v", retention);
        final VersionedBytesStoreSupplier pspf = Stores.persistentVersionedKeyValueStore("v", retention);
        assertEquals(kafka.historyRetentionMs(), pspf.historyRetentionMs());
        assertEquals(kafka.metricsScope(), pspf.metricsScope());
    }

    private static void assertSameKeyValue(final KeyValueBytesStoreSupplier kafka, final KeyValueBytesStoreSupplier pspf) {
        assertEquals(kafka.name(), pspf.name());
        assertEquals(kafka.metricsScope(), pspf.metricsScope());
        if (!kafka.metricsScope().startsWith("rocksdb")) {
            assertEquals(kafka.get().persistent(), pspf.get().persistent());
        } else {
            assertTrue(pspf.get().persistent());
        }
    }

    private static void assertSameWindow(final WindowBytesStoreSupplier kafka, final WindowBytesStoreSupplier pspf) {
        assertEquals(kafka.name(), pspf.name());
        assertEquals(kafka.metricsScope(), pspf.metricsScope());
        assertEquals(kafka.retentionPeriod(), pspf.retentionPeriod());
        assertEquals(kafka.windowSize(), pspf.windowSize());
        assertEquals(kafka.segmentIntervalMs(), pspf.segmentIntervalMs());
        assertEquals(kafka.retainDuplicates(), pspf.retainDuplicates());
    }

    private static void assertSameSession(final SessionBytesStoreSupplier kafka, final SessionBytesStoreSupplier pspf) {
        assertEquals(kafka.name(), pspf.name());
        assertEquals(kafka.metricsScope(), pspf.metricsScope());
        assertEquals(kafka.retentionPeriod(), pspf.retentionPeriod());
        assertEquals(kafka.segmentIntervalMs(), pspf.segmentIntervalMs());
    }

    @Test
    void shouldBuildWorkingStoresFromKafkasOwnSuppliers() {
        final KeyValueStore<String, String> store = StoreHarness.pspf(Stores.keyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.persistentKeyValueStore("kafka-supplied"), Serdes.String(),
            Serdes.String()).withCachingEnabled(), 1000L);
        store.put("k", "v");
        assertEquals("v", store.get("k"));
        assertTrue(store.persistent());
        final KeyValueStore<String, String> lru = StoreHarness.pspf(Stores.keyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.lruMap("kafka-lru", 1), Serdes.String(), Serdes.String()), 1000L);
        lru.put("a", "1");
        lru.put("b", "2");
        assertEquals(null, lru.get("a"), "the Kafka LRU supplier's capacity is kept");
    }

    @Test
    void shouldDropTimestampsWhenAPlainPersistentStoreBacksATimestampedOne() {
        final TimestampedKeyValueStore<String, String> store = StoreHarness.pspf(Stores.timestampedKeyValueStoreBuilder(
            Stores.persistentKeyValueStore("plain"), Serdes.String(), Serdes.String()), 0L);
        store.put("k", ValueAndTimestamp.make("v", 42L));
        assertEquals(ValueAndTimestamp.make("v", -1L), store.get("k"));
        final TimestampedKeyValueStore<String, String> inMemory = StoreHarness.pspf(Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore("mem"), Serdes.String(), Serdes.String()), 0L);
        inMemory.put("k", ValueAndTimestamp.make("v", 42L));
        assertEquals(ValueAndTimestamp.make("v", 42L), inMemory.get("k"));
    }

    @Test
    void shouldBuildTheStoreTypesKafkasBuildersBuild() {
        assertInstanceOf(org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders.class,
            Stores.timestampedKeyValueStoreWithHeadersBuilder(Stores.inMemoryKeyValueStore("h"), Serdes.String(),
                Serdes.String()).build());
        assertInstanceOf(org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders.class,
            Stores.timestampedWindowStoreWithHeadersBuilder(Stores.inMemoryWindowStore("w", ONE, ONE, false),
                Serdes.String(), Serdes.String()).build());
        assertInstanceOf(org.apache.kafka.streams.state.SessionStoreWithHeaders.class,
            Stores.sessionStoreWithHeadersBuilder(Stores.inMemorySessionStore("x", ONE), Serdes.String(), Serdes.String())
                .build());
        assertFalse(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("k"), null, null).build().persistent());
    }
}
