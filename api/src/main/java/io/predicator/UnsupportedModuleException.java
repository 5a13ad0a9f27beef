package io.predicator;

import java.io.Serial;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a well-formed module uses something a JIT-loaded plugin cannot have, such as thread-local
 * variables, static constructors, or a symbol that cannot be called with a typed signature.
 *
 * @since 0.1
 */
public class UnsupportedModuleException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String sourceName;

    /**
     * Creates the exception.
     *
     * @param sourceName the name of the module source
     * @param detail what it uses and how to avoid it
     */
    public UnsupportedModuleException(String sourceName, String detail) {
        super("Unsupported module '" + requireNonNull(sourceName, "sourceName is null") + "': " + detail);
        this.sourceName = sourceName;
    }

    /**
     * Returns the name of the module source.
     *
     * @return the source name
     */
    public String sourceName() {
        return sourceName;
    }
}
