package io.predicator;

import java.io.Serial;

/**
 * Thrown to the Java caller of a plugin function when a Java host function the plugin called threw; the host
 * function's exception is the cause. The plugin saw a failure value (zero, NULL or false) instead.
 *
 * @since 0.1
 */
public class HostFunctionException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which plugin function was running
     * @param cause what the host function threw
     */
    public HostFunctionException(String message, Throwable cause) {
        super(message, cause);
    }
}
