package io.predicator;

import java.io.Serial;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a module's content cannot be read: unknown format, empty or truncated input, IR that does not
 * parse or verify, or an object built for another architecture.
 *
 * @since 0.1
 */
public class MalformedModuleException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String sourceName;

    /**
     * Creates the exception.
     *
     * @param sourceName the name of the module source that is malformed
     * @param detail what is wrong with it
     */
    public MalformedModuleException(String sourceName, String detail) {
        super("Malformed module '" + requireNonNull(sourceName, "sourceName is null") + "': " + detail);
        this.sourceName = sourceName;
    }

    /**
     * Returns the name of the module source that is malformed.
     *
     * @return the source name
     */
    public String sourceName() {
        return sourceName;
    }
}
