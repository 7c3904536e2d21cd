package io.pspf.runtime.backend;

import java.util.Collections;
import java.util.List;

/** The outcome of a commit: done (with the offsets the outputs got, in unit order) or fenced (nothing written). */
public final class CommitResult {
    private static final CommitResult FENCED = new CommitResult(false, List.of());
    private final boolean committed;
    private final List<Long> outputOffsets;

    private CommitResult(final boolean committed, final List<Long> outputOffsets) {
        this.committed = committed;
        this.outputOffsets = outputOffsets;
    }

    public static CommitResult committed(final List<Long> outputOffsets) {
        return new CommitResult(true, Collections.unmodifiableList(outputOffsets));
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

    public List<Long> outputOffsets() {
        return outputOffsets;
    }

    @Override
    public String toString() {
        return committed ? "CommitResult(committed, " + outputOffsets.size() + " records)" : "CommitResult(fenced)";
    }
}
