package io.pspf.runtime.task;

import org.apache.kafka.streams.errors.StreamsException;

/** Carries a processing failure, and the node where it happened, up to the task that reports it. */
final class FailedProcessingException extends StreamsException {
    private static final long serialVersionUID = 1L;
    private final String nodeName;

    private final String failure;

    FailedProcessingException(final String nodeName, final Throwable cause) {
        super(cause);
        this.nodeName = nodeName;
        this.failure = null;
    }

    /** A failure with its own message, reported as is: for example a handler callback that threw. */
    FailedProcessingException(final String message, final String nodeName, final Throwable cause) {
        super(message, cause);
        this.nodeName = nodeName;
        this.failure = message;
    }

    /** The message to report instead of Kafka's generic "Exception caught in process", or null. */
    String failure() {
        return failure;
    }

    String nodeName() {
        return nodeName;
    }
}
