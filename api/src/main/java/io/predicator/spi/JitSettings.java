package io.predicator.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The settings a {@link io.predicator.JitContext.Builder} hands to the backend that creates the context.
 *
 * @param resolver the resolver for plugins whose load options name none
 * @param optimizationLevel the default optimisation level, 0 to 3
 * @param objectCache the directory of the on-disk object cache, if enabled
 * @param compileThreads how many threads may compile one large module (1: compile on the loading thread only)
 * @param compileTimeout how long compiling one module may take, for loads that set no limit of their own
 * @param callTimeout how long one plugin call may run, for loads that set no limit of their own; empty for no limit
 * @since 0.1
 */
public record JitSettings(SymbolResolver resolver, int optimizationLevel, Optional<Path> objectCache,
                          int compileThreads, Duration compileTimeout, Optional<Duration> callTimeout) {
    /** The default compile timeout: a large plugin (SQLite) compiles in well under a minute on two cores. */
    public static final Duration DEFAULT_COMPILE_TIMEOUT = Duration.ofMinutes(2);

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
        checkTimeout(compileTimeout, "compileTimeout");
        requireNonNull(callTimeout, "callTimeout is null");
        callTimeout.ifPresent(timeout -> checkTimeout(timeout, "callTimeout"));
    }

    /**
     * Creates the settings without a call timeout.
     *
     * @param resolver the default resolver
     * @param optimizationLevel the default optimisation level
     * @param objectCache the object cache's directory, if any
     * @param compileThreads how many threads may compile one large module
     * @param compileTimeout how long compiling one module may take
     */
    public JitSettings(SymbolResolver resolver, int optimizationLevel, Optional<Path> objectCache,
                       int compileThreads, Duration compileTimeout) {
        this(resolver, optimizationLevel, objectCache, compileThreads, compileTimeout, Optional.empty());
    }

    /**
     * Creates the settings with the {@linkplain #DEFAULT_COMPILE_TIMEOUT default compile timeout}.
     *
     * @param resolver the default resolver
     * @param optimizationLevel the default optimisation level
     * @param objectCache the object cache's directory, if any
     * @param compileThreads how many threads may compile one large module
     */
    public JitSettings(SymbolResolver resolver, int optimizationLevel, Optional<Path> objectCache,
                       int compileThreads) {
        this(resolver, optimizationLevel, objectCache, compileThreads, DEFAULT_COMPILE_TIMEOUT);
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
     * Checks that a timeout is positive.
     *
     * @param timeout the timeout
     * @param what its name, for the message
     * @return the timeout
     * @throws IllegalArgumentException if it is zero or negative
     */
    public static Duration checkTimeout(Duration timeout, String what) {
        requireNonNull(timeout, what + " is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + timeout);
        }
        return timeout;
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
