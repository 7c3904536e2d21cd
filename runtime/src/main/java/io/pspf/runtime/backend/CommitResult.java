package io.pspf.runtime.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * The outcome of a commit: done, with where the unit's records went, or fenced (nothing written). A backend appends a
 * unit's records of one partition as one run, so where they went is, per partition, the offset the first got and the
 * offset after the last; the offset of each record follows from those on demand.
 */
public final class CommitResult {
    private static final CommitResult FENCED = new CommitResult(false, null, Map.of(), Map.of());
    private final boolean committed;
    private final CommitUnit unit;
    private final Map<TopicPartition, Long> firstOffsets;
    private final Map<TopicPartition, Long> nextOffsets;
    private List<Long> outputOffsets;

    private CommitResult(final boolean committed, final CommitUnit unit, final Map<TopicPartition, Long> firstOffsets,
                         final Map<TopicPartition, Long> nextOffsets) {
        this.committed = committed;
        this.unit = unit;
        this.firstOffsets = firstOffsets;
        this.nextOffsets = nextOffsets;
    }

    /**
     * A committed unit whose records of each partition got consecutive offsets from {@code firstOffsets}.
     *
     * @param unit         the unit committed
     * @param firstOffsets per partition written, the offset its first record of the unit got
     * @param nextOffsets  per partition written, the offset after its last record of the unit
     */
    public static CommitResult committed(final CommitUnit unit, final Map<TopicPartition, Long> firstOffsets,
                                         final Map<TopicPartition, Long> nextOffsets) {
        return new CommitResult(true, unit, Collections.unmodifiableMap(firstOffsets),
            Collections.unmodifiableMap(nextOffsets));
    }

    public static CommitResult fencedResult() {
        return FENCED;
    }

    public boolean isCommitted() {
        return committed;
    }

    public boolean fenced() {
        return !committed;
    }

    /** Per partition written, the offset after the unit's last record there. */
    public Map<TopicPartition, Long> nextOffsets() {
        return nextOffsets;
    }

    /** Per partition written, the offset of the unit's first record there. */
    public Map<TopicPartition, Long> firstOffsets() {
        return firstOffsets;
    }

    /** The offset each output record got, in unit order (worked out on the first call). */
    public synchronized List<Long> outputOffsets() {
        if (outputOffsets == null) {
            if (unit == null) {
                outputOffsets = List.of();
            } else {
                final List<Long> offsets = new ArrayList<>(unit.outputs().size());
                final Map<TopicPartition, long[]> next = new HashMap<>();
                String topic = null;
                int partition = -1;
                long[] counter = null;
                for (final CommitUnit.Output output : unit.outputs()) {
                    if (output.partition() != partition || !output.topic().equals(topic)) {
                        topic = output.topic();
                        partition = output.partition();
                        final TopicPartition tp = new TopicPartition(topic, partition);
                        counter = next.computeIfAbsent(tp, p -> new long[] {firstOffsets.get(p)});
                    }
                    offsets.add(counter[0]++);
                }
                outputOffsets = Collections.unmodifiableList(offsets);
            }
        }
        return outputOffsets;
    }

    @Override
    public String toString() {
        return committed ? "CommitResult(committed, " + nextOffsets + ")" : "CommitResult(fenced)";
    }
}
