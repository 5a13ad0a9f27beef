package io.predicator.toolchain;

import io.predicator.JitException;

import java.io.Serial;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a compiler rejects a plugin's sources or does not finish in time; carries the compiler's own
 * diagnostics verbatim, with their file, line and column.
 *
 * <p>The message's first line says which compiler failed on what; the diagnostics follow it on the next lines.
 *
 * @since 0.1
 */
public class CompilationFailedException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String compilerId;
    private final String summary;
    private final String diagnostics;

    /**
     * Creates the exception.
     *
     * @param compilerId the id of the compiler that failed, such as {@code "c"}
     * @param summary one line: what failed, such as {@code "clang failed to compile add.c (exit status 1)"}
     * @param diagnostics what the compiler printed, verbatim; empty if nothing
     */
    public CompilationFailedException(String compilerId, String summary, String diagnostics) {
        super(message(summary, diagnostics));
        this.compilerId = requireNonNull(compilerId, "compilerId is null");
        this.summary = summary;
        this.diagnostics = requireNonNull(diagnostics, "diagnostics is null");
    }

    /**
     * Returns the id of the compiler that failed.
     *
     * @return the compiler id
     */
    public String compilerId() {
        return compilerId;
    }

    /**
     * Returns the one-line description of the failure, without the diagnostics.
     *
     * @return the summary
     */
    public String summary() {
        return summary;
    }

    /**
     * Returns what the compiler printed, exactly as it printed it (errors with file, line and column).
     *
     * @return the diagnostics; empty if the compiler printed nothing
     */
    public String diagnostics() {
        return diagnostics;
    }

    private static String message(String summary, String diagnostics) {
        requireNonNull(summary, "summary is null");
        requireNonNull(diagnostics, "diagnostics is null");
        String detail = diagnostics.strip();
        return detail.isEmpty() ? summary : summary + "\n" + detail;
    }
}
