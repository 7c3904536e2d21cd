package io.pspf.connector.valkey;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lettuce.core.ScriptOutputType;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.GroupMembership;

/**
 * An instance's membership of its group on Valkey. Members are a sorted set scored by their deadline (server time
 * plus {@code session.timeout.ms}); a task's lease is a key holding the member's id with the session timeout as its
 * time to live. A heart-beat thread renews both every third of the timeout, so an instance that dies or stops
 * (SIGSTOP) loses its membership and its leases within the session timeout and the others take its tasks. The
 * task's fencing epoch, not the lease, keeps such an instance from committing once it wakes.
 */
final class ValkeyMembership implements GroupMembership {
    private static final Logger LOG = LoggerFactory.getLogger(ValkeyMembership.class);

    private final ValkeyBackend backend;
    private final String group;
    private final String memberId;
    private final long sessionTimeoutMs;
    private final byte[] membersKey;
    private final byte[] shutdownKey;
    private final byte[] reportsKey;
    private final byte[] assignmentKey;
    private final long joinedAtMs;
    /**
     * The leases held, each with the number of the take that got it: a renewal that finds a lease lost drops it only
     * if it was not taken again while the renewal was on its way.
     */
    private final Map<String, Long> held = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong takes = new java.util.concurrent.atomic.AtomicLong();
    private final Thread heartbeat;
    private volatile boolean closed;

    ValkeyMembership(final ValkeyBackend backend, final String group, final String memberId,
                     final long sessionTimeoutMs) {
        this.backend = backend;
        this.group = group;
        this.memberId = memberId;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.membersKey = ValkeyBackend.bytes(backend.groupKey(group, "members"));
        this.shutdownKey = ValkeyBackend.bytes(backend.groupKey(group, "shutdown"));
        this.reportsKey = ValkeyBackend.bytes(backend.groupKey(group, "reports"));
        this.assignmentKey = ValkeyBackend.bytes(backend.groupKey(group, "assignment"));
        this.joinedAtMs = serverTimeMs();
        beat();
        this.heartbeat = new Thread(this::heartbeatLoop, "pspf-valkey-heartbeat-" + memberId);
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    private long serverTimeMs() {
        final Long now = backend.membershipCall("read the server time", "now", ScriptOutputType.INTEGER,
            new byte[0][]);
        return now;
    }

    private byte[] leaseKey(final String taskId) {
        return ValkeyBackend.bytes(backend.groupKey(group, "lease:" + taskId));
    }

    private long beat() {
        final Long live = backend.membershipCall("heart-beat", "heartbeat", ScriptOutputType.INTEGER,
            new byte[][] {membersKey}, ValkeyBackend.bytes(memberId), ValkeyBackend.bytes(Long.toString(sessionTimeoutMs)));
        return live;
    }

    private void heartbeatLoop() {
        final long interval = Math.max(10, sessionTimeoutMs / 3);
        while (!closed) {
            try {
                Thread.sleep(interval);
            } catch (final InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            try {
                beat();
                renewLeases();
            } catch (final BackendException e) {
                LOG.warn("Group {} member {}: heart-beat failed ({}); retrying", group, memberId, e.getMessage());
            } catch (final RuntimeException e) {
                LOG.warn("Group {} member {}: heart-beat failed", group, memberId, e);
            }
        }
    }

    private void renewLeases() {
        final Map<String, Long> snapshot = Map.copyOf(held);
        final List<String> tasks = List.copyOf(snapshot.keySet());
        if (tasks.isEmpty()) {
            return;
        }
        final byte[][] keys = new byte[tasks.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = leaseKey(tasks.get(i));
        }
        final List<Object> ours = backend.membershipCall("renew leases", "renew", ScriptOutputType.MULTI, keys,
            ValkeyBackend.bytes(memberId), ValkeyBackend.bytes(Long.toString(sessionTimeoutMs)));
        for (int i = 0; i < keys.length; i++) {
            if (((Long) ours.get(i)) == 0L && held.remove(tasks.get(i), snapshot.get(tasks.get(i)))) {
                LOG.warn("Group {} member {}: the lease of task {} went to another instance (this one missed its "
                    + "session timeout of {} ms); its commits will be refused", group, memberId, tasks.get(i),
                    sessionTimeoutMs);
            }
        }
    }

    @Override
    public int liveMembers() {
        return (int) beat();
    }

    @Override
    public boolean tryAcquire(final String taskId) {
        final Long taken = backend.membershipCall("take the lease of " + taskId, "acquire", ScriptOutputType.INTEGER,
            new byte[][] {leaseKey(taskId)}, ValkeyBackend.bytes(memberId),
            ValkeyBackend.bytes(Long.toString(sessionTimeoutMs)));
        if (taken == 1L) {
            held.put(taskId, takes.incrementAndGet());
            return true;
        }
        return false;
    }

    /** The lease check and the epoch change in one function call: a pause between them cannot split them. */
    @Override
    public long fence(final io.pspf.runtime.backend.Backend ignored, final String group, final String taskId) {
        final byte[][] keys = {ValkeyBackend.bytes(backend.groupKey(group, "epochs")), leaseKey(taskId)};
        final Long epoch = backend.once("fence task " + taskId, c -> (Long) backend.fcall(c, "fence_leased",
            ScriptOutputType.INTEGER, keys, ValkeyBackend.bytes(taskId), ValkeyBackend.bytes(memberId),
            ValkeyBackend.bytes(Long.toString(sessionTimeoutMs))));
        if (epoch >= 0) {
            held.put(taskId, takes.incrementAndGet());
        }
        return epoch;
    }

    @Override
    public void release(final String taskId) {
        held.remove(taskId);
        backend.membershipCall("release the lease of " + taskId, "release", ScriptOutputType.INTEGER,
            new byte[][] {leaseKey(taskId)}, ValkeyBackend.bytes(memberId));
    }

    @Override
    public void publish(final String report) {
        backend.retrying("publish the report of " + memberId,
            c -> c.hset(reportsKey, ValkeyBackend.bytes(memberId), report.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public java.util.SortedMap<String, String> members() {
        final List<Object> flat = backend.membershipCall("list the members", "members", ScriptOutputType.MULTI,
            new byte[][] {membersKey, reportsKey});
        final java.util.SortedMap<String, String> live = new java.util.TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            live.put(new String((byte[]) flat.get(i), StandardCharsets.UTF_8),
                new String((byte[]) flat.get(i + 1), StandardCharsets.UTF_8));
        }
        return live;
    }

    @Override
    public Versioned assignment() {
        final List<io.lettuce.core.KeyValue<byte[], byte[]>> fields = backend.retrying("read the assignment",
            c -> c.hmget(assignmentKey, ValkeyBackend.bytes("generation"), ValkeyBackend.bytes("assignment")));
        if (!fields.get(0).hasValue()) {
            return Versioned.NONE;
        }
        return new Versioned(Long.parseLong(new String(fields.get(0).getValue(), StandardCharsets.US_ASCII)),
            fields.get(1).hasValue() ? new String(fields.get(1).getValue(), StandardCharsets.UTF_8) : "");
    }

    @Override
    public boolean writeAssignment(final long generation, final String assignment) {
        final Long written = backend.membershipCall("write the assignment", "assign", ScriptOutputType.INTEGER,
            new byte[][] {assignmentKey}, ValkeyBackend.bytes(Long.toString(generation)),
            assignment.getBytes(StandardCharsets.UTF_8));
        return written == 1L;
    }

    @Override
    public void requestShutdown() {
        final long now = serverTimeMs();
        backend.retrying("request shutdown", c -> c.set(shutdownKey,
            Long.toString(now).getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public boolean shutdownRequested() {
        final byte[] at = backend.retrying("read the shutdown request", c -> c.get(shutdownKey));
        return at != null && Long.parseLong(new String(at, StandardCharsets.US_ASCII)) > joinedAtMs;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.interrupt();
        try {
            for (final String task : List.copyOf(held.keySet())) {
                release(task);
            }
            backend.retrying("leave the group", c -> c.zrem(membersKey, ValkeyBackend.bytes(memberId)));
            backend.retrying("drop the report", c -> c.hdel(reportsKey, ValkeyBackend.bytes(memberId)));
        } catch (final RuntimeException e) {
            LOG.warn("Group {} member {}: leaving the group failed ({}); its leases expire within {} ms", group,
                memberId, e.getMessage(), sessionTimeoutMs);
        }
    }
}
