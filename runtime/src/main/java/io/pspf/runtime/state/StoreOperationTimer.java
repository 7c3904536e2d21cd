package io.pspf.runtime.state;

/**
 * Where the outer (metered) layer of a store reports how long each operation took, when the engine asks for it: as in
 * Kafka Streams, store latencies are recorded at {@code metrics.recording.level=DEBUG} only, so a store normally has no
 * timer and its operations pay one null check.
 */
@FunctionalInterface
public interface StoreOperationTimer {

    /** Records one operation ({@code get}, {@code put}, {@code fetch}, ...) that took {@code nanos}. */
    void record(String operation, long nanos);

    /** The start of an operation: now, or 0 without a timer. */
    static long start(final StoreOperationTimer timer) {
        return timer == null ? 0L : System.nanoTime();
    }

    /** Records an operation started at {@code start}, if there is a timer. */
    static void stop(final StoreOperationTimer timer, final String operation, final long start) {
        if (timer != null) {
            timer.record(operation, System.nanoTime() - start);
        }
    }
}
