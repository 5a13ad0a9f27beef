package io.predicator.lifecycle;

import io.predicator.ModuleFormat;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * One loaded version of a hot-swappable plugin: which content it came from and when it was installed.
 *
 * @param name the plugin's name, as {@link io.predicator.Plugin#name()} reports it
 * @param generation 1 for the first version a slot or file loaded, one more for each successful swap after it
 * @param sourceName the name of the module source it was loaded from
 * @param format the format it was loaded from
 * @param sha256 the SHA-256 of the module source's content, in hexadecimal
 * @param loadedAt when it started serving calls
 * @since 0.1
 */
public record PluginVersion(String name, long generation, String sourceName, ModuleFormat format, String sha256,
                            Instant loadedAt) {
    /**
     * Creates the record.
     */
    public PluginVersion {
        requireNonNull(name, "name is null");
        requireNonNull(sourceName, "sourceName is null");
        requireNonNull(format, "format is null");
        requireNonNull(sha256, "sha256 is null");
        requireNonNull(loadedAt, "loadedAt is null");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be positive, got " + generation);
        }
    }
}
