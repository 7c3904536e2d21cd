package io.pspf.connector.log;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * The process {@link LogCrashTest} kills: it resumes from the committed input offset and commits unit after unit
 * until {@code target}, each unit holding the outputs of "input record" {@code i} and the offset {@code i}, printing
 * {@code ACK i} once the commit returned.
 *
 * <p>Arguments: the log directory, the target, the fsync level.
 */
public final class CommitChild {
    static final TopicPartition INPUT = new TopicPartition("in", 0);

    private CommitChild() {
    }

    /** The outputs of input record {@code i}: {@code 1 + i % 3} records, spread over the three partitions. */
    static void outputs(final long i, final CommitUnit.Builder unit) {
        for (int j = 0; j <= i % 3; j++) {
            unit.output("out", (int) ((i + j) % 3), new RawRecord(null, -1, -1L, i,
                ("k" + i).getBytes(StandardCharsets.UTF_8), (i + ":" + j).getBytes(StandardCharsets.UTF_8), null));
        }
    }

    public static void main(final String[] args) {
        final Path dir = Path.of(args[0]);
        final long target = Long.parseLong(args[1]);
        try (LogBackend backend = LogBackend.open(dir, Map.of("pspf.log.fsync", args[2]))) {
            backend.createTopic("out", 3);
            final long epoch = backend.fence("app", "0_0");
            long i = backend.committedOffsets("app", List.of(INPUT)).getOrDefault(INPUT, 0L);
            System.out.println("READY " + i);
            System.out.flush();
            while (i < target) {
                i++;
                final CommitUnit.Builder unit = CommitUnit.builder("app", "0_0", epoch);
                outputs(i, unit);
                if (!backend.commit(unit.offset(INPUT, i).build()).isCommitted()) {
                    throw new IllegalStateException("fenced");
                }
                System.out.println("ACK " + i);
                System.out.flush();
            }
        }
        System.out.println("DONE");
    }
}
