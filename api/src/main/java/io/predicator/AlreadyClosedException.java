package io.predicator;

import java.io.Serial;

/**
 * Thrown when a plugin or a context is used after it was closed: a call, a lookup or a load.
 *
 * <p>Calls through function handles obtained before the close throw this too, instead of jumping into
 * freed code.
 *
 * @since 0.1
 */
public class AlreadyClosedException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param what the plugin or context, e.g. {@code "plugin 'filter'"}
     */
    public AlreadyClosedException(String what) {
        super(what + " is closed");
    }

    /**
     * Creates the exception with the reason the plugin closed, such as the {@link PluginFaultException} that
     * closed it.
     *
     * @param what the plugin or context, e.g. {@code "plugin 'filter'"}
     * @param cause why it closed
     */
    public AlreadyClosedException(String what, Throwable cause) {
        super(what + " is closed" + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }
}
