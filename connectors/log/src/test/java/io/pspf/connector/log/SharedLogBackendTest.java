package io.pspf.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pspf.runtime.backend.CommitResult;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/** Two users of one log directory: the holder serves the other, and the other takes over when the holder leaves. */
class SharedLogBackendTest {
    @TempDir
    Path dir;

    private static List<RawRecord> records(final String topic, final int from, final int count) {
        final List<RawRecord> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(new RawRecord(topic, 0, -1, 1000L + i, ("k" + i).getBytes(), ("v" + i).getBytes(), new RecordHeaders()));
        }
        return records;
    }

    @Test
    void theSecondUserSeesAndWritesThroughTheHolderThenTakesOver() {
        final SharedLogBackend holder = new SharedLogBackend(dir, Map.of());
        final SharedLogBackend other = new SharedLogBackend(dir, Map.of());
        assertTrue(holder.holdsDirectory());
        assertFalse(other.holdsDirectory());
        holder.createTopic("t", 1);
        holder.append("t", 0, records("t", 0, 3));
        assertEquals(3, other.logEndOffset("t", 0));
        assertEquals(3, other.append("t", 0, records("t", 3, 2)));
        final long epoch = other.fence("app", "0_0");
        final CommitResult result = other.commit(CommitUnit.builder("app", "0_0", epoch)
            .output("t", 0, records("t", 5, 1).get(0)).offset(new TopicPartition("in", 0), 7L).build());
        assertEquals(List.of(5L), result.outputOffsets());
        assertEquals(6, holder.logEndOffset("t", 0));
        assertEquals(Map.of(new TopicPartition("in", 0), 7L), holder.committedOffsets("app", List.of(new TopicPartition("in", 0))));
        assertThrows(ConfigException.class, () -> other.createTopic("c", 1, Map.of("cleanup.policy", "shred")));

        holder.close();
        // the next call finds the holder gone and takes the directory over, recovering it
        assertEquals(6, other.logEndOffset("t", 0));
        assertTrue(other.holdsDirectory());
        assertEquals("v5", new String(other.read("t", 0, 5, 10).get(0).value()));
        assertEquals(Map.of(new TopicPartition("in", 0), 7L), other.committedOffsets("app", List.of(new TopicPartition("in", 0))));
        assertTrue(other.commit(CommitUnit.builder("app", "0_0", epoch).build()).isCommitted(), "the epoch survived");
        other.close();
    }

    @Test
    void aThirdUserFindsTheNewHolder() {
        final SharedLogBackend first = new SharedLogBackend(dir, Map.of());
        final SharedLogBackend second = new SharedLogBackend(dir, Map.of());
        final SharedLogBackend third = new SharedLogBackend(dir, Map.of());
        first.createTopic("t", 2);
        first.close();
        assertEquals(2, second.partitions("t"));
        assertTrue(second.holdsDirectory());
        assertEquals(2, third.partitions("t"));
        assertFalse(third.holdsDirectory(), "the third reaches the second, which took over first");
        second.close();
        third.close();
    }
}
