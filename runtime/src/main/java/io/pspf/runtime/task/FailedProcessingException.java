package io.pspf.runtime.task;

import org.apache.kafka.streams.errors.StreamsException;

/** Carries a processing failure, and the node where it happened, up to the task that reports it. */
final class FailedProcessingException extends StreamsException {
    private static final long serialVersionUID = 1L;
    private final String nodeName;

    FailedProcessingException(final String nodeName, final Throwable cause) {
        super(cause);
        this.nodeName = nodeName;
    }

    String nodeName() {
        return nodeName;
    }
}
