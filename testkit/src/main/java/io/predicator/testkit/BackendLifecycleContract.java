package io.predicator.testkit;

import io.predicator.JitContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The backend contract on lifecycle: plugins are isolated, close waits for calls in flight, a closed plugin refuses
 * every use, closing the context closes its plugins, and concurrent loads work. Implement it alone, or all of them
 * through {@link BackendContract}.
 *
 * @since 0.1
 */
public interface BackendLifecycleContract extends BackendUnderTest {
    /** B3: plugins are isolated from each other. */
    @Test
    @DisplayName("B3 plugins are isolated from each other")
    default void pluginsAreIsolatedFromEachOther() {
        BackendLifecycleChecks.pluginsAreIsolated(this);
    }

    /** B6: closing a plugin waits for a call in flight. */
    @Test
    @DisplayName("B6 close waits for a call in flight (plugin)")
    default void pluginCloseWaitsForACallInFlight() {
        BackendLifecycleChecks.closeWaitsForACallInFlight(this);
    }

    /** B6: closing the context waits for a call in flight. */
    @Test
    @DisplayName("B6 close waits for a call in flight (context)")
    default void contextCloseWaitsForACallInFlight() {
        BackendLifecycleChecks.contextCloseWaitsForACallInFlight(this);
    }

    /** B7: a closed plugin refuses every use. */
    @Test
    @DisplayName("B7 a closed plugin refuses every use")
    default void closedPluginRefusesEveryUse() {
        BackendLifecycleChecks.closedPluginRefusesEveryUse(this);
    }

    /** B8: closing the context closes its plugins. */
    @Test
    @DisplayName("B8 closing the context closes its plugins")
    default void closingTheContextClosesItsPlugins() {
        BackendLifecycleChecks.contextCloseClosesPlugins(this);
    }

    /**
     * B9: concurrent loads work.
     *
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    @Test
    @DisplayName("B9 concurrent loads work")
    default void concurrentLoadsWork() throws InterruptedException {
        BackendLifecycleChecks.concurrentLoadsWork(this);
    }
}
