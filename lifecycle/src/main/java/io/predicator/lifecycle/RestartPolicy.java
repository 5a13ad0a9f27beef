package io.predicator.lifecycle;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How a {@link PluginSlot} or {@link PluginDirectory} replaces a version that faulted: by loading the same source
 * again, at most {@code restarts} times within any {@code window}. The fault after that leaves the plugin stopped:
 * its calls throw {@link PluginUnavailableException}, whose cause is the last fault, until a new version is
 * installed (a {@linkplain PluginSlot#swap swap}, or a changed file or a {@link PluginDirectory#rescan() rescan}
 * for a directory). Installing a new version starts the count afresh.
 *
 * <p>A faulted version is closed as soon as its calls in flight drain, whatever the policy: its memory may be
 * corrupt. Calls that arrive while its replacement loads wait for it, then run on it.
 *
 * @param restarts how many times a faulted version is loaded again within the window; zero never restarts
 * @param window the period the restarts are counted over; positive unless {@code restarts} is zero
 * @since 0.2
 */
public record RestartPolicy(int restarts, Duration window) {
    private static final RestartPolicy NEVER = new RestartPolicy(0, Duration.ZERO);
    private static final RestartPolicy DEFAULT = new RestartPolicy(5, Duration.ofMinutes(1));

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if {@code restarts} is negative, or the window is not positive while
     *         {@code restarts} is
     */
    public RestartPolicy {
        requireNonNull(window, "window is null");
        if (restarts < 0) {
            throw new IllegalArgumentException("restarts must not be negative, got " + restarts);
        }
        if (window.isNegative() || (restarts > 0 && window.isZero())) {
            throw new IllegalArgumentException("the window must be positive, got " + window);
        }
    }

    /**
     * Restarts at most {@code restarts} times within any {@code window}.
     *
     * @param restarts how many restarts the window allows
     * @param window the period
     * @return the policy
     */
    public static RestartPolicy of(int restarts, Duration window) {
        return new RestartPolicy(restarts, window);
    }

    /**
     * Never restarts: the first fault stops the plugin.
     *
     * @return the policy
     */
    public static RestartPolicy never() {
        return NEVER;
    }

    /**
     * The default: five restarts within any minute, so that a plugin that faults now and then keeps serving and one
     * that faults on every call stops within a few calls.
     *
     * @return the policy
     */
    public static RestartPolicy defaults() {
        return DEFAULT;
    }

    @Override
    public String toString() {
        return restarts == 0 ? "RestartPolicy[never]" : "RestartPolicy[" + restarts + " restarts within " + window + "]";
    }
}
