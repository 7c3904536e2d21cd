package io.pspf.runtime.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.RawRecord;
import io.pspf.runtime.graph.GraphBuilder;
import io.pspf.runtime.graph.StoreSpec;
import io.pspf.runtime.graph.Subtopology;
import io.pspf.runtime.state.PersistentStorage;
import io.pspf.runtime.state.RecordCache;
import io.pspf.runtime.task.StreamTask;
import io.pspf.runtime.task.TaskConfig;

/**
 * Runs a topology against a backend: what {@code PspfStreams} (Kafka's {@code KafkaStreams}) drives. It plans the
 * topics and tasks at {@link #start()}, deals the tasks out to its stream threads, keeps global stores up to date on
 * a global thread, and stops everything at {@link #shutdown()}. The client-level state machine, the uncaught
 * exception handler and the public checks live in {@code PspfStreams}; the engine reports thread state changes and
 * failures to it through {@link Listener}.
 *
 * <p>Design note: this first version owns every task of the application in one process (as a single Kafka Streams
 * instance does when it is the only member of its group). Each task fences its epoch when it is created, so a second
 * process on the same backend cannot commit over it.
 */
public final class Engine {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /** What the engine tells its owner. */
    public interface Listener {
        void onThreadStateChange(StreamThreadRunner thread, StreamThreadRunner.State newState, StreamThreadRunner.State oldState);

        /** A stream thread failed (its tasks are already closed); {@code thread} is null for the global thread. */
        void onThreadFailure(StreamThreadRunner thread, Throwable failure);

        /** Another instance of the application asked every instance to shut down ({@code SHUTDOWN_APPLICATION}). */
        default void onApplicationShutdownRequested() {
        }
    }

    final EngineConfig config;
    final Time time;
    final EngineMetrics metrics;
    private final GraphBuilder graph;
    private final TaskConfig taskConfig;
    private final List<Subtopology> subtopologies;
    private final Subtopology globalSubtopology;
    private final StateDirectory stateDirectory;
    private final UUID processId;
    private final String clientId;
    private final Listener listener;
    private final PersistentStorage.Provider persistentStorage;
    private final List<StreamThreadRunner> threads = new CopyOnWriteArrayList<>();
    private final Map<TaskId, StreamThreadRunner> taskLocks = new ConcurrentHashMap<>();
    private final long totalCacheSize;
    private volatile StateRestoreListener restoreListener = NO_RESTORE_LISTENER;
    private volatile boolean paused;
    private volatile Backend backend;
    private volatile List<TaskSpec> plan = List.of();
    private GlobalUpdater global;
    /** This instance's membership of its application's group, and the tasks whose leases it holds. */
    private io.pspf.runtime.backend.GroupMembership membership;
    /** The standby and warm-up tasks of this instance, and the thread keeping them up to date. */
    private final StandbyTasks standbys;
    private final int numStandbys;
    private final long acceptableRecoveryLag;
    private final int maxWarmups;
    /** The assignment this instance follows (the last one read from the group). */
    private volatile TaskAssignor.Assignment assignment = new TaskAssignor.Assignment();
    private volatile long assignmentGeneration;
    private final Set<TaskId> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Tasks given up to other instances whose leases are released once no thread of ours runs them. */
    private final Set<TaskId> releasing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Tasks whose leases were free at the last check of the group. */
    private Set<TaskId> freeBefore = Set.of();
    private Thread groupThread;
    private final Object groupSignal = new Object();
    private volatile boolean stopping;

    static final StateRestoreListener NO_RESTORE_LISTENER = new StateRestoreListener() {
        @Override
        public void onRestoreStart(final TopicPartition tp, final String store, final long start, final long end) {
        }

        @Override
        public void onBatchRestored(final TopicPartition tp, final String store, final long batchEnd, final long n) {
        }

        @Override
        public void onRestoreEnd(final TopicPartition tp, final String store, final long total) {
        }
    };

    /**
     * @throws TopologyException for a topology with no source and no global table
     * @throws org.apache.kafka.common.config.ConfigException for a bad PSPF setting
     * @throws org.apache.kafka.streams.errors.StreamsException when another client holds the state directory
     */
    public Engine(final GraphBuilder graph, final TopologyConfig topologyConfig, final StreamsConfig streamsConfig,
                  final Time time, final MeterRegistry meterRegistry, final Listener listener) {
        this.config = new EngineConfig(streamsConfig);
        this.time = time;
        this.graph = graph;
        this.listener = listener;
        this.taskConfig = new TaskConfig(streamsConfig, topologyConfig);
        this.subtopologies = graph.subtopologies(config.applicationId);
        this.globalSubtopology = graph.globalSubtopology(config.applicationId);
        if (subtopologies.isEmpty() && globalSubtopology == null) {
            throw new TopologyException("Topology has no stream threads and no global threads, must subscribe to at "
                + "least one source topic or global table.");
        }
        this.persistentStorage = PersistentStorage.installed();
        if (persistentStorage == null) {
            LOG.warn("No persistent storage (pspf-state-sqlite) is on the class path: persistent stores are kept in memory "
                + "and restored from their changelogs on every start");
        }
        taskConfig.usePersistentStorage(persistentStorage);
        this.metrics = new EngineMetrics(meterRegistry, new Metrics(time));
        // as Kafka Streams, store operation latencies are measured at the DEBUG recording level only
        if (!"INFO".equals(streamsConfig.getString(StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG))) {
            taskConfig.useStoreTimers(metrics::storeTimer);
        }
        this.stateDirectory = new StateDirectory(new java.io.File(streamsConfig.getString(StreamsConfig.STATE_DIR_CONFIG)),
            config.applicationId, hasPersistentStores());
        this.processId = stateDirectory.initializeProcessId();
        this.clientId = config.clientId(processId);
        final int numThreads = subtopologies.isEmpty() ? 0
            : Math.max(0, streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        this.totalCacheSize = Math.max(0, streamsConfig.getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG));
        for (int i = 1; i <= numThreads; i++) {
            threads.add(new StreamThreadRunner(this, clientId + "-StreamThread-" + i, i));
        }
        this.membership = io.pspf.runtime.backend.GroupMembership.solo(processId.toString());
        this.standbys = new StandbyTasks(this, clientId);
        this.numStandbys = streamsConfig.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG);
        this.acceptableRecoveryLag = streamsConfig.getLong(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG);
        this.maxWarmups = streamsConfig.getInt(StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG);
    }

    private boolean hasPersistentStores() {
        final List<StoreSpec> specs = new ArrayList<>(graph.stores().values());
        specs.addAll(graph.globalStores().values());
        for (final StoreSpec spec : specs) {
            final StateStore probe = (StateStore) spec.builder().build();
            if (probe.persistent()) {
                return true;
            }
        }
        return false;
    }

    public String clientId() {
        return clientId;
    }

    public UUID processId() {
        return processId;
    }

    public List<StreamThreadRunner> threads() {
        return Collections.unmodifiableList(threads);
    }

    public void setRestoreListener(final StateRestoreListener listener) {
        this.restoreListener = listener == null ? NO_RESTORE_LISTENER : listener;
    }

    public boolean hasGlobalThread() {
        return globalSubtopology != null;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Opens the backend, creates the topics, loads the global stores, and starts the stream threads.
     *
     * @throws org.apache.kafka.streams.errors.StreamsException (or a backend or topology exception) when it cannot
     */
    public void start() {
        backend = BackendProvider.open(config.backend, config.originals);
        final Set<String> globalTopics = globalSubtopology == null ? Set.of() : new LinkedHashSet<>(graph.globalTopics());
        plan = new TopicPlanner(graph, subtopologies, backend, config.applicationId, config.topicPartitions).plan(globalTopics);
        patternTopics = currentPatternTopics();
        if (globalSubtopology != null) {
            global = new GlobalUpdater(globalTopics);
            global.bootstrap();
            global.start();
        }
        membership = backend.join(config.applicationId, processId.toString());
        balance();
        standbys.start();
        for (final StreamThreadRunner thread : threads) {
            thread.start();
        }
        reassign();
        groupThread = new Thread(this::followGroup, clientId + "-GroupThread");
        groupThread.setDaemon(true);
        groupThread.start();
    }

    /** Re-balances the tasks among the group's instances every {@code pspf.group.check.interval.ms}. */
    private void followGroup() {
        while (!stopping) {
            try {
                synchronized (groupSignal) {
                    if (!stopping) {
                        groupSignal.wait(config.groupCheckIntervalMs);
                    }
                }
                if (membership.shutdownRequested()) {
                    LOG.error("{} An instance of {} asked the whole application to shut down", clientId, config.applicationId);
                    listener.onApplicationShutdownRequested();
                    return;
                }
                followPatterns();
                balance();
            } catch (final InterruptedException e) {
                return;
            } catch (final RuntimeException e) {
                if (!stopping) {
                    LOG.warn("Could not check the group of {}; trying again", config.applicationId, e);
                }
            }
        }
    }

    /**
     * Re-plans the tasks when a source pattern matches a topic it did not match before (Kafka picks such topics up
     * when it refreshes its metadata): tasks whose inputs changed are closed and created again.
     */
    private void followPatterns() {
        boolean patterns = false;
        for (final Subtopology subtopology : subtopologies) {
            patterns |= !subtopology.patternSources().isEmpty();
        }
        if (!patterns) {
            return;
        }
        final Set<String> matched = currentPatternTopics();
        if (matched.equals(patternTopics)) {
            return;
        }
        LOG.info("{} Source patterns now match {}; planning the tasks again", clientId, matched);
        final Set<String> globalTopics = globalSubtopology == null ? Set.of() : new LinkedHashSet<>(graph.globalTopics());
        synchronized (this) {
            if (stopping) {
                return;
            }
            plan = new TopicPlanner(graph, subtopologies, backend, config.applicationId, config.topicPartitions)
                .plan(globalTopics);
            patternTopics = matched;
            reassign();
        }
    }

    private Set<String> currentPatternTopics() {
        final Set<String> matched = new java.util.TreeSet<>();
        for (final Subtopology subtopology : subtopologies) {
            for (final io.pspf.runtime.graph.NodeSpec.Source source : subtopology.patternSources()) {
                for (final String topic : backend.topics()) {
                    if (source.pattern().matcher(topic).matches()) {
                        matched.add(topic);
                    }
                }
            }
        }
        return matched;
    }

    /** The topics the source patterns matched when the tasks were last planned. */
    private Set<String> patternTopics = Set.of();

    /**
     * Follows the group's assignment ({@link TaskAssignor}): publishes this instance's report (its live stream threads
     * and how far its copy of each task's state goes), lets the leader (the live member with the lowest id) write a new
     * assignment when the one followed is out of date, then runs what the assignment gives this instance. A task that
     * moves away is committed and closed by its thread before its lease goes (cooperative hand-over); a task that moves
     * here is taken once its lease is free. Standby and warm-up tasks go to the standby updater.
     */
    synchronized void balance() {
        if (stopping) {
            return;
        }
        final List<TaskSpec> tasks = plan;
        boolean changed = false;
        // a lease that lapsed (this instance missed its session timeout, paused or cut off) and went to another
        // instance: the task is given up; its commits are refused anyway once the new owner fences it
        for (final TaskId id : new ArrayList<>(owned)) {
            if (!membership.tryAcquire(id.toString())) {
                LOG.warn("{} lost the lease of task {} to another instance; giving the task up", clientId, id);
                owned.remove(id);
                changed = true;
            }
        }
        membership.publish(report());
        final java.util.SortedMap<String, String> members = membership.members();
        memberServers = servers(members);
        io.pspf.runtime.backend.GroupMembership.Versioned current = membership.assignment();
        TaskAssignor.Assignment followed = current.value().isEmpty() ? new TaskAssignor.Assignment()
            : TaskAssignor.Assignment.decode(current.value());
        if (!members.isEmpty() && members.firstKey().equals(memberId())) {
            final TaskAssignor.Assignment next = computeAssignment(members, followed, tasks);
            if (!next.equals(followed)) {
                if (membership.writeAssignment(current.generation(), next.encode())) {
                    LOG.info("{} (group leader) wrote assignment generation {} for {} member(s): {}", clientId,
                        current.generation() + 1, members.size(), next);
                    current = new io.pspf.runtime.backend.GroupMembership.Versioned(current.generation() + 1,
                        next.encode());
                    followed = next;
                } else {
                    current = membership.assignment();
                    followed = current.value().isEmpty() ? new TaskAssignor.Assignment()
                        : TaskAssignor.Assignment.decode(current.value());
                }
            }
        }
        if (current.generation() != assignmentGeneration) {
            LOG.info("{} follows assignment generation {}: active {}, standby {}, warm-up {}", clientId,
                current.generation(), followed.active(memberId()), followed.standby(memberId()),
                followed.warmup(memberId()));
            assignmentGeneration = current.generation();
        }
        assignment = followed;
        final Set<TaskId> planned = new java.util.HashSet<>();
        for (final TaskSpec spec : tasks) {
            planned.add(spec.id);
        }
        final Set<TaskId> wanted = new java.util.HashSet<>(followed.active(memberId()));
        wanted.retainAll(planned);
        for (final TaskId id : new ArrayList<>(owned)) {
            if (!wanted.contains(id)) {
                owned.remove(id);
                releasing.add(id);
                changed = true;
            }
        }
        for (final java.util.Iterator<TaskId> it = releasing.iterator(); it.hasNext(); ) {
            final TaskId id = it.next();
            if (wanted.contains(id)) {
                // assigned back before its thread let it go: the lease is still ours
                it.remove();
                owned.add(id);
                changed = true;
            } else if (!taskLocks.containsKey(id)) {
                membership.release(id.toString());
                it.remove();
            }
        }
        for (final TaskSpec spec : tasks) {
            if (wanted.contains(spec.id) && !owned.contains(spec.id) && membership.tryAcquire(spec.id.toString())) {
                owned.add(spec.id);
                changed = true;
            }
        }
        // standby and warm-up tasks; and a task assigned here whose lease its previous owner still holds (the hand-over
        // is under way) stays a standby until it can be taken
        final Map<TaskId, TaskSpec> standbyWanted = new java.util.HashMap<>();
        for (final TaskSpec spec : tasks) {
            if ((followed.standby(memberId()).contains(spec.id) || followed.warmup(memberId()).contains(spec.id)
                || wanted.contains(spec.id)) && !owned.contains(spec.id) && !releasing.contains(spec.id)
                && (!spec.changelogs.isEmpty() || !spec.sourceChangelogs.isEmpty())) {
                standbyWanted.put(spec.id, spec);
            }
        }
        standbys.assign(standbyWanted);
        if (changed) {
            LOG.info("{} runs {} of the {} tasks of {} ({} live instance(s))", clientId, owned.size(), tasks.size(),
                config.applicationId, members.size());
            reassign();
        }
    }

    private String memberId() {
        return processId.toString();
    }

    /** Each live member's {@code application.server}, from the {@code server} line of its report (none: absent). */
    private static Map<String, String> servers(final java.util.SortedMap<String, String> members) {
        final Map<String, String> servers = new java.util.TreeMap<>();
        for (final Map.Entry<String, String> member : members.entrySet()) {
            for (final String line : member.getValue().split("\n")) {
                if (line.startsWith("server ")) {
                    servers.put(member.getKey(), line.substring("server ".length()).trim());
                }
            }
        }
        return Collections.unmodifiableMap(servers);
    }

    /** The live members' {@code application.server}, as of the last group check. */
    private volatile Map<String, String> memberServers = Map.of();

    /**
     * Another instance of the group as the assignment followed here has it (Kafka's streams metadata of a remote
     * client): its {@code application.server}, and the tasks it runs and keeps standby copies of (warm-ups included).
     */
    public static final class MemberView {
        public final String server;
        public final Set<TaskId> active;
        public final Set<TaskId> standby;

        MemberView(final String server, final Set<TaskId> active, final Set<TaskId> standby) {
            this.server = server;
            this.active = active;
            this.standby = standby;
        }
    }

    /**
     * The other live members that set {@code application.server}, by member id, with what the assignment followed
     * here gives them. This instance is left out: its own tasks are known first-hand ({@link #taskViews()}).
     */
    public Map<String, MemberView> otherMembers() {
        final TaskAssignor.Assignment followed = assignment;
        final Map<String, MemberView> views = new java.util.TreeMap<>();
        for (final Map.Entry<String, String> e : memberServers.entrySet()) {
            if (e.getKey().equals(memberId())) {
                continue;
            }
            final Set<TaskId> standby = new java.util.TreeSet<>(followed.standby(e.getKey()));
            standby.addAll(followed.warmup(e.getKey()));
            views.put(e.getKey(), new MemberView(e.getValue(), Set.copyOf(followed.active(e.getKey())),
                Set.copyOf(standby)));
        }
        return views;
    }

    /** Whether this instance follows an assignment of its group yet (Kafka's metadata: after the first rebalance). */
    public boolean followsAnAssignment() {
        return assignmentGeneration != 0;
    }

    /** The tasks the assignment followed here gives this instance to run (restored or not yet). */
    public Set<TaskId> assignedActive() {
        return Set.copyOf(assignment.active(memberId()));
    }

    /** The input partitions of a task of the plan; empty for a task the plan does not have. */
    public Set<TopicPartition> taskInputs(final TaskId id) {
        final TaskSpec spec = planned(id);
        return spec == null ? Set.of() : new LinkedHashSet<>(spec.inputs);
    }

    /** The stores of a task of the plan; empty for a task the plan does not have. */
    public Set<String> taskStores(final TaskId id) {
        final TaskSpec spec = planned(id);
        return spec == null ? Set.of() : new java.util.TreeSet<>(spec.subtopology.stores().keySet());
    }

    private TaskSpec planned(final TaskId id) {
        for (final TaskSpec spec : plan) {
            if (spec.id.equals(id)) {
                return spec;
            }
        }
        return null;
    }

    /** The task holding partition {@code partition} of a store, or null when no sub-topology holds the store. */
    public TaskId storeTask(final String storeName, final int partition) {
        for (final TaskSpec spec : plan) {
            if (spec.subtopology.stores().containsKey(storeName) && spec.id.partition() == partition) {
                return spec.id;
            }
        }
        return null;
    }

    /**
     * This instance's report to the leader: {@code threads <n>}, {@code server <host:port>} when it sets
     * {@code application.server} (read by every instance, for the metadata calls), then per task it holds state of,
     * {@code <task> <sum>}
     * where the sum is the changelog offsets its stores reflect, or -2 for a task it runs (Kafka's sentinel for a
     * caught-up active).
     */
    private String report() {
        final StringBuilder out = new StringBuilder();
        final long live = threads.stream().filter(StreamThreadRunner::isAliveOrStarting).count();
        out.append("threads ").append(live).append('\n');
        if (!config.applicationServer.isEmpty()) {
            // where this instance answers interactive queries, for the other instances' metadata (no spaces in it)
            out.append("server ").append(config.applicationServer).append('\n');
        }
        final Map<TaskId, Long> sums = new java.util.TreeMap<>(stateDirectory.offsetSums());
        sums.putAll(standbys.offsetSums());
        for (final TaskId id : owned) {
            sums.put(id, RUNNING);
        }
        // a task the assignment moved here, whose standby waits for the previous owner to let it go: reported as run
        // here, so that a lag measured during the hand-over cannot move it back
        for (final TaskId id : assignment.active(memberId())) {
            if (sums.containsKey(id) && standbys.offsetSums().containsKey(id)) {
                sums.put(id, RUNNING);
            }
        }
        for (final Map.Entry<TaskId, Long> e : sums.entrySet()) {
            out.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
        }
        return out.toString();
    }

    private static final long RUNNING = -2L;

    /** The leader's computation: each member's capacity and lags from its report, against the changelogs' ends. */
    private TaskAssignor.Assignment computeAssignment(final java.util.SortedMap<String, String> members,
                                                      final TaskAssignor.Assignment previous, final List<TaskSpec> tasks) {
        final Map<TaskId, TaskSpec> specs = new java.util.HashMap<>();
        final java.util.SortedSet<TaskId> ids = new java.util.TreeSet<>();
        final Set<TaskId> stateful = new java.util.HashSet<>();
        for (final TaskSpec spec : tasks) {
            specs.put(spec.id, spec);
            ids.add(spec.id);
            if (!spec.changelogs.isEmpty() || !spec.sourceChangelogs.isEmpty()) {
                stateful.add(spec.id);
            }
        }
        final Map<TaskId, Long> endSums = new java.util.HashMap<>();
        final java.util.SortedMap<String, TaskAssignor.Client> clients = new java.util.TreeMap<>();
        for (final Map.Entry<String, String> member : members.entrySet()) {
            int capacity = 0;
            final Map<TaskId, Long> lags = new java.util.HashMap<>();
            for (final String line : member.getValue().split("\n")) {
                final String[] parts = line.split(" ");
                if (parts.length != 2) {
                    continue;
                }
                try {
                    if (parts[0].equals("threads")) {
                        capacity = Integer.parseInt(parts[1]);
                        continue;
                    }
                    if (parts[0].equals("server")) {
                        continue;
                    }
                    final TaskId id = TaskId.parse(parts[0]);
                    final long sum = Long.parseLong(parts[1]);
                    if (!stateful.contains(id)) {
                        continue;
                    }
                    if (sum == RUNNING) {
                        lags.put(id, 0L);
                    } else {
                        final long end = endSums.computeIfAbsent(id, t -> changelogEndSum(specs.get(t)));
                        lags.put(id, Math.max(0L, end - sum));
                    }
                } catch (final RuntimeException e) {
                    LOG.debug("Ignoring a malformed report line of member {}: {}", member.getKey(), line);
                }
            }
            clients.put(member.getKey(), new TaskAssignor.Client(capacity, lags));
        }
        return TaskAssignor.assign(clients, ids, stateful, previous, numStandbys, acceptableRecoveryLag, maxWarmups);
    }

    /**
     * How far a task's state goes when fully caught up: its changelogs' ends, and for a store whose changelog is a
     * source topic the committed input offset (what a restore replays up to).
     */
    private long changelogEndSum(final TaskSpec spec) {
        long sum = 0;
        for (final TopicPartition tp : spec.changelogs.values()) {
            sum += backend.logEndOffset(tp.topic(), tp.partition());
        }
        if (!spec.sourceChangelogs.isEmpty()) {
            final Map<TopicPartition, Long> committed = backend.committedOffsets(config.applicationId,
                spec.sourceChangelogs.values());
            for (final TopicPartition tp : spec.sourceChangelogs.values()) {
                sum += committed.getOrDefault(tp, 0L);
            }
        }
        return sum;
    }

    /** Whether a stream thread of this instance runs, or is about to run, a task. */
    boolean heldByStreamThread(final TaskId id) {
        return taskLocks.containsKey(id) || owned.contains(id) || releasing.contains(id);
    }

    /** Whether this instance holds the lease of a task to run it as active. */
    boolean ownsTask(final TaskId id) {
        return owned.contains(id);
    }

    void wipeTaskState(final TaskId id) {
        stateDirectory.wipeTask(id);
    }

    void noteOffsetSum(final TaskId id, final long offsetSum) {
        stateDirectory.writeOffsetSum(id, offsetSum);
    }

    TaskConfig taskConfig() {
        return taskConfig;
    }

    Metrics kafkaMetrics() {
        return metrics.kafka;
    }

    /** The standby and warm-up tasks this instance keeps (their input partitions), for metadata. */
    public List<TaskView> standbyTaskViews() {
        final List<TaskView> views = new ArrayList<>();
        for (final TaskSpec spec : standbys.specs().keySet()) {
            views.add(new TaskView(spec.id, new LinkedHashSet<>(spec.inputs), Map.of(), Map.of()));
        }
        return views;
    }

    /** The stores of the standby tasks this instance keeps. */
    public Set<String> standbyStoreNames() {
        final Set<String> names = new java.util.TreeSet<>();
        for (final Set<String> stores : standbys.specs().values()) {
            names.addAll(stores);
        }
        return names;
    }

    public void setStandbyUpdateListener(final org.apache.kafka.streams.processor.StandbyUpdateListener listener) {
        standbys.setListener(listener);
    }

    /** Stops the threads (each commits and closes its tasks), the global thread, then the backend. */
    public void shutdown() {
        synchronized (this) {
            stopping = true;
        }
        if (groupThread != null) {
            // woken, not interrupted: an interrupt during a file read would close the log's shared channel
            synchronized (groupSignal) {
                groupSignal.notifyAll();
            }
            joinQuietly(groupThread);
        }
        for (final StreamThreadRunner thread : threads) {
            thread.shutdown();
        }
        for (final StreamThreadRunner thread : threads) {
            if (thread != Thread.currentThread()) {
                joinQuietly(thread);
            }
        }
        standbys.shutdown();
        if (global != null) {
            global.shutdown();
            if (global != Thread.currentThread()) {
                joinQuietly(global);
            }
            global.closeTask();
        }
        try {
            membership.close();
        } catch (final RuntimeException e) {
            LOG.warn("Failed to leave the group", e);
        }
        if (backend != null) {
            try {
                backend.close();
            } catch (final RuntimeException e) {
                LOG.warn("Failed to close the backend", e);
            }
        }
        stateDirectory.close();
        metrics.kafka.close();
    }

    private static void joinQuietly(final Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (final InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public void cleanUp() {
        stateDirectory.clean();
    }

    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        for (final StreamThreadRunner thread : threads) {
            java.util.concurrent.locks.LockSupport.unpark(thread);
        }
    }

    public boolean paused() {
        return paused;
    }

    // ------------------------------------------------------------------------------------------------ threads

    /** Creates and starts a stream thread with the smallest free index; returns its name, or null when stopping. */
    public synchronized String addThread() {
        if (stopping) {
            return null;
        }
        final Set<Integer> used = new java.util.HashSet<>();
        threads.removeIf(t -> t.threadState() == StreamThreadRunner.State.DEAD);
        for (final StreamThreadRunner thread : threads) {
            used.add(thread.index());
        }
        int index = 1;
        while (used.contains(index)) {
            index++;
        }
        final StreamThreadRunner thread = new StreamThreadRunner(this, clientId + "-StreamThread-" + index, index);
        threads.add(thread);
        thread.start();
        reassign();
        return thread.getName();
    }

    /**
     * Stops the first live thread (not the calling one unless it is the only one) and waits up to {@code timeoutMs}
     * for it to end; its tasks go to the others.
     *
     * @return the thread's name, or empty when no thread can be removed
     * @throws org.apache.kafka.common.errors.TimeoutException when it did not stop in time
     */
    public Optional<String> removeThread(final long timeoutMs) {
        final StreamThreadRunner victim;
        synchronized (this) {
            StreamThreadRunner chosen = null;
            final long live = threads.stream().filter(StreamThreadRunner::isAliveOrStarting).count();
            for (final StreamThreadRunner thread : threads) {
                if (thread.isAliveOrStarting() && (thread != Thread.currentThread() || live == 1)) {
                    chosen = thread;
                    break;
                }
            }
            if (chosen == null) {
                return Optional.empty();
            }
            victim = chosen;
            victim.shutdown();
        }
        reassign();
        if (victim != Thread.currentThread()) {
            final long deadline = time.milliseconds() + Math.max(0, timeoutMs);
            while (victim.isAlive() && time.milliseconds() < deadline) {
                try {
                    victim.join(Math.max(1, Math.min(deadline - time.milliseconds(), 100)));
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (victim.isAlive()) {
                throw new org.apache.kafka.common.errors.TimeoutException("Thread " + victim.getName()
                    + " did not stop in the allotted time");
            }
            threads.remove(victim);
        }
        return Optional.of(victim.getName());
    }

    /** Asks every instance of the application, this one included, to shut down. */
    public void requestApplicationShutdown() {
        membership.requestShutdown();
    }

    /** Drops a dead thread from the list (after its failure was handled). */
    public void forgetThread(final StreamThreadRunner thread) {
        threads.remove(thread);
        reassign();
    }

    /**
     * Deals the tasks out to the live threads, Kafka's way for one client: each thread keeps the tasks it has up to an
     * even share, the rest go round-robin in {@code TaskId} order to the threads below their share.
     */
    synchronized void reassign() {
        final List<StreamThreadRunner> live = new ArrayList<>();
        for (final StreamThreadRunner thread : threads) {
            if (thread.isAliveOrStarting() && thread.isAlive()) {
                live.add(thread);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        live.sort(Comparator.comparing(Thread::getName));
        final Map<StreamThreadRunner, List<TaskSpec>> assignment = new LinkedHashMap<>();
        for (final StreamThreadRunner thread : live) {
            assignment.put(thread, new ArrayList<>());
        }
        final List<TaskSpec> mine = new ArrayList<>();
        for (final TaskSpec spec : plan) {
            if (owned.contains(spec.id)) {
                mine.add(spec);
            }
        }
        final int min = mine.size() / live.size();
        final List<TaskSpec> unassigned = new ArrayList<>();
        for (final TaskSpec spec : mine) {
            final StreamThreadRunner owner = taskLocks.get(spec.id);
            if (owner != null && assignment.containsKey(owner) && assignment.get(owner).size() < min) {
                assignment.get(owner).add(spec);
            } else {
                unassigned.add(spec);
            }
        }
        int next = 0;
        for (final TaskSpec spec : unassigned) {
            StreamThreadRunner target = null;
            for (int i = 0; i < live.size(); i++) {
                final StreamThreadRunner candidate = live.get((next + i) % live.size());
                if (assignment.get(candidate).size() < min) {
                    target = candidate;
                    next = (next + i + 1) % live.size();
                    break;
                }
            }
            if (target == null) {
                final StreamThreadRunner owner = taskLocks.get(spec.id);
                target = owner != null && assignment.containsKey(owner) && assignment.get(owner).size() == min ? owner : null;
                if (target == null) {
                    for (final StreamThreadRunner candidate : live) {
                        if (assignment.get(candidate).size() == min) {
                            target = candidate;
                            break;
                        }
                    }
                }
                if (target == null) {
                    target = live.get(0);
                }
            }
            assignment.get(target).add(spec);
        }
        for (final Map.Entry<StreamThreadRunner, List<TaskSpec>> e : assignment.entrySet()) {
            e.getValue().sort(null);
            e.getKey().assign(e.getValue());
        }
    }

    long cacheSizePerThread() {
        final int live = (int) threads.stream().filter(t -> t.threadState() != StreamThreadRunner.State.DEAD).count();
        final int count = live + (globalSubtopology == null ? 0 : 1);
        return count == 0 ? totalCacheSize : totalCacheSize / count;
    }

    void threadStateChanged(final StreamThreadRunner thread, final StreamThreadRunner.State newState,
                            final StreamThreadRunner.State oldState) {
        listener.onThreadStateChange(thread, newState, oldState);
    }

    void threadFailed(final StreamThreadRunner thread, final Throwable failure) {
        listener.onThreadFailure(thread, failure);
    }

    // ------------------------------------------------------------------------------------------------ tasks

    /**
     * Creates, fences, initializes and restores a task on the calling stream thread; null while another thread of
     * this process still holds it.
     */
    ActiveTask createTask(final TaskSpec spec, final RecordCache cache, final ActiveTask.Outputs outputs) {
        final StreamThreadRunner self = (StreamThreadRunner) Thread.currentThread();
        // under the engine's monitor, as balance() gives leases up: a task is created only while this instance holds
        // its lease, and its lease is given up only while no thread holds the task
        synchronized (this) {
            if (!owned.contains(spec.id)) {
                return null;
            }
            if (taskLocks.putIfAbsent(spec.id, self) != null && taskLocks.get(spec.id) != self) {
                return null;
            }
        }
        // a standby of the task becomes the active task: its persistent stores close with what they applied
        // committed, its in-memory stores hand their records over, and the active task restores only what is left
        final StandbyTasks.Carried carried = standbys.promote(spec.id);
        try {
            return openTask(spec, cache, outputs, self, carried);
        } catch (final ActiveTask.CorruptedState corrupted) {
            LOG.warn("{}; wiping the task's state and restoring it from its changelogs", corrupted.getMessage());
            stateDirectory.wipeTask(spec.id);
            return openTask(spec, cache, outputs, self, StandbyTasks.Carried.NONE);
        }
    }

    private ActiveTask openTask(final TaskSpec spec, final RecordCache cache, final ActiveTask.Outputs outputs,
                                final StreamThreadRunner self, final StandbyTasks.Carried carried) {
        ActiveTask task = null;
        try {
            // the task is fenced only while this instance holds its lease: one whose lease went to another instance
            // (this one was paused past its session timeout, say) must not take the epoch back from its new owner
            final long epoch = membership.fence(backend, config.applicationId, spec.id.toString());
            if (epoch < 0) {
                LOG.warn("{} lost the lease of task {} to another instance; giving the task up", clientId, spec.id);
                synchronized (this) {
                    owned.remove(spec.id);
                    taskLocks.remove(spec.id, self);
                    reassign();
                }
                return null;
            }
            // every unit committed before is in its partitions (a Valkey Cluster commit lands in two steps)
            backend.settle(config.applicationId);
            task = new ActiveTask(spec, sink -> new StreamTask(spec.id, false, List.of(spec.subtopology), taskConfig, sink,
                time::milliseconds, this::globalStore, metrics.kafka), backend, config, epoch, time.milliseconds(), outputs);
            task.task.useRecordCache(cache);
            task.task.offerCarriedOver(carried.stores());
            task.task.initialize();
            task.initPositions();
            task.restore(restoreListener, carried.positions());
            metrics.taskCreated(self.getName(), task);
            return task;
        } catch (final ActiveTask.CorruptedState e) {
            if (task != null) {
                task.closeDirty();
            }
            throw e;
        } catch (final RuntimeException e) {
            if (task != null) {
                task.closeDirty();
            }
            synchronized (this) {
                taskLocks.remove(spec.id, self);
            }
            throw e;
        }
    }

    Backend backend() {
        return backend;
    }

    synchronized void unlockTask(final TaskId id, final StreamThreadRunner owner) {
        taskLocks.remove(id, owner);
        if (releasing.remove(id)) {
            membership.release(id.toString());
        }
    }

    void taskClosed(final ActiveTask task) {
        metrics.taskClosed(task);
        final long offsetSum = task.closedOffsetSum();
        if (offsetSum >= 0) {
            stateDirectory.writeOffsetSum(task.spec.id, offsetSum);
        }
    }

    // ------------------------------------------------------------------------------------------------ stores

    /** A global store, safe to use from any stream thread (each call holds the global task's monitor). */
    private StateStore globalStore(final String name) {
        return global == null ? null : global.store(name);
    }

    /** Whether the topology has a store of this name (local or global). */
    public boolean hasStore(final String name) {
        return graph.stores().containsKey(name) || graph.globalStores().containsKey(name);
    }

    public boolean isGlobalStore(final String name) {
        return graph.globalStores().containsKey(name);
    }

    /** A store of a task this process runs, as a query sees it. */
    public static final class LocalStore {
        /** The task's partition; -1 for a global store. */
        public final int partition;
        /** The store, each call on it holding the writer's monitor (ranges are read whole under it). */
        public final StateStore store;
        /** The state of the thread running the task (RUNNING for a global store). */
        public final StreamThreadRunner.State threadState;
        /** Whether the store belongs to a standby (or warm-up) task: a copy kept from the changelog, maybe stale. */
        public final boolean standby;

        LocalStore(final int partition, final StateStore store, final StreamThreadRunner.State threadState) {
            this(partition, store, threadState, false);
        }

        LocalStore(final int partition, final StateStore store, final StreamThreadRunner.State threadState,
                   final boolean standby) {
            this.partition = partition;
            this.store = store;
            this.threadState = threadState;
            this.standby = standby;
        }
    }

    /**
     * The store of this name in every task this process runs, by partition, then in its standby tasks (marked
     * {@link LocalStore#standby}); or the global store.
     */
    public List<LocalStore> localStores(final String name) {
        final List<LocalStore> result = new ArrayList<>();
        if (graph.globalStores().containsKey(name)) {
            final StateStore store = global == null ? null : global.store(name);
            if (store != null) {
                result.add(new LocalStore(-1, store, StreamThreadRunner.State.RUNNING));
            }
            return result;
        }
        for (final StreamThreadRunner thread : threads) {
            for (final ActiveTask task : thread.activeTasks()) {
                final StateStore store = task.task.stores().get(name);
                if (store != null && task.restored()) {
                    result.add(new LocalStore(task.spec.id.partition(), SynchronizedStores.wrap(store, thread.queryLock()),
                        thread.threadState()));
                }
            }
        }
        for (final Map.Entry<Integer, StateStore> e : standbys.stores(name)) {
            final StateStore store = e.getValue();
            result.add(new LocalStore(e.getKey(), SynchronizedStores.wrap(store, standbys, () -> standbys.holds(store)),
                StreamThreadRunner.State.RUNNING, true));
        }
        result.sort(Comparator.comparingInt(s -> s.partition));
        return result;
    }

    /** The number of tasks (partitions) of the sub-topology holding a store; 0 when none does. */
    public int storePartitionCount(final String storeName) {
        int count = 0;
        for (final TaskSpec spec : plan) {
            if (spec.subtopology.stores().containsKey(storeName)) {
                count++;
            }
        }
        return count;
    }

    /** Per thread, per task: input partitions, committed offsets and end offsets. */
    public Map<String, List<TaskView>> taskViews() {
        final Map<String, List<TaskView>> views = new LinkedHashMap<>();
        for (final StreamThreadRunner thread : threads) {
            final List<TaskView> list = new ArrayList<>();
            for (final ActiveTask task : thread.tasksById().values()) {
                list.add(new TaskView(task.spec.id, new LinkedHashSet<>(task.spec.inputs),
                    new HashMap<>(task.committedInputs()), backend == null ? Map.of() : task.endOffsets()));
            }
            views.put(thread.getName(), list);
        }
        return views;
    }

    /** What {@code ThreadMetadata} shows of a task. */
    public static final class TaskView {
        public final TaskId id;
        public final Set<TopicPartition> partitions;
        public final Map<TopicPartition, Long> committedOffsets;
        public final Map<TopicPartition, Long> endOffsets;

        TaskView(final TaskId id, final Set<TopicPartition> partitions, final Map<TopicPartition, Long> committedOffsets,
                 final Map<TopicPartition, Long> endOffsets) {
            this.id = id;
            this.partitions = partitions;
            this.committedOffsets = committedOffsets;
            this.endOffsets = endOffsets;
        }
    }

    /** Store -> partition -> (current changelog offset, end offset) for every changelog of a local task. */
    public Map<String, Map<Integer, long[]>> storeLags() {
        final Map<String, Map<Integer, long[]>> lags = new java.util.TreeMap<>();
        for (final StreamThreadRunner thread : threads) {
            for (final ActiveTask task : thread.activeTasks()) {
                for (final Map.Entry<String, TopicPartition> e : task.spec.changelogs.entrySet()) {
                    final long end = backend.logEndOffset(e.getValue().topic(), e.getValue().partition());
                    final long position = task.restored() ? end : 0;
                    lags.computeIfAbsent(e.getKey(), k -> new java.util.TreeMap<>()).put(e.getValue().partition(),
                        new long[] {position, end});
                }
            }
        }
        for (final Map.Entry<String, Map<TopicPartition, Long>> store : standbys.changelogPositions().entrySet()) {
            for (final Map.Entry<TopicPartition, Long> e : store.getValue().entrySet()) {
                final long end = backend.logEndOffset(e.getKey().topic(), e.getKey().partition());
                lags.computeIfAbsent(store.getKey(), k -> new java.util.TreeMap<>()).put(e.getKey().partition(),
                    new long[] {e.getValue(), end});
            }
        }
        return lags;
    }

    public Map<MetricName, Metric> metrics() {
        return metrics.asKafkaMetrics();
    }

    public MeterRegistry meterRegistry() {
        return metrics.registry;
    }

    // ------------------------------------------------------------------------------------------------ global

    /**
     * Keeps the global stores: loads every global topic from its start before the stream threads start, then follows
     * the topics on its own thread ({@code <client.id>-GlobalStreamThread}). Global stores are rebuilt on each start.
     */
    private final class GlobalUpdater extends Thread {
        private final StreamTask task;
        private final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
        private final Map<String, StateStore> views = new ConcurrentHashMap<>();
        private volatile boolean stop;

        GlobalUpdater(final Set<String> topics) {
            super(clientId + "-GlobalStreamThread");
            setDaemon(true);
            final TaskConfig globalConfig = taskConfig.forTestDriverGlobalTask();
            globalConfig.usePersistentStorage(null);
            task = new StreamTask(new TaskId(-1, -1), true, List.of(globalSubtopology), globalConfig,
                new io.pspf.runtime.task.RecordSink() {
                    @Override
                    public int partitionsFor(final String topic) {
                        return backend.partitions(topic);
                    }

                    @Override
                    public void send(final RawRecord record, final Integer partition) {
                        // global processors have no output
                    }
                }, time::milliseconds, null, metrics.kafka);
            task.useRecordCache(new RecordCache(cacheSizePerThread()));
            task.initialize();
            for (final String topic : topics) {
                for (int p = 0; p < backend.partitions(topic); p++) {
                    positions.put(new TopicPartition(topic, p), backend.logStartOffset(topic, p));
                }
            }
        }

        StateStore store(final String name) {
            final StateStore store = task.stores().get(name);
            return store == null ? null : views.computeIfAbsent(name, n -> SynchronizedStores.wrap(store, this));
        }

        /** Reads every global partition up to the end it had when the bootstrap began (new records come later). */
        void bootstrap() {
            final Map<TopicPartition, Long> ends = new HashMap<>();
            for (final TopicPartition tp : positions.keySet()) {
                ends.put(tp, backend.logEndOffset(tp.topic(), tp.partition()));
            }
            boolean behind = true;
            while (behind) {
                if (poll() == 0) {
                    return; // nothing more to read (the rest of a range may be gone, as compaction leaves gaps)
                }
                behind = false;
                for (final Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                    if (positions.get(e.getKey()) < e.getValue()) {
                        behind = true;
                    }
                }
            }
        }

        private int poll() {
            int read = 0;
            for (final Map.Entry<TopicPartition, Long> e : positions.entrySet()) {
                final List<RawRecord> records = backend.read(e.getKey().topic(), e.getKey().partition(), e.getValue(),
                    config.maxPollRecords);
                if (!records.isEmpty()) {
                    synchronized (this) {
                        for (final RawRecord record : records) {
                            task.processGlobal(record);
                        }
                        task.prepareCommit();
                        task.postCommit();
                    }
                    e.setValue(records.get(records.size() - 1).offset() + 1);
                    read += records.size();
                }
            }
            return read;
        }

        @Override
        public void run() {
            long idle = 1;
            try {
                while (!stop) {
                    if (poll() == 0) {
                        Thread.sleep(idle);
                        idle = Math.min(idle * 2, Math.max(1, config.pollMs));
                    } else {
                        idle = 1;
                    }
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (final Throwable t) {
                if (!stop) {
                    LOG.error("global-stream-thread [{}] failed", getName(), t);
                    listener.onThreadFailure(null, t);
                }
            }
        }

        /**
         * Asks the thread to stop; it notices within {@code poll.ms}. No interrupt: one arriving during a file read would
         * close the log's shared file channel ({@code ClosedByInterruptException}) for every user of the log.
         */
        void shutdown() {
            stop = true;
        }

        void closeTask() {
            synchronized (this) {
                try {
                    task.close();
                } catch (final RuntimeException e) {
                    LOG.warn("Failed to close the global stores", e);
                }
            }
        }
    }

    /** How long {@code close(Duration)} may wait, as Kafka bounds it. */
    static long millis(final Duration duration) {
        return duration.toMillis();
    }
}
