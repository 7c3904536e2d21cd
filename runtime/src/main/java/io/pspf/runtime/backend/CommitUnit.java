package io.pspf.runtime.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.TopicPartition;

/**
 * What one task commits at once: output and changelog records (each for a given partition) and the group's new
 * input offsets, under the task's fencing epoch. Built with {@link #builder(String, String, long)}.
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
    private final String taskId;
    private final long epoch;
    private final List<Output> outputs;
    private final Map<TopicPartition, Long> offsets;

    private CommitUnit(final Builder builder) {
        this.group = builder.group;
        this.taskId = builder.taskId;
        this.epoch = builder.epoch;
        this.outputs = Collections.unmodifiableList(new ArrayList<>(builder.outputs));
        this.offsets = Collections.unmodifiableMap(new LinkedHashMap<>(builder.offsets));
    }

    public static Builder builder(final String group, final String taskId, final long epoch) {
        return new Builder(group, taskId, epoch);
    }

    public String group() {
        return group;
    }

    public String taskId() {
        return taskId;
    }

    public long epoch() {
        return epoch;
    }

    public List<Output> outputs() {
        return outputs;
    }

    /** The next offset to read per input partition (the offset after the last processed record). */
    public Map<TopicPartition, Long> offsets() {
        return offsets;
    }

    /** Collects a unit; not thread-safe. */
    public static final class Builder {
        private final String group;
        private final String taskId;
        private final long epoch;
        private final List<Output> outputs = new ArrayList<>();
        private final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();

        private Builder(final String group, final String taskId, final long epoch) {
            this.group = Objects.requireNonNull(group, "group");
            this.taskId = Objects.requireNonNull(taskId, "taskId");
            this.epoch = epoch;
        }

        public Builder output(final String topic, final int partition, final RawRecord record) {
            outputs.add(new Output(topic, partition, record));
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
            return new CommitUnit(this);
        }
    }
}
