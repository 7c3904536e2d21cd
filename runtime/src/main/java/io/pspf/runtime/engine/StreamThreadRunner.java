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
    /** The most records a task processes before the thread turns to its next task. */
    private static final int PROCESS_TURN = 100;
    /** Under at_least_once: how many output records make a batch worth sending at once. */
    private static final int SEND_BATCH_RECORDS = 4096;
    /** Under at_least_once: how long output may wait for a batch to fill (Kafka Streams' producer linger.ms). */
    private static final long SEND_LINGER_MS = 100;
    /** Under at_least_once: how many sends may travel unacknowledged (Kafka's producer allows five requests). */
    private static final int MAX_SENDS_IN_FLIGHT = 5;

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
    private final ActiveTask.Outputs outputs = new ActiveTask.Outputs();
    /**
     * Held while the thread uses its tasks (processing, committing, closing) and by queries on their stores: the tasks
     * of a thread share its record cache and output list, which are not safe for concurrent use.
     */
    private final Object lock = new Object();
    /** Under at_least_once: the next offset of every partition written since the last commit. */
    private final Map<org.apache.kafka.common.TopicPartition, Long> appendedEnds = new java.util.HashMap<>();
    /**
     * Under at_least_once: sends not yet acknowledged, oldest first, with their record counts per partition. The
     * thread goes on processing while they travel, as Kafka's producer sends in the background; a commit waits for
     * them before it stores input offsets.
     */
    private final java.util.ArrayDeque<PendingSend> pendingSends = new java.util.ArrayDeque<>();

    private static final class PendingSend {
        final java.util.concurrent.CompletableFuture<Map<org.apache.kafka.common.TopicPartition, Long>> acked;
        final Map<org.apache.kafka.common.TopicPartition, Integer> counts;

        PendingSend(final java.util.concurrent.CompletableFuture<Map<org.apache.kafka.common.TopicPartition, Long>> acked,
                    final Map<org.apache.kafka.common.TopicPartition, Integer> counts) {
            this.acked = acked;
            this.counts = counts;
        }
    }
    /**
     * The commit on its way to the backend, or null (under at_least_once a unit carries only input offsets, and the
     * output it covers was acknowledged before it went). The backend call runs on the thread's
     * committer thread while this one goes on with the tasks that have no state stores (their records go into the
     * next unit, and a failed commit drops them with the tasks); a task with stores waits for the outcome, as a
     * persistent store commits its transaction only once the backend took the unit.
     */
    private InFlight inFlight;
    /** Runs the backend calls of commits in flight; made with the first one. */
    private java.util.concurrent.ExecutorService committer;

    /**
     * A commit sent and not yet finished: what {@link #finishCommit} needs to finish it; {@code doneNanos} is when the
     * backend answered (set by the committer thread before the result completes).
     */
    private record InFlight(java.util.concurrent.Future<io.pspf.runtime.backend.CommitResult> result,
                            List<ActiveTask> committing,
                            Map<ActiveTask, Map<org.apache.kafka.common.TopicPartition, Long>> offsets,
                            List<io.pspf.runtime.backend.CommitUnit.Output> produced,
                            Map<org.apache.kafka.common.TopicPartition, Long> outputEnds, long nowMs, long startNanos,
                            java.util.concurrent.atomic.AtomicLong doneNanos) {
    }

    private long lastCommitMs;
    private long lastSendMs;
    /** Equal to the assignment version at first: a thread waits for its first assignment before it may run. */
    private int appliedVersion;
    private long idleNanos;
    private final java.util.function.BooleanSupplier pausedCheck;

    StreamThreadRunner(final Engine engine, final String name, final int index) {
        super(name);
        this.engine = engine;
        this.index = index;
        this.pausedCheck = engine::paused;
    }

    int index() {
        return index;
    }

    /** The monitor queries on this thread's stores hold. */
    Object queryLock() {
        return lock;
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
            try {
                closeTasks(cleanShutdown);
            } finally {
                if (committer != null) {
                    committer.shutdownNow();
                }
            }
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
            finishCommit(false);
            if (appliedVersion != assignmentVersion) {
                finishCommit(true);
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
            if (!pending.isEmpty()) {
                finishCommit(true); // a new task restores its stores and joins the next unit
            }
            for (final java.util.Iterator<TaskSpec> it = pending.iterator(); it.hasNext() && !shutdownRequested; ) {
                final TaskSpec spec = it.next();
                final ActiveTask created;
                try {
                    created = engine.createTask(spec, cache, outputs);
                } catch (final io.pspf.runtime.backend.BackendException e) {
                    backOffCreating(spec, e);
                    break;
                }
                creationFailingSince = -1;
                if (created != null) {
                    tasks.put(created.spec.id, created);
                    it.remove();
                }
            }
            if (pending.isEmpty() && state == State.PARTITIONS_ASSIGNED) {
                setState(State.RUNNING);
            }
            final int work = engine.paused() ? 0 : runOnce();
            if (!engine.config.exactlyOnce() && sendDue(work) && !sendOutputs()) {
                continue;
            }
            // while a commit travels, the next waits for it (finished above once its outcome came); output reaching the
            // most a unit holds meanwhile waits for it here, and the next pass gives the tasks with stores their turn
            // before the next unit goes
            if (inFlight != null && outputs.size() >= engine.config.commitMaxRecords) {
                finishCommit(true);
            } else if (inFlight == null && commitDue()) {
                commitAll(false);
            }
            if (work == 0 && inFlight != null) {
                awaitCommit();
            } else if (work == 0 || !pending.isEmpty()) {
                idle(!pending.isEmpty());
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
        // small turns per task, so that tasks interleave (their outputs share one commit unit in processing order)
        final int batch = Math.min(engine.config.maxPollRecords, PROCESS_TURN);
        for (final ActiveTask task : tasks.values()) {
            if (inFlight != null && task.hasStores()) {
                continue; // its persistent stores commit the writes of the unit in flight, and only those
            }
            final StreamTask streamTask = task.task;
            synchronized (lock) {
                final long start = System.nanoTime();
                // paused is checked before each record, so nothing read after pause() returned is processed
                final int processed = streamTask.process(batch, pausedCheck);
                engine.metrics.recordProcessed(task, processed, System.nanoTime() - start);
                work += processed;
                if (engine.paused()) {
                    continue;
                }
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

    private boolean commitDue() {
        final long now = engine.time.milliseconds();
        if (outputs.size() >= engine.config.commitMaxRecords) {
            return true;
        }
        for (final ActiveTask task : tasks.values()) {
            if (task.wantsCommit(now)) {
                return true;
            }
        }
        return !outputs.records.isEmpty() && now - lastCommitMs >= engine.config.commitIntervalMs;
    }

    /**
     * Commits every task of the thread in one unit, as Kafka's exactly-once v2 commits a thread's tasks in one
     * transaction: caches flush, the unit goes to the backend, then the tasks' persistent stores commit. A unit the
     * backend refuses because a task was fenced closes every task uncleanly, to be created again.
     *
     * <p>The backend call runs on the committer thread: the loop goes on meanwhile with the tasks that have no state
     * stores ({@link #inFlight}), and the commit finishes when its outcome comes, at the latest when the next commit
     * starts. With {@code wait} it finishes before this returns.
     */
    private void commitAll(final boolean wait) {
        finishCommit(true);
        final long now = engine.time.milliseconds();
        final long start = System.nanoTime();
        final java.util.concurrent.atomic.AtomicLong doneNanos = new java.util.concurrent.atomic.AtomicLong();
        final List<ActiveTask> committing = new ArrayList<>(tasks.values());
        final Map<ActiveTask, Map<org.apache.kafka.common.TopicPartition, Long>> offsets = new LinkedHashMap<>();
        boolean advances = false;
        for (final ActiveTask task : committing) {
            synchronized (lock) {
                final Map<org.apache.kafka.common.TopicPartition, Long> taskOffsets = task.prepareCommit();
                offsets.put(task, taskOffsets);
                advances |= task.advances(taskOffsets);
            }
        }
        if (!engine.config.exactlyOnce() && (!sendOutputs() || !awaitSends(true))) {
            return;
        }
        final List<io.pspf.runtime.backend.CommitUnit.Output> produced = outputs.drain();
        final Map<org.apache.kafka.common.TopicPartition, Long> outputEnds = new java.util.HashMap<>(appendedEnds);
        appendedEnds.clear();
        for (final ActiveTask task : committing) {
            synchronized (lock) {
                task.sent(now); // what the tasks do from here on goes into the next commit
            }
        }
        lastCommitMs = now;
        final java.util.concurrent.CompletableFuture<io.pspf.runtime.backend.CommitResult> result;
        if (!committing.isEmpty() && (!produced.isEmpty() || advances)) {
            final io.pspf.runtime.backend.CommitUnit.Builder unit =
                io.pspf.runtime.backend.CommitUnit.builder(engine.config.applicationId);
            for (final ActiveTask task : committing) {
                unit.task(task.spec.id.toString(), task.epoch());
                offsets.get(task).forEach(unit::offset);
            }
            unit.outputs(produced);
            final io.pspf.runtime.backend.CommitUnit built = unit.build();
            final io.pspf.runtime.backend.Backend backend = engine.backend();
            result = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                final io.pspf.runtime.backend.CommitResult r = backend.commit(built);
                doneNanos.set(System.nanoTime()); // the latency measured is the backend's, not the wait for the outcome
                return r;
            }, committer());
        } else {
            doneNanos.set(System.nanoTime());
            result = java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        inFlight = new InFlight(result, committing, offsets, produced, outputEnds, now, start, doneNanos);
        if (wait || result.isDone()) {
            finishCommit(true);
        }
    }

    private java.util.concurrent.Executor committer() {
        if (committer == null) {
            committer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                final Thread thread = new Thread(r, getName() + "-committer");
                thread.setDaemon(true);
                return thread;
            });
        }
        return committer;
    }

    /**
     * Finishes the commit in flight, if any, once its outcome is known ({@code block}: waiting for it): the tasks note
     * the offsets and their persistent stores commit; a refused or failed unit closes every task uncleanly, to be
     * created again from what the backend committed.
     */
    private void finishCommit(final boolean block) {
        final InFlight sent = inFlight;
        if (sent == null || !block && !sent.result().isDone()) {
            return;
        }
        inFlight = null;
        final io.pspf.runtime.backend.CommitResult result;
        try {
            result = awaitUninterruptibly(sent.result());
        } catch (final java.util.concurrent.ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof io.pspf.runtime.backend.BackendException) {
                LOG.warn("stream-thread [{}] The commit of tasks {} failed ({}); closing them to create them again from "
                    + "what the backend committed", getName(), tasks.keySet(), cause.getMessage());
                dropAllTasks();
                return;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new org.apache.kafka.streams.errors.StreamsException(cause);
        }
        if (result != null && result.fenced()) {
            LOG.warn("stream-thread [{}] Tasks {} were fenced: another owner took one of them over; closing them "
                + "to create them again", getName(), tasks.keySet());
            dropAllTasks();
            return;
        }
        if (result != null) {
            result.nextOffsets().forEach((tp, end) -> sent.outputEnds().merge(tp, end, Math::max));
        }
        outputs.recycle(sent.produced());
        for (final ActiveTask task : sent.committing()) {
            if (tasks.get(task.spec.id) != task) {
                continue;
            }
            synchronized (lock) {
                task.committed(sent.outputEnds(), sent.offsets().get(task), sent.nowMs());
            }
        }
        if (!sent.committing().isEmpty()) {
            engine.metrics.recordCommit(sent.committing(), sent.doneNanos().get() - sent.startNanos());
        }
    }

    /**
     * Nothing to do while a commit travels: with a task that may go on meanwhile (one without stores), waits for the
     * commit as long as an idle thread would pause (from 0.2 ms, doubling up to {@code poll.ms}) and returns, so that
     * records coming meanwhile are read; otherwise finishes it. Interrupted, it fails the thread as {@link #idle} does.
     */
    private void awaitCommit() throws InterruptedException {
        final InFlight sent = inFlight;
        boolean someMayRun = false;
        for (final ActiveTask task : tasks.values()) {
            someMayRun |= !task.hasStores();
        }
        if (someMayRun && !shutdownRequested) {
            idleNanos = idleNanos == 0 ? TimeUnit.MICROSECONDS.toNanos(200) : Math.min(idleNanos * 2,
                TimeUnit.MILLISECONDS.toNanos(Math.max(1, engine.config.pollMs)));
            try {
                sent.result().get(idleNanos, TimeUnit.NANOSECONDS);
            } catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // finished (or not) by the loop
            }
        }
        finishCommit(!someMayRun);
    }

    /** The future's value, waiting through interrupts (kept for the caller): a commit's outcome must be known. */
    private static <T> T awaitUninterruptibly(final java.util.concurrent.Future<T> future)
        throws java.util.concurrent.ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (final InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether output waiting under at_least_once goes out now: a batch's worth is waiting, the thread has nothing else
     * to do, or the oldest has waited {@value #SEND_LINGER_MS} ms (Kafka Streams' producer lingers as long).
     */
    private boolean sendDue(final int work) {
        final int waiting = outputs.size();
        if (waiting == 0) {
            return false;
        }
        final long now = engine.time.milliseconds();
        if (waiting >= SEND_BATCH_RECORDS || work == 0 || now - lastSendMs >= SEND_LINGER_MS) {
            lastSendMs = now;
            return true;
        }
        return false;
    }

    /**
     * Under at_least_once, what the tasks produced goes to the backend without waiting for a commit, as Kafka's
     * producer sends it, in batches of one append per partition; only the input offsets wait for the commit, so a
     * crash may repeat output but not lose it.
     *
     * @return false when the backend failed and the tasks were dropped to be created again
     */
    private boolean sendOutputs() {
        // a send that failed fails the tasks before anything more goes out (nothing later may overtake what is lost)
        if (!awaitSends(false)) {
            return false;
        }
        if (outputs.size() == 0) {
            return true;
        }
        while (pendingSends.size() >= MAX_SENDS_IN_FLIGHT) {
            pendingSends.peekFirst().acked.exceptionally(e -> null).join();
            if (!awaitSends(false)) {
                return false;
            }
        }
        final List<io.pspf.runtime.backend.CommitUnit.Output> drained = outputs.drain();
        final Map<org.apache.kafka.common.TopicPartition, List<io.pspf.runtime.backend.RawRecord>> byPartition =
            io.pspf.runtime.backend.CommitUnit.byPartition(drained);
        outputs.recycle(drained);
        final Map<org.apache.kafka.common.TopicPartition, Integer> counts = new java.util.HashMap<>();
        byPartition.forEach((tp, records) -> counts.put(tp, records.size()));
        pendingSends.addLast(new PendingSend(engine.backend().appendAllAsync(byPartition), counts));
        return true;
    }

    /**
     * Takes in the acknowledged sends, oldest first; with {@code all}, waits for every one. A failed send closes the
     * tasks, to be created again from what the backend committed.
     *
     * @return false when a send failed and the tasks were dropped
     */
    private boolean awaitSends(final boolean all) {
        while (!pendingSends.isEmpty() && (all || pendingSends.peekFirst().acked.isDone())) {
            final PendingSend send = pendingSends.peekFirst();
            final Map<org.apache.kafka.common.TopicPartition, Long> firsts;
            try {
                firsts = send.acked.join();
            } catch (final java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                final Throwable cause = e.getCause() == null ? e : e.getCause();
                if (!(cause instanceof io.pspf.runtime.backend.BackendException)) {
                    throw e;
                }
                LOG.warn("stream-thread [{}] Sending output failed ({}); closing the tasks to create them again from "
                    + "what the backend committed", getName(), cause.getMessage());
                dropAllTasks();
                return false;
            }
            pendingSends.removeFirst();
            firsts.forEach((tp, first) -> appendedEnds.merge(tp, first + send.counts.get(tp), Math::max));
        }
        return true;
    }

    /** Closes every task without committing and lets the loop create them again (their leases stay). */
    private void dropAllTasks() {
        dropInFlight();
        outputs.drain();
        appendedEnds.clear();
        pendingSends.clear(); // what they carried may or may not have landed: at least once, the tasks send it again
        for (final ActiveTask task : new ArrayList<>(tasks.values())) {
            tasks.remove(task.spec.id);
            synchronized (lock) {
                task.closeDirty();
            }
            engine.taskClosed(task);
            engine.unlockTask(task.spec.id, this);
        }
        appliedVersion = -1;
    }

    /**
     * Waits for the commit in flight, if any, and leaves it unfinished: the tasks are about to close uncleanly and
     * start again from what the backend has, whether or not it landed.
     */
    private void dropInFlight() {
        final InFlight sent = inFlight;
        inFlight = null;
        if (sent != null) {
            try {
                awaitUninterruptibly(sent.result());
            } catch (final java.util.concurrent.ExecutionException e) {
                // landed or not, the same
            }
        }
    }

    private long creationFailingSince = -1;

    /**
     * A backend failure while creating a task (the backend is down, say) is retried with growing pauses for up to
     * {@code task.timeout.ms}, Kafka's bound on retrying timeouts; then it fails the thread.
     */
    private void backOffCreating(final TaskSpec spec, final io.pspf.runtime.backend.BackendException failure)
        throws InterruptedException {
        final long now = engine.time.milliseconds();
        if (creationFailingSince < 0) {
            creationFailingSince = now;
        }
        if (now - creationFailingSince > engine.config.taskTimeoutMs) {
            throw new org.apache.kafka.streams.errors.StreamsException("Task " + spec.id + " could not be created for "
                + engine.config.taskTimeoutMs + " ms (task.timeout.ms)", failure);
        }
        LOG.warn("stream-thread [{}] Creating task {} failed ({}); retrying", getName(), spec.id, failure.getMessage());
        Thread.sleep(Math.min(1_000, 10 + (now - creationFailingSince) / 4));
    }

    /**
     * Waits a little when there was nothing to do, longer each time up to {@code poll.ms}; while all its tasks run, on
     * the backend, so that records coming to their inputs end the wait at once.
     */
    private void idle(final boolean tasksPending) throws InterruptedException {
        idleNanos = idleNanos == 0 ? TimeUnit.MICROSECONDS.toNanos(200) : Math.min(idleNanos * 2,
            TimeUnit.MILLISECONDS.toNanos(Math.max(1, engine.config.pollMs)));
        final long idleMs = TimeUnit.NANOSECONDS.toMillis(idleNanos);
        final Map<org.apache.kafka.common.TopicPartition, Long> positions = new java.util.HashMap<>();
        if (idleMs >= 1 && !tasksPending && !engine.paused()) {
            for (final ActiveTask task : tasks.values()) {
                task.addFetchPositions(positions);
            }
        }
        if (positions.isEmpty()) {
            LockSupport.parkNanos(this, idleNanos);
        } else if (engine.backend().awaitRecords(positions, idleMs)) {
            idleNanos = 0; // records came: read at once, and wait again from the shortest pause
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private void revokeTasksNotIn(final List<TaskSpec> target) {
        final Map<TaskId, TaskSpec> keep = new java.util.HashMap<>();
        for (final TaskSpec spec : target) {
            keep.put(spec.id, spec);
        }
        final List<ActiveTask> revoked = new ArrayList<>();
        for (final ActiveTask task : tasks.values()) {
            final TaskSpec wanted = keep.get(task.spec.id);
            // a task whose inputs changed (a pattern now matches another topic) is closed and created anew
            if (wanted == null || !wanted.inputs.equals(task.spec.inputs)) {
                revoked.add(task);
            }
        }
        if (revoked.isEmpty()) {
            return;
        }
        setState(State.PARTITIONS_REVOKED);
        commitAll(true);
        for (final ActiveTask task : revoked) {
            if (tasks.remove(task.spec.id) == null) {
                continue; // the commit failed and dropped every task
            }
            try {
                synchronized (lock) {
                    task.close();
                }
            } finally {
                engine.taskClosed(task);
                engine.unlockTask(task.spec.id, this);
            }
        }
    }

    private void closeTasks(final boolean clean) {
        RuntimeException first = null;
        if (clean) {
            try {
                commitAll(true);
            } catch (final RuntimeException e) {
                LOG.error("stream-thread [{}] The last commit failed; closing the tasks without it", getName(), e);
                dropAllTasks();
            }
        } else {
            dropInFlight();
            outputs.drain();
        }
        for (final ActiveTask task : new ArrayList<>(tasks.values())) {
            tasks.remove(task.spec.id);
            try {
                synchronized (lock) {
                    if (clean) {
                        task.close();
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
