package io.pspf.runtime.backend;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

/**
 * Where topics live. A backend offers named topics with a fixed number of partitions; a record in a partition has
 * a 64-bit offset that only grows. Consumers remember their position per group as committed offsets.
 *
 * <p>Design note: the one operation that must be atomic is {@link #commit(CommitUnit)}: a task's output records,
 * its changelog records and its new input offsets become visible together or not at all, and only while the
 * task's fencing epoch is current. Everything exactly-once rests on that; the rest of the SPI is plain log access.
 *
 * <p>Implementations are thread-safe. Offsets are dense from the log start (the first record of a new partition
 * has offset 0), except in a topic created with {@code cleanup.policy=compact}, where compaction leaves gaps as in
 * Kafka.
 */
public interface Backend extends AutoCloseable {

    /**
     * Creates a topic with {@code partitions} partitions, or does nothing if it exists with that many.
     *
     * @throws BackendException if the topic exists with another partition count, or {@code partitions < 1}
     */
    void createTopic(String topic, int partitions);

    /**
     * Creates a topic with per-topic settings under Kafka's topic-config names (for example
     * {@code cleanup.policy=compact} for a changelog), or does nothing if it exists with that many partitions.
     * A backend applies the settings it has a meaning for; this default ignores them.
     *
     * @throws BackendException as {@link #createTopic(String, int)}, or when a setting's value is bad
     */
    default void createTopic(final String topic, final int partitions, final Map<String, String> configs) {
        createTopic(topic, partitions);
    }

    /** The partition count of {@code topic}, or -1 when it does not exist. */
    int partitions(String topic);

    /** The names of all topics. */
    Set<String> topics();

    /** Deletes a topic and its records; does nothing if it does not exist. */
    void deleteTopic(String topic);

    /**
     * Appends records to one partition outside any commit unit (a plain producer write), returning the offset
     * given to the first of them.
     *
     * @throws BackendException if the topic or partition does not exist
     */
    long append(String topic, int partition, List<RawRecord> records);

    /**
     * Appends to several partitions outside any commit unit, as {@link #append} does for each (not atomically: a
     * failure may leave some appended). A backend on the network sends them together.
     *
     * @return per partition appended, the offset its first record got
     * @throws BackendException as {@link #append}
     */
    default Map<TopicPartition, Long> appendAll(final Map<TopicPartition, List<RawRecord>> batches) {
        final Map<TopicPartition, Long> firsts = new java.util.LinkedHashMap<>();
        for (final Map.Entry<TopicPartition, List<RawRecord>> e : batches.entrySet()) {
            firsts.put(e.getKey(), append(e.getKey().topic(), e.getKey().partition(), e.getValue()));
        }
        return firsts;
    }

    /**
     * {@link #appendAll} without waiting: the returned future completes with the same result once the backend has
     * the records, or exceptionally with the same failure. Appends started one after another by one caller are
     * applied in that order; one that fails may be followed by later ones that were applied. This default appends at
     * once.
     */
    default java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> appendAllAsync(
        final Map<TopicPartition, List<RawRecord>> batches) {
        try {
            return java.util.concurrent.CompletableFuture.completedFuture(appendAll(batches));
        } catch (final RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Reads at most {@code maxRecords} visible records of a partition, starting at {@code offset} (or at the log
     * start if that is later). Returns an empty list at the end of the log, and at least one record otherwise; like
     * a consumer's poll, it may return fewer than {@code maxRecords} while more follow (a backend returns what it
     * fetched ahead rather than wait for the rest), so callers read on from after the last record returned.
     *
     * @throws BackendException if the topic or partition does not exist
     */
    List<RawRecord> read(String topic, int partition, long offset, int maxRecords);

    /**
     * Waits until one of the partitions holds a record at or after its position, or {@code timeoutMs} passed, as a
     * consumer's poll waits for data: a reader with nothing to do asks here rather than reading in a loop. Returns
     * whether records may be there (the caller reads to find out; a backend may also return early, and a wait may end
     * early when the calling thread is unparked). This default waits the whole time; a backend that can be told of
     * new records (a blocking read) returns as soon as they come.
     */
    default boolean awaitRecords(final Map<TopicPartition, Long> positions, final long timeoutMs) {
        java.util.concurrent.locks.LockSupport.parkNanos(this, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
            Math.max(0, timeoutMs)));
        return true;
    }

    /** The offset of the first record still kept in the partition. */
    long logStartOffset(String topic, int partition);

    /**
     * Whether a topic's records have consecutive offsets, as Kafka's do, so that a committed offset below the log
     * start or past the end is out of range. A topic whose offsets have gaps (a Valkey plain topic, numbered by entry
     * IDs) answers false: an offset in a gap below the first entry kept is no sign of records lost.
     */
    default boolean consecutiveOffsets(final String topic) {
        return true;
    }

    /** The offset the next record appended to the partition will get. */
    long logEndOffset(String topic, int partition);

    /** Deletes the records of a partition below {@code offset} (retention, or Kafka's delete-records). */
    void deleteRecordsBefore(String topic, int partition, long offset);

    /** The committed offsets of {@code group} for the given partitions; partitions without one are absent. */
    Map<TopicPartition, Long> committedOffsets(String group, Collection<TopicPartition> partitions);

    /**
     * Makes the caller the owner of a task: increments and returns the task's epoch. Commit units carrying an
     * older epoch are refused from now on.
     */
    long fence(String group, String taskId);

    /**
     * Commits one unit atomically: checks the epoch, then appends every record and stores every offset, or does
     * none of it.
     *
     * @return the outcome; {@link CommitResult#fenced()} when the epoch is no longer current
     */
    CommitResult commit(CommitUnit unit);

    /**
     * Makes every unit the group committed visible in the partitions it wrote. Backends whose commit lands in one
     * step (all but Valkey Cluster) have nothing to do. The engine calls it before a task restores its state, so that
     * no committed changelog record is missing then.
     */
    default void settle(final String group) {
    }

    /**
     * Joins the group of instances of an application that share this backend's tasks. Backends whose topics only one
     * process uses give {@link GroupMembership#solo}.
     *
     * @param group    the application id
     * @param memberId this instance's id, unique among the group's instances
     */
    default GroupMembership join(final String group, final String memberId) {
        return GroupMembership.solo(memberId);
    }

    @Override
    void close();
}
