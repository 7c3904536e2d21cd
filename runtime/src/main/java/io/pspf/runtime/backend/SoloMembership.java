package io.pspf.runtime.backend;

import java.util.SortedMap;
import java.util.TreeMap;

/** {@link GroupMembership#solo}: the only member of its group; the board lives in this object. */
final class SoloMembership implements GroupMembership {
    private final String memberId;
    private String report = "";
    private Versioned assignment = Versioned.NONE;

    SoloMembership(final String memberId) {
        this.memberId = memberId;
    }

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
    public synchronized void publish(final String report) {
        this.report = report;
    }

    @Override
    public synchronized SortedMap<String, String> members() {
        final SortedMap<String, String> members = new TreeMap<>();
        members.put(memberId, report);
        return members;
    }

    @Override
    public synchronized Versioned assignment() {
        return assignment;
    }

    @Override
    public synchronized boolean writeAssignment(final long generation, final String value) {
        if (assignment.generation() != generation) {
            return false;
        }
        assignment = new Versioned(generation + 1, value);
        return true;
    }

    @Override
    public void close() {
    }
}
