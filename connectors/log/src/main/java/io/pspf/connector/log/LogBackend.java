package io.pspf.connector.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.CommitResult;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * The native file log as a {@link Backend}: topics are directories of segment files on the local disk, and a commit
 * unit is made atomic by a write-ahead journal.
 *
 * <pre>
 * &lt;dir&gt;/
 *   lock                    held (an OS file lock) by the process that has the directory open
 *   server                  "&lt;port&gt; &lt;secret&gt;": where that process serves the directory to the others
 *   topics/&lt;topic&gt;          one file per topic: "partitions=&lt;n&gt;", then "config.&lt;key&gt;=&lt;value&gt;" lines
 *   journal/                the commit journal: a {@link PartitionLog} of {@link JournalEntry} records
 *   &lt;topic&gt;-&lt;partition&gt;/    one {@link PartitionLog} per partition
 * </pre>
 *
 * <p><b>Commit.</b> {@link #commit} checks the task's epoch, appends the whole unit (records and offsets) to the
 * journal as one record and, unless {@code pspf.log.fsync=none}, forces it to the device: from then on the unit is
 * committed. It then appends each output partition's records as one batch tagged with the unit's id, takes the new
 * offsets, and notes APPLIED in the journal. A reader of a partition sees a unit's batch whole or not at all, and
 * only once the unit is committed. If the process dies between the journal write and APPLIED, opening the
 * directory again applies the unit to the partitions that lack its batch (a partition that has it has
 * {@link PartitionLog#maxUnit()} at least the unit's id) - so a committed unit is never lost nor applied twice.
 * Only the journal is forced per commit; partitions are forced before the journal is trimmed.
 *
 * <p><b>Fencing.</b> {@link #fence} raises a task's epoch with a journal record; a unit carrying an older epoch is
 * refused and writes nothing.
 *
 * <p><b>Retention and compaction</b> run every {@code pspf.log.cleaner.interval.ms} on a background thread, per
 * topic as its {@code cleanup.policy} says ({@link LogConfig}); {@link #maintain} runs them at once.
 *
 * <p><b>Sharing.</b> One process has the directory open at a time (the {@code lock} file); a second one gets a
 * {@link DirectoryInUseException}. {@link SharedLogBackend} builds sharing between processes on that: the holder
 * serves the directory ({@link LogServer}, whose address is in {@code server}) and the others use it through it.
 */
public final class LogBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(LogBackend.class);
    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    static final String TOPICS_DIR = "topics";
    static final String JOURNAL_DIR = "journal";
    static final String LOCK_FILE = "lock";
    /** After this many commit units the partitions are forced and the journal is trimmed. */
    static final int CHECKPOINT_EVERY_UNITS = 1000;

    private final Path root;
    private final LogConfig config;
    private final io.pspf.runtime.util.FileLocks.Lock lock;
    private final ReentrantLock commitLock = new ReentrantLock();
    private final Map<String, PartitionLog[]> topics = new ConcurrentHashMap<>();
    private final PartitionLog journal;
    private final Map<String, Map<TopicPartition, Long>> offsets = new ConcurrentHashMap<>();
    private final Map<String, Long> epochs = new HashMap<>();
    private int unitsSinceCheckpoint;
    private final Map<String, LogConfig> topicConfigs = new ConcurrentHashMap<>();
    private final Thread cleaner;
    private volatile boolean closed;

    /** The journal's segments are small, so that trimming it frees disk soon. */
    static final int JOURNAL_SEGMENT_BYTES = 64 * 1024 * 1024;

    /**
     * Opens (creating it if needed) the log directory {@code root} with the settings in {@code configs} (see
     * {@link LogConfig}), recovering what a crash left.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key when a setting is bad
     * @throws BackendException when another process has the directory open, or it cannot be read
     */
    public static LogBackend open(final Path root, final Map<String, ?> configs) {
        return new LogBackend(root, LogConfig.from(configs, System::currentTimeMillis));
    }

    LogBackend(final Path root, final LogConfig config) {
        this.root = root;
        this.config = config;
        final io.pspf.runtime.util.FileLocks.Lock taken;
        try {
            Files.createDirectories(root.resolve(TOPICS_DIR));
            taken = io.pspf.runtime.util.FileLocks.tryLock(root.resolve(LOCK_FILE));
        } catch (final IOException e) {
            throw new BackendException("cannot open the log directory " + root.toAbsolutePath() + ": " + e, e);
        }
        if (taken == null) {
            throw new DirectoryInUseException("the log directory " + root.toAbsolutePath() + " is open in another "
                + "process (or another backend in this one)");
        }
        lock = taken;
        try {
            loadTopics();
            journal = PartitionLog.open(root.resolve(JOURNAL_DIR), "journal", 0,
                config.withRetention(-1, -1).withSegmentBytes(JOURNAL_SEGMENT_BYTES).withSegmentMs(Long.MAX_VALUE));
            recover();
        } catch (final RuntimeException e) {
            cleaner = null;
            close();
            throw e;
        }
        cleaner = new Thread(this::runCleaner, "pspf-log-cleaner-" + root.getFileName());
        cleaner.setDaemon(true);
        cleaner.start();
    }

    private void runCleaner() {
        while (!closed) {
            try {
                Thread.sleep(config.cleanerIntervalMs());
                maintain(config.clock().getAsLong());
            } catch (final InterruptedException e) {
                return;
            } catch (final RuntimeException e) {
                if (!closed) {
                    LOG.warn("Log {}: retention or compaction failed; trying again in {} ms", root,
                        config.cleanerIntervalMs(), e);
                }
            }
        }
    }

    /**
     * Applies retention and compaction to every partition now, as each topic's {@code cleanup.policy} says.
     *
     * @return the number of records compacted away plus the number of segments deleted by retention
     */
    public long maintain(final long nowMs) {
        long done = 0;
        for (final Map.Entry<String, PartitionLog[]> topic : topics.entrySet()) {
            final LogConfig topicConfig = topicConfigs.getOrDefault(topic.getKey(), config);
            for (final PartitionLog log : topic.getValue()) {
                if (closed) {
                    return done;
                }
                try {
                    if (topicConfig.deletes()) {
                        done += log.applyRetention(nowMs);
                    }
                    if (topicConfig.compacts()) {
                        done += log.compact(nowMs, topicConfig.deleteRetentionMs());
                    }
                } catch (final BackendException e) {
                    if (!closed && topics.get(topic.getKey()) == topic.getValue()) {
                        throw e;
                    }
                    // the topic was deleted meanwhile
                }
            }
        }
        return done;
    }

    private void loadTopics() {
        try (Stream<Path> files = Files.list(root.resolve(TOPICS_DIR))) {
            for (final Path file : (Iterable<Path>) files::iterator) {
                final String topic = file.getFileName().toString();
                if (!LEGAL_TOPIC.matcher(topic).matches()) {
                    continue; // a temporary file of an interrupted create
                }
                final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.isEmpty() || !lines.get(0).startsWith("partitions=")) {
                    throw new BackendException("unreadable topic file " + file + ": " + lines);
                }
                final Map<String, String> configs = new LinkedHashMap<>();
                for (final String line : lines.subList(1, lines.size())) {
                    final int eq = line.indexOf('=');
                    if (line.startsWith("config.") && eq > 0) {
                        configs.put(line.substring("config.".length(), eq), line.substring(eq + 1));
                    }
                }
                openTopic(topic, Integer.parseInt(lines.get(0).substring("partitions=".length()).trim()),
                    config.forTopic(configs));
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read the topics of " + root, e);
        }
    }

    private void openTopic(final String topic, final int partitions, final LogConfig topicConfig) {
        final PartitionLog[] logs = new PartitionLog[partitions];
        for (int p = 0; p < partitions; p++) {
            logs[p] = PartitionLog.open(root.resolve(PartitionLog.dirName(topic, p)), topic, p, topicConfig);
        }
        topicConfigs.put(topic, topicConfig);
        topics.put(topic, logs);
    }

    /** Replays the journal into epochs and offsets, and applies a unit a crash left unapplied. */
    private void recover() {
        final Map<Long, JournalEntry> unapplied = new LinkedHashMap<>();
        long next = journal.logStartOffset();
        while (true) {
            final List<RawRecord> records = journal.read(next, 500);
            if (records.isEmpty()) {
                break;
            }
            for (final RawRecord record : records) {
                final JournalEntry entry = JournalEntry.decode(record.value());
                switch (entry.type) {
                    case JournalEntry.FENCE:
                        epochs.put(taskKey(entry.group, entry.task), entry.epoch);
                        break;
                    case JournalEntry.UNIT:
                        offsets.computeIfAbsent(entry.group, g -> new ConcurrentHashMap<>()).putAll(entry.offsets);
                        if (!entry.outputs.isEmpty()) {
                            unapplied.put(record.offset(), entry);
                        }
                        break;
                    case JournalEntry.APPLIED:
                        unapplied.remove(entry.unit);
                        break;
                    default:
                        throw new IllegalStateException("unknown journal entry " + entry.type);
                }
                next = record.offset() + 1;
            }
        }
        for (final Map.Entry<Long, JournalEntry> pending : unapplied.entrySet()) {
            int applied = 0;
            for (final Map.Entry<TopicPartition, List<RawRecord>> output : pending.getValue().outputs.entrySet()) {
                final PartitionLog log = partition(output.getKey().topic(), output.getKey().partition());
                if (log.maxUnit() < pending.getKey()) {
                    log.append(output.getValue(), pending.getKey(), false);
                    applied++;
                }
            }
            journal.append(List.of(journalRecord(JournalEntry.applied(pending.getKey()))), -1L, true);
            LOG.info("Log {}: commit unit {} was committed but not wholly applied when the last process stopped; "
                + "applied its records to {} more partition(s)", root, pending.getKey(), applied);
        }
    }

    private static String taskKey(final String group, final String task) {
        return group + '\u0000' + task;
    }

    private static RawRecord journalRecord(final byte[] value) {
        return new RawRecord("journal", 0, -1L, System.currentTimeMillis(), null, value, null);
    }

    private PartitionLog partition(final String topic, final int partition) {
        final PartitionLog[] logs = topics.get(topic);
        if (logs == null) {
            throw new BackendException("unknown topic " + topic);
        }
        if (partition < 0 || partition >= logs.length) {
            throw new BackendException("unknown partition " + topic + "-" + partition + " (the topic has "
                + logs.length + ")");
        }
        return logs[partition];
    }

    private void ensureOpen() {
        if (closed) {
            throw new BackendException("the log backend on " + root + " is closed");
        }
    }

    @Override
    public void createTopic(final String topic, final int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    /**
     * Creates a topic with its own settings ({@code cleanup.policy}, {@code retention.ms}, {@code segment.bytes}, ...,
     * see {@link LogConfig}), which win over the application's.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the key when a setting is unknown or bad
     */
    @Override
    public void createTopic(final String topic, final int partitions, final Map<String, String> configs) {
        if (topic == null || !LEGAL_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new BackendException("illegal topic name '" + topic + "': use 1 to 249 of [a-zA-Z0-9._-]");
        }
        if (partitions < 1) {
            throw new BackendException("a topic needs at least one partition, not " + partitions);
        }
        commitLock.lock();
        try {
            ensureOpen();
            final PartitionLog[] existing = topics.get(topic);
            if (existing != null) {
                if (existing.length != partitions) {
                    throw new BackendException("topic " + topic + " exists with " + existing.length
                        + " partitions, not " + partitions);
                }
                return;
            }
            // the topic keeps its settings: its own over the creator's (those of a topic made before 2026-11-27 lack
            // the creator's, which the opener's configuration then fills in)
            final Map<String, String> stored = new java.util.TreeMap<>(config.topicSettings());
            stored.putAll(configs);
            final LogConfig topicConfig = config.forTopic(stored);
            final Path file = root.resolve(TOPICS_DIR).resolve(topic);
            final Path temp = root.resolve(TOPICS_DIR).resolve(".tmp-" + topic);
            final StringBuilder text = new StringBuilder("partitions=" + partitions + "\n");
            stored.forEach((k, v) -> text.append("config.").append(k).append('=').append(v).append('\n'));
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            openTopic(topic, partitions, topicConfig);
        } catch (final IOException e) {
            throw new BackendException("cannot create topic " + topic + " in " + root + ": " + e, e);
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public int partitions(final String topic) {
        final PartitionLog[] logs = topics.get(topic);
        return logs == null ? -1 : logs.length;
    }

    @Override
    public Set<String> topics() {
        return Collections.unmodifiableSet(new TreeSet<>(topics.keySet()));
    }

    @Override
    public void deleteTopic(final String topic) {
        commitLock.lock();
        try {
            ensureOpen();
            final PartitionLog[] logs = topics.remove(topic);
            topicConfigs.remove(topic);
            if (logs == null) {
                return;
            }
            Files.deleteIfExists(root.resolve(TOPICS_DIR).resolve(topic));
            for (final PartitionLog log : logs) {
                log.delete();
            }
        } catch (final IOException e) {
            throw new BackendException("cannot delete topic " + topic + " in " + root + ": " + e, e);
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public long append(final String topic, final int partition, final List<RawRecord> records) {
        ensureOpen();
        return partition(topic, partition).append(records, -1L, config.fsync() == LogConfig.Fsync.ALWAYS);
    }

    @Override
    public List<RawRecord> read(final String topic, final int partition, final long offset, final int maxRecords) {
        ensureOpen();
        return partition(topic, partition).read(offset, maxRecords);
    }

    @Override
    public long logStartOffset(final String topic, final int partition) {
        return partition(topic, partition).logStartOffset();
    }

    @Override
    public long logEndOffset(final String topic, final int partition) {
        return partition(topic, partition).logEndOffset();
    }

    @Override
    public void deleteRecordsBefore(final String topic, final int partition, final long offset) {
        ensureOpen();
        partition(topic, partition).deleteRecordsBefore(offset);
    }

    @Override
    public Map<TopicPartition, Long> committedOffsets(final String group, final Collection<TopicPartition> partitions) {
        final Map<TopicPartition, Long> committed = offsets.getOrDefault(group, Map.of());
        final Map<TopicPartition, Long> result = new HashMap<>();
        for (final TopicPartition tp : partitions) {
            final Long offset = committed.get(tp);
            if (offset != null) {
                result.put(tp, offset);
            }
        }
        return result;
    }

    @Override
    public long fence(final String group, final String taskId) {
        commitLock.lock();
        try {
            ensureOpen();
            final long epoch = epochs.getOrDefault(taskKey(group, taskId), 0L) + 1;
            journal.append(List.of(journalRecord(JournalEntry.fence(group, taskId, epoch))), -1L,
                config.fsync() != LogConfig.Fsync.NONE);
            epochs.put(taskKey(group, taskId), epoch);
            return epoch;
        } finally {
            commitLock.unlock();
        }
    }

    @Override
    public CommitResult commit(final CommitUnit unit) {
        commitLock.lock();
        try {
            ensureOpen();
            for (final Map.Entry<String, Long> task : unit.tasks().entrySet()) {
                if (epochs.getOrDefault(taskKey(unit.group(), task.getKey()), 0L).longValue() != task.getValue()) {
                    return CommitResult.fencedResult();
                }
            }
            // the records per partition, in order of first appearance; every partition checked before any write
            final Map<TopicPartition, List<RawRecord>> outputs = unit.recordsByPartition();
            for (final TopicPartition tp : outputs.keySet()) {
                partition(tp.topic(), tp.partition());
            }
            // the journal names the tasks for the record only: recovery needs the offsets and outputs, and the epochs
            // come from the fence entries
            final Map.Entry<String, Long> first = unit.tasks().entrySet().iterator().next();
            final JournalEntry.EncodedUnit entry = JournalEntry.encodeUnit(unit.group(), String.join(",", unit.tasks().keySet()),
                unit.tasks().size() == 1 ? first.getValue() : -1L, unit.offsets(), outputs);
            final long id = journal.appendEncoded(entry.journalBatch(System.currentTimeMillis()), -1L,
                config.fsync() != LogConfig.Fsync.NONE);
            // committed: apply it, appending the batches encoded for the journal (the journal has its own copy)
            final Map<TopicPartition, Long> bases = new HashMap<>();
            for (final TopicPartition tp : outputs.keySet()) {
                final PartitionLog log = partition(tp.topic(), tp.partition());
                bases.put(tp, log.appendEncoded(entry.batch(tp), id, false));
            }
            if (!unit.offsets().isEmpty()) {
                offsets.computeIfAbsent(unit.group(), g -> new ConcurrentHashMap<>()).putAll(unit.offsets());
            }
            journal.append(List.of(journalRecord(JournalEntry.applied(id))), -1L, false);
            final Map<TopicPartition, Long> next = new HashMap<>();
            for (final Map.Entry<TopicPartition, List<RawRecord>> e : outputs.entrySet()) {
                next.put(e.getKey(), bases.get(e.getKey()) + e.getValue().size());
            }
            if (++unitsSinceCheckpoint >= CHECKPOINT_EVERY_UNITS) {
                unitsSinceCheckpoint = 0;
                trimJournal();
            }
            return CommitResult.committed(unit, bases, next);
        } finally {
            commitLock.unlock();
        }
    }

    /**
     * Forces every partition to the device, then rewrites the journal's state (epochs and offsets) as fresh records
     * at its end and deletes the records before them: units older than that are in the partitions for good.
     */
    private void trimJournal() {
        for (final PartitionLog[] logs : topics.values()) {
            for (final PartitionLog log : logs) {
                log.flush();
            }
        }
        final List<RawRecord> state = new ArrayList<>();
        for (final Map.Entry<String, Long> epoch : epochs.entrySet()) {
            final String[] groupAndTask = epoch.getKey().split("\u0000", 2);
            state.add(journalRecord(JournalEntry.fence(groupAndTask[0], groupAndTask[1], epoch.getValue())));
        }
        for (final Map.Entry<String, Map<TopicPartition, Long>> group : offsets.entrySet()) {
            state.add(journalRecord(JournalEntry.unit(group.getKey(), "", -1L, group.getValue(), Map.of())));
        }
        // (the offsets are written as units without outputs, which replay reads as offsets only)
        final long from = state.isEmpty() ? journal.logEndOffset()
            : journal.append(state, -1L, config.fsync() != LogConfig.Fsync.NONE);
        journal.deleteRecordsBefore(from);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (cleaner != null) {
            cleaner.interrupt();
            try {
                cleaner.join(10_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        commitLock.lock();
        try {
            for (final PartitionLog[] logs : topics.values()) {
                for (final PartitionLog log : logs) {
                    log.close();
                }
            }
            if (journal != null) {
                journal.close();
            }
        } finally {
            commitLock.unlock();
            lock.release();
        }
    }

    /** Thrown when another process (or another backend in this JVM) has the directory open. */
    static final class DirectoryInUseException extends BackendException {
        private static final long serialVersionUID = 1L;

        DirectoryInUseException(final String message) {
            super(message);
        }
    }

    Path root() {
        return root;
    }
}
