package io.pspf.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.streams.ClientInstanceIds;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.errors.StreamsStoppedException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.engine.Engine;
import io.pspf.runtime.engine.StreamThreadRunner;

/**
 * Runs a {@link Topology} continuously against a backend, as Kafka Streams' {@code KafkaStreams} runs one against
 * Kafka: the same constructors, life cycle, state machine, listeners, exception handler responses, closing rules,
 * interactive queries and metadata. The backend is {@code pspf.backend} ({@code log:./pspf-data}, the native file
 * log, when not set); {@code bootstrap.servers} may be left out, as the backends other than Kafka have no use for it.
 *
 * <p>Where it differs from Kafka Streams, by design: a {@link KafkaClientSupplier} passed in is not used (there are no
 * Kafka clients to make); {@link #clientInstanceIds} has no telemetry to report; there is no group membership in this
 * version, so one process runs every task of the application and {@link #metadataForAllStreamsClients()} shows only
 * this client.
 */
public class PspfStreams implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PspfStreams.class);
    /** What {@code bootstrap.servers} is set to when the application leaves it out. */
    static final String NO_BOOTSTRAP_SERVERS = "pspf-no-kafka:0";

    /** Kafka Streams' client states, with Kafka's valid transitions. */
    public enum State {
        CREATED(1, 3), REBALANCING(2, 3, 5), RUNNING(1, 2, 3, 5), PENDING_SHUTDOWN(4), NOT_RUNNING, PENDING_ERROR(6), ERROR;

        private final Set<Integer> validTransitions = new HashSet<>();

        State(final Integer... validTransitions) {
            this.validTransitions.addAll(List.of(validTransitions));
        }

        public boolean hasNotStarted() {
            return equals(CREATED);
        }

        public boolean isRunningOrRebalancing() {
            return equals(RUNNING) || equals(REBALANCING);
        }

        public boolean isShuttingDown() {
            return equals(PENDING_SHUTDOWN) || equals(PENDING_ERROR);
        }

        public boolean hasCompletedShutdown() {
            return equals(NOT_RUNNING) || equals(ERROR);
        }

        public boolean hasStartedOrFinishedShuttingDown() {
            return isShuttingDown() || hasCompletedShutdown();
        }

        public boolean isValidTransition(final State newState) {
            return validTransitions.contains(newState.ordinal());
        }
    }

    /** Told of every client state change, on the thread that made it. */
    public interface StateListener {
        void onChange(State newState, State oldState);
    }

    /**
     * The options of the deprecated {@link #close(PspfStreams.CloseOptions)}.
     *
     * @deprecated since Kafka 4.2; use {@link org.apache.kafka.streams.CloseOptions}
     */
    @Deprecated
    public static class CloseOptions {
        private Duration timeout = Duration.ofMillis(Long.MAX_VALUE);
        private boolean leaveGroup = false;

        public CloseOptions timeout(final Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public CloseOptions leaveGroup(final boolean leaveGroup) {
            this.leaveGroup = leaveGroup;
            return this;
        }
    }

    private final Object stateLock = new Object();
    private final Object threadStateLock = new Object();
    private final Engine engine;
    private final String clientId;
    private final String logPrefix;
    private final Topology topology;
    private final StreamsConfig applicationConfigs;
    /** {@code application.server}, parsed at construction as Kafka parses it; unavailable when not set. */
    private final HostInfo thisHost;
    private volatile State state = State.CREATED;
    private StateListener stateListener;
    private volatile StreamsUncaughtExceptionHandler uncaughtHandler;
    private volatile boolean paused;

    public PspfStreams(final Topology topology, final Properties props) {
        this(topology, config(props), Time.SYSTEM);
    }

    /** The client supplier is not used: PSPF makes no Kafka clients. */
    public PspfStreams(final Topology topology, final Properties props, final KafkaClientSupplier clientSupplier) {
        this(topology, config(props), Time.SYSTEM);
    }

    public PspfStreams(final Topology topology, final Properties props, final Time time) {
        this(topology, config(props), time);
    }

    /** The client supplier is not used: PSPF makes no Kafka clients. */
    public PspfStreams(final Topology topology, final Properties props, final KafkaClientSupplier clientSupplier,
                       final Time time) {
        this(topology, config(props), time);
    }

    public PspfStreams(final Topology topology, final StreamsConfig applicationConfigs) {
        this(topology, applicationConfigs, Time.SYSTEM);
    }

    /** The client supplier is not used: PSPF makes no Kafka clients. */
    public PspfStreams(final Topology topology, final StreamsConfig applicationConfigs,
                       final KafkaClientSupplier clientSupplier) {
        this(topology, applicationConfigs, Time.SYSTEM);
    }

    public PspfStreams(final Topology topology, final StreamsConfig applicationConfigs, final Time time) {
        this.topology = topology;
        this.applicationConfigs = applicationConfigs;
        this.thisHost = parseHost(applicationConfigs.getString(StreamsConfig.APPLICATION_SERVER_CONFIG));
        this.engine = new Engine(topology.graph, topology.topologyConfig, applicationConfigs, time, null, new Engine.Listener() {
            @Override
            public void onThreadStateChange(final StreamThreadRunner thread, final StreamThreadRunner.State newState,
                                            final StreamThreadRunner.State oldState) {
                threadStateChanged(newState);
            }

            @Override
            public void onThreadFailure(final StreamThreadRunner thread, final Throwable failure) {
                handleUncaught(thread, failure);
            }

            @Override
            public void onApplicationShutdownRequested() {
                closeToError();
            }
        });
        this.clientId = engine.clientId();
        this.logPrefix = String.format("stream-client [%s] ", clientId);
    }

    /** Kafka's config, with a placeholder for {@code bootstrap.servers} when the application left it out. */
    private static StreamsConfig config(final Properties props) {
        final Properties copy = new Properties();
        copy.putAll(props);
        if (!copy.containsKey(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) && copy.containsKey(StreamsConfig.APPLICATION_ID_CONFIG)) {
            copy.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, NO_BOOTSTRAP_SERVERS);
        }
        return new StreamsConfig(copy);
    }

    // ------------------------------------------------------------------------------------------------ state

    public State state() {
        return state;
    }

    private boolean setState(final State newState) {
        final State oldState;
        synchronized (stateLock) {
            oldState = state;
            if (state == State.PENDING_SHUTDOWN && newState != State.NOT_RUNNING) {
                return false;
            } else if (state == State.NOT_RUNNING && (newState == State.PENDING_SHUTDOWN || newState == State.NOT_RUNNING)) {
                return false;
            } else if (state == State.REBALANCING && newState == State.REBALANCING) {
                return false;
            } else if (state == State.ERROR && (newState == State.PENDING_ERROR || newState == State.ERROR
                || newState == State.PENDING_SHUTDOWN)) {
                return false;
            } else if (state == State.PENDING_ERROR && newState != State.ERROR) {
                return false;
            } else if (!state.isValidTransition(newState)) {
                throw new IllegalStateException("Stream-client " + clientId + ": Unexpected state transition from "
                    + oldState + " to " + newState);
            }
            LOG.info("{}State transition from {} to {}", logPrefix, oldState, newState);
            state = newState;
            stateLock.notifyAll();
        }
        final StateListener listener = stateListener;
        if (listener != null) {
            listener.onChange(newState, oldState);
        }
        return true;
    }

    private void threadStateChanged(final StreamThreadRunner.State newState) {
        synchronized (threadStateLock) {
            if (newState == StreamThreadRunner.State.PARTITIONS_REVOKED || newState == StreamThreadRunner.State.PARTITIONS_ASSIGNED) {
                if (state == State.RUNNING) {
                    setState(State.REBALANCING);
                }
            } else if (newState == StreamThreadRunner.State.RUNNING) {
                maybeSetRunning();
            }
        }
    }

    private void maybeSetRunning() {
        if (state != State.REBALANCING) {
            return;
        }
        boolean anyRunning = false;
        for (final StreamThreadRunner thread : engine.threads()) {
            if (thread.threadState() == StreamThreadRunner.State.RUNNING) {
                anyRunning = true;
            }
        }
        for (final StreamThreadRunner thread : engine.threads()) {
            final StreamThreadRunner.State s = thread.threadState();
            if (s == StreamThreadRunner.State.RUNNING || s == StreamThreadRunner.State.DEAD
                || (s == StreamThreadRunner.State.PENDING_SHUTDOWN && anyRunning)) {
                continue;
            }
            return;
        }
        setState(State.RUNNING);
    }

    private boolean waitOnStates(final long waitMs, final State... targets) {
        final Set<State> wanted = Set.of(targets);
        final long begin = System.currentTimeMillis();
        boolean interrupted = false;
        try {
            synchronized (stateLock) {
                long elapsed = 0;
                while (!wanted.contains(state)) {
                    if (waitMs <= elapsed) {
                        return false;
                    }
                    try {
                        stateLock.wait(waitMs - elapsed);
                    } catch (final InterruptedException e) {
                        interrupted = true;
                    }
                    elapsed = System.currentTimeMillis() - begin;
                }
                return true;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void validateIsRunningOrRebalancing() {
        final State current = state;
        if (current == State.CREATED) {
            throw new StreamsNotStartedException("KafkaStreams has not been started, you can retry after calling start()");
        }
        if (!current.isRunningOrRebalancing()) {
            throw new IllegalStateException("KafkaStreams is not running. State is " + current + ".");
        }
    }

    // ------------------------------------------------------------------------------------------------ listeners

    public void setStateListener(final StateListener listener) {
        synchronized (stateLock) {
            if (state != State.CREATED) {
                throw new IllegalStateException("Can only set StateListener before calling start(). Current state is: " + state);
            }
            stateListener = listener;
        }
    }

    public void setUncaughtExceptionHandler(final StreamsUncaughtExceptionHandler userStreamsUncaughtExceptionHandler) {
        synchronized (stateLock) {
            if (state != State.CREATED) {
                throw new IllegalStateException("Can only set UncaughtExceptionHandler before calling start(). "
                    + "Current state is: " + state);
            }
            uncaughtHandler = Objects.requireNonNull(userStreamsUncaughtExceptionHandler);
        }
    }

    public void setGlobalStateRestoreListener(final StateRestoreListener globalStateRestoreListener) {
        synchronized (stateLock) {
            if (state != State.CREATED) {
                throw new IllegalStateException("Can only set GlobalStateRestoreListener before calling start(). "
                    + "Current state is: " + state);
            }
            engine.setRestoreListener(globalStateRestoreListener);
        }
    }

    /** Sets the listener told of the standby tasks' updates (called on the standby updater thread). */
    public void setStandbyUpdateListener(final StandbyUpdateListener standbyListener) {
        synchronized (stateLock) {
            if (state != State.CREATED) {
                throw new IllegalStateException("Can only set StandbyUpdateListener before calling start(). "
                    + "Current state is: " + state);
            }
            engine.setStandbyUpdateListener(standbyListener);
        }
    }

    // ------------------------------------------------------------------------------------------------ failures

    private void handleUncaught(final StreamThreadRunner thread, final Throwable failure) {
        final Throwable wrapped = failure instanceof StreamsException ? failure : new StreamsException(failure);
        final StreamsUncaughtExceptionHandler handler = uncaughtHandler;
        final StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response;
        if (handler == null) {
            response = StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        } else {
            response = handler.handle(wrapped);
        }
        switch (response) {
            case REPLACE_THREAD:
                if (thread == null) {
                    LOG.warn("{}The global thread cannot be replaced. Reverting to shutting down the client.", logPrefix);
                    closeToError();
                } else {
                    LOG.error("{}Replacing thread in the streams uncaught exception handler", logPrefix, wrapped);
                    addStreamThread();
                }
                break;
            case SHUTDOWN_APPLICATION:
                // every instance sharing the backend hears of it through the group and goes to ERROR, as in Kafka
                LOG.error("{}Encountered the following exception during processing and sent shutdown request for the "
                    + "entire application.", logPrefix, wrapped);
                try {
                    engine.requestApplicationShutdown();
                } catch (final RuntimeException e) {
                    LOG.error("{}Could not ask the other instances to shut down", logPrefix, e);
                }
                closeToError();
                break;
            case SHUTDOWN_CLIENT:
            default:
                LOG.error("{}Encountered the following exception during processing and the registered exception handler "
                    + "opted to {}. The streams client is going to shut down now. ", logPrefix, response, wrapped);
                closeToError();
        }
    }

    private void closeToError() {
        if (!setState(State.PENDING_ERROR)) {
            LOG.info("{}Skipping shutdown since we are already in {}", logPrefix, state);
            return;
        }
        final Thread closer = shutdownHelper(true);
        closer.setDaemon(true);
        closer.start();
    }

    private Thread shutdownHelper(final boolean error) {
        return new Thread(() -> {
            try {
                engine.shutdown();
            } catch (final RuntimeException e) {
                LOG.error("{}Failed to shut down cleanly", logPrefix, e);
            }
            setState(error ? State.ERROR : State.NOT_RUNNING);
        }, clientId + "-CloseThread");
    }

    // ------------------------------------------------------------------------------------------------ life cycle

    /**
     * Starts the client: opens the backend, creates missing topics, restores state, and starts the stream threads.
     *
     * @throws IllegalStateException if the client was already started, or is closing or closed
     * @throws StreamsException if the backend or the topics cannot be set up
     */
    public synchronized void start() throws IllegalStateException, StreamsException {
        if (state == State.RUNNING) {
            // Kafka would restart its already-running threads and fail with IllegalThreadStateException
            throw new IllegalStateException("The client is either already started or already stopped, cannot re-start");
        }
        if (!setState(State.REBALANCING)) {
            throw new IllegalStateException("The client is either already started or already stopped, cannot re-start");
        }
        LOG.debug("{}Starting PSPF client", logPrefix);
        try {
            engine.start();
        } catch (final RuntimeException e) {
            LOG.error("{}Failed to start", logPrefix, e);
            closeToError();
            throw e instanceof StreamsException ? e : new StreamsException("Failed to start " + clientId, e);
        }
        if (engine.threads().isEmpty()) {
            // a global-only application is running once its global stores are loaded
            synchronized (threadStateLock) {
                setState(State.RUNNING);
            }
        }
    }

    /** Closes the client, waiting as long as it takes. */
    public void close() {
        close(Optional.empty());
    }

    /**
     * Closes the client, waiting at most {@code timeout} for it to finish.
     *
     * @return true if it reached NOT_RUNNING in time
     * @throws IllegalArgumentException for a null or negative timeout
     */
    public synchronized boolean close(final Duration timeout) throws IllegalArgumentException {
        return close(Optional.of(checkTimeout(timeout)));
    }

    /** @deprecated since Kafka 4.2; use {@link #close(org.apache.kafka.streams.CloseOptions)} */
    @Deprecated
    public synchronized boolean close(final PspfStreams.CloseOptions options) throws IllegalArgumentException {
        Objects.requireNonNull(options, "options cannot be null");
        return close(Optional.of(checkTimeout(options.timeout)));
    }

    public synchronized boolean close(final org.apache.kafka.streams.CloseOptions options) throws IllegalArgumentException {
        Objects.requireNonNull(options, "options cannot be null");
        final Optional<Duration> timeout = new CloseOptionsView(options).timeout();
        return close(timeout.isPresent() ? Optional.of(checkTimeout(timeout.get())) : Optional.empty());
    }

    /** Reads the protected fields of Kafka's {@code CloseOptions}. */
    private static final class CloseOptionsView extends org.apache.kafka.streams.CloseOptions {
        CloseOptionsView(final org.apache.kafka.streams.CloseOptions options) {
            super(options);
        }

        Optional<Duration> timeout() {
            return timeout;
        }
    }

    private static long checkTimeout(final Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException("Invalid value for parameter \"timeout\" (value was: null). It shouldn't be null.");
        }
        final long ms;
        try {
            ms = timeout.toMillis();
        } catch (final ArithmeticException e) {
            throw new IllegalArgumentException("Invalid value for parameter \"timeout\" (value was: " + timeout
                + "). It can't be converted to milliseconds.", e);
        }
        if (ms < 0) {
            throw new IllegalArgumentException("Timeout can't be negative.");
        }
        return ms;
    }

    private boolean close(final Optional<Long> timeoutMs) {
        final long waitMs = timeoutMs.orElse(Long.MAX_VALUE);
        if (!setState(State.PENDING_SHUTDOWN)) {
            if (state.isShuttingDown()) {
                LOG.info("{}Skipping shutdown since we are already in {}, waiting for a terminal state", logPrefix, state);
                return waitOnStates(waitMs, State.ERROR, State.NOT_RUNNING);
            }
            if (state.hasCompletedShutdown()) {
                return true;
            }
            throw new IllegalStateException("If transitioning to PENDING_SHUTDOWN fails, the state should be either in "
                + "PENDING_SHUTDOWN, PENDING_ERROR, ERROR, or NOT_RUNNING");
        }
        final Thread closer = shutdownHelper(false);
        closer.setDaemon(true);
        closer.start();
        return waitOnStates(waitMs, State.NOT_RUNNING);
    }

    /**
     * Deletes this application's local state (every task directory under {@code state.dir}).
     *
     * @throws IllegalStateException while the client runs
     */
    public void cleanUp() {
        if (!(state.hasNotStarted() || state.hasCompletedShutdown())) {
            throw new IllegalStateException("Cannot clean up while running.");
        }
        engine.cleanUp();
    }

    // ------------------------------------------------------------------------------------------------ threads

    public Optional<String> addStreamThread() {
        if (!state.isRunningOrRebalancing()) {
            LOG.warn("{}Cannot add a stream thread when Kafka Streams client is in state {}", logPrefix, state);
            return Optional.empty();
        }
        final String name = engine.addThread();
        if (name == null) {
            LOG.warn("{}Cannot add a stream thread while the client shuts down", logPrefix);
            return Optional.empty();
        }
        synchronized (threadStateLock) {
            if (state == State.RUNNING) {
                setState(State.REBALANCING);
            }
        }
        return Optional.of(name);
    }

    public Optional<String> removeStreamThread() {
        return removeStreamThread(Long.MAX_VALUE);
    }

    public Optional<String> removeStreamThread(final Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException("Invalid value for parameter \"timeout\" (value was: null). It shouldn't be null.");
        }
        return removeStreamThread(timeout.toMillis());
    }

    private Optional<String> removeStreamThread(final long timeoutMs) {
        if (!state.isRunningOrRebalancing()) {
            LOG.warn("{}Cannot remove a stream thread when Kafka Streams client is in state {}", logPrefix, state);
            return Optional.empty();
        }
        final Optional<String> removed = engine.removeThread(timeoutMs);
        if (!removed.isPresent()) {
            LOG.warn("{}There are no threads eligible for removal", logPrefix);
        }
        return removed;
    }

    public void pause() {
        paused = true;
        engine.pause();
    }

    public boolean isPaused() {
        return paused;
    }

    public void resume() {
        paused = false;
        engine.resume();
    }

    // ------------------------------------------------------------------------------------------------ metadata

    public Map<MetricName, ? extends Metric> metrics() {
        return Collections.unmodifiableMap(engine.metrics());
    }

    /** The Micrometer registry holding PSPF's own meters. */
    io.micrometer.core.instrument.MeterRegistry meterRegistry() {
        return engine.meterRegistry();
    }

    public Set<ThreadMetadata> metadataForLocalThreads() {
        final Set<ThreadMetadata> result = new HashSet<>();
        final Map<String, List<Engine.TaskView>> views = engine.taskViews();
        // standby tasks are kept by one updater thread; they are shown on the first live stream thread
        final Set<TaskMetadata> standby = new HashSet<>();
        for (final Engine.TaskView view : engine.standbyTaskViews()) {
            standby.add(new LocalTaskMetadata(view));
        }
        final List<StreamThreadRunner> live = new ArrayList<>();
        for (final StreamThreadRunner thread : engine.threads()) {
            if (thread.threadState() != StreamThreadRunner.State.DEAD) {
                live.add(thread);
            }
        }
        live.sort(java.util.Comparator.comparing(Thread::getName));
        for (final StreamThreadRunner thread : live) {
            final Set<TaskMetadata> active = new HashSet<>();
            for (final Engine.TaskView view : views.getOrDefault(thread.getName(), List.of())) {
                active.add(new LocalTaskMetadata(view));
            }
            result.add(new LocalThreadMetadata(thread.getName(), thread.threadState().name(), active,
                thread == live.get(0) ? standby : Set.of()));
        }
        return result;
    }

    /**
     * Every live instance of the application that set {@code application.server}, this one included, ordered by host
     * and port as Kafka orders them; empty when none did. The others are learnt through the group: each reports its
     * address, and the assignment says what it runs and keeps standby copies of.
     */
    public Collection<StreamsMetadata> metadataForAllStreamsClients() {
        validateIsRunningOrRebalancing();
        return allMetadata();
    }

    private List<StreamsMetadata> allMetadata() {
        final List<StreamsMetadata> all = new ArrayList<>(otherMetadata().values());
        if (!thisHost.equals(HostInfo.unavailable())) {
            all.add(localMetadata());
        }
        all.sort(java.util.Comparator.comparing((StreamsMetadata m) -> m.hostInfo().host())
            .thenComparingInt(m -> m.hostInfo().port()));
        return all;
    }

    public Collection<StreamsMetadata> streamsMetadataForStore(final String storeName) {
        validateIsRunningOrRebalancing();
        if (!engine.hasStore(storeName)) {
            return List.of();
        }
        final List<StreamsMetadata> all = allMetadata();
        // as Kafka: the instances that hold the store, actively or as a standby copy (a global store: all)
        all.removeIf(m -> !engine.isGlobalStore(storeName) && !m.stateStoreNames().contains(storeName)
            && !m.standbyStateStoreNames().contains(storeName));
        return all;
    }

    /** The other instances that set {@code application.server}, by member id, as the assignment followed here has them. */
    private Map<String, StreamsMetadata> otherMetadata() {
        final Map<String, StreamsMetadata> result = new TreeMap<>();
        for (final Map.Entry<String, Engine.MemberView> e : engine.otherMembers().entrySet()) {
            final HostInfo host = hostInfo(e.getValue().server);
            if (host == null) {
                continue;
            }
            final Set<String> stores = new HashSet<>(topology.graph.globalStores().keySet());
            final Set<org.apache.kafka.common.TopicPartition> partitions = new HashSet<>();
            collect(e.getValue().active, stores, partitions);
            final Set<String> standbyStores = new HashSet<>();
            final Set<org.apache.kafka.common.TopicPartition> standbyPartitions = new HashSet<>();
            collect(e.getValue().standby, standbyStores, standbyPartitions);
            result.put(e.getKey(), new LocalStreamsMetadata(host, stores, partitions, standbyStores, standbyPartitions));
        }
        return result;
    }

    /** Adds the stores and input partitions of {@code tasks} to {@code stores} and {@code partitions}. */
    private void collect(final Set<org.apache.kafka.streams.processor.TaskId> tasks, final Set<String> stores,
                         final Set<org.apache.kafka.common.TopicPartition> partitions) {
        for (final org.apache.kafka.streams.processor.TaskId task : tasks) {
            stores.addAll(engine.taskStores(task));
            partitions.addAll(engine.taskInputs(task));
        }
    }

    private StreamsMetadata localMetadata() {
        final Set<org.apache.kafka.common.TopicPartition> partitions = new HashSet<>();
        // the stores of the tasks this instance runs, and the global stores (as Kafka's metadata lists them)
        final Set<String> stores = new HashSet<>(topology.graph.globalStores().keySet());
        for (final List<Engine.TaskView> views : engine.taskViews().values()) {
            for (final Engine.TaskView view : views) {
                partitions.addAll(view.partitions);
                stores.addAll(engine.taskStores(view.id));
            }
        }
        final HostInfo host = thisHost;
        final Set<org.apache.kafka.common.TopicPartition> standbyPartitions = new HashSet<>();
        for (final Engine.TaskView view : engine.standbyTaskViews()) {
            standbyPartitions.addAll(view.partitions);
        }
        return new LocalStreamsMetadata(host, stores, partitions, engine.standbyStoreNames(), standbyPartitions);
    }

    /** {@code application.server}: the unavailable host for none; anything but {@code host:port} fails naming it. */
    private static HostInfo parseHost(final String server) {
        if (server == null || server.trim().isEmpty()) {
            return HostInfo.unavailable();
        }
        final HostInfo host = hostInfo(server);
        if (host == null) {
            throw new org.apache.kafka.common.config.ConfigException(StreamsConfig.APPLICATION_SERVER_CONFIG, server,
                "expected host:port");
        }
        return host;
    }

    /** {@code host:port} (this instance's setting, or another's as it reported it); null when it is not one. */
    private static HostInfo hostInfo(final String server) {
        final String endpoint = server.trim();
        final int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1) {
            return null;
        }
        try {
            return new HostInfo(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
        } catch (final NumberFormatException e) {
            return null;
        }
    }

    public <K> KeyQueryMetadata queryMetadataForKey(final String storeName, final K key, final Serializer<K> keySerializer) {
        return queryMetadataForKey(storeName, key, new RecordHeaders(), keySerializer);
    }

    public <K> KeyQueryMetadata queryMetadataForKey(final String storeName, final K key, final Headers headers,
                                                    final Serializer<K> keySerializer) {
        validateIsRunningOrRebalancing();
        Objects.requireNonNull(keySerializer, "keySerializer can't be null");
        Objects.requireNonNull(storeName, "storeName can't be null");
        Objects.requireNonNull(key, "key can't be null");
        // the key is serialized only when its partition is wanted (not for a global or an unknown store)
        return keyMetadata(storeName, count -> io.pspf.runtime.task.StreamTask.defaultPartition(
            keySerializer.serialize(null, headers, key), count));
    }

    public <K> KeyQueryMetadata queryMetadataForKey(final String storeName, final K key,
                                                    final StreamPartitioner<? super K, ?> partitioner) {
        return queryMetadataForKey(storeName, key, new RecordHeaders(), partitioner);
    }

    public <K> KeyQueryMetadata queryMetadataForKey(final String storeName, final K key, final Headers headers,
                                                    final StreamPartitioner<? super K, ?> partitioner) {
        validateIsRunningOrRebalancing();
        Objects.requireNonNull(storeName, "storeName can't be null");
        Objects.requireNonNull(key, "key can't be null");
        Objects.requireNonNull(partitioner, "partitioner can't be null");
        return keyMetadata(storeName, count -> {
            final Optional<Set<Integer>> partitions = partitioner.partitions(null, key, null, headers, count);
            if (partitions.isPresent() && partitions.get().size() != 1) {
                // as Kafka: a key is looked up in one partition
                throw new IllegalArgumentException("StreamPartitioner#partitions must return a singleton set for "
                    + "the key metadata, not " + partitions.get());
            }
            return partitions.isPresent() ? partitions.get().iterator().next() : -1;
        });
    }

    /**
     * Where the key's partition of the store is, as Kafka answers: the instance running its task (this one, or another
     * that set {@code application.server}; the unavailable host when none known here does), and the instances keeping
     * standby copies of it. A global store is on every instance (this one's host, partition -1); a store the topology
     * does not have gives null.
     */
    private KeyQueryMetadata keyMetadata(final String storeName, final java.util.function.IntUnaryOperator partitionFor) {
        if (!engine.followsAnAssignment()) {
            return KeyQueryMetadata.NOT_AVAILABLE; // as Kafka before its first rebalance
        }
        if (!engine.hasStore(storeName)) {
            return null;
        }
        if (engine.isGlobalStore(storeName)) {
            final List<StreamsMetadata> all = allMetadata();
            final HostInfo host = thisHost.equals(HostInfo.unavailable()) && !all.isEmpty() ? all.get(0).hostInfo()
                : thisHost;
            return new KeyQueryMetadata(host, Set.of(), -1);
        }
        final int count = engine.storePartitionCount(storeName);
        if (count <= 0) {
            return KeyQueryMetadata.NOT_AVAILABLE;
        }
        final int partition = partitionFor.applyAsInt(count);
        if (partition < 0) {
            return KeyQueryMetadata.NOT_AVAILABLE;
        }
        HostInfo active = null;
        final Set<HostInfo> standbys = new HashSet<>();
        for (final Engine.LocalStore store : engine.localStores(storeName)) {
            if (store.partition == partition) {
                if (store.standby) {
                    if (!thisHost.equals(HostInfo.unavailable())) {
                        standbys.add(thisHost);
                    }
                } else {
                    active = thisHost;
                }
            }
        }
        final org.apache.kafka.streams.processor.TaskId task = engine.storeTask(storeName, partition);
        if (active == null && task != null && engine.assignedActive().contains(task)) {
            active = thisHost; // assigned here and not restored yet: queries wait for it, as on Kafka
        }
        for (final Engine.MemberView other : engine.otherMembers().values()) {
            final HostInfo host = hostInfo(other.server);
            if (host == null || task == null) {
                continue;
            }
            if (active == null && other.active.contains(task)) {
                active = host;
            } else if (other.standby.contains(task)) {
                standbys.add(host);
            }
        }
        if (active != null) {
            standbys.remove(active); // a task moving here is kept as a standby until its lease is free
        }
        return new KeyQueryMetadata(active == null ? HostInfo.unavailable() : active, standbys, partition);
    }

    public Map<String, Map<Integer, LagInfo>> allLocalStorePartitionLags() {
        final Map<String, Map<Integer, LagInfo>> result = new TreeMap<>();
        for (final Map.Entry<String, Map<Integer, long[]>> store : engine.storeLags().entrySet()) {
            final Map<Integer, LagInfo> byPartition = new TreeMap<>();
            for (final Map.Entry<Integer, long[]> e : store.getValue().entrySet()) {
                byPartition.put(e.getKey(), lagInfo(e.getValue()[0], e.getValue()[1]));
            }
            result.put(store.getKey(), Collections.unmodifiableMap(byPartition));
        }
        return Collections.unmodifiableMap(result);
    }

    private static LagInfo lagInfo(final long position, final long end) {
        try {
            final java.lang.reflect.Constructor<LagInfo> constructor = LagInfo.class.getDeclaredConstructor(long.class, long.class);
            constructor.setAccessible(true);
            return constructor.newInstance(position, end);
        } catch (final ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot make Kafka's LagInfo", e);
        }
    }

    /** Not meaningful without Kafka clients: there are no client telemetry ids to report. */
    public synchronized ClientInstanceIds clientInstanceIds(final Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("The timeout cannot be negative.");
        }
        if (state == State.CREATED) {
            throw new IllegalStateException("KafkaStreams has not been started, you can retry after calling start().");
        }
        if (state.isShuttingDown() || state.hasCompletedShutdown()) {
            throw new IllegalStateException("KafkaStreams has been stopped (" + state + ").");
        }
        throw new StreamsException("Client instance ids are Kafka client telemetry; PSPF runs no Kafka clients");
    }

    // ------------------------------------------------------------------------------------------------ queries

    /**
     * A view of a store over the tasks this client runs, as Kafka's {@code KafkaStreams#store}.
     *
     * @throws StreamsNotStartedException before {@link #start()}
     * @throws UnknownStateStoreException when the topology has no store of that name
     * @throws InvalidStateStoreException when it is not queryable now
     */
    public <T> T store(final StoreQueryParameters<T> storeQueryParameters) {
        validateIsRunningOrRebalancing();
        final String storeName = storeQueryParameters.storeName();
        if (!engine.hasStore(storeName)) {
            throw new UnknownStateStoreException("Cannot get state store " + storeName
                + " because no such store is registered in the topology.");
        }
        return storeQueryParameters.queryableStoreType().create(new LocalStoreProvider(storeQueryParameters), storeName);
    }

    /** What Kafka's queryable store types read from: this client's stores of one name, checked as Kafka checks them. */
    private final class LocalStoreProvider implements org.apache.kafka.streams.state.internals.StateStoreProvider {
        private final StoreQueryParameters<?> parameters;

        LocalStoreProvider(final StoreQueryParameters<?> parameters) {
            this.parameters = parameters;
        }

        @Override
        public <T> List<T> stores(final String storeName, final QueryableStoreType<T> queryableStoreType) {
            if (state.hasStartedOrFinishedShuttingDown()) {
                throw new StreamsStoppedException("KafkaStreams has been stopped (" + state + ")."
                    + " This instance can no longer serve queries.");
            }
            final List<T> result = new ArrayList<>();
            for (final Engine.LocalStore local : engine.localStores(storeName)) {
                if (parameters.partition() != null && local.partition != -1 && local.partition != parameters.partition()) {
                    continue;
                }
                if (local.standby && !parameters.staleStoresEnabled()) {
                    continue; // as Kafka: standby copies are queried only when stale stores are enabled
                }
                if (!parameters.staleStoresEnabled() && local.threadState != StreamThreadRunner.State.RUNNING) {
                    throw new InvalidStateStoreException("Cannot get state store " + storeName
                        + " because the stream thread is " + local.threadState + ", not RUNNING");
                }
                final StateStore store = local.store;
                final T view = queryView(store, queryableStoreType);
                if (view == null) {
                    throw new InvalidStateStoreException("Cannot get state store " + storeName + " because the "
                        + "queryable store type [" + queryableStoreType.getClass() + "] does not accept the actual "
                        + "store type [" + store.getClass() + "].");
                }
                if (!store.isOpen()) {
                    throw new InvalidStateStoreException("Cannot get state store " + storeName + " for partition "
                        + local.partition + " because the store is not open. The state store may have migrated to "
                        + "another instance.");
                }
                result.add(view);
            }
            if (result.isEmpty()) {
                if (parameters.partition() != null) {
                    throw new org.apache.kafka.streams.errors.InvalidStateStorePartitionException(String.format(
                        "The specified partition %d for store %s does not exist.", parameters.partition(), storeName));
                }
                // no task of this client holds the store now (its tasks moved, or none are assigned)
                throw new InvalidStateStoreException("The state store, " + storeName
                    + ", may have migrated to another instance.");
            }
            return result;
        }
    }

    /**
     * The store as a query of this type reads it, as Kafka's providers hand it out: a timestamped store asked for as a
     * plain key-value or window store is seen through a value-only view; null when the type does not take the store.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <T> T queryView(final StateStore store, final QueryableStoreType<T> type) {
        final String typeName = type.getClass().getSimpleName();
        if (typeName.equals("KeyValueStoreType") && store instanceof org.apache.kafka.streams.state.TimestampedKeyValueStore) {
            return (T) new StoreFacades.KeyValueFacade<>((org.apache.kafka.streams.state.TimestampedKeyValueStore) store);
        }
        if (typeName.equals("WindowStoreType") && store instanceof org.apache.kafka.streams.state.TimestampedWindowStore) {
            return (T) new WindowStoreFacade<>((org.apache.kafka.streams.state.TimestampedWindowStore) store);
        }
        return type.accepts(store) ? (T) store : null;
    }

    /**
     * Runs an interactive query (IQv2) against this client's partitions of a store, as Kafka's
     * {@code KafkaStreams#query}: key, range, timestamped key and range, window key and window range queries.
     */
    public <R> StateQueryResult<R> query(final StateQueryRequest<R> request) {
        final String storeName = request.getStoreName();
        if (!engine.hasStore(storeName)) {
            throw new UnknownStateStoreException("Cannot get state store " + storeName
                + " because no such store is registered in the topology.");
        }
        if (state.hasNotStarted()) {
            throw new StreamsNotStartedException("KafkaStreams has not been started, you can retry after calling start().");
        }
        if (state.isShuttingDown() || state.hasCompletedShutdown()) {
            throw new StreamsStoppedException("KafkaStreams has been stopped (" + state + ")."
                + " This instance can no longer serve queries.");
        }
        final StateQueryResult<R> result = new StateQueryResult<>();
        if (engine.isGlobalStore(storeName)) {
            result.setGlobalResult(QueryResult.forFailure(FailureReason.UNKNOWN_QUERY_TYPE,
                "Global stores do not yet support the KafkaStreams#query API. Use KafkaStreams#store instead."));
            return result;
        }
        final Set<Integer> wanted = request.isAllPartitions() ? null : new LinkedHashSet<>(request.getPartitions());
        for (final Engine.LocalStore local : engine.localStores(storeName)) {
            if (wanted != null && !wanted.contains(local.partition)) {
                continue;
            }
            final QueryResult<R> partitionResult;
            if (request.isRequireActive() && (local.standby || local.threadState != StreamThreadRunner.State.RUNNING)) {
                partitionResult = QueryResult.forFailure(FailureReason.NOT_ACTIVE, "Query requires a running active "
                    + "task, but partition was in state " + local.threadState + " and was "
                    + (local.standby ? "not active." : "active."));
            } else {
                final PositionBound bound = request.isRequireActive() ? PositionBound.unbounded() : request.getPositionBound();
                partitionResult = InteractiveQueries.run(local.store, request.getQuery(), bound,
                    new QueryConfig(request.executionInfoEnabled()));
            }
            result.addResult(local.partition, partitionResult);
        }
        if (wanted != null) {
            for (final Integer partition : wanted) {
                if (!result.getPartitionResults().containsKey(partition)) {
                    result.addResult(partition, QueryResult.forFailure(FailureReason.NOT_PRESENT,
                        "The requested partition was not present at the time of the query."));
                }
            }
        }
        return result;
    }

    // ------------------------------------------------------------------------------------------------ metadata types

    private static final class LocalThreadMetadata implements ThreadMetadata {
        private final String name;
        private final String state;
        private final Set<TaskMetadata> active;
        private final Set<TaskMetadata> standby;

        LocalThreadMetadata(final String name, final String state, final Set<TaskMetadata> active,
                            final Set<TaskMetadata> standby) {
            this.name = name;
            this.state = state;
            this.active = Collections.unmodifiableSet(active);
            this.standby = Collections.unmodifiableSet(standby);
        }

        @Override
        public String threadState() {
            return state;
        }

        @Override
        public String threadName() {
            return name;
        }

        @Override
        public Set<TaskMetadata> activeTasks() {
            return active;
        }

        @Override
        public Set<TaskMetadata> standbyTasks() {
            return standby;
        }

        @Override
        public String consumerClientId() {
            return name + "-consumer";
        }

        @Override
        public String restoreConsumerClientId() {
            return name + "-restore-consumer";
        }

        @Override
        public Set<String> producerClientIds() {
            return Set.of(name + "-producer");
        }

        @Override
        public String adminClientId() {
            return name.substring(0, name.lastIndexOf("-StreamThread-")) + "-admin";
        }

        @Override
        public boolean equals(final Object o) {
            if (!(o instanceof LocalThreadMetadata)) {
                return false;
            }
            final LocalThreadMetadata other = (LocalThreadMetadata) o;
            return name.equals(other.name) && state.equals(other.state) && active.equals(other.active)
                && standby.equals(other.standby);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, state, active, standby);
        }

        @Override
        public String toString() {
            return "ThreadMetadata{threadName=" + name + ", threadState=" + state + ", activeTasks=" + active
                + ", standbyTasks=" + standby + ", consumerClientId=" + consumerClientId() + ", restoreConsumerClientId="
                + restoreConsumerClientId() + ", producerClientIds=" + producerClientIds() + ", adminClientId="
                + adminClientId() + "}";
        }
    }

    private static final class LocalTaskMetadata implements TaskMetadata {
        private final Engine.TaskView view;

        LocalTaskMetadata(final Engine.TaskView view) {
            this.view = view;
        }

        @Override
        public TaskId taskId() {
            return view.id;
        }

        @Override
        public Set<org.apache.kafka.common.TopicPartition> topicPartitions() {
            return Collections.unmodifiableSet(view.partitions);
        }

        @Override
        public Map<org.apache.kafka.common.TopicPartition, Long> committedOffsets() {
            return Collections.unmodifiableMap(view.committedOffsets);
        }

        @Override
        public Map<org.apache.kafka.common.TopicPartition, Long> endOffsets() {
            return Collections.unmodifiableMap(view.endOffsets);
        }

        @Override
        public Optional<Long> timeCurrentIdlingStarted() {
            return Optional.empty();
        }

        @Override
        public boolean equals(final Object o) {
            return o instanceof LocalTaskMetadata && ((LocalTaskMetadata) o).view.id.equals(view.id)
                && ((LocalTaskMetadata) o).view.partitions.equals(view.partitions);
        }

        @Override
        public int hashCode() {
            return Objects.hash(view.id, view.partitions);
        }

        @Override
        public String toString() {
            return "TaskMetadata{taskId=" + view.id + ", topicPartitions=" + view.partitions + ", committedOffsets="
                + view.committedOffsets + ", endOffsets=" + view.endOffsets + ", timeCurrentIdlingStarted=Optional.empty}";
        }
    }

    private static final class LocalStreamsMetadata implements StreamsMetadata {
        private final HostInfo host;
        private final Set<String> stores;
        private final Set<org.apache.kafka.common.TopicPartition> partitions;
        private final Set<String> standbyStores;
        private final Set<org.apache.kafka.common.TopicPartition> standbyPartitions;

        LocalStreamsMetadata(final HostInfo host, final Set<String> stores,
                             final Set<org.apache.kafka.common.TopicPartition> partitions, final Set<String> standbyStores,
                             final Set<org.apache.kafka.common.TopicPartition> standbyPartitions) {
            this.host = host;
            this.stores = Collections.unmodifiableSet(stores);
            this.partitions = Collections.unmodifiableSet(partitions);
            this.standbyStores = Collections.unmodifiableSet(new HashSet<>(standbyStores));
            this.standbyPartitions = Collections.unmodifiableSet(standbyPartitions);
        }

        @Override
        public HostInfo hostInfo() {
            return host;
        }

        @Override
        public Set<String> stateStoreNames() {
            return stores;
        }

        @Override
        public Set<org.apache.kafka.common.TopicPartition> topicPartitions() {
            return partitions;
        }

        @Override
        public Set<org.apache.kafka.common.TopicPartition> standbyTopicPartitions() {
            return standbyPartitions;
        }

        @Override
        public Set<String> standbyStateStoreNames() {
            return standbyStores;
        }

        @Override
        public String host() {
            return host.host();
        }

        @Override
        public int port() {
            return host.port();
        }

        @Override
        public boolean equals(final Object o) {
            return o instanceof LocalStreamsMetadata && ((LocalStreamsMetadata) o).host.equals(host)
                && ((LocalStreamsMetadata) o).stores.equals(stores) && ((LocalStreamsMetadata) o).partitions.equals(partitions);
        }

        @Override
        public int hashCode() {
            return Objects.hash(host, stores, partitions);
        }

        @Override
        public String toString() {
            return "StreamsMetadata{hostInfo=" + host + ", stateStoreNames=" + stores + ", topicPartitions=" + partitions
                + ", standbyStateStoreNames=" + standbyStores + ", standbyTopicPartitions=" + standbyPartitions + "}";
        }
    }
}
