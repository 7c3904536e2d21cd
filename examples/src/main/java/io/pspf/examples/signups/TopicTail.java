package io.pspf.examples.signups;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.pspf.client.PspfReader;

/**
 * Follows the end of a topic with a {@link PspfReader}: each {@link #poll()} returns the records appended since the
 * last one, partition by partition. Not thread-safe.
 */
final class TopicTail<K, V> {
    private final PspfReader<K, V> reader;
    private final String topic;
    private final Map<Integer, Long> positions = new HashMap<>();

    /** A tail that starts at the topic's current end (or its start, for partitions that do not exist yet). */
    TopicTail(final PspfReader<K, V> reader, final String topic) {
        this.reader = reader;
        this.topic = topic;
        for (int p = 0; p < Math.max(0, reader.partitions(topic)); p++) {
            positions.put(p, reader.endOffset(topic, p));
        }
    }

    /** The records appended since the last poll. */
    List<ConsumerRecord<K, V>> poll() {
        final List<ConsumerRecord<K, V>> records = new ArrayList<>();
        for (int p = 0; p < Math.max(0, reader.partitions(topic)); p++) {
            long position = positions.computeIfAbsent(p, partition -> reader.startOffset(topic, partition));
            while (true) {
                final List<ConsumerRecord<K, V>> batch = reader.read(topic, p, position, 500);
                if (batch.isEmpty()) {
                    break;
                }
                records.addAll(batch);
                position = batch.get(batch.size() - 1).offset() + 1;
            }
            positions.put(p, position);
        }
        return records;
    }

    /** The records the topic has ever had: the sum of its partitions' end offsets (0 when it does not exist). */
    static long total(final PspfReader<?, ?> reader, final String topic) {
        long total = 0;
        for (int p = 0; p < Math.max(0, reader.partitions(topic)); p++) {
            total += reader.endOffset(topic, p);
        }
        return total;
    }

    /** The newest record timestamp at the end of any partition of the topic, or -1 when it has no records. */
    static long lastTimestamp(final PspfReader<?, ?> reader, final String topic) {
        long last = -1;
        for (int p = 0; p < Math.max(0, reader.partitions(topic)); p++) {
            final long end = reader.endOffset(topic, p);
            if (end > reader.startOffset(topic, p)) {
                for (final ConsumerRecord<?, ?> record : reader.read(topic, p, end - 1, 1)) {
                    last = Math.max(last, record.timestamp());
                }
            }
        }
        return last;
    }
}
