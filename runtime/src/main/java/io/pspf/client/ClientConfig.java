package io.pspf.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.config.ConfigException;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendProvider;

/** The settings the producer and the reader share: where topics live, and how many partitions a new topic gets. */
final class ClientConfig {
    /** Partitions of a topic a producer creates on first use; Kafka's broker default is 1. */
    static final String TOPIC_PARTITIONS_CONFIG = "pspf.topic.partitions";
    static final String DEFAULT_BACKEND = "log:./pspf-data";

    final Map<String, Object> configs;
    final int topicPartitions;

    ClientConfig(final Map<String, ?> configs) {
        this.configs = new HashMap<>(configs);
        final Object partitions = configs.get(TOPIC_PARTITIONS_CONFIG);
        if (partitions == null) {
            topicPartitions = 1;
        } else {
            int parsed;
            try {
                parsed = partitions instanceof Number ? ((Number) partitions).intValue()
                    : Integer.parseInt(partitions.toString().trim());
            } catch (final NumberFormatException e) {
                parsed = -1;
            }
            if (parsed < 1) {
                throw new ConfigException(TOPIC_PARTITIONS_CONFIG, partitions, "expected a positive whole number");
            }
            topicPartitions = parsed;
        }
    }

    static Map<String, Object> toMap(final Properties properties) {
        final Map<String, Object> map = new HashMap<>();
        for (final String name : properties.stringPropertyNames()) {
            map.put(name, properties.getProperty(name));
        }
        for (final Map.Entry<Object, Object> e : properties.entrySet()) {
            map.put(e.getKey().toString(), e.getValue());
        }
        return map;
    }

    /** Opens the backend {@code pspf.backend} names (the embedded file log by default). */
    Backend openBackend() {
        final Object uri = configs.getOrDefault(BackendProvider.BACKEND_CONFIG, DEFAULT_BACKEND);
        return BackendProvider.open(uri.toString(), configs);
    }
}
