package io.pspf.runtime.task;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Picks a task's next record: from the non-empty partition whose head record has the lowest timestamp, as
 * Kafka Streams does. Stream time is the largest timestamp taken so far.
 */
final class PartitionGroup {
    private final PriorityQueue<RecordQueue> nonEmpty =
        new PriorityQueue<>(Comparator.comparingLong(RecordQueue::headTimestamp));
    private long streamTime = RecordQueue.UNKNOWN;
    private int buffered;

    void add(final RecordQueue queue, final Iterable<io.pspf.runtime.backend.RawRecord> records) {
        final int before = queue.size();
        final int after = queue.add(records);
        if (before == 0 && after > 0) {
            nonEmpty.offer(queue);
        }
        buffered += after - before;
    }

    void add(final RecordQueue queue, final io.pspf.runtime.backend.RawRecord record) {
        final int before = queue.size();
        final int after = queue.add(record);
        if (before == 0 && after > 0) {
            nonEmpty.offer(queue);
        }
        buffered += after - before;
    }

    /** Takes the next record, or null; {@code from} receives the queue it came from. */
    StampedRecord next(final RecordQueue[] from) {
        final RecordQueue queue = nonEmpty.poll();
        if (queue == null) {
            return null;
        }
        final int before = queue.size();
        final StampedRecord record = queue.poll();
        buffered -= before - queue.size();
        if (!queue.isEmpty()) {
            nonEmpty.offer(queue);
        }
        if (record != null) {
            from[0] = queue;
            if (record.timestamp > streamTime) {
                streamTime = record.timestamp;
            }
        }
        return record;
    }

    long streamTime() {
        return streamTime;
    }

    /** How many partitions have records buffered. */
    int nonEmptyPartitions() {
        return nonEmpty.size();
    }

    boolean hasBuffered() {
        return buffered > 0;
    }

    int buffered() {
        return buffered;
    }

    void clear() {
        nonEmpty.clear();
        buffered = 0;
    }
}
