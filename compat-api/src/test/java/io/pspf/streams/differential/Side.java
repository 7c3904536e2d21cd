package io.pspf.streams.differential;

/**
 * What a topology-building function can ask of the side (Kafka's or PSPF's) it is building for. Everything that a
 * function observes through here is recorded by the harness and compared between the two sides.
 */
public interface Side {
    /** {@code "kafka"} or {@code "pspf"}; for messages only — a topology must not depend on it. */
    String name();

    /** This side's {@code Stores} factory. */
    StoresApi stores();

    /**
     * Records a side effect (from {@code peek}, {@code foreach}, a processor's {@code init}, a punctuation ...). The
     * harness collects the effects of each step and compares them, in order, between the two sides.
     */
    void log(String event);

    /**
     * A path, fresh for this run, for output a topology writes to a file itself (as with {@code Printed.toFile});
     * after the driver is closed the file's text is compared between the sides.
     */
    String file(String name);
}
