package io.predicator;

import java.io.Serial;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a plugin breaks a load policy, for example when its IR contains inline assembly (the usual way to
 * make raw system calls around any resolver) and the load options do not allow it.
 *
 * @since 0.1
 */
public class PolicyViolationException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String sourceName;

    /**
     * Creates the exception.
     *
     * @param sourceName the plugin's source name
     * @param detail what it does and how to allow it if it is trusted
     */
    public PolicyViolationException(String sourceName, String detail) {
        super("Plugin '" + requireNonNull(sourceName, "sourceName is null") + "' violates the load policy: " + detail);
        this.sourceName = sourceName;
    }

    /**
     * Returns the plugin's source name.
     *
     * @return the source name
     */
    public String sourceName() {
        return sourceName;
    }
}
