package io.pspf.runtime.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.TopicPartition;

/**
 * What commits at once: output and changelog records (each for a given partition) and the group's new input
 * offsets, under the fencing epochs of the tasks that produced them. A stream thread commits all its tasks in one
 * unit, as Kafka Streams' exactly-once v2 commits them in one transaction; the unit is refused whole if any of its
 * tasks' epochs is no longer current. Built with {@link #builder(String, String, long)} and {@link Builder#task}.
 */
public final class CommitUnit {
    /** A record bound for one partition of one topic. */
    public static final class Output {
        private final String topic;
        private final int partition;
        private final RawRecord record;

        public Output(final String topic, final int partition, final RawRecord record) {
            this.topic = Objects.requireNonNull(topic, "topic");
            this.partition = partition;
            this.record = Objects.requireNonNull(record, "record");
        }

        public String topic() {
            return topic;
        }

        public int partition() {
            return partition;
        }

        public RawRecord record() {
            return record;
        }
    }

    private final String group;
    private final Map<String, Long> tasks;
    private final List<Output> outputs;
    private final Map<TopicPartition, Long> offsets;

    private CommitUnit(final Builder builder) {
        this.group = builder.group;
        this.tasks = Collections.unmodifiableMap(new LinkedHashMap<>(builder.tasks));
        // the builder's list is handed over, not copied: a builder builds one unit
        this.outputs = Collections.unmodifiableList(builder.outputs);
        this.offsets = Collections.unmodifiableMap(new LinkedHashMap<>(builder.offsets));
    }

    /** A unit of one task; add the others of the same commit with {@link Builder#task}. */
    public static Builder builder(final String group, final String taskId, final long epoch) {
        return new Builder(group).task(taskId, epoch);
    }

    /** A unit of no task yet: add them with {@link Builder#task}. */
    public static Builder builder(final String group) {
        return new Builder(group);
    }

    public String group() {
        return group;
    }

    /** The tasks committing, each with the epoch it fenced; in the order they were added. */
    public Map<String, Long> tasks() {
        return tasks;
    }

    public List<Output> outputs() {
        return outputs;
    }

    /** This unit's records per partition, in order of first appearance (see {@link #byPartition}). */
    public Map<TopicPartition, List<RawRecord>> recordsByPartition() {
        return byPartition(outputs);
    }

    /**
     * Records bound for partitions, grouped per partition in order of first appearance, each group in order. Outputs
     * come in runs for one partition, so the partition is looked up once a run.
     */
    public static Map<TopicPartition, List<RawRecord>> byPartition(final List<Output> outputs) {
        final Map<TopicPartition, List<RawRecord>> grouped = new LinkedHashMap<>();
        // a topic's groups by partition number: outputs of one topic often change partition from record to record
        final Map<String, List<List<RawRecord>>> byTopic = new HashMap<>();
        String topic = null;
        List<List<RawRecord>> topicRuns = null;
        for (final Output output : outputs) {
            if (!output.topic().equals(topic)) {
                topic = output.topic();
                topicRuns = byTopic.computeIfAbsent(topic, t -> new ArrayList<>());
            }
            final int partition = output.partition();
            while (topicRuns.size() <= partition) {
                topicRuns.add(null);
            }
            List<RawRecord> run = topicRuns.get(partition);
            if (run == null) {
                run = new ArrayList<>();
                topicRuns.set(partition, run);
                grouped.put(new TopicPartition(topic, partition), run);
            }
            run.add(output.record());
        }
        return grouped;
    }

    /** The next offset to read per input partition (the offset after the last processed record). */
    public Map<TopicPartition, Long> offsets() {
        return offsets;
    }

    /** Collects a unit; not thread-safe, and used for one unit only. */
    public static final class Builder {
        private final String group;
        private final Map<String, Long> tasks = new LinkedHashMap<>();
        private final List<Output> outputs = new ArrayList<>();
        private final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();

        private Builder(final String group) {
            this.group = Objects.requireNonNull(group, "group");
        }

        /** Adds a task to the unit, with the epoch it holds. */
        public Builder task(final String taskId, final long epoch) {
            tasks.put(Objects.requireNonNull(taskId, "taskId"), epoch);
            return this;
        }

        public Builder output(final String topic, final int partition, final RawRecord record) {
            outputs.add(new Output(topic, partition, record));
            return this;
        }

        /** Adds records already bound for their partitions, in order. */
        public Builder outputs(final List<Output> records) {
            outputs.addAll(records);
            return this;
        }

        public Builder offset(final TopicPartition partition, final long nextOffset) {
            if (nextOffset < 0) {
                throw new IllegalArgumentException("offset must not be negative: " + partition + "=" + nextOffset);
            }
            offsets.put(partition, nextOffset);
            return this;
        }

        public CommitUnit build() {
            if (tasks.isEmpty()) {
                throw new IllegalStateException("a commit unit needs at least one task");
            }
            return new CommitUnit(this);
        }
    }
}
