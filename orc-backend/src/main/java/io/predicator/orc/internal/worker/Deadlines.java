package io.predicator.orc.internal.worker;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The process's one timer for deadlines: a single daemon thread, whatever the number of compiles waiting. A
 * deadline that is met is cancelled and removed at once, so that the timer holds only the deadlines still open.
 */
final class Deadlines {
    private static final Deadlines SHARED = new Deadlines();

    private final ScheduledThreadPoolExecutor timer;

    private Deadlines() {
        timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("predicator-deadlines").daemon()
                .factory());
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Returns the process's timer. */
    static Deadlines shared() {
        return SHARED;
    }

    /** Runs the action when the delay has passed, unless the returned future is cancelled first. */
    ScheduledFuture<?> schedule(Runnable action, long delay, TimeUnit unit) {
        return timer.schedule(action, delay, unit);
    }
}
