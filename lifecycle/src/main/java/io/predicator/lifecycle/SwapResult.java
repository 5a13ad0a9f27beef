package io.predicator.lifecycle;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * What a successful swap did: the version it replaced (now unloaded) and the version now serving calls.
 *
 * @param previous the version that served calls before the swap; closed by the time the swap returns
 * @param current the version that serves calls now
 * @param loadTime how long loading and checking the new version took, off the callers' path
 * @since 0.1
 */
public record SwapResult(PluginVersion previous, PluginVersion current, Duration loadTime) {
    /**
     * Creates the record.
     */
    public SwapResult {
        requireNonNull(previous, "previous is null");
        requireNonNull(current, "current is null");
        requireNonNull(loadTime, "loadTime is null");
    }
}
