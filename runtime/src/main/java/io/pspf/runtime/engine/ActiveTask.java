package io.pspf.runtime.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.internals.AutoOffsetResetInternal;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;
import io.pspf.runtime.graph.NodeSpec;
import io.pspf.runtime.task.RecordSink;
import io.pspf.runtime.task.StreamTask;

/**
 * A task this process runs: the {@link StreamTask} plus what ties it to the backend. It owns the task's fencing
 * epoch, the read position of each input partition and the next offset of each changelog partition; what it
 * produces goes to its thread's {@link Outputs}. Used by one stream thread only; queries take its monitor.
 *
 * <p>Design note: its thread commits it in two steps ({@link StreamThreadRunner}). First the caches are flushed and
 * everything the thread's tasks produced (output, changelog and dead-letter records) goes to the backend in one
 * {@link CommitUnit} with their input offsets, which lands whole or not at all. Only then do persistent stores commit
 * their own writes, with the changelog offsets the unit gave them ({@link #committed}). A crash between the two
 * leaves a store behind its changelog, never ahead of it, and the restore replays the gap.
 */
final class ActiveTask implements RecordSink {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveTask.class);
    /** How often consumed records of repartition topics are deleted (Kafka's {@code repartition.purge.interval.ms}). */
    private static final long PURGE_INTERVAL_MS = 30_000L;

    final TaskSpec spec;
    final StreamTask task;
    private final Backend backend;
    private final EngineConfig config;
    private final long epoch;
    private final Map<TopicPartition, Long> fetchPositions = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> committedInputs = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> changelogEnds = new HashMap<>();
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    private final Map<String, int[]> roundRobin = new HashMap<>();
    private final Outputs produced;
    private long lastCommitMs;
    private long lastPurgeMs;
    private boolean restored;

    /**
     * What the tasks of one stream thread produced since the thread's last commit, in the order they produced it: the
     * thread commits them in one unit, so the order in every partition is processing order, as with Kafka's
     * exactly-once v2 producer (one per thread).
     */
    static final class Outputs {
        List<CommitUnit.Output> records = new ArrayList<>();
        /** A list given back once its records were sent, reused so that the list does not grow again each commit. */
        private List<CommitUnit.Output> spare;

        List<CommitUnit.Output> drain() {
            final List<CommitUnit.Output> drained = records;
            records = spare != null ? spare : new ArrayList<>(drained.size());
            spare = null;
            return drained;
        }

        /** Gives back a drained list whose records are no longer needed. */
        void recycle(final List<CommitUnit.Output> drained) {
            drained.clear();
            spare = drained;
        }

        int size() {
            return records.size();
        }
    }

    ActiveTask(final TaskSpec spec, final java.util.function.Function<RecordSink, StreamTask> taskFactory,
               final Backend backend, final EngineConfig config, final long epoch, final long nowMs,
               final Outputs outputs) {
        this.spec = spec;
        this.produced = outputs;
        this.task = taskFactory.apply(this);
        this.backend = backend;
        this.config = config;
        this.epoch = epoch;
        this.lastCommitMs = nowMs;
    }

    // ------------------------------------------------------------------------------------------------ sink

    @Override
    public int partitionsFor(final String topic) {
        if (topic == lastTopic) {
            return lastTopicPartitions;
        }
        final int count = lookUpPartitions(topic);
        lastTopic = topic;
        lastTopicPartitions = count;
        return count;
    }

    private String lastTopic;
    private int lastTopicPartitions;

    private int lookUpPartitions(final String topic) {
        Integer count = partitionCounts.get(topic);
        if (count == null) {
            int partitions = backend.partitions(topic);
            if (partitions <= 0) {
                // a topic named by a TopicNameExtractor: created on first use, as a broker with auto-creation would
                backend.createTopic(topic, config.topicPartitions);
                partitions = backend.partitions(topic);
            }
            count = partitions;
            partitionCounts.put(topic, count);
        }
        return count;
    }

    /** Set by a dirty close: what closing the stores flushes belongs to work that is being thrown away. */
    private boolean discarding;

    @Override
    public void send(final RawRecord record, final Integer partition) {
        if (discarding) {
            return;
        }
        final int target;
        if (partition != null && partition >= 0) {
            target = partition;
        } else if (record.key() != null) {
            target = StreamTask.defaultPartition(record.key(), partitionsFor(record.topic()));
        } else {
            final int[] next = roundRobin.computeIfAbsent(record.topic(), t -> new int[1]);
            target = next[0]++ % partitionsFor(record.topic());
        }
        produced.records.add(new CommitUnit.Output(record.topic(), target, record));
    }

    long epoch() {
        return epoch;
    }

    // ------------------------------------------------------------------------------------------------ positions

    /**
     * Sets each input's read position: the committed offset, else the source's (or the application's) reset policy.
     * A committed offset outside the partition's records (the topic was deleted and made anew, or the records were
     * removed) counts as none, as Kafka's consumer resets a position out of range by the policy, and the broker drops
     * the offsets of a deleted topic; not on a topic whose offsets have gaps ({@link
     * io.pspf.runtime.backend.Backend#consecutiveOffsets}), where the read goes on from the next record as before.
     */
    void initPositions() {
        // a backend may take the offsets it serves here as offsets records reach (the Valkey backend then trusts no
        // older empty answer below them): the restore of a store whose changelog is a source topic reads up to them
        // through this same backend, and must not stop short
        final Map<TopicPartition, Long> committed = backend.committedOffsets(config.applicationId, spec.inputs);
        for (final TopicPartition tp : spec.inputs) {
            Long offset = committed.get(tp);
            if (offset != null && backend.consecutiveOffsets(tp.topic())) {
                final long start = backend.logStartOffset(tp.topic(), tp.partition());
                final long end = backend.logEndOffset(tp.topic(), tp.partition());
                if (offset < start || offset > end) {
                    LOG.warn("Task {}: the committed offset {} of {} lies outside its records [{}, {}]; the position "
                        + "is reset by the offset reset policy", spec.id, offset, tp, start, end);
                    offset = null;
                }
            }
            final long position = offset != null ? offset : resetPosition(tp);
            fetchPositions.put(tp, position);
            if (offset != null) {
                committedInputs.put(tp, offset);
            }
        }
        // the task waits for an empty input until a read of it found nothing more (max.task.idle.ms, KIP-695)
        task.awaitInputs(spec.inputs, tp -> caughtUp.contains(tp) ? 0L : 1L);
    }

    /**
     * Inputs whose last read returned nothing: read to their end as far as this task knows (Kafka's consumer knows
     * a partition's lag from its fetches' high watermark; a read here that returns records says nothing of what
     * follows them, so the task learns of the end from the next read).
     */
    private final java.util.Set<TopicPartition> caughtUp = new java.util.HashSet<>();

    private long resetPosition(final TopicPartition tp) {
        final NodeSpec.Source source = spec.subtopology.sourceFor(tp.topic());
        String policy = config.autoOffsetReset;
        java.time.Duration byDuration = null;
        if (source != null && source.offsetReset() != null) {
            final AutoOffsetResetInternal reset = new AutoOffsetResetInternal(source.offsetReset());
            switch (reset.offsetResetStrategy()) {
                case EARLIEST:
                    policy = "earliest";
                    break;
                case LATEST:
                    policy = "latest";
                    break;
                case NONE:
                    policy = "none";
                    break;
                default:
                    policy = "by_duration";
                    byDuration = reset.duration();
            }
        }
        switch (policy) {
            case "latest":
                return backend.logEndOffset(tp.topic(), tp.partition());
            case "none":
                throw new org.apache.kafka.streams.errors.StreamsException("No committed offset for " + tp
                    + " and the offset reset policy is none");
            case "by_duration":
                return firstOffsetAtOrAfter(tp, System.currentTimeMillis() - byDuration.toMillis());
            default:
                return backend.logStartOffset(tp.topic(), tp.partition());
        }
    }

    private long firstOffsetAtOrAfter(final TopicPartition tp, final long timestamp) {
        long position = backend.logStartOffset(tp.topic(), tp.partition());
        while (true) {
            final List<RawRecord> records = backend.read(tp.topic(), tp.partition(), position, 10_000);
            if (records.isEmpty()) {
                return position;
            }
            for (final RawRecord record : records) {
                if (record.timestamp() >= timestamp) {
                    return record.offset();
                }
            }
            position = records.get(records.size() - 1).offset() + 1;
        }
    }

    /** Reads more input for partitions whose buffer has room; returns the number of records read. */
    int fetch() {
        int read = 0;
        for (final Map.Entry<TopicPartition, Long> e : fetchPositions.entrySet()) {
            final TopicPartition tp = e.getKey();
            if (!readsNow(tp)) {
                continue;
            }
            final List<RawRecord> records = backend.read(tp.topic(), tp.partition(), e.getValue(), config.maxPollRecords);
            if (records.isEmpty()) {
                caughtUp.add(tp);
            } else {
                caughtUp.remove(tp);
                task.addRecords(tp.topic(), tp.partition(), records);
                e.setValue(records.get(records.size() - 1).offset() + 1);
                read += records.size();
            }
        }
        return read;
    }

    /**
     * Whether the partition is read now: not while {@code buffered.records.per.partition} of its records wait, as
     * Kafka Streams pauses it (per partition, so that an empty one the task waits for is always read).
     */
    private boolean readsNow(final TopicPartition tp) {
        return task.bufferedRecords(tp) < config.bufferedRecordsPerPartition;
    }

    /**
     * Adds the positions this task reads its inputs from next (for a wait on new records); not those of partitions it
     * does not read now, whose records would end every wait at once.
     */
    void addFetchPositions(final Map<TopicPartition, Long> into) {
        for (final Map.Entry<TopicPartition, Long> e : fetchPositions.entrySet()) {
            if (readsNow(e.getKey())) {
                into.put(e.getKey(), e.getValue());
            }
        }
    }

    /** Records not read yet per input partition: the end offset minus the read position. */
    double lag(final TopicPartition tp) {
        final Long position = fetchPositions.get(tp);
        if (position == null) {
            return Double.NaN;
        }
        try {
            return Math.max(0, backend.logEndOffset(tp.topic(), tp.partition()) - position);
        } catch (final RuntimeException e) {
            return Double.NaN;
        }
    }

    Map<TopicPartition, Long> committedInputs() {
        return committedInputs;
    }

    Map<TopicPartition, Long> endOffsets() {
        final Map<TopicPartition, Long> ends = new LinkedHashMap<>();
        for (final TopicPartition tp : spec.inputs) {
            ends.put(tp, backend.logEndOffset(tp.topic(), tp.partition()));
        }
        return ends;
    }

    // ------------------------------------------------------------------------------------------------ restore

    /** The offsets in-memory stores carried over from a standby go on from (see {@link #restore}). */
    private Map<String, Long> carried = Map.of();

    boolean restored() {
        return restored;
    }

    /**
     * Brings every store with a changelog up to date: each store replays its changelog from the offset it last
     * committed (the log start when it has none) to the changelog's end; a store whose changelog is a source topic
     * replays up to the committed input offset. The restored stores then commit.
     *
     * @param carried for in-memory stores that took over a promoted standby's records: the changelog offset the
     *                standby had applied up to, from which they go on (ignored for stores that did not take them)
     */
    void restore(final StateRestoreListener listener, final Map<String, Long> carried) {
        this.carried = carried;
        final Map<String, Map<TopicPartition, Long>> storeOffsets = new HashMap<>();
        for (final Map.Entry<String, TopicPartition> e : spec.changelogs.entrySet()) {
            final long end = backend.logEndOffset(e.getValue().topic(), e.getValue().partition());
            final long position = restoreStore(e.getKey(), e.getValue(), end, listener);
            changelogEnds.put(e.getValue(), position);
            storeOffsets.put(e.getKey(), Map.of(e.getValue(), position));
        }
        for (final Map.Entry<String, TopicPartition> e : spec.sourceChangelogs.entrySet()) {
            final Long committed = committedInputs.get(e.getValue());
            final long end = committed == null ? backend.logStartOffset(e.getValue().topic(), e.getValue().partition()) : committed;
            final long position = restoreStore(e.getKey(), e.getValue(), end, listener);
            storeOffsets.put(e.getKey(), Map.of(e.getValue(), position));
        }
        task.commitPersistentStores(storeOffsets);
        restored = true;
    }

    private long restoreStore(final String storeName, final TopicPartition tp, final long end,
                              final StateRestoreListener listener) {
        final StateStore store = task.stores().get(storeName);
        final long logStart = backend.logStartOffset(tp.topic(), tp.partition());
        Long committed = store == null ? null : store.committedOffset(tp);
        if (committed == null && task.carriedOver(storeName)) {
            committed = carried.get(storeName);
        }
        if (committed != null && (committed > end || committed < logStart) && backend.consecutiveOffsets(tp.topic())) {
            // the store reflects changelog records the log does not hold (recreated or cut), or misses records the
            // log no longer holds: as Kafka's TaskCorruptedException, its state is wiped and restored from scratch
            throw new CorruptedState("Store " + storeName + " of task " + spec.id + " committed changelog offset "
                + committed + ", outside " + tp + "'s range [" + logStart + ", " + end + "]");
        }
        long position = committed == null ? logStart : Math.max(committed, logStart);
        if (position >= end || store == null || !task.restorable(storeName)) {
            return Math.max(position, end);
        }
        listener.onRestoreStart(tp, storeName, position, end);
        long total = 0;
        while (position < end) {
            final List<RawRecord> records = backend.read(tp.topic(), tp.partition(), position,
                (int) Math.min(10_000, end - position));
            if (records.isEmpty()) {
                break;
            }
            final List<RawRecord> batch = new ArrayList<>(records.size());
            for (final RawRecord record : records) {
                if (record.offset() < end) {
                    batch.add(record);
                }
            }
            task.restore(storeName, batch);
            position = records.get(records.size() - 1).offset() + 1;
            total += batch.size();
            listener.onBatchRestored(tp, storeName, position - 1, batch.size());
        }
        listener.onRestoreEnd(tp, storeName, total);
        LOG.debug("Restored {} records of store {} of task {} from {}", total, storeName, spec.id, tp);
        return Math.max(position, end);
    }

    // ------------------------------------------------------------------------------------------------ commit

    /** Whether the task asks for a commit: it requested one, or its interval passed with work done since the last. */
    boolean wantsCommit(final long nowMs) {
        return task.commitRequested() || (nowMs - lastCommitMs >= config.commitIntervalMs && task.commitNeeded());
    }

    /** The first half of a commit: caches flush into the thread's outputs; returns the input offsets to commit. */
    Map<TopicPartition, Long> prepareCommit() {
        return task.prepareBackendCommit();
    }

    /** Whether {@code offsets} moves any input past what is committed. */
    boolean advances(final Map<TopicPartition, Long> offsets) {
        for (final Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            if (!e.getValue().equals(committedInputs.get(e.getKey()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The second half, once the backend took the unit (or there was nothing to send): notes the new changelog ends and
     * input offsets, and commits the persistent stores with the changelog offsets their writes reflect.
     *
     * @param outputEnds the next offset of every partition the unit wrote to
     */
    void committed(final Map<TopicPartition, Long> outputEnds, final Map<TopicPartition, Long> offsets, final long nowMs) {
        for (final TopicPartition changelog : spec.changelogs.values()) {
            final Long end = outputEnds.get(changelog);
            if (end != null) {
                changelogEnds.put(changelog, Math.max(changelogEnds.get(changelog), end));
            }
        }
        if (advances(offsets)) {
            committedInputs.putAll(offsets);
            if (nowMs - lastPurgeMs >= PURGE_INTERVAL_MS) {
                purgeRepartitionInputs(offsets);
                lastPurgeMs = nowMs;
            }
        }
        final Map<String, Map<TopicPartition, Long>> storeOffsets = new HashMap<>();
        for (final Map.Entry<String, TopicPartition> e : spec.changelogs.entrySet()) {
            storeOffsets.put(e.getKey(), Map.of(e.getValue(), changelogEnds.get(e.getValue())));
        }
        for (final Map.Entry<String, TopicPartition> e : spec.sourceChangelogs.entrySet()) {
            final Long committed = committedInputs.get(e.getValue());
            if (committed != null) {
                storeOffsets.put(e.getKey(), Map.of(e.getValue(), committed));
            }
        }
        task.commitPersistentStores(storeOffsets);
    }

    /**
     * The unit holding what the task did so far is on its way (or there was nothing to send): what it does from now
     * on goes into the next one. Before {@link #committed}, which may come later.
     */
    void sent(final long nowMs) {
        task.postCommit();
        lastCommitMs = nowMs;
    }

    /** Whether the task keeps state stores (it waits while a commit is in flight; see StreamThreadRunner). */
    boolean hasStores() {
        return !task.stores().isEmpty();
    }

    /** As Kafka Streams does, records of repartition topics are deleted once they are committed as consumed. */
    private void purgeRepartitionInputs(final Map<TopicPartition, Long> offsets) {
        for (final Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            if (spec.subtopology.repartitionSourceTopics().contains(e.getKey().topic())) {
                backend.deleteRecordsBefore(e.getKey().topic(), e.getKey().partition(), e.getValue());
            }
        }
    }

    /** A task whose stores cannot be restored from where they are: their state must be wiped. */
    static final class CorruptedState extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptedState(final String message) {
            super(message);
        }
    }

    /** Closes the task; the thread committed it just before. */
    void close() {
        task.close();
        closedClean = true;
    }

    private boolean closedClean;

    /**
     * After a clean close, the sum of the changelog offsets the task's stores reflect (what the instance reports to the
     * group's leader); -1 after a dirty close, or when a store with a changelog is not persistent (its state is gone).
     */
    long closedOffsetSum() {
        if (!closedClean || !restored) {
            return -1;
        }
        long sum = 0;
        for (final Map.Entry<String, TopicPartition> e : spec.changelogs.entrySet()) {
            final StateStore store = task.stores().get(e.getKey());
            final Long end = changelogEnds.get(e.getValue());
            if (store == null || !store.persistent() || end == null) {
                return -1;
            }
            sum += end;
        }
        // a store whose changelog is a source topic reflects it up to the committed input offset
        for (final Map.Entry<String, TopicPartition> e : spec.sourceChangelogs.entrySet()) {
            final StateStore store = task.stores().get(e.getKey());
            if (store == null || !store.persistent()) {
                return -1;
            }
            final Long committed = committedInputs.get(e.getValue());
            sum += committed == null ? 0 : committed;
        }
        return sum;
    }

    /** Closes without committing: what the task did since its last commit is dropped (the backend never saw it). */
    void closeDirty() {
        discarding = true;
        try {
            task.close();
        } catch (final RuntimeException e) {
            LOG.warn("Ignoring a failure while closing task {} uncleanly", spec.id, e);
        }
    }
}
