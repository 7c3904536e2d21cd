package io.pspf.runtime.backend;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.TopicPartition;

/**
 * One opener's view of a backend that several openers in a JVM share (a producer and an application on the same log
 * directory, instances on the same named memory backend): every call goes to the shared backend until this handle is
 * closed; closing it runs {@code release} once, which closes the shared backend when its last user leaves.
 */
public final class BackendHandle implements Backend {
    private final Backend shared;
    private final String name;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    public BackendHandle(final Backend shared, final String name, final Runnable release) {
        this.shared = shared;
        this.name = name;
        this.release = release;
    }

    private Backend backend() {
        if (closed.get()) {
            throw new BackendException("this handle on " + name + " is closed");
        }
        return shared;
    }

    @Override
    public void createTopic(final String topic, final int partitions, final Map<String, String> configs) {
        backend().createTopic(topic, partitions, configs);
    }

    @Override
    public void createTopic(final String topic, final int partitions) {
        backend().createTopic(topic, partitions);
    }

    @Override
    public int partitions(final String topic) {
        return backend().partitions(topic);
    }

    @Override
    public Set<String> topics() {
        return backend().topics();
    }

    @Override
    public void deleteTopic(final String topic) {
        backend().deleteTopic(topic);
    }

    @Override
    public long append(final String topic, final int partition, final List<RawRecord> records) {
        return backend().append(topic, partition, records);
    }

    @Override
    public Map<TopicPartition, Long> appendAll(final Map<TopicPartition, List<RawRecord>> batches) {
        return backend().appendAll(batches);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> appendAllAsync(
        final Map<TopicPartition, List<RawRecord>> batches) {
        return backend().appendAllAsync(batches);
    }

    @Override
    public List<RawRecord> read(final String topic, final int partition, final long offset, final int maxRecords) {
        return backend().read(topic, partition, offset, maxRecords);
    }

    @Override
    public boolean awaitRecords(final Map<TopicPartition, Long> positions, final long timeoutMs) {
        return backend().awaitRecords(positions, timeoutMs);
    }

    @Override
    public long logStartOffset(final String topic, final int partition) {
        return backend().logStartOffset(topic, partition);
    }

    @Override
    public boolean consecutiveOffsets(final String topic) {
        return backend().consecutiveOffsets(topic);
    }

    @Override
    public long logEndOffset(final String topic, final int partition) {
        return backend().logEndOffset(topic, partition);
    }

    @Override
    public void deleteRecordsBefore(final String topic, final int partition, final long offset) {
        backend().deleteRecordsBefore(topic, partition, offset);
    }

    @Override
    public Map<TopicPartition, Long> committedOffsets(final String group, final Collection<TopicPartition> partitions) {
        return backend().committedOffsets(group, partitions);
    }

    @Override
    public long fence(final String group, final String taskId) {
        return backend().fence(group, taskId);
    }

    @Override
    public CommitResult commit(final CommitUnit unit) {
        return backend().commit(unit);
    }

    @Override
    public void settle(final String group) {
        backend().settle(group);
    }

    @Override
    public GroupMembership join(final String group, final String memberId) {
        return backend().join(group, memberId);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
