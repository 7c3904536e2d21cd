package io.pspf.runtime.task;

import java.util.ArrayDeque;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.RawRecord;

/**
 * The buffered records of one input partition of a task. As in Kafka Streams, only the head record is
 * deserialized and stamped: a record that fails deserialization (and is skipped by the handler) or gets a
 * negative timestamp is dropped when it reaches the head, and counted. The partition time is the largest
 * timestamp of the records taken from this queue.
 */
final class RecordQueue {
    static final long UNKNOWN = -1L;
    private static final Logger LOG = LoggerFactory.getLogger(RecordQueue.class);

    private final String topic;
    private final int partition;
    private final org.apache.kafka.common.TopicPartition topicPartition;
    private final SourceNode source;
    private final TimestampExtractor extractor;
    private final StreamTask task;
    private final ArrayDeque<RawRecord> fifo = new ArrayDeque<>();
    private StampedRecord head;
    private long partitionTime = UNKNOWN;
    private long consumedOffset = -1L;

    RecordQueue(final String topic, final int partition, final SourceNode source, final TimestampExtractor extractor,
                final StreamTask task) {
        this.topic = topic;
        this.partition = partition;
        this.topicPartition = new org.apache.kafka.common.TopicPartition(topic, partition);
        this.source = source;
        this.extractor = extractor;
        this.task = task;
    }

    String topic() {
        return topic;
    }

    int partition() {
        return partition;
    }

    org.apache.kafka.common.TopicPartition topicPartition() {
        return topicPartition;
    }

    /** Notes that the record at {@code offset} was processed. */
    void consumed(final long offset) {
        if (offset > consumedOffset) {
            consumedOffset = offset;
        }
    }

    /**
     * The offset of the last record taken from this queue, processed or skipped, or -1. Skipped records count once
     * nothing unprocessed precedes them, so that a partition ending in records the handlers skip still commits
     * past them.
     */
    long consumedOffset() {
        return consumedOffset;
    }

    SourceNode source() {
        return source;
    }

    int add(final Iterable<RawRecord> records) {
        for (final RawRecord record : records) {
            fifo.addLast(record);
        }
        if (head == null) {
            updateHead();
        }
        return size();
    }

    int add(final RawRecord record) {
        fifo.addLast(record);
        if (head == null) {
            updateHead();
        }
        return size();
    }

    StampedRecord poll() {
        final StampedRecord taken = head;
        head = null;
        if (taken != null) {
            partitionTime = Math.max(partitionTime, taken.timestamp);
        }
        updateHead();
        return taken;
    }

    boolean isEmpty() {
        return head == null && fifo.isEmpty();
    }

    int size() {
        return fifo.size() + (head == null ? 0 : 1);
    }

    long headTimestamp() {
        return head == null ? UNKNOWN : head.timestamp;
    }

    long partitionTime() {
        return partitionTime;
    }

    void clear() {
        fifo.clear();
        head = null;
        partitionTime = UNKNOWN;
    }

    private void updateHead() {
        while (head == null && !fifo.isEmpty()) {
            final RawRecord raw = fifo.pollFirst();
            final Object[] keyValue = task.deserialize(source, raw);
            if (keyValue == null) {
                if (fifo.isEmpty()) {
                    consumed(raw.offset());
                }
                continue;
            }
            final ConsumerRecord<Object, Object> forExtraction = new ConsumerRecord<>(raw.topic(), raw.partition(),
                raw.offset(), raw.timestamp(), TimestampType.CREATE_TIME,
                raw.key() == null ? ConsumerRecord.NULL_SIZE : raw.key().length,
                raw.value() == null ? ConsumerRecord.NULL_SIZE : raw.value().length,
                keyValue[0], keyValue[1], raw.headers(), java.util.Optional.empty());
            final long timestamp;
            try {
                timestamp = extractor.extract(forExtraction, partitionTime);
            } catch (final org.apache.kafka.streams.errors.StreamsException e) {
                throw e;
            } catch (final RuntimeException e) {
                throw task.fatal("Fatal user code error in TimestampExtractor callback for record " + forExtraction + ".", e);
            }
            if (timestamp < 0) {
                LOG.warn("Skipping record due to negative extracted timestamp. topic=[{}] partition=[{}] offset=[{}] "
                        + "extractedTimestamp=[{}] extractor=[{}]", raw.topic(), raw.partition(), raw.offset(),
                    timestamp, extractor.getClass().getCanonicalName());
                task.recordDropped();
                if (fifo.isEmpty()) {
                    consumed(raw.offset());
                }
                continue;
            }
            head = new StampedRecord(raw, keyValue[0], keyValue[1], timestamp);
        }
    }
}
