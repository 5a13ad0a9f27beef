package io.predicator.toolchain;

import io.predicator.JitException;

import java.io.Serial;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a program a compiler needs, such as {@code cargo}, is not installed or cannot start.
 *
 * @since 0.1
 */
public class ToolNotFoundException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String tool;

    /**
     * Creates the exception.
     *
     * @param tool the program's name, such as {@code "cargo"}
     * @param message where it was looked for and how to install it
     */
    public ToolNotFoundException(String tool, String message) {
        super(message);
        this.tool = requireNonNull(tool, "tool is null");
    }

    /**
     * Returns the name of the missing program.
     *
     * @return the tool's name
     */
    public String tool() {
        return tool;
    }
}
