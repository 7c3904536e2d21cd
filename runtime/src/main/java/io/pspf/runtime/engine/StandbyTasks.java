package io.pspf.runtime.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.backend.RawRecord;
import io.pspf.runtime.task.StreamTask;

/**
 * The standby and warm-up tasks of one instance, kept up to date by one thread (as Kafka's state updater thread does
 * since KIP-869). A standby task holds a task's stores and nothing else: it reads the task's changelogs from where its
 * stores are and applies them, and commits the stores with the offsets they reflect every {@code commit.interval.ms}.
 * When the task becomes active here, the standby closes first and the active task restores only the gap left.
 *
 * <p>Concurrency: the standby tasks are opened, updated and closed under this object's monitor, one task's batch at a
 * time; a stream thread about to create an active task calls {@link #promote}, which waits for the batch in hand at
 * most. Everything else (the engine's group thread, metadata, queries' lookups) reads a snapshot taken after each
 * change and never waits. A task held by a stream thread is never opened as a standby.
 */
final class StandbyTasks extends Thread {
    private static final Logger LOG = LoggerFactory.getLogger(StandbyTasks.class);
    private static final int BATCH = 10_000;
    private static final long LIMIT_REFRESH_MS = 100;

    private final Engine engine;
    /** The open standby tasks; changed under this object's monitor. */
    private final Map<TaskId, Standby> tasks = new java.util.concurrent.ConcurrentSkipListMap<>();
    private volatile Map<TaskId, TaskSpec> wanted = Map.of();
    private volatile boolean stop;
    private volatile StandbyUpdateListener listener = NO_LISTENER;

    static final StandbyUpdateListener NO_LISTENER = new StandbyUpdateListener() {
        @Override
        public void onUpdateStart(final TopicPartition tp, final String store, final long start) {
        }

        @Override
        public void onBatchLoaded(final TopicPartition tp, final String store, final TaskId task, final long batchEnd,
                                  final long batchSize, final long currentEnd) {
        }

        @Override
        public void onUpdateSuspended(final TopicPartition tp, final String store, final long storeOffset,
                                      final long currentEnd, final SuspendReason reason) {
        }
    };

    StandbyTasks(final Engine engine, final String clientId) {
        super(clientId + "-StandbyUpdater");
        setDaemon(true);
        this.engine = engine;
    }

    void setListener(final StandbyUpdateListener listener) {
        this.listener = listener == null ? NO_LISTENER : listener;
    }

    /** The standby and warm-up tasks this instance should keep (tasks held by a stream thread wait until let go). */
    void assign(final Map<TaskId, TaskSpec> wanted) {
        this.wanted = Map.copyOf(wanted);
        java.util.concurrent.locks.LockSupport.unpark(this);
    }

    /**
     * What a promoted standby hands to the active task: its in-memory stores with changelogs (store name to the
     * innermost store, records kept) and the changelog offset each goes on from.
     */
    record Carried(Map<String, StateStore> stores, Map<String, Long> positions) {
        static final Carried NONE = new Carried(Map.of(), Map.of());
    }

    /**
     * Closes the standby of a task that is about to become active here; returns once it is closed, with its in-memory
     * stores' records kept for the active task (as Kafka recycles a standby's stores; persistent stores carry their
     * state over in their files).
     */
    Carried promote(final TaskId id) {
        synchronized (this) {
            final Standby standby = tasks.remove(id);
            if (standby == null) {
                return Carried.NONE;
            }
            final Carried carried = standby.carried();
            standby.close(StandbyUpdateListener.SuspendReason.PROMOTED);
            publish();
            return carried;
        }
    }

    /**
     * What the other threads read of the standby tasks, replaced after every change: they never wait for the updater,
     * which holds this object's monitor while it applies a batch.
     */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), Map.of());
        final Map<TaskId, Long> offsetSums;
        final Map<TaskSpec, Set<String>> specs;
        final Map<String, Map<TopicPartition, Long>> positions;
        final Map<String, List<Map.Entry<Integer, StateStore>>> stores;

        Snapshot(final Map<TaskId, Long> offsetSums, final Map<TaskSpec, Set<String>> specs,
                 final Map<String, Map<TopicPartition, Long>> positions,
                 final Map<String, List<Map.Entry<Integer, StateStore>>> stores) {
            this.offsetSums = offsetSums;
            this.specs = specs;
            this.positions = positions;
            this.stores = stores;
        }
    }

    private volatile Snapshot snapshot = Snapshot.EMPTY;

    /** Takes a new snapshot; under this object's monitor. */
    private void publish() {
        final Map<TaskId, Long> sums = new HashMap<>();
        final Map<TaskSpec, Set<String>> specs = new TreeMap<>();
        final Map<String, Map<TopicPartition, Long>> positions = new TreeMap<>();
        final Map<String, List<Map.Entry<Integer, StateStore>>> stores = new HashMap<>();
        for (final Standby standby : tasks.values()) {
            sums.put(standby.spec.id, standby.offsetSum());
            specs.put(standby.spec, new TreeSet<>(standby.task.stores().keySet()));
            for (final Map.Entry<String, TopicPartition> e : standby.spec.changelogs.entrySet()) {
                positions.computeIfAbsent(e.getKey(), k -> new HashMap<>()).put(e.getValue(),
                    standby.positions.get(e.getKey()));
            }
            for (final Map.Entry<String, StateStore> e : standby.task.stores().entrySet()) {
                stores.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                    .add(Map.entry(standby.spec.id.partition(), e.getValue()));
            }
        }
        snapshot = new Snapshot(sums, specs, positions, stores);
    }

    /** The open standby tasks' specs and store names. */
    Map<TaskSpec, Set<String>> specs() {
        return snapshot.specs;
    }

    /** Store name -> changelog partition -> the next offset the standby applies, for every open standby task. */
    Map<String, Map<TopicPartition, Long>> changelogPositions() {
        return snapshot.positions;
    }

    /**
     * Per open standby task, the sum of the offsets its stores reflect of its changelogs (and of source topics serving
     * as changelogs). In-memory stores count too: their copy is what lets a warm-up finish, and the active task that
     * follows here takes it over ({@link #promote}).
     */
    Map<TaskId, Long> offsetSums() {
        return snapshot.offsetSums;
    }

    /**
     * Whether an open standby task holds this store; under this object's monitor (a promoted standby's in-memory store
     * lives on in the active task, which queries must then reach through it).
     */
    boolean holds(final StateStore store) {
        for (final Standby standby : tasks.values()) {
            if (standby.task.stores().containsValue(store)) {
                return true;
            }
        }
        return false;
    }

    /** The stores of this name of the open standby tasks, by partition (for interactive queries of stale stores). */
    List<Map.Entry<Integer, StateStore>> stores(final String storeName) {
        return snapshot.stores.getOrDefault(storeName, List.of());
    }

    void shutdown() {
        stop = true;
        java.util.concurrent.locks.LockSupport.unpark(this);
        try {
            join(30_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (final Standby standby : tasks.values()) {
                standby.close(StandbyUpdateListener.SuspendReason.MIGRATED);
            }
            tasks.clear();
            publish();
        }
    }

    @Override
    public void run() {
        long lastPublishMs = 0;
        while (!stop) {
            try {
                synchronized (this) {
                    if (reconcile()) {
                        publish(); // queries must not be handed a closed standby's stores
                    }
                }
                // one task's batch at a time under the monitor, so a promotion or a query waits for one batch at most
                int applied = 0;
                for (final TaskId id : new ArrayList<>(tasks.keySet())) {
                    synchronized (this) {
                        final Standby standby = tasks.get(id);
                        if (standby != null) {
                            applied += standby.update();
                            standby.commitIfDue(engine.time.milliseconds());
                        }
                    }
                }
                final long now = engine.time.milliseconds();
                if (applied > 0 && now - lastPublishMs >= 50 || applied == 0) {
                    synchronized (this) {
                        publish();
                    }
                    lastPublishMs = now;
                }
                if (applied == 0 && !stop) {
                    java.util.concurrent.locks.LockSupport.parkNanos(this,
                        java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.min(engine.config.pollMs, 100))));
                }
            } catch (final RuntimeException e) {
                if (stop) {
                    return;
                }
                // a backend outage, say: the standby tasks are dropped (their stores keep what they committed) and
                // opened again on the next round
                LOG.warn("{} Updating the standby tasks failed; reopening them", getName(), e);
                synchronized (this) {
                    for (final Standby standby : tasks.values()) {
                        standby.closeQuietly();
                    }
                    tasks.clear();
                    publish();
                }
                try {
                    Thread.sleep(1_000);
                } catch (final InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Closes the standbys no longer wanted and opens the wanted ones that no stream thread holds. */
    /** @return whether a standby was opened or closed */
    private boolean reconcile() {
        boolean changed = false;
        for (final java.util.Iterator<Map.Entry<TaskId, Standby>> it = tasks.entrySet().iterator(); it.hasNext(); ) {
            final Map.Entry<TaskId, Standby> e = it.next();
            final TaskSpec spec = wanted.get(e.getKey());
            if (spec == null && engine.ownsTask(e.getKey())) {
                continue; // about to become active here: its stream thread promotes it
            }
            if (spec == null || !spec.inputs.equals(e.getValue().spec.inputs)) {
                it.remove();
                e.getValue().close(StandbyUpdateListener.SuspendReason.MIGRATED);
                changed = true;
            }
        }
        for (final TaskSpec spec : wanted.values()) {
            if (!tasks.containsKey(spec.id) && !engine.heldByStreamThread(spec.id)) {
                tasks.put(spec.id, open(spec));
                changed = true;
            }
        }
        return changed;
    }

    private Standby open(final TaskSpec spec) {
        try {
            return new Standby(spec);
        } catch (final ActiveTask.CorruptedState corrupted) {
            LOG.warn("{}; wiping the standby's state and restoring it from its changelogs", corrupted.getMessage());
            engine.wipeTaskState(spec.id);
            return new Standby(spec);
        }
    }

    /** One standby task. */
    private final class Standby {
        final TaskSpec spec;
        final StreamTask task;
        /** Store name -> the next changelog offset to apply. */
        final Map<String, Long> positions = new HashMap<>();
        /** Store name -> the offset up to which a source topic serving as its changelog is applied (committed input). */
        final Map<String, Long> sourceLimits = new HashMap<>();
        final boolean persistent;
        long lastCommitMs;
        long lastLimitRefreshMs = Long.MIN_VALUE;
        boolean dirty;

        Standby(final TaskSpec spec) {
            this.spec = spec;
            this.task = new StreamTask(spec.id, false, List.of(spec.subtopology), engine.taskConfig(),
                new io.pspf.runtime.task.RecordSink() {
                    @Override
                    public int partitionsFor(final String topic) {
                        throw new IllegalStateException("A standby task does not process records");
                    }

                    @Override
                    public void send(final RawRecord record, final Integer partition) {
                        throw new IllegalStateException("A standby task does not process records");
                    }
                }, engine.time::milliseconds, null, engine.kafkaMetrics());
            boolean allPersistent = true;
            try {
                task.initializeStores();
                for (final Map.Entry<String, TopicPartition> e : storeChangelogs().entrySet()) {
                    final StateStore store = task.stores().get(e.getKey());
                    allPersistent &= store != null && store.persistent();
                    positions.put(e.getKey(), startPosition(e.getKey(), e.getValue(), store));
                }
            } catch (final RuntimeException e) {
                closeQuietly();
                throw e;
            }
            this.persistent = allPersistent;
            this.lastCommitMs = engine.time.milliseconds();
            for (final Map.Entry<String, TopicPartition> e : storeChangelogs().entrySet()) {
                listener.onUpdateStart(e.getValue(), e.getKey(), positions.get(e.getKey()));
            }
            LOG.info("{} Standby task {} opened at {}", getName(), spec.id, positions);
        }

        private Map<String, TopicPartition> storeChangelogs() {
            final Map<String, TopicPartition> all = new TreeMap<>(spec.changelogs);
            all.putAll(spec.sourceChangelogs);
            return all;
        }

        private long startPosition(final String storeName, final TopicPartition tp, final StateStore store) {
            final io.pspf.runtime.backend.Backend backend = engine.backend();
            final long logStart = backend.logStartOffset(tp.topic(), tp.partition());
            final long end = backend.logEndOffset(tp.topic(), tp.partition());
            final Long committed = store == null ? null : store.committedOffset(tp);
            if (committed != null && (committed > end || committed < logStart) && backend.consecutiveOffsets(tp.topic())) {
                throw new ActiveTask.CorruptedState("Store " + storeName + " of standby task " + spec.id
                    + " committed changelog offset " + committed + ", outside " + tp + "'s range [" + logStart + ", "
                    + end + "]");
            }
            return committed == null ? logStart : Math.max(committed, logStart);
        }

        /** Marks its in-memory stores with changelogs to keep their records through the close that follows. */
        Carried carried() {
            final Map<String, StateStore> stores = new HashMap<>();
            final Map<String, Long> at = new HashMap<>();
            for (final String storeName : storeChangelogs().keySet()) {
                final StateStore store = task.stores().get(storeName);
                final io.pspf.runtime.state.CarriedOverStores.Keepable inner = store == null || store.persistent() ? null
                    : io.pspf.runtime.state.WrappedStore.find(store, io.pspf.runtime.state.CarriedOverStores.Keepable.class);
                if (inner instanceof StateStore && task.restorable(storeName)) {
                    inner.keepOnClose();
                    stores.put(storeName, (StateStore) inner);
                    at.put(storeName, positions.get(storeName));
                }
            }
            return stores.isEmpty() ? Carried.NONE : new Carried(stores, at);
        }

        long offsetSum() {
            long sum = 0;
            for (final Long position : positions.values()) {
                sum += position;
            }
            return sum;
        }

        int update() {
            final io.pspf.runtime.backend.Backend backend = engine.backend();
            final long now = engine.time.milliseconds();
            if (!spec.sourceChangelogs.isEmpty() && now - lastLimitRefreshMs >= LIMIT_REFRESH_MS) {
                final Map<TopicPartition, Long> committed = backend.committedOffsets(engine.config.applicationId,
                    spec.sourceChangelogs.values());
                for (final Map.Entry<String, TopicPartition> e : spec.sourceChangelogs.entrySet()) {
                    sourceLimits.put(e.getKey(), committed.getOrDefault(e.getValue(), positions.get(e.getKey())));
                }
                lastLimitRefreshMs = now;
            }
            int applied = 0;
            for (final Map.Entry<String, TopicPartition> e : storeChangelogs().entrySet()) {
                final String storeName = e.getKey();
                final TopicPartition tp = e.getValue();
                if (!task.restorable(storeName)) {
                    continue;
                }
                final long position = positions.get(storeName);
                final Long limit = sourceLimits.get(storeName);
                final long wantedCount = limit == null ? BATCH : Math.min(BATCH, limit - position);
                if (wantedCount <= 0) {
                    continue;
                }
                final List<RawRecord> records = backend.read(tp.topic(), tp.partition(), position, (int) wantedCount);
                if (records.isEmpty()) {
                    continue;
                }
                final List<RawRecord> batch = new ArrayList<>(records.size());
                for (final RawRecord record : records) {
                    if (limit == null || record.offset() < limit) {
                        batch.add(record);
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                task.restore(storeName, batch);
                final long next = batch.get(batch.size() - 1).offset() + 1;
                positions.put(storeName, next);
                applied += batch.size();
                dirty = true;
                if (listener != NO_LISTENER) {
                    listener.onBatchLoaded(tp, storeName, spec.id, next - 1, batch.size(),
                        backend.logEndOffset(tp.topic(), tp.partition()));
                }
            }
            return applied;
        }

        void commitIfDue(final long now) {
            if (dirty && now - lastCommitMs >= engine.config.commitIntervalMs) {
                commit();
                lastCommitMs = now;
            }
        }

        private void commit() {
            final Map<String, Map<TopicPartition, Long>> offsets = new HashMap<>();
            for (final Map.Entry<String, TopicPartition> e : storeChangelogs().entrySet()) {
                offsets.put(e.getKey(), Map.of(e.getValue(), positions.get(e.getKey())));
            }
            task.commitPersistentStores(offsets);
            dirty = false;
        }

        void close(final StandbyUpdateListener.SuspendReason reason) {
            try {
                commit();
                task.closeStores();
                if (persistent) {
                    engine.noteOffsetSum(spec.id, offsetSum());
                }
            } catch (final RuntimeException e) {
                LOG.warn("{} Closing standby task {} failed", getName(), spec.id, e);
                closeQuietly();
            }
            if (listener != NO_LISTENER) {
                for (final Map.Entry<String, TopicPartition> e : storeChangelogs().entrySet()) {
                    long end = -1;
                    try {
                        end = engine.backend().logEndOffset(e.getValue().topic(), e.getValue().partition());
                    } catch (final RuntimeException ignored) {
                        // reported as unknown
                    }
                    listener.onUpdateSuspended(e.getValue(), e.getKey(), positions.get(e.getKey()), end, reason);
                }
            }
            LOG.info("{} Standby task {} closed ({}) at {}", getName(), spec.id, reason, positions);
        }

        void closeQuietly() {
            try {
                task.closeStores();
            } catch (final RuntimeException e) {
                LOG.debug("Ignoring a failure closing standby task {}", spec.id, e);
            }
        }
    }
}
