package io.pspf.runtime.engine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.state.RecordCache;
import io.pspf.runtime.task.StreamTask;

/**
 * One stream thread ({@code <client.id>-StreamThread-<n>}): runs the tasks the engine assigns it, in a loop of read,
 * process, punctuate and commit. Its state names are Kafka's {@code StreamThread.State}.
 */
public final class StreamThreadRunner extends Thread {
    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadRunner.class);

    /** Kafka's stream-thread states. */
    public enum State { CREATED, STARTING, PARTITIONS_REVOKED, PARTITIONS_ASSIGNED, RUNNING, PENDING_SHUTDOWN, DEAD }

    private final Engine engine;
    private final int index;
    private final Map<TaskId, ActiveTask> tasks = new ConcurrentHashMap<>();
    private volatile State state = State.CREATED;
    private volatile List<TaskSpec> assignment = List.of();
    private volatile int assignmentVersion;
    private volatile boolean shutdownRequested;
    private volatile boolean cleanShutdown = true;
    private RecordCache cache;
    private int appliedVersion = -1;
    private long idleNanos;

    StreamThreadRunner(final Engine engine, final String name, final int index) {
        super(name);
        this.engine = engine;
        this.index = index;
    }

    int index() {
        return index;
    }

    public State threadState() {
        return state;
    }

    /** The tasks this thread runs now. */
    Collection<ActiveTask> activeTasks() {
        return Collections.unmodifiableCollection(tasks.values());
    }

    void assign(final List<TaskSpec> tasks) {
        this.assignment = List.copyOf(tasks);
        assignmentVersion++;
        LockSupport.unpark(this);
    }

    /** Asks the thread to stop after its current step; it commits and closes its tasks on the way out. */
    void shutdown() {
        shutdownRequested = true;
        if (state != State.DEAD) {
            setState(State.PENDING_SHUTDOWN);
        }
        LockSupport.unpark(this);
    }

    boolean isAliveOrStarting() {
        return state != State.DEAD && state != State.PENDING_SHUTDOWN;
    }

    private synchronized void setState(final State newState) {
        final State old = state;
        if (old == newState || old == State.DEAD || (old == State.PENDING_SHUTDOWN && newState != State.DEAD)) {
            return;
        }
        state = newState;
        engine.threadStateChanged(this, newState, old);
    }

    @Override
    public void run() {
        setState(State.STARTING);
        Throwable failure = null;
        try {
            cache = new RecordCache(engine.cacheSizePerThread());
            runLoop();
        } catch (final Throwable t) {
            failure = t;
            cleanShutdown = false;
            shutdownRequested = true;
            setState(State.PENDING_SHUTDOWN);
        } finally {
            closeTasks(cleanShutdown);
            if (failure != null) {
                LOG.error("stream-thread [{}] Encountered the following exception during processing and the thread "
                    + "is going to shut down: ", getName(), failure);
                try {
                    engine.threadFailed(this, failure);
                } catch (final Throwable t) {
                    LOG.error("stream-thread [{}] The uncaught exception handler failed", getName(), t);
                }
            }
            setState(State.DEAD);
        }
    }

    private void runLoop() throws InterruptedException {
        final List<TaskSpec> pending = new ArrayList<>();
        while (!shutdownRequested) {
            if (appliedVersion != assignmentVersion) {
                appliedVersion = assignmentVersion;
                final List<TaskSpec> target = assignment;
                revokeTasksNotIn(target);
                pending.clear();
                for (final TaskSpec spec : target) {
                    if (!tasks.containsKey(spec.id)) {
                        pending.add(spec);
                    }
                }
                setState(State.PARTITIONS_ASSIGNED);
            }
            for (final java.util.Iterator<TaskSpec> it = pending.iterator(); it.hasNext() && !shutdownRequested; ) {
                final ActiveTask created = engine.createTask(it.next(), cache);
                if (created != null) {
                    tasks.put(created.spec.id, created);
                    it.remove();
                }
            }
            if (pending.isEmpty() && state == State.PARTITIONS_ASSIGNED) {
                setState(State.RUNNING);
            }
            final int work = engine.paused() ? 0 : runOnce();
            commitDueTasks(false);
            if (work == 0 || !pending.isEmpty()) {
                idle();
            } else {
                idleNanos = 0;
            }
        }
    }

    /** One pass over the tasks: read, process, punctuate. Returns how many records were read or processed. */
    private int runOnce() {
        int work = 0;
        for (final ActiveTask task : tasks.values()) {
            work += task.fetch();
        }
        final int batch = engine.config.maxPollRecords;
        for (final ActiveTask task : tasks.values()) {
            final StreamTask streamTask = task.task;
            synchronized (task) {
                final long start = System.nanoTime();
                int processed = 0;
                while (processed < batch && streamTask.process()) {
                    processed++;
                }
                engine.metrics.recordProcessed(task, processed, System.nanoTime() - start);
                work += processed;
                if (streamTask.maybePunctuateStreamTime()) {
                    engine.metrics.recordPunctuation(task);
                    work++;
                }
                if (streamTask.maybePunctuateSystemTime()) {
                    engine.metrics.recordPunctuation(task);
                    work++;
                }
            }
        }
        return work;
    }

    private void commitDueTasks(final boolean all) {
        final long now = engine.time.milliseconds();
        for (final ActiveTask task : new ArrayList<>(tasks.values())) {
            if (all || task.commitDue(now)) {
                try {
                    synchronized (task) {
                        final long start = System.nanoTime();
                        task.commit(now);
                        engine.metrics.recordCommit(task, System.nanoTime() - start);
                    }
                } catch (final TaskMigratedException e) {
                    LOG.warn("stream-thread [{}] {}; closing it and creating it again", getName(), e.getMessage());
                    tasks.remove(task.spec.id);
                    task.closeDirty();
                    engine.taskClosed(task);
                    engine.unlockTask(task.spec.id, this);
                    appliedVersion = -1;
                }
            }
        }
    }

    private void idle() throws InterruptedException {
        idleNanos = idleNanos == 0 ? TimeUnit.MICROSECONDS.toNanos(200) : Math.min(idleNanos * 2,
            TimeUnit.MILLISECONDS.toNanos(Math.max(1, engine.config.pollMs)));
        LockSupport.parkNanos(this, idleNanos);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private void revokeTasksNotIn(final List<TaskSpec> target) {
        final java.util.Set<TaskId> keep = new java.util.HashSet<>();
        for (final TaskSpec spec : target) {
            keep.add(spec.id);
        }
        final List<ActiveTask> revoked = new ArrayList<>();
        for (final ActiveTask task : tasks.values()) {
            if (!keep.contains(task.spec.id)) {
                revoked.add(task);
            }
        }
        if (revoked.isEmpty()) {
            return;
        }
        setState(State.PARTITIONS_REVOKED);
        for (final ActiveTask task : revoked) {
            tasks.remove(task.spec.id);
            try {
                synchronized (task) {
                    task.closeClean(engine.time.milliseconds());
                }
            } finally {
                engine.taskClosed(task);
                engine.unlockTask(task.spec.id, this);
            }
        }
    }

    private void closeTasks(final boolean clean) {
        RuntimeException first = null;
        for (final ActiveTask task : new ArrayList<>(tasks.values())) {
            tasks.remove(task.spec.id);
            try {
                synchronized (task) {
                    if (clean) {
                        task.closeClean(engine.time.milliseconds());
                    } else {
                        task.closeDirty();
                    }
                }
            } catch (final RuntimeException e) {
                LOG.error("stream-thread [{}] Failed to close task {} cleanly", getName(), task.spec.id, e);
                task.closeDirty();
                if (first == null) {
                    first = e;
                }
            } finally {
                engine.taskClosed(task);
                engine.unlockTask(task.spec.id, this);
            }
        }
    }

    /** Task id -> the task's committed offsets and end offsets, for thread metadata. */
    Map<TaskId, ActiveTask> tasksById() {
        return new LinkedHashMap<>(tasks);
    }
}
