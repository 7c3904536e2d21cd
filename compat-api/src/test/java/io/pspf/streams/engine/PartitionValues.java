package io.pspf.streams.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;

import io.pspf.client.PspfReader;

/** The values partition 0 of a topic holds, read through a {@link PspfReader}: for tests' checks of output. */
final class PartitionValues {
    private PartitionValues() {
    }

    /** The values in offset order; none when the topic does not exist yet. */
    static <V> List<V> of(final Map<String, Object> clientConfig, final String topic, final Deserializer<V> values) {
        final List<V> all = new ArrayList<>();
        try (PspfReader<String, V> reader = new PspfReader<>(clientConfig, Serdes.String().deserializer(), values)) {
            if (reader.partitions(topic) <= 0) {
                return all;
            }
            long offset = 0;
            List<ConsumerRecord<String, V>> page;
            while (!(page = reader.read(topic, 0, offset, 10_000)).isEmpty()) {
                for (final ConsumerRecord<String, V> record : page) {
                    all.add(record.value());
                    offset = record.offset() + 1;
                }
            }
        }
        return all;
    }
}
