package io.predicator.orc.internal.worker;

import java.io.Serial;

/**
 * A compile worker that gave no answer: it died (a crash, an abort, LLVM's fatal error, out of memory), was killed
 * at its deadline, or could not start. The pipeline turns it into the exception the load throws, naming the input.
 */
public final class WorkerFailure extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Why there is no answer. */
    public enum Reason {
        /** The worker ended while compiling. */
        DIED,
        /** The compile ran past its timeout and the worker was killed. */
        TIMED_OUT,
        /** No worker could be started. */
        CANNOT_START
    }

    private final Reason reason;
    private final String fatalError;

    WorkerFailure(Reason reason, String message, String fatalError) {
        super(message);
        this.reason = reason;
        this.fatalError = fatalError;
    }

    /** Returns why there is no answer. */
    public Reason reason() {
        return reason;
    }

    /** Returns the text of LLVM's fatal error, if the worker reported one before it ended, else null. */
    public String fatalError() {
        return fatalError;
    }
}
