package io.predicator.lifecycle;

import io.predicator.JitException;

import java.io.Serial;

/**
 * Thrown by a call through a {@link PluginDirectory} view whose file has no loaded version: the file does not
 * exist (yet, or any more), or every version of it written so far failed to load; or by a call through a
 * {@link PluginSlot} or directory view whose plugin was stopped after faulting more than its {@link RestartPolicy}
 * allows.
 *
 * <p>The cause, when present, is the failure of the file's latest load, or the last fault.
 *
 * @since 0.1
 */
public class PluginUnavailableException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which plugin file is missing and where it was looked for
     * @param cause why its latest content failed to load, or {@code null}
     */
    public PluginUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
