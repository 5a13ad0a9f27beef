package io.predicator.testkit.internal;

import java.io.Serial;

/**
 * A failure of the test setup rather than of the implementation under test: no backend on the class path, a
 * factory that throws, a fixture that does not compile. Its message says what to fix in the test project.
 */
public final class SetupProblem extends AssertionError {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Creates the failure. */
    public SetupProblem(String message, Throwable cause) {
        super("Test setup problem (not a verdict on the implementation): " + message, cause);
    }
}
