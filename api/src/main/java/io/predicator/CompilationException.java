package io.predicator;

import java.io.Serial;

/**
 * Thrown when LLVM fails to optimise, generate code for, or link a module that was read successfully.
 *
 * @since 0.1
 */
public class CompilationException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the plugin, the step that failed and LLVM's own words
     */
    public CompilationException(String message) {
        super(message);
    }
}
