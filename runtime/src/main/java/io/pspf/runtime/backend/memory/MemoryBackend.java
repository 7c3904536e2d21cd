package io.pspf.runtime.backend.memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.common.TopicPartition;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.CommitResult;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * Topics in memory, for tests and the in-process driver. One lock guards everything, which makes a commit unit
 * trivially atomic: a reader sees all of it or none of it. Nothing survives the JVM.
 */
public final class MemoryBackend implements Backend {
    private final Object lock = new Object();
    private final Map<String, List<Partition>> topics = new HashMap<>();
    private final Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
    private final Map<String, Long> epochs = new HashMap<>();
    /** Per group: the live members, and per task the member holding its lease. */
    private final Map<String, java.util.Set<String>> members = new HashMap<>();
    private final Map<String, Map<String, String>> leases = new HashMap<>();
    private final Map<String, Long> shutdownRequests = new HashMap<>();
    /** Per group: each live member's last report, and the assignment the group follows. */
    private final Map<String, Map<String, String>> reports = new HashMap<>();
    private final Map<String, io.pspf.runtime.backend.GroupMembership.Versioned> assignments = new HashMap<>();
    private boolean closed;

    /** One partition: the records kept, and the offset of the first of them. */
    private static final class Partition {
        final List<RawRecord> records = new ArrayList<>();
        long startOffset;

        long endOffset() {
            return startOffset + records.size();
        }
    }

    @Override
    public void createTopic(final String topic, final int partitions) {
        if (partitions < 1) {
            throw new BackendException("Topic " + topic + " needs at least one partition, not " + partitions);
        }
        synchronized (lock) {
            checkOpen();
            final List<Partition> existing = topics.get(topic);
            if (existing != null) {
                if (existing.size() != partitions) {
                    throw new BackendException("Topic " + topic + " exists with " + existing.size()
                        + " partitions, not " + partitions);
                }
                return;
            }
            final List<Partition> list = new ArrayList<>(partitions);
            for (int i = 0; i < partitions; i++) {
                list.add(new Partition());
            }
            topics.put(topic, list);
        }
    }

    @Override
    public int partitions(final String topic) {
        synchronized (lock) {
            final List<Partition> list = topics.get(topic);
            return list == null ? -1 : list.size();
        }
    }

    @Override
    public Set<String> topics() {
        synchronized (lock) {
            return new TreeSet<>(topics.keySet());
        }
    }

    @Override
    public void deleteTopic(final String topic) {
        synchronized (lock) {
            topics.remove(topic);
        }
    }

    private Partition partition(final String topic, final int partition) {
        checkOpen();
        final List<Partition> list = topics.get(topic);
        if (list == null) {
            throw new BackendException("Unknown topic " + topic);
        }
        if (partition < 0 || partition >= list.size()) {
            throw new BackendException("Topic " + topic + " has no partition " + partition + " (it has " + list.size() + ")");
        }
        return list.get(partition);
    }

    @Override
    public long append(final String topic, final int partition, final List<RawRecord> records) {
        synchronized (lock) {
            final Partition p = partition(topic, partition);
            final long base = p.endOffset();
            for (final RawRecord record : records) {
                p.records.add(record.at(partition, p.endOffset()));
            }
            return base;
        }
    }

    @Override
    public List<RawRecord> read(final String topic, final int partition, final long offset, final int maxRecords) {
        synchronized (lock) {
            final Partition p = partition(topic, partition);
            final long from = Math.max(offset, p.startOffset);
            final List<RawRecord> result = new ArrayList<>();
            for (long o = from; o < p.endOffset() && result.size() < maxRecords; o++) {
                result.add(p.records.get((int) (o - p.startOffset)));
            }
            return result;
        }
    }

    @Override
    public long logStartOffset(final String topic, final int partition) {
        synchronized (lock) {
            return partition(topic, partition).startOffset;
        }
    }

    @Override
    public long logEndOffset(final String topic, final int partition) {
        synchronized (lock) {
            return partition(topic, partition).endOffset();
        }
    }

    @Override
    public void deleteRecordsBefore(final String topic, final int partition, final long offset) {
        synchronized (lock) {
            final Partition p = partition(topic, partition);
            final long upTo = Math.min(offset, p.endOffset());
            if (upTo > p.startOffset) {
                p.records.subList(0, (int) (upTo - p.startOffset)).clear();
                p.startOffset = upTo;
            }
        }
    }

    @Override
    public Map<TopicPartition, Long> committedOffsets(final String group, final Collection<TopicPartition> partitions) {
        synchronized (lock) {
            final Map<TopicPartition, Long> groupOffsets = committed.getOrDefault(group, Map.of());
            final Map<TopicPartition, Long> result = new LinkedHashMap<>();
            for (final TopicPartition tp : partitions) {
                final Long offset = groupOffsets.get(tp);
                if (offset != null) {
                    result.put(tp, offset);
                }
            }
            return result;
        }
    }

    @Override
    public long fence(final String group, final String taskId) {
        synchronized (lock) {
            checkOpen();
            return epochs.merge(group + "/" + taskId, 1L, Long::sum);
        }
    }

    @Override
    public CommitResult commit(final CommitUnit unit) {
        synchronized (lock) {
            checkOpen();
            if (!unit.tasks().entrySet().stream()
                .allMatch(t -> epochs.getOrDefault(unit.group() + "/" + t.getKey(), 0L).equals(t.getValue()))) {
                return CommitResult.fencedResult();
            }
            // every check before the first write: a unit is applied whole or not at all
            for (final CommitUnit.Output output : unit.outputs()) {
                partition(output.topic(), output.partition());
            }
            final Map<TopicPartition, Long> first = new HashMap<>();
            final Map<TopicPartition, Long> next = new HashMap<>();
            for (final CommitUnit.Output output : unit.outputs()) {
                final Partition p = partition(output.topic(), output.partition());
                final long offset = p.endOffset();
                p.records.add(output.record().at(output.partition(), offset));
                final TopicPartition tp = new TopicPartition(output.topic(), output.partition());
                first.putIfAbsent(tp, offset);
                next.put(tp, offset + 1);
            }
            committed.computeIfAbsent(unit.group(), g -> new HashMap<>()).putAll(unit.offsets());
            return CommitResult.committed(unit, first, next);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new BackendException("The memory backend is closed");
        }
    }

    /** Members and leases kept in this backend: the instances of an application sharing it in one JVM. */
    @Override
    public io.pspf.runtime.backend.GroupMembership join(final String group, final String memberId) {
        synchronized (lock) {
            checkOpen();
            if (!members.computeIfAbsent(group, g -> new java.util.HashSet<>()).add(memberId)) {
                throw new BackendException("member " + memberId + " of group " + group + " is already live");
            }
        }
        final long joinedAt = System.nanoTime();
        return new io.pspf.runtime.backend.GroupMembership() {
            private boolean left;

            @Override
            public void requestShutdown() {
                synchronized (lock) {
                    shutdownRequests.put(group, System.nanoTime());
                }
            }

            @Override
            public boolean shutdownRequested() {
                synchronized (lock) {
                    return shutdownRequests.getOrDefault(group, Long.MIN_VALUE) >= joinedAt;
                }
            }

            @Override
            public int liveMembers() {
                synchronized (lock) {
                    return Math.max(1, members.getOrDefault(group, java.util.Set.of()).size());
                }
            }

            @Override
            public void publish(final String report) {
                synchronized (lock) {
                    if (!left) {
                        reports.computeIfAbsent(group, g -> new HashMap<>()).put(memberId, report);
                    }
                }
            }

            @Override
            public java.util.SortedMap<String, String> members() {
                synchronized (lock) {
                    final java.util.SortedMap<String, String> live = new java.util.TreeMap<>();
                    final Map<String, String> known = reports.getOrDefault(group, Map.of());
                    for (final String member : members.getOrDefault(group, java.util.Set.of())) {
                        live.put(member, known.getOrDefault(member, ""));
                    }
                    return live;
                }
            }

            @Override
            public Versioned assignment() {
                synchronized (lock) {
                    return assignments.getOrDefault(group, Versioned.NONE);
                }
            }

            @Override
            public boolean writeAssignment(final long generation, final String assignment) {
                synchronized (lock) {
                    if (assignments.getOrDefault(group, Versioned.NONE).generation() != generation) {
                        return false;
                    }
                    assignments.put(group, new Versioned(generation + 1, assignment));
                    return true;
                }
            }

            @Override
            public boolean tryAcquire(final String taskId) {
                synchronized (lock) {
                    if (left) {
                        return false;
                    }
                    final String holder = leases.computeIfAbsent(group, g -> new HashMap<>()).putIfAbsent(taskId, memberId);
                    return holder == null || holder.equals(memberId);
                }
            }

            @Override
            public void release(final String taskId) {
                synchronized (lock) {
                    leases.getOrDefault(group, new HashMap<>()).remove(taskId, memberId);
                }
            }

            @Override
            public void close() {
                synchronized (lock) {
                    if (left) {
                        return;
                    }
                    left = true;
                    members.getOrDefault(group, new java.util.HashSet<>()).remove(memberId);
                    reports.getOrDefault(group, new HashMap<>()).remove(memberId);
                    leases.getOrDefault(group, new HashMap<>()).values().removeIf(memberId::equals);
                }
            }
        };
    }
}
