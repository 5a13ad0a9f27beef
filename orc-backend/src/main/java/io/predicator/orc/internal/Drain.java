package io.predicator.orc.internal;

import io.predicator.orc.internal.pipeline.PluginCode;
import io.predicator.orc.internal.runtime.Containment;
import io.predicator.orc.internal.runtime.Watchdog;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * How long the unload of one plugin lets the plugin's calls in flight run, and what it does once they have run too
 * long: past the deadline (on {@link System#nanoTime()}, and shared by every plugin that one
 * {@code JitContext.close(Duration)} closes) the plugin's code is marked closing, so that the {@link Watchdog}
 * stops every call that runs it.
 *
 * <p>The waits of an unload call {@link #pause()} between their checks: it backs off from a microsecond to a
 * millisecond, and the first pause past the deadline stops the calls. {@link #end()} ends the watchdog's fast
 * ticks if this drain started them. Used by one unloading thread only.
 */
final class Drain {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");
    /** Drains longer than this (about 200 years) never end. */
    private static final Duration FOREVER = Duration.ofDays(365L * 200);

    private final long deadline;
    private final Duration length;
    private final PluginCode code;
    private final String plugin;
    private long pause = 1_000;
    private boolean stopped;
    private boolean fastTicks;

    /**
     * Creates the drain of one plugin's unload.
     *
     * @param deadline when the calls in flight are stopped, from {@link #deadline(Duration)}
     * @param length the drain's length, for the log
     * @param code the plugin's code, whose calls are stopped past the deadline
     * @param plugin the plugin's name, for the log
     */
    Drain(long deadline, Duration length, PluginCode code, String plugin) {
        this.deadline = deadline;
        this.length = length;
        this.code = code;
        this.plugin = plugin;
    }

    /**
     * Returns when a drain that starts now ends.
     *
     * @param length zero or positive
     * @return a {@link System#nanoTime()} value
     * @throws IllegalArgumentException if the length is negative
     */
    static long deadline(Duration length) {
        if (length == null) {
            throw new NullPointerException("drain is null");
        }
        if (length.isNegative()) {
            throw new IllegalArgumentException("drain must be zero or positive, got " + length);
        }
        return System.nanoTime() + (length.compareTo(FOREVER) > 0 ? FOREVER.toNanos() : length.toNanos());
    }

    /** Waits a little before the caller checks again; past the deadline, first stops the calls in flight. */
    void pause() {
        if (!stopped && System.nanoTime() - deadline >= 0) {
            stopped = true;
            stopCalls();
        }
        LockSupport.parkNanos(pause);
        pause = Math.min(pause * 2, 1_000_000);
    }

    /** Ends the drain: the watchdog goes back to its usual ticks if this drain sped it up. */
    void end() {
        if (fastTicks) {
            fastTicks = false;
            Containment.get().watchdog().drainEnded();
        }
    }

    private void stopCalls() {
        Watchdog watchdog = Containment.get().watchdog();
        if (!watchdog.canStop()) {
            LOGGER.log(System.Logger.Level.WARNING, "Plugin '" + plugin + "' still has calls in flight after its "
                    + length.toMillis() + " ms drain, and this process has no free real-time signal to stop them "
                    + "with: its unload waits for them to return");
            return;
        }
        LOGGER.log(System.Logger.Level.DEBUG, () -> "Plugin '" + plugin + "' still has calls in flight after its "
                + length.toMillis() + " ms drain; stopping them");
        watchdog.drainStarted();
        fastTicks = true;
        code.stopCalls();
    }
}
