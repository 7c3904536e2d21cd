package io.pspf.connector.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.GroupMembership;
import io.pspf.runtime.util.FileLocks;
import io.pspf.runtime.util.FileLocks.Lock;

/**
 * Group membership and task leases among the processes sharing a log directory, made of OS file locks, which the
 * OS drops when a process dies:
 *
 * <pre>
 * &lt;dir&gt;/groups/&lt;group&gt;/members/&lt;member&gt;   locked by each live instance of the application
 * &lt;dir&gt;/groups/&lt;group&gt;/tasks/&lt;taskId&gt;     locked by the instance running the task
 * &lt;dir&gt;/groups/&lt;group&gt;/reports/&lt;member&gt;   each member's last report (replaced by a rename)
 * &lt;dir&gt;/groups/&lt;group&gt;/assignment         "generation\n" and the assignment, written under
 * &lt;dir&gt;/groups/&lt;group&gt;/assignment.lock    a lock held only for the compare-and-set
 * </pre>
 *
 * A member file nobody holds belongs to an instance that is gone; it is removed when the members are counted.
 */
final class FileGroupMembership implements GroupMembership {
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    private final Path members;
    private final Path tasks;
    private final Path shutdownFile;
    private final Path reports;
    private final Path assignmentFile;
    private final Path assignmentLock;
    private final String memberId;
    private final long joinedAt = System.currentTimeMillis();
    private final Path selfPath;
    private final Lock self;
    private final Map<String, Lock> leases = new HashMap<>();
    private boolean closed;

    FileGroupMembership(final Path root, final String group, final String memberId) {
        if (!LEGAL.matcher(group).matches() || !LEGAL.matcher(memberId).matches()) {
            throw new BackendException("group and member ids must match " + LEGAL.pattern() + ": " + group + ", " + memberId);
        }
        final Path groupDir = root.resolve("groups").resolve(group);
        this.members = groupDir.resolve("members");
        this.tasks = groupDir.resolve("tasks");
        this.shutdownFile = groupDir.resolve("shutdown-requested");
        this.reports = groupDir.resolve("reports");
        this.assignmentFile = groupDir.resolve("assignment");
        this.assignmentLock = groupDir.resolve("assignment.lock");
        this.memberId = memberId;
        try {
            Files.createDirectories(reports);
            Files.createDirectories(members);
            Files.createDirectories(tasks);
        } catch (final IOException e) {
            throw new BackendException("cannot create the group directory " + groupDir, e);
        }
        selfPath = members.resolve(memberId);
        Lock taken = null;
        for (int attempt = 0; attempt < 10 && taken == null; attempt++) {
            taken = tryLock(selfPath);
            if (taken == null) {
                throw new BackendException("member " + memberId + " of group " + group + " is already live");
            }
            if (!Files.exists(selfPath)) {
                // another member counted the file as stale and deleted it between its creation and our lock
                taken.release();
                taken = null;
            }
        }
        if (taken == null) {
            throw new BackendException("could not join group " + group + " as " + memberId);
        }
        self = taken;
    }

    private static Lock tryLock(final Path file) {
        try {
            return FileLocks.tryLock(file);
        } catch (final IOException e) {
            throw new BackendException("cannot lock " + file, e);
        }
    }

    @Override
    public synchronized int liveMembers() {
        int live = 0;
        try (Stream<Path> files = Files.list(members)) {
            for (final Path file : (Iterable<Path>) files::iterator) {
                if (file.equals(selfPath)) {
                    live++;
                    continue;
                }
                final Lock stale = tryLock(file);
                if (stale == null) {
                    live++;
                } else {
                    stale.release();
                    Files.deleteIfExists(file);
                }
            }
        } catch (final IOException e) {
            throw new BackendException("cannot list the members in " + members, e);
        }
        return Math.max(1, live);
    }

    @Override
    public synchronized boolean tryAcquire(final String taskId) {
        if (closed) {
            return false;
        }
        if (leases.containsKey(taskId)) {
            return true;
        }
        final Lock lock = tryLock(tasks.resolve(taskId));
        if (lock == null) {
            return false;
        }
        leases.put(taskId, lock);
        return true;
    }

    @Override
    public synchronized void release(final String taskId) {
        final Lock lock = leases.remove(taskId);
        if (lock != null) {
            lock.release();
        }
    }

    @Override
    public void publish(final String report) {
        try {
            final Path tmp = reports.resolve("." + memberId + ".tmp");
            Files.writeString(tmp, report, StandardCharsets.UTF_8);
            Files.move(tmp, reports.resolve(memberId), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new BackendException("cannot publish the report of member " + memberId + ": " + e, e);
        }
    }

    @Override
    public synchronized SortedMap<String, String> members() {
        final SortedMap<String, String> live = new TreeMap<>();
        try (Stream<Path> files = Files.list(members)) {
            for (final Path file : (Iterable<Path>) files::iterator) {
                final String member = file.getFileName().toString();
                if (!file.equals(selfPath)) {
                    final Lock stale = tryLock(file);
                    if (stale != null) {
                        stale.release();
                        Files.deleteIfExists(file);
                        Files.deleteIfExists(reports.resolve(member));
                        continue;
                    }
                }
                final Path report = reports.resolve(member);
                String text = "";
                try {
                    text = Files.readString(report, StandardCharsets.UTF_8);
                } catch (final java.nio.file.NoSuchFileException e) {
                    // not published yet
                }
                live.put(member, text);
            }
        } catch (final IOException e) {
            throw new BackendException("cannot list the members in " + members, e);
        }
        return live;
    }

    @Override
    public Versioned assignment() {
        try {
            final String text = Files.readString(assignmentFile, StandardCharsets.UTF_8);
            final int newline = text.indexOf('\n');
            return new Versioned(Long.parseLong(text.substring(0, newline)), text.substring(newline + 1));
        } catch (final java.nio.file.NoSuchFileException e) {
            return Versioned.NONE;
        } catch (final IOException | RuntimeException e) {
            throw new BackendException("cannot read the assignment in " + assignmentFile + ": " + e, e);
        }
    }

    @Override
    public boolean writeAssignment(final long generation, final String assignment) {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        Lock lock = tryLock(assignmentLock);
        while (lock == null) {
            if (System.nanoTime() > deadline) {
                throw new BackendException("the assignment lock " + assignmentLock + " stayed taken for 10 s");
            }
            try {
                Thread.sleep(2);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while writing the assignment", e);
            }
            lock = tryLock(assignmentLock);
        }
        try {
            if (assignment().generation() != generation) {
                return false;
            }
            final Path tmp = assignmentFile.resolveSibling("assignment.tmp");
            Files.writeString(tmp, (generation + 1) + "\n" + assignment, StandardCharsets.UTF_8);
            Files.move(tmp, assignmentFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (final IOException e) {
            throw new BackendException("cannot write the assignment " + assignmentFile + ": " + e, e);
        } finally {
            lock.release();
        }
    }

    /** Writes the request's time to {@code <group>/shutdown-requested}; members that joined before it shut down. */
    @Override
    public void requestShutdown() {
        try {
            final Path tmp = shutdownFile.resolveSibling("shutdown-requested.tmp");
            Files.writeString(tmp, Long.toString(System.currentTimeMillis()));
            Files.move(tmp, shutdownFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            throw new BackendException("cannot ask the group to shut down: " + e, e);
        }
    }

    @Override
    public boolean shutdownRequested() {
        try {
            return Files.exists(shutdownFile) && Long.parseLong(Files.readString(shutdownFile).trim()) >= joinedAt;
        } catch (final IOException | NumberFormatException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (final Lock lock : leases.values()) {
            lock.release();
        }
        leases.clear();
        self.release();
        try {
            Files.deleteIfExists(reports.resolve(memberId));
            Files.deleteIfExists(selfPath);
        } catch (final IOException ignored) {
            // counted as gone by the next member that looks
        }
    }
}
