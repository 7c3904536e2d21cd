package io.pspf.runtime;

/**
 * The root of PSPF's own unchecked exceptions. Where Kafka Streams would throw one of its
 * {@code StreamsException} family, PSPF throws that type instead, so ported code catches what it always caught.
 */
public class PspfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PspfException(final String message) {
        super(message);
    }

    public PspfException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
