package io.predicator.orc.internal.llvm;

/**
 * Collects the failures of a close path: every step runs, the first failure is thrown at the end and the later
 * ones travel with it as suppressed exceptions, so that one failing release never skips the releases after it.
 */
public final class Failures {
    private Throwable first;

    /** Creates an empty collection. */
    public Failures() {
    }

    /**
     * Runs one step of a close path and keeps what it throws.
     *
     * @param step the step
     */
    public void run(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            add(e);
        }
    }

    /**
     * Keeps a failure: the first is thrown, later ones are suppressed by it.
     *
     * @param failure what a step threw
     */
    public void add(Throwable failure) {
        if (first == null) {
            first = failure;
        } else if (first != failure) {
            first.addSuppressed(failure);
        }
    }

    /** Throws the first failure, if any, with the others suppressed. */
    public void rethrow() {
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (first instanceof Error error) {
            throw error;
        }
    }
}
