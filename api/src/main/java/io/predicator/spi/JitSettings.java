package io.predicator.spi;

import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The settings a {@link io.predicator.JitContext.Builder} hands to the backend that creates the context.
 *
 * @param resolver the resolver for plugins whose load options name none
 * @param optimizationLevel the default optimisation level, 0 to 3
 * @param objectCache the directory of the on-disk object cache, if enabled
 * @param compileThreads how many threads may compile one large module (1: compile on the loading thread only)
 * @since 0.1
 */
public record JitSettings(SymbolResolver resolver, int optimizationLevel, Optional<Path> objectCache,
                          int compileThreads) {
    /**
     * Creates the settings.
     */
    public JitSettings {
        requireNonNull(resolver, "resolver is null");
        checkOptimizationLevel(optimizationLevel);
        requireNonNull(objectCache, "objectCache is null");
        if (compileThreads < 1) {
            throw new IllegalArgumentException("compileThreads must be at least 1, got " + compileThreads);
        }
    }

    /**
     * Creates settings without an object cache.
     *
     * @param resolver the default resolver
     * @param optimizationLevel the default optimisation level
     */
    public JitSettings(SymbolResolver resolver, int optimizationLevel) {
        this(resolver, optimizationLevel, Optional.empty(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * Checks that an optimisation level is between 0 and 3.
     *
     * @param level the level
     * @return the level
     * @throws IllegalArgumentException if it is out of range
     */
    public static int checkOptimizationLevel(int level) {
        if (level < 0 || level > 3) {
            throw new IllegalArgumentException("optimization level must be 0 to 3, got " + level);
        }
        return level;
    }
}
