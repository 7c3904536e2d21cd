package io.pspf.runtime.backend;

/**
 * One application instance's membership of its group (the instances with the same {@code application.id} on one
 * backend), and the task leases it holds: a task is run by the instance holding its lease. A backend that does not
 * share tasks between instances grants every lease to the only member ({@link #SOLO}).
 *
 * <p>Leases decide who runs a task; the task's fencing epoch ({@link Backend#fence}) still guards every commit, so an
 * instance that lost a lease without noticing cannot commit over the new owner.
 */
public interface GroupMembership extends AutoCloseable {
    /** The membership of a backend with no sharing: one member, every lease granted. */
    GroupMembership SOLO = new GroupMembership() {
        @Override
        public int liveMembers() {
            return 1;
        }

        @Override
        public boolean tryAcquire(final String taskId) {
            return true;
        }

        @Override
        public void release(final String taskId) {
        }

        @Override
        public void close() {
        }
    };

    /** How many instances of the group are alive now, this one included. */
    int liveMembers();

    /** Takes the lease of a task if no other instance holds it (holding it already counts as taking it). */
    boolean tryAcquire(String taskId);

    /** Gives up the lease of a task (after the task was closed). */
    void release(String taskId);

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
