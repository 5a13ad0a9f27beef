package io.predicator;

import java.io.Serial;

/**
 * Thrown when a symbol resolver fails while answering (it threw, or returned {@code null} or a NULL address):
 * the plugin is not loaded and the context stays usable.
 *
 * @since 0.1
 */
public class ResolverException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the plugin, the resolver and the symbol it failed on
     * @param cause what the resolver threw, or {@code null}
     */
    public ResolverException(String message, Throwable cause) {
        super(message, cause);
    }
}
