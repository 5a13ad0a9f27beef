package io.predicator;

import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What one loaded plugin costs: the size of its source, the memory its code and data occupy, and how long its
 * load took.
 *
 * @param name the plugin's name
 * @param format the format it was loaded from
 * @param sourceBytes the size of the module source
 * @param codeBytes executable memory the plugin occupies (its code sections)
 * @param dataBytes other memory the plugin occupies (read-only data, data and zero-initialised sections)
 * @param loadedAt when the load completed
 * @param loadDuration how long the load took, from source to callable plugin
 * @since 0.1
 */
public record PluginStats(String name, ModuleFormat format, long sourceBytes, long codeBytes, long dataBytes,
                          Instant loadedAt, Duration loadDuration) {
    /**
     * Creates the record.
     */
    public PluginStats {
        requireNonNull(name, "name is null");
        requireNonNull(format, "format is null");
        requireNonNull(loadedAt, "loadedAt is null");
        requireNonNull(loadDuration, "loadDuration is null");
    }

    /**
     * Returns the memory the plugin occupies, code and data together.
     *
     * @return bytes of code plus bytes of data
     */
    public long memoryBytes() {
        return codeBytes + dataBytes;
    }
}
