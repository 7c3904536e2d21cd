package io.pspf.streams.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.state.AggregationWithHeaders;
import org.apache.kafka.streams.state.SessionStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.apache.kafka.streams.state.internals.AggregationWithHeadersSerde;
import org.apache.kafka.streams.state.internals.ValueTimestampHeadersSerde;
import org.junit.jupiter.api.Test;

import io.pspf.runtime.state.InMemoryKeyValueBytesStore;
import io.pspf.runtime.state.InMemorySessionBytesStore;
import io.pspf.runtime.state.WrappedStore;

/** The stores with headers keep Kafka's byte layout, checked against Kafka's own serdes as the oracle. */
class HeadersFormatTest {

    private static RecordHeaders headers() {
        final RecordHeaders headers = new RecordHeaders();
        headers.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
        headers.add("empty", null);
        return headers;
    }

    @Test
    void shouldStoreValuesWithHeadersInKafkasLayout() {
        final TimestampedKeyValueStoreWithHeaders<String, String> store = StoreHarness.pspf(
            Stores.timestampedKeyValueStoreWithHeadersBuilder(Stores.inMemoryKeyValueStore("h"), Serdes.String(),
                Serdes.String()), 0L);
        final ValueTimestampHeaders<String> value = ValueTimestampHeaders.make("v", 42L, headers());
        store.put("k", value);
        assertEquals(value, store.get("k"));
        final byte[] stored = WrappedStore.find(store, InMemoryKeyValueBytesStore.class)
            .get(Bytes.wrap("k".getBytes(StandardCharsets.UTF_8)));
        try (ValueTimestampHeadersSerde<String> kafka = new ValueTimestampHeadersSerde<>(Serdes.String())) {
            assertArrayEquals(kafka.serializer().serialize("app-h-changelog", value), stored);
        }
    }

    @Test
    void shouldStoreAggregationsWithHeadersInKafkasLayout() {
        final SessionStoreWithHeaders<String, String> store = StoreHarness.pspf(Stores.sessionStoreWithHeadersBuilder(
            Stores.inMemorySessionStore("s", Duration.ofMinutes(1)), Serdes.String(), Serdes.String()), 0L);
        final AggregationWithHeaders<String> aggregation = AggregationWithHeaders.make("agg", headers());
        final Windowed<String> session = new Windowed<>("k", new SessionWindow(0L, 5L));
        store.put(session, aggregation);
        assertEquals(aggregation, store.fetchSession("k", 0L, 5L));
        final byte[] stored = WrappedStore.find(store, InMemorySessionBytesStore.class)
            .fetchSession(Bytes.wrap("k".getBytes(StandardCharsets.UTF_8)), 0L, 5L);
        try (AggregationWithHeadersSerde<String> kafka = new AggregationWithHeadersSerde<>(Serdes.String())) {
            assertArrayEquals(kafka.serializer().serialize("app-s-changelog", aggregation), stored);
        }
    }
}
