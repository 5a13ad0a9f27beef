package io.predicator;

import java.util.List;

/**
 * A snapshot of a context's activity: the plugins loaded now, and counts since the context was created.
 *
 * @param plugins the plugins loaded and not yet closed, by name
 * @param loads successful loads since the context was created
 * @param failedLoads loads that threw
 * @param unloads plugins closed
 * @param objectCacheHits loads whose compiled code came from the object cache
 * @param faults plugin calls that ended in a {@link PluginFaultException}, each closing its plugin
 * @since 0.1
 */
public record JitStats(List<PluginStats> plugins, long loads, long failedLoads, long unloads, long objectCacheHits,
                       long faults) {
    /**
     * Creates the record.
     */
    public JitStats {
        plugins = List.copyOf(plugins);
    }

    /**
     * Creates the record of a backend that does not contain faults.
     *
     * @param plugins the plugins loaded and not yet closed, by name
     * @param loads successful loads since the context was created
     * @param failedLoads loads that threw
     * @param unloads plugins closed
     * @param objectCacheHits loads whose compiled code came from the object cache
     */
    public JitStats(List<PluginStats> plugins, long loads, long failedLoads, long unloads, long objectCacheHits) {
        this(plugins, loads, failedLoads, unloads, objectCacheHits, 0);
    }

    /**
     * Returns the memory all loaded plugins occupy together.
     *
     * @return the sum of {@link PluginStats#memoryBytes()}
     */
    public long memoryBytes() {
        return plugins.stream().mapToLong(PluginStats::memoryBytes).sum();
    }
}
