package io.pspf.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

import io.pspf.streams.state.Stores;

class WindowStoreFacadeTest {

    private static TimestampedWindowStore<String, String> timestampedStore() {
        final TimestampedWindowStore<String, String> store = Stores.timestampedWindowStoreBuilder(
            Stores.inMemoryWindowStore("w", Duration.ofMillis(100), Duration.ofMillis(10), false), Serdes.String(),
            Serdes.String()).build();
        final Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        store.init(new MockProcessorContext<>(properties).getStateStoreContext(), store);
        return store;
    }

    @Test
    void shouldReadValuesWithoutTimestampsAndWriteThemWithoutATimestamp() {
        final TimestampedWindowStore<String, String> inner = timestampedStore();
        final WindowStoreFacade<String, String> facade = new WindowStoreFacade<>(inner);
        inner.put("a", ValueAndTimestamp.make("1", 5L), 0L);
        facade.put("b", "2", 0L);
        assertEquals("1", facade.fetch("a", 0L));
        assertEquals(ValueAndTimestamp.make("2", -1L), inner.fetch("b", 0L));
        assertEquals(List.of(KeyValue.pair(0L, "1")), list(facade.fetch("a", 0L, 10L)));
        final List<KeyValue<Windowed<String>, String>> all = list(facade.all());
        assertEquals(2, all.size());
        assertEquals("a", all.get(0).key.key());
        assertEquals("2", all.get(1).value);
        assertEquals("w", facade.name());
    }

    private static <K, V> List<KeyValue<K, V>> list(final KeyValueIterator<K, V> iterator) {
        final List<KeyValue<K, V>> list = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(list::add);
        }
        return list;
    }
}
