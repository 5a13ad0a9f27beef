package io.predicator.testkit.internal;

import io.predicator.testkit.Requirement;
import org.opentest4j.TestAbortedException;

/**
 * Turns failures into verdicts that name the requirement broken, in plain words:
 * {@code Requirement R3 'unknown names give empty, never an exception' broken: resolve("") threw …}.
 */
public final class Verdicts {
    private Verdicts() {
    }

    /** Code that checks something and may throw anything. */
    @FunctionalInterface
    public interface Check {
        /** Runs the check. */
        void run() throws Throwable;
    }

    /** Code that computes something for a check and may throw anything. */
    @FunctionalInterface
    public interface Step<T> {
        /** Computes the value. */
        T get() throws Throwable;
    }

    /** Returns the failure for a broken requirement. */
    public static AssertionError broken(Requirement requirement, String detail) {
        return new AssertionError(prefix(requirement) + detail);
    }

    /** Returns the failure for a broken requirement, with the exception that showed it. */
    public static AssertionError broken(Requirement requirement, String detail, Throwable cause) {
        return new AssertionError(prefix(requirement) + detail + ": " + cause, cause);
    }

    /** Fails with the requirement named unless the condition holds. */
    public static void require(Requirement requirement, boolean condition, String detail) {
        if (!condition) {
            throw broken(requirement, detail);
        }
    }

    /**
     * Runs a check; any failure (an AssertJ assertion or an unexpected exception) is rethrown naming the requirement,
     * with what was being done. Failures that already name a requirement, setup problems and aborts pass unchanged.
     */
    public static void check(Requirement requirement, String doing, Check check) {
        try {
            check.run();
        } catch (Throwable failure) {
            throw translate(requirement, doing, failure);
        }
    }

    /** Computes a value for a check, translating failures as {@link #check} does. */
    public static <T> T step(Requirement requirement, String doing, Step<T> step) {
        try {
            return step.get();
        } catch (Throwable failure) {
            throw translate(requirement, doing, failure);
        }
    }

    private static RuntimeException translate(Requirement requirement, String doing, Throwable failure) {
        if (failure instanceof TestAbortedException aborted) {
            throw aborted;
        }
        if (failure instanceof SetupProblem problem) {
            throw problem;
        }
        if (failure instanceof AssertionError assertion && assertion.getMessage() != null
                && assertion.getMessage().startsWith("Requirement ")) {
            throw assertion;
        }
        if (failure instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        if (failure instanceof AssertionError assertion) {
            AssertionError named = new AssertionError(prefix(requirement) + doing + ": " + assertion.getMessage(),
                    assertion);
            throw named;
        }
        throw broken(requirement, doing + " threw", failure);
    }

    private static String prefix(Requirement requirement) {
        return "Requirement " + requirement.code() + " '" + requirement.description() + "' broken: ";
    }
}
