/**
 * Plugins that change while the JVM runs: {@link io.predicator.lifecycle.PluginSlot} swaps one function to a new
 * version without callers noticing, and {@link io.predicator.lifecycle.PluginDirectory} keeps the plugins of a
 * folder loaded as their files are added, changed and deleted.
 *
 * @since 0.1
 */
package io.predicator.lifecycle;
