package io.pspf.runtime.backend;

/**
 * One application instance's membership of its group (the instances with the same {@code application.id} on one
 * backend), and the task leases it holds: a task is run by the instance holding its lease. A backend that does not
 * share tasks between instances grants every lease to the only member ({@link #solo}).
 *
 * <p>Members also share a small board: each publishes a report (what the group's leader needs to know of it: its
 * stream threads and the state it holds), and the leader writes the assignment the group follows, versioned by a
 * generation number that only a compare-and-set moves ({@link #writeAssignment}).
 *
 * <p>Leases decide who runs a task; the task's fencing epoch ({@link Backend#fence}) still guards every commit, so an
 * instance that lost a lease without noticing cannot commit over the new owner.
 */
public interface GroupMembership extends AutoCloseable {
    /** The membership of a backend with no sharing: one member, every lease granted, the board kept in memory. */
    static GroupMembership solo(final String memberId) {
        return new SoloMembership(memberId);
    }

    /** How many instances of the group are alive now, this one included. */
    int liveMembers();

    /** Takes the lease of a task if no other instance holds it (holding it already counts as taking it). */
    boolean tryAcquire(String taskId);

    /**
     * Takes a task's next fencing epoch ({@link Backend#fence}) for this member, only while it holds (or can take) the
     * task's lease; -1 when another member holds it. Backends that can make the lease check and the epoch change one
     * atomic step do (a member paused between the two could otherwise take the epoch from the lease's new holder).
     */
    default long fence(final Backend backend, final String group, final String taskId) {
        return tryAcquire(taskId) ? backend.fence(group, taskId) : -1L;
    }

    /** Gives up the lease of a task (after the task was closed). */
    void release(String taskId);

    /** Publishes this member's report, replacing its last one. */
    void publish(String report);

    /** The live members (this one included) by member id, each with its last report ("" before its first). */
    java.util.SortedMap<String, String> members();

    /** The assignment the group follows now; generation 0 with an empty text before the first was written. */
    Versioned assignment();

    /**
     * Writes the next assignment if the stored one is still of {@code generation}; the stored generation becomes
     * {@code generation + 1}.
     *
     * @return whether it was written (false: another member wrote one meanwhile)
     */
    boolean writeAssignment(long generation, String assignment);

    /** A text with the generation that wrote it. */
    record Versioned(long generation, String value) {
        public static final Versioned NONE = new Versioned(0L, "");
    }

    /**
     * Asks every instance of the group to shut down (Kafka's {@code SHUTDOWN_APPLICATION}): members that joined before
     * the request see {@link #shutdownRequested()}; instances started after it do not.
     */
    default void requestShutdown() {
    }

    /** Whether an instance asked the group to shut down since this member joined. */
    default boolean shutdownRequested() {
        return false;
    }

    /** Leaves the group, giving up every lease. */
    @Override
    void close();
}
