package io.pspf.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.pspf.runtime.backend.BackendException;

class ProducerReaderTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static Map<String, Object> configs(final int partitions) {
        return Map.of("pspf.backend", "memory:producer-test-" + NAMES.incrementAndGet(), "pspf.topic.partitions",
            partitions);
    }

    @Test
    void shouldPutAKeyWhereKafkasProducerWould() {
        final Map<String, Object> configs = configs(6);
        try (PspfProducer<String, String> producer = new PspfProducer<>(configs, new StringSerializer(),
            new StringSerializer());
             PspfReader<String, String> reader = new PspfReader<>(configs, new StringDeserializer(),
                 new StringDeserializer())) {
            for (int i = 0; i < 200; i++) {
                final String key = "user-" + i;
                final RecordMetadata stored = producer.send(new ProducerRecord<>("signups", key, "v" + i));
                final int kafkas = BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), 6);
                assertEquals(kafkas, stored.partition(), key);
            }
            assertEquals(6, reader.partitions("signups"), "created with pspf.topic.partitions");
            long total = 0;
            for (int p = 0; p < 6; p++) {
                for (final ConsumerRecord<String, String> r : reader.read("signups", p, 0, 1000)) {
                    assertEquals(p, BuiltInPartitioner.partitionForKey(r.key().getBytes(StandardCharsets.UTF_8), 6));
                    assertEquals("v" + r.key().substring(5), r.value());
                    total++;
                }
            }
            assertEquals(200, total);
        }
    }

    @Test
    void shouldHonourAPartitionATimestampAndHeaders() {
        final Map<String, Object> configs = configs(3);
        try (PspfProducer<String, String> producer = new PspfProducer<>(configs, new StringSerializer(),
            new StringSerializer());
             PspfReader<String, String> reader = new PspfReader<>(configs, new StringDeserializer(),
                 new StringDeserializer())) {
            final RecordHeaders headers = new RecordHeaders();
            headers.add("source", "web".getBytes(StandardCharsets.UTF_8));
            final RecordMetadata stored = producer.send(new ProducerRecord<>("t", 2, 1234L, "k", "v", headers));
            assertEquals(2, stored.partition());
            assertEquals(0, stored.offset());
            assertEquals(1234L, stored.timestamp());
            final ConsumerRecord<String, String> read = reader.read("t", 2, 0, 10).get(0);
            assertEquals(1234L, read.timestamp());
            assertArrayEquals("web".getBytes(StandardCharsets.UTF_8), read.headers().lastHeader("source").value());
            assertEquals(1, read.serializedKeySize());
            final long before = System.currentTimeMillis();
            final RecordMetadata now = producer.send(new ProducerRecord<>("t", "k", null));
            assertTrue(now.timestamp() >= before, "no timestamp: the current time");
            assertEquals(-1, now.serializedValueSize());
            assertThrows(BackendException.class, () -> producer.send(new ProducerRecord<>("t", 3, "k", "v")));
        }
    }

    @Test
    void shouldSpreadRecordsWithoutKeysAndKeepOrderWithinAPartition() {
        final Map<String, Object> configs = configs(4);
        try (PspfProducer<String, String> producer = new PspfProducer<>(configs, new StringSerializer(),
            new StringSerializer());
             PspfReader<String, String> reader = new PspfReader<>(configs, new StringDeserializer(),
                 new StringDeserializer())) {
            final List<ProducerRecord<String, String>> batch = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                batch.add(new ProducerRecord<>("t", null, Integer.toString(i)));
            }
            final List<RecordMetadata> stored = producer.sendAll(batch);
            final Set<Integer> used = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                used.add(stored.get(i).partition());
                final ConsumerRecord<String, String> r = reader.read("t", stored.get(i).partition(), stored.get(i).offset(), 1).get(0);
                assertEquals(Integer.toString(i), r.value(), "metadata " + i + " points at its record");
            }
            assertEquals(Set.of(0, 1, 2, 3), used);
            for (int p = 0; p < 4; p++) {
                int last = -1;
                for (final ConsumerRecord<String, String> r : reader.read("t", p, 0, 100)) {
                    assertTrue(Integer.parseInt(r.value()) > last, "in order within partition " + p);
                    last = Integer.parseInt(r.value());
                }
            }
        }
    }

    @Test
    void shouldNameTheKeyOfABadSetting() {
        final ConfigException partitions = assertThrows(ConfigException.class, () -> new PspfProducer<>(
            Map.of("pspf.backend", "memory:", "pspf.topic.partitions", "zero"), new StringSerializer(),
            new StringSerializer()));
        assertTrue(partitions.getMessage().contains("pspf.topic.partitions"), partitions.getMessage());
        final ConfigException backend = assertThrows(ConfigException.class, () -> new PspfReader<>(
            Map.of("pspf.backend", "nosuch:x"), new StringDeserializer(), new StringDeserializer()));
        assertTrue(backend.getMessage().contains("pspf.backend"), backend.getMessage());
    }
}
