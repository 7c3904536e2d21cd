package io.pspf.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The heap a run needed, from the collector's own reports (HotSpot's GC notifications): the peak is the most heap in
 * use just before any collection (what the run had allocated and not yet reclaimed), and the live heap is the most
 * still in use just after any collection (what the run really kept). Unlike the process's RSS, neither depends on how
 * far the collector chose to grow the heap. Both include what the harness itself holds (the input data and the
 * expected output), which is the same for every engine.
 */
final class HeapWatch {
    private final AtomicLong peakBytes = new AtomicLong();
    private final AtomicLong liveBytes = new AtomicLong();

    HeapWatch() {
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter) {
                ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        final GarbageCollectionNotificationInfo info =
                            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                        peakBytes.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
                        liveBytes.accumulateAndGet(heapUsed(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
                    }
                }, null, null);
            }
        }
    }

    /** Forgets what was seen so far (the warm-up), keeping the heap in use now as the starting point. */
    void reset() {
        final long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        peakBytes.set(now);
        liveBytes.set(0);
    }

    /** The most heap in use at any moment seen: before a collection, or now. */
    long peakMb() {
        final long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return Math.max(peakBytes.get(), now) >> 20;
    }

    /** The most heap still in use after a collection. */
    long liveMb() {
        return liveBytes.get() >> 20;
    }

    private static long heapUsed(final Map<String, MemoryUsage> byPool) {
        long used = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            final MemoryUsage usage = pool.getType() == MemoryType.HEAP ? byPool.get(pool.getName()) : null;
            if (usage != null) {
                used += usage.getUsed();
            }
        }
        return used;
    }
}
