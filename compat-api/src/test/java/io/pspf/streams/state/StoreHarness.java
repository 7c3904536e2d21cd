package io.pspf.streams.state;

import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Opens one store built by Kafka's own builders inside Kafka's {@link TopologyTestDriver} (the only way Kafka's
 * window and session stores can be initialized), and one built by PSPF's builders with a stand-alone context, so
 * that tests can run the same operations on both.
 */
final class StoreHarness implements AutoCloseable {
    private final TopologyTestDriver driver;

    private StoreHarness(final TopologyTestDriver driver) {
        this.driver = driver;
    }

    /** Kafka's store, opened in Kafka's driver; read it back with the driver's typed getters. */
    static StoreHarness kafka(final StoreBuilder<?> builder, final long cacheMaxBytes) {
        final Topology topology = new Topology();
        topology.addSource("source", "input");
        topology.addProcessor("processor", () -> new Processor<Object, Object, Object, Object>() {
            @Override
            public void process(final Record<Object, Object> record) {
            }
        }, "source");
        topology.addStateStore(builder, "processor");
        return new StoreHarness(new TopologyTestDriver(topology, properties(cacheMaxBytes)));
    }

    TopologyTestDriver driver() {
        return driver;
    }

    /** PSPF's store, initialized with a stand-alone store context. */
    static <S extends StateStore> S pspf(final StoreBuilder<S> builder, final long cacheMaxBytes) {
        final S store = builder.build();
        final MockProcessorContext<Object, Object> context = new MockProcessorContext<>(properties(cacheMaxBytes));
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    static Properties properties(final long cacheMaxBytes) {
        final Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:1234");
        properties.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        properties.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        properties.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheMaxBytes);
        properties.put(StreamsConfig.STATE_DIR_CONFIG,
            System.getProperty("java.io.tmpdir") + "/pspf-store-harness-" + System.nanoTime());
        return properties;
    }

    @Override
    public void close() {
        driver.close();
    }
}
