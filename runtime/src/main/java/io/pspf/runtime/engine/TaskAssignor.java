package io.pspf.runtime.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.streams.processor.TaskId;

/**
 * The group leader's assignment of tasks to instances, after Kafka's high-availability assignor (KIP-441):
 *
 * <ol>
 *   <li>Each task has a balanced destination by capacity (stream threads), stateful tasks first, then stateless ones
 *       on the loads the stateful ones left. The destination is a function of the members, their capacities and the
 *       tasks only, not of the previous assignment: each task goes to the member ranking it highest (rendezvous
 *       hashing of member id and task id) among those still below their share, and the tasks left over go to the
 *       least loaded members. So recomputing cannot drift, and a member joining or leaving changes the destinations
 *       of a part of the tasks near its share, not of most of them. As in Kafka, stickiness comes from the next step.</li>
 *   <li>A stateful task whose balanced owner is not caught up (lag above {@code acceptable.recovery.lag}) stays
 *       active on a caught-up instance (its previous owner if possible; the least lagging instance when none is
 *       caught up), and the balanced owner gets a warm-up replica, at most {@code max.warmup.replicas} at once. The
 *       task moves once the warm-up has caught up.</li>
 *   <li>Each stateful task gets {@code num.standby.replicas} standbys on other instances: previous holders first,
 *       then the least loaded instances.</li>
 * </ol>
 *
 * The result depends only on its inputs, so the leader can recompute it at every check and write it only when it
 * differs from the one the group follows.
 */
final class TaskAssignor {
    /** Lag of an instance that holds no state of the task. */
    static final long NO_STATE = Long.MAX_VALUE;

    private TaskAssignor() {
    }

    /** One instance as the leader sees it: its stream thread count and its lag per task it holds state of. */
    static final class Client {
        final int capacity;
        final Map<TaskId, Long> lags;

        Client(final int capacity, final Map<TaskId, Long> lags) {
            this.capacity = capacity;
            this.lags = Map.copyOf(lags);
        }

        long lag(final TaskId task) {
            return lags.getOrDefault(task, NO_STATE);
        }
    }

    /** What every instance runs: active tasks, standby tasks and warm-up replicas (standbys that will take over). */
    static final class Assignment {
        final SortedMap<String, SortedSet<TaskId>> active = new TreeMap<>();
        final SortedMap<String, SortedSet<TaskId>> standby = new TreeMap<>();
        final SortedMap<String, SortedSet<TaskId>> warmup = new TreeMap<>();

        SortedSet<TaskId> active(final String member) {
            return active.getOrDefault(member, Collections.emptySortedSet());
        }

        SortedSet<TaskId> standby(final String member) {
            return standby.getOrDefault(member, Collections.emptySortedSet());
        }

        SortedSet<TaskId> warmup(final String member) {
            return warmup.getOrDefault(member, Collections.emptySortedSet());
        }

        /** The member running a task as active, or null. */
        String owner(final TaskId task) {
            for (final Map.Entry<String, SortedSet<TaskId>> e : active.entrySet()) {
                if (e.getValue().contains(task)) {
                    return e.getKey();
                }
            }
            return null;
        }

        /** Where a task is headed: the member warming it up, else its active member; null if unassigned. */
        String target(final TaskId task) {
            for (final Map.Entry<String, SortedSet<TaskId>> e : warmup.entrySet()) {
                if (e.getValue().contains(task)) {
                    return e.getKey();
                }
            }
            return owner(task);
        }

        Set<String> members() {
            final Set<String> members = new TreeSet<>(active.keySet());
            members.addAll(standby.keySet());
            members.addAll(warmup.keySet());
            return members;
        }

        private static void add(final SortedMap<String, SortedSet<TaskId>> map, final String member, final TaskId task) {
            map.computeIfAbsent(member, m -> new TreeSet<>()).add(task);
        }

        /** Lines {@code A|S|W <member> <task>,<task>...}; members and tasks sorted, so equal assignments encode equal. */
        String encode() {
            final StringBuilder out = new StringBuilder();
            encode(out, 'A', active);
            encode(out, 'S', standby);
            encode(out, 'W', warmup);
            return out.toString();
        }

        private static void encode(final StringBuilder out, final char kind, final SortedMap<String, SortedSet<TaskId>> map) {
            for (final Map.Entry<String, SortedSet<TaskId>> e : map.entrySet()) {
                if (e.getValue().isEmpty()) {
                    continue;
                }
                out.append(kind).append(' ').append(e.getKey()).append(' ');
                boolean first = true;
                for (final TaskId task : e.getValue()) {
                    if (!first) {
                        out.append(',');
                    }
                    out.append(task);
                    first = false;
                }
                out.append('\n');
            }
        }

        static Assignment decode(final String text) {
            final Assignment assignment = new Assignment();
            for (final String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                final String[] parts = line.split(" ");
                if (parts.length != 3) {
                    throw new IllegalArgumentException("Malformed assignment line: " + line);
                }
                final SortedMap<String, SortedSet<TaskId>> map;
                switch (parts[0]) {
                    case "A":
                        map = assignment.active;
                        break;
                    case "S":
                        map = assignment.standby;
                        break;
                    case "W":
                        map = assignment.warmup;
                        break;
                    default:
                        throw new IllegalArgumentException("Malformed assignment line: " + line);
                }
                for (final String task : parts[2].split(",")) {
                    add(map, parts[1], TaskId.parse(task));
                }
            }
            return assignment;
        }

        @Override
        public boolean equals(final Object o) {
            return o instanceof Assignment && encode().equals(((Assignment) o).encode());
        }

        @Override
        public int hashCode() {
            return encode().hashCode();
        }

        @Override
        public String toString() {
            return encode().replace('\n', ';');
        }
    }

    /**
     * Computes the assignment.
     *
     * @param clients    the live instances by member id
     * @param tasks      every task of the application
     * @param stateful   the tasks with state to restore (the others are never warmed up or standing by)
     * @param previous   the assignment the group follows now (empty if none)
     */
    static Assignment assign(final SortedMap<String, Client> clients, final SortedSet<TaskId> tasks,
                             final Set<TaskId> stateful, final Assignment previous, final int numStandbys,
                             final long acceptableRecoveryLag, final int maxWarmups) {
        Objects.requireNonNull(previous, "previous");
        final Assignment result = new Assignment();
        final List<String> eligible = new ArrayList<>();
        int totalCapacity = 0;
        for (final Map.Entry<String, Client> e : clients.entrySet()) {
            if (e.getValue().capacity > 0) {
                eligible.add(e.getKey());
                totalCapacity += e.getValue().capacity;
            }
        }
        if (eligible.isEmpty() || tasks.isEmpty()) {
            return result;
        }
        final List<TaskId> statefulTasks = new ArrayList<>();
        final List<TaskId> statelessTasks = new ArrayList<>();
        for (final TaskId task : tasks) {
            (stateful.contains(task) ? statefulTasks : statelessTasks).add(task);
        }
        final Map<String, Integer> load = new HashMap<>();
        final Map<TaskId, String> target = new HashMap<>();
        balance(statefulTasks, clients, eligible, totalCapacity, acceptableRecoveryLag, load, target);

        // movements: a stateful task goes to a member that is not caught up only through a warm-up
        final Map<String, Integer> activeLoad = new HashMap<>();
        final Map<TaskId, String> warmups = new HashMap<>();
        final List<TaskId> moving = new ArrayList<>();
        for (final TaskId task : statefulTasks) {
            final List<String> sources = mostCaughtUp(task, clients, eligible, acceptableRecoveryLag);
            if (!sources.isEmpty() && !sources.contains(target.get(task))) {
                moving.add(task);
            }
        }
        // warm-ups already under way keep their slots first, so a limited number of them cannot rotate for ever
        moving.sort(Comparator.comparing((TaskId t) -> previous.warmup(target.get(t)).contains(t) ? 0 : 1)
            .thenComparing(Comparator.naturalOrder()));
        for (final TaskId task : moving) {
            final String destination = target.get(task);
            final List<String> sources = mostCaughtUp(task, clients, eligible, acceptableRecoveryLag);
            final String prior = previous.owner(task);
            String source = sources.contains(prior) ? prior : null;
            if (source == null) {
                source = sources.get(0);
                for (final String candidate : sources) {
                    if (ratio(load, clients, candidate) < ratio(load, clients, source)) {
                        source = candidate;
                    }
                }
            }
            target.put(task, source);
            load.merge(destination, -1, Integer::sum);
            load.merge(source, 1, Integer::sum);
            if (warmups.size() < maxWarmups) {
                warmups.put(task, destination);
            }
        }
        // stateless tasks last, on the loads the stateful ones left
        balance(statelessTasks, clients, eligible, totalCapacity, acceptableRecoveryLag, load, target);
        for (final TaskId task : tasks) {
            Assignment.add(result.active, target.get(task), task);
            activeLoad.merge(target.get(task), 1, Integer::sum);
        }
        for (final Map.Entry<TaskId, String> e : warmups.entrySet()) {
            Assignment.add(result.warmup, e.getValue(), e.getKey());
        }

        // standbys, away from the active and any warm-up of the task
        final Map<String, Integer> totalLoad = new HashMap<>(activeLoad);
        for (final Map.Entry<TaskId, String> e : warmups.entrySet()) {
            totalLoad.merge(e.getValue(), 1, Integer::sum);
        }
        if (numStandbys > 0) {
            for (final TaskId task : statefulTasks) {
                final List<String> candidates = new ArrayList<>();
                for (final String member : eligible) {
                    if (!member.equals(target.get(task)) && !member.equals(warmups.get(task))) {
                        candidates.add(member);
                    }
                }
                for (int i = 0; i < numStandbys && !candidates.isEmpty(); i++) {
                    final Comparator<String> order = Comparator
                        .comparing((String m) -> previous.standby(m).contains(task) || previous.warmup(m).contains(task) ? 0 : 1)
                        .thenComparingDouble(m -> (double) totalLoad.getOrDefault(m, 0) / clients.get(m).capacity)
                        .thenComparingLong(m -> clients.get(m).lag(task))
                        .thenComparing(Comparator.naturalOrder());
                    final String chosen = Collections.min(candidates, order);
                    candidates.remove(chosen);
                    Assignment.add(result.standby, chosen, task);
                    totalLoad.merge(chosen, 1, Integer::sum);
                }
            }
        }
        return result;
    }

    /**
     * Balances tasks over the eligible members by capacity, as a function of its arguments only (never of the
     * previous assignment, which made the destinations drift from one computation to the next): each task, in order,
     * goes to the member ranking it highest among those below their exact share rounded down; every task left over
     * goes to the member with the lowest load after taking it (a caught-up member, then the higher rank, winning
     * ties).
     */
    private static void balance(final List<TaskId> tasks, final SortedMap<String, Client> clients,
                                final List<String> eligible, final int totalCapacity, final long acceptableRecoveryLag,
                                final Map<String, Integer> load, final Map<TaskId, String> target) {
        final Map<String, Integer> placed = new HashMap<>();
        final List<TaskId> rest = new ArrayList<>();
        for (final TaskId task : tasks) {
            String chosen = null;
            long best = 0;
            for (final String member : eligible) {
                final int floor = (int) ((long) tasks.size() * clients.get(member).capacity / totalCapacity);
                final long rank = rank(member, task);
                if (placed.getOrDefault(member, 0) < floor && (chosen == null || Long.compareUnsigned(rank, best) > 0)) {
                    chosen = member;
                    best = rank;
                }
            }
            if (chosen == null) {
                rest.add(task);
                continue;
            }
            placed.merge(chosen, 1, Integer::sum);
            load.merge(chosen, 1, Integer::sum);
            target.put(task, chosen);
        }
        for (final TaskId task : rest) {
            final Comparator<String> order = Comparator
                .comparingDouble((String m) -> (double) (load.getOrDefault(m, 0) + 1) / clients.get(m).capacity)
                .thenComparing(m -> clients.get(m).lag(task) <= acceptableRecoveryLag ? 0 : 1)
                .thenComparing((String m) -> rank(m, task), (x, y) -> Long.compareUnsigned(y, x))
                .thenComparing(Comparator.naturalOrder());
            final String chosen = Collections.min(eligible, order);
            load.merge(chosen, 1, Integer::sum);
            target.put(task, chosen);
        }
    }

    /**
     * A member's rank for a task (rendezvous hashing): the same on every instance and in every JVM, as it mixes only
     * {@link String#hashCode()} of the member id with the task's numbers.
     */
    static long rank(final String member, final TaskId task) {
        long h = member.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= ((long) task.subtopology() << 32) | (task.partition() & 0xFFFFFFFFL);
        if (task.topologyName() != null) {
            h += task.topologyName().hashCode() * 0xC2B2AE3D27D4EB4FL;
        }
        // SplitMix64's finaliser: every input bit reaches every output bit
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return h;
    }

    /** The members caught up on a task; if none is, those with the least (finite) lag; empty when nobody has state. */
    private static List<String> mostCaughtUp(final TaskId task, final SortedMap<String, Client> clients,
                                             final List<String> eligible, final long acceptableRecoveryLag) {
        final List<String> caughtUp = new ArrayList<>();
        long least = NO_STATE;
        for (final String member : eligible) {
            final long lag = clients.get(member).lag(task);
            if (lag <= acceptableRecoveryLag) {
                caughtUp.add(member);
            }
            least = Math.min(least, lag);
        }
        if (!caughtUp.isEmpty() || least == NO_STATE) {
            return caughtUp;
        }
        final List<String> leastLagging = new ArrayList<>();
        for (final String member : eligible) {
            if (clients.get(member).lag(task) == least) {
                leastLagging.add(member);
            }
        }
        return leastLagging;
    }

    private static double ratio(final Map<String, Integer> load, final SortedMap<String, Client> clients, final String member) {
        return (double) load.getOrDefault(member, 0) / clients.get(member).capacity;
    }
}
