package io.pspf.runtime.task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.streams.processor.api.Record;

/** A node of a task's processor graph, built from its spec once per task. */
abstract class TaskNode {
    final String name;
    final List<TaskNode> children = new ArrayList<>();
    final Map<String, TaskNode> childByName = new HashMap<>();

    TaskNode(final String name) {
        this.name = name;
    }

    void addChild(final TaskNode child) {
        children.add(child);
        childByName.put(child.name, child);
    }

    abstract void init(ProcessorContextImpl context);

    abstract void process(Record<Object, Object> record);

    abstract void close();

    Set<String> stores() {
        return Set.of();
    }

    boolean isTerminal() {
        return children.isEmpty();
    }
}
