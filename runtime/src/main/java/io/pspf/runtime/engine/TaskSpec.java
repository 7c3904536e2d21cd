package io.pspf.runtime.engine;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.TaskId;

import io.pspf.runtime.graph.Subtopology;

/**
 * One task of the application: a sub-topology over one partition number, the input partitions it reads, and for
 * each of its stores that has one the partition it restores from (its changelog, or the source topic that serves as
 * it).
 */
final class TaskSpec implements Comparable<TaskSpec> {
    final TaskId id;
    final Subtopology subtopology;
    final List<TopicPartition> inputs;
    /** Store name -> the partition holding its changelog. */
    final Map<String, TopicPartition> changelogs;
    /** Store name -> the source partition serving as its changelog (restored up to the committed input offset). */
    final Map<String, TopicPartition> sourceChangelogs;

    TaskSpec(final TaskId id, final Subtopology subtopology, final List<TopicPartition> inputs,
             final Map<String, TopicPartition> changelogs, final Map<String, TopicPartition> sourceChangelogs) {
        this.id = id;
        this.subtopology = subtopology;
        this.inputs = List.copyOf(inputs);
        this.changelogs = Map.copyOf(changelogs);
        this.sourceChangelogs = Map.copyOf(sourceChangelogs);
    }

    @Override
    public int compareTo(final TaskSpec other) {
        return id.compareTo(other.id);
    }

    @Override
    public String toString() {
        return "TaskSpec(" + id + " " + inputs + ")";
    }
}
