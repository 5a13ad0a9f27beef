package io.predicator.cli;

import java.io.Serial;

/**
 * A failure the command reports by its message alone, such as a plugin file that does not exist.
 */
final class CommandFailure extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
