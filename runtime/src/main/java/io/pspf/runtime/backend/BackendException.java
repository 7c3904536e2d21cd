package io.pspf.runtime.backend;

import io.pspf.runtime.PspfException;

/** A backend refused an operation or could not reach its storage. */
public class BackendException extends PspfException {
    private static final long serialVersionUID = 1L;

    public BackendException(final String message) {
        super(message);
    }

    public BackendException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
