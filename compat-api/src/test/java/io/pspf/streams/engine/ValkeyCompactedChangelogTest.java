package io.pspf.streams.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.client.PspfProducer;
import io.pspf.client.PspfReader;
import io.pspf.connector.valkey.ValkeyServer;
import io.pspf.connector.valkey.ValkeyServerExtension;
import io.pspf.streams.PspfStreams;
import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * A store's changelog on Valkey is compacted by the application's cleaner: a new instance with no local state then
 * restores the newest count of each key only, and ends with the same counts.
 */
@ExtendWith(ValkeyServerExtension.class)
class ValkeyCompactedChangelogTest {
    private static final int KEYS = 10;
    private final ValkeyServer server;
    @TempDir
    Path dir;

    ValkeyCompactedChangelogTest(final ValkeyServer server) {
        this.server = server;
    }

    private Map<String, Object> backend() {
        return Map.of("pspf.backend", server.uri(), "pspf.valkey.key.prefix", "compacted-" + dir.getFileName());
    }

    private static Topology topology() {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream("events", Consumed.with(Serdes.String(), Serdes.String()))
            .groupByKey()
            .count(Materialized.as("counts"))
            .toStream()
            .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    private Properties props(final String instance) {
        final Properties props = new Properties();
        props.putAll(backend());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "compacting");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + instance).toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put("pspf.valkey.cleaner.interval.ms", 200);
        return props;
    }

    private long changelogRecords() {
        long count = 0;
        try (PspfReader<byte[], byte[]> reader = new PspfReader<>(backend(), Serdes.ByteArray().deserializer(),
            Serdes.ByteArray().deserializer())) {
            long offset = reader.startOffset("compacting-counts-changelog", 0);
            while (true) {
                final List<ConsumerRecord<byte[], byte[]>> page = reader.read("compacting-counts-changelog", 0, offset,
                    10_000);
                if (page.isEmpty()) {
                    return count;
                }
                count += page.size();
                offset = page.get(page.size() - 1).offset() + 1;
            }
        }
    }

    /** The store's counts; none while the task is not created yet (the store is not available then). */
    private static Map<String, Long> counts(final PspfStreams streams) {
        final Map<String, Long> counts = new HashMap<>();
        try (KeyValueIterator<String, Long> all = streams.store(StoreQueryParameters.fromNameAndType("counts",
            QueryableStoreTypes.<String, Long>keyValueStore())).all()) {
            all.forEachRemaining(kv -> counts.put(kv.key, kv.value));
        } catch (final org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            return Map.of();
        }
        return counts;
    }

    @Test
    void aNewInstanceRestoresTheCompactedChangelog() throws Exception {
        final Map<String, Long> expected = new HashMap<>();
        try (PspfProducer<String, String> producer = new PspfProducer<>(backend(), Serdes.String().serializer(),
            Serdes.String().serializer())) {
            final List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                final String key = "k" + i % KEYS;
                records.add(new ProducerRecord<>("events", key, "v" + i));
                expected.merge(key, 1L, Long::sum);
            }
            producer.sendAll(records);
        }
        try (PspfStreams first = new PspfStreams(topology(), props("a"))) {
            first.start();
            final long deadline = System.currentTimeMillis() + 60_000;
            while (!counts(first).equals(expected) || changelogRecords() > 2 * KEYS) {
                assertTrue(System.currentTimeMillis() < deadline, "the counts, then a compacted changelog ("
                    + changelogRecords() + " records)");
                Thread.sleep(50);
            }
        }
        final AtomicLong restored = new AtomicLong();
        try (PspfStreams second = new PspfStreams(topology(), props("b"))) {
            second.setGlobalStateRestoreListener(new StateRestoreListener() {
                @Override
                public void onRestoreStart(final TopicPartition tp, final String store, final long start, final long end) {
                }

                @Override
                public void onBatchRestored(final TopicPartition tp, final String store, final long batchEnd,
                                            final long count) {
                    restored.addAndGet(count);
                }

                @Override
                public void onRestoreEnd(final TopicPartition tp, final String store, final long total) {
                }
            });
            second.start();
            final long deadline = System.currentTimeMillis() + 30_000;
            while (second.state() != PspfStreams.State.RUNNING) {
                assertTrue(System.currentTimeMillis() < deadline, "the second instance to run");
                Thread.sleep(20);
            }
            while (counts(second).isEmpty()) {
                assertTrue(System.currentTimeMillis() < deadline, "the second instance's store");
                Thread.sleep(20);
            }
            assertEquals(expected, counts(second));
            assertTrue(restored.get() <= 2 * KEYS, "restored " + restored.get() + " records of 5000 updates");
        }
    }
}
