package io.pspf.connector.log;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.TopicPartition;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.CommitResult;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * {@code pspf.backend=log:<dir>} (PSPF's default, {@code log:./pspf-data}): the native file log in {@code <dir>}.
 * Settings: {@link LogConfig}'s keys, read from the application's configuration.
 *
 * <p>Within one JVM, everything that opens the same directory (a producer and a {@code PspfStreams}, say) shares
 * one {@link LogBackend}: each gets a handle, and the directory is closed when the last handle is. The settings of
 * the first opener apply.
 */
public final class LogBackendProvider implements BackendProvider {
    /** The directory used when {@code log:} names none. */
    public static final String DEFAULT_DIR = "./pspf-data";

    private static final Map<Path, Shared> OPEN = new HashMap<>();

    @Override
    public String scheme() {
        return "log";
    }

    @Override
    public Backend create(final String location, final Map<String, Object> configs) {
        final String dir = location == null || location.isBlank() ? DEFAULT_DIR : location;
        final Path path = Path.of(dir).toAbsolutePath().normalize();
        synchronized (OPEN) {
            Shared shared = OPEN.get(path);
            if (shared == null) {
                shared = new Shared(path, LogBackend.open(path, configs));
                OPEN.put(path, shared);
            }
            shared.users++;
            return new Handle(shared);
        }
    }

    private static final class Shared {
        final Path path;
        final LogBackend backend;
        int users;

        Shared(final Path path, final LogBackend backend) {
            this.path = path;
            this.backend = backend;
        }
    }

    /** One opener's view of a shared backend; closing it releases the backend once nobody else uses it. */
    private static final class Handle implements Backend {
        private final Shared shared;
        private final AtomicBoolean closed = new AtomicBoolean();

        Handle(final Shared shared) {
            this.shared = shared;
        }

        private LogBackend backend() {
            if (closed.get()) {
                throw new BackendException("this handle on the log " + shared.path + " is closed");
            }
            return shared.backend;
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
        public List<RawRecord> read(final String topic, final int partition, final long offset, final int maxRecords) {
            return backend().read(topic, partition, offset, maxRecords);
        }

        @Override
        public long logStartOffset(final String topic, final int partition) {
            return backend().logStartOffset(topic, partition);
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
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            synchronized (OPEN) {
                if (--shared.users == 0) {
                    OPEN.remove(shared.path);
                    shared.backend.close();
                }
            }
        }

        @Override
        public String toString() {
            return "log:" + shared.path;
        }
    }
}
