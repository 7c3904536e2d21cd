package io.pspf.runtime.engine;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <state.dir>/<application.id>/}, as Kafka Streams lays it out: a {@code .lock} file held for the client's
 * life (a second client on the same directory fails with Kafka's message), {@code kafka-streams-process-metadata}
 * keeping the process id across restarts, and one directory per task named by its {@code TaskId}. Only made when the
 * topology has persistent stores; otherwise the process id is new on every start and nothing is written.
 */
final class StateDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(StateDirectory.class);
    private static final String PROCESS_FILE = "kafka-streams-process-metadata";
    private static final String OFFSET_SUM_FILE = ".pspf-offset-sum";
    private static final Pattern TASK_DIR = Pattern.compile("\\d+_\\d+");
    private static final Pattern PROCESS_ID = Pattern.compile("\"processId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

    private final Path appDir;
    private final boolean persistent;
    private io.pspf.runtime.util.FileLocks.Lock lock;

    StateDirectory(final File stateDir, final String applicationId, final boolean persistent) {
        this.appDir = stateDir.toPath().resolve(applicationId);
        this.persistent = persistent;
    }

    /** Locks the directory and returns the process id (kept in the directory when the topology has persistent stores). */
    UUID initializeProcessId() {
        if (!persistent) {
            return UUID.randomUUID();
        }
        try {
            Files.createDirectories(appDir);
        } catch (final IOException e) {
            throw new ProcessorStateException(String.format("state directory [%s] doesn't exist and couldn't be created",
                appDir), e);
        }
        try {
            lock = io.pspf.runtime.util.FileLocks.tryLock(appDir.resolve(".lock"));
            if (lock == null) {
                throw new StreamsException("Unable to initialize state, this can happen if multiple instances of Kafka "
                    + "Streams are running in the same state directory (current state directory is ["
                    + appDir.toAbsolutePath() + "]");
            }
            final Path processFile = appDir.resolve(PROCESS_FILE);
            if (Files.exists(processFile)) {
                final Matcher m = PROCESS_ID.matcher(Files.readString(processFile, StandardCharsets.UTF_8));
                if (m.find()) {
                    return UUID.fromString(m.group(1));
                }
            }
            final UUID id = UUID.randomUUID();
            Files.writeString(processFile, "{\"processId\":\"" + id + "\"}", StandardCharsets.UTF_8);
            return id;
        } catch (final IOException e) {
            throw new StreamsException(new ProcessorStateException("Failed to initialize the state directory " + appDir, e));
        }
    }

    /** Deletes every task directory (Kafka's {@code cleanUp()}); {@code .lock} and the process file stay. */
    void clean() {
        if (!Files.isDirectory(appDir)) {
            return;
        }
        try (Stream<Path> children = Files.list(appDir)) {
            for (final Path child : (Iterable<Path>) children::iterator) {
                final String name = child.getFileName().toString();
                if (Files.isDirectory(child) && (TASK_DIR.matcher(name).matches() || name.equals("global"))) {
                    LOG.info("Deleting task directory {} as user calling cleanup.", child);
                    deleteRecursively(child);
                }
            }
        } catch (final IOException e) {
            throw new StreamsException(e);
        }
    }

    /** Deletes one task's directory (its state is corrupted and will be restored from the changelogs). */
    void wipeTask(final org.apache.kafka.streams.processor.TaskId task) {
        final Path dir = appDir.resolve(task.toString());
        if (!Files.exists(dir)) {
            return;
        }
        try {
            deleteRecursively(dir);
        } catch (final IOException e) {
            throw new ProcessorStateException("Failed to wipe the state of task " + task, e);
        }
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (final Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Notes, in the task's directory, the sum of the changelog offsets its persistent stores reflect, as the task
     * closes: what this instance reports to the group's leader to say how far behind its copy of the task is (Kafka's
     * task offset sums). The stores only move forward, so a stale note understates them, never overstates.
     */
    void writeOffsetSum(final org.apache.kafka.streams.processor.TaskId task, final long offsetSum) {
        if (!persistent) {
            return;
        }
        final Path dir = appDir.resolve(task.toString());
        try {
            Files.createDirectories(dir);
            final Path tmp = dir.resolve(OFFSET_SUM_FILE + ".tmp");
            Files.writeString(tmp, Long.toString(offsetSum), StandardCharsets.US_ASCII);
            Files.move(tmp, dir.resolve(OFFSET_SUM_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            LOG.warn("Could not note the changelog offsets of task {} in {}", task, dir, e);
        }
    }

    /** The offset sums noted by {@link #writeOffsetSum} of the task directories present. */
    java.util.Map<org.apache.kafka.streams.processor.TaskId, Long> offsetSums() {
        final java.util.Map<org.apache.kafka.streams.processor.TaskId, Long> sums = new java.util.HashMap<>();
        if (!persistent || !Files.isDirectory(appDir)) {
            return sums;
        }
        try (Stream<Path> children = Files.list(appDir)) {
            for (final Path child : (Iterable<Path>) children::iterator) {
                final String name = child.getFileName().toString();
                final Path file = child.resolve(OFFSET_SUM_FILE);
                if (TASK_DIR.matcher(name).matches() && Files.isRegularFile(file)) {
                    try {
                        sums.put(org.apache.kafka.streams.processor.TaskId.parse(name),
                            Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim()));
                    } catch (final IOException | RuntimeException e) {
                        LOG.debug("Ignoring an unreadable offset note {}", file, e);
                    }
                }
            }
        } catch (final IOException e) {
            LOG.warn("Could not list the task directories of {}", appDir, e);
        }
        return sums;
    }

    void close() {
        if (lock != null) {
            lock.release();
            lock = null;
        }
    }
}
