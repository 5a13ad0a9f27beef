package io.predicator;

import java.io.Serial;

/**
 * Thrown when Predicator is set up wrongly: no backend or resolver where one is needed, several where one must
 * be chosen, an unknown id, or two providers claiming the same id. The message lists what was found and how to
 * choose.
 *
 * @since 0.1
 */
public class ConfigurationException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, what was found and how to fix it
     */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong, what was found and how to fix it
     * @param cause the underlying failure
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
