package io.predicator;

import java.io.Serial;

/**
 * Root of every exception Predicator throws; unchecked, so call sites choose which failures to handle.
 *
 * <p>Each subtype names one category of failure (bad input, a missing symbol, a signature mismatch …) and its
 * message names the plugin, the symbol and what to do about it.
 *
 * @since 0.1
 */
public class JitException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong and what to do about it
     */
    public JitException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong and what to do about it
     * @param cause the underlying failure
     */
    public JitException(String message, Throwable cause) {
        super(message, cause);
    }
}
