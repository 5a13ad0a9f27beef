package io.predicator.toolchain;

import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * The result of compiling a plugin: the module to load, where it is stored, and how it was obtained.
 *
 * @param source the module, ready for {@link io.predicator.JitContext#load(ModuleSource)}; named after the first
 *               source
 * @param artifact the module's file in the toolchain's cache; copy it to keep it, the cache may be cleared
 * @param compilerId the id of the compiler that produced it
 * @param cacheHit whether it came from the cache without running the compiler
 * @param diagnostics the compiler's warnings, verbatim; empty if it printed nothing
 * @since 0.1
 */
public record CompiledPlugin(ModuleSource source, Path artifact, String compilerId, boolean cacheHit,
                             String diagnostics) {
    /**
     * Creates the result.
     */
    public CompiledPlugin {
        requireNonNull(source, "source is null");
        requireNonNull(artifact, "artifact is null");
        requireNonNull(compilerId, "compilerId is null");
        requireNonNull(diagnostics, "diagnostics is null");
    }

    /**
     * Returns the module's format.
     *
     * @return bitcode or an ELF object
     */
    public ModuleFormat format() {
        return source.format();
    }
}
