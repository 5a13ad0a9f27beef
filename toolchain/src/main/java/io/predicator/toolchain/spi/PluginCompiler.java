package io.predicator.toolchain.spi;

import io.predicator.toolchain.CompilationFailedException;
import io.predicator.toolchain.CompileRequest;
import io.predicator.toolchain.ToolNotFoundException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Turns the sources of one language into a module Predicator loads; the toolchain chooses a compiler by the
 * sources' extensions or by id, and caches what it produces.
 *
 * <p>Register an implementation in {@code META-INF/services/io.predicator.toolchain.spi.PluginCompiler}, or pass it
 * to {@link io.predicator.toolchain.Toolchain.Builder#compiler(PluginCompiler)}. Implementations must be
 * thread-safe.
 *
 * @since 0.1
 */
public interface PluginCompiler {

    /**
     * Returns the compiler's id, also the language name users pass to choose it.
     *
     * @return a non-blank id, such as {@code "c"} or {@code "rust"}
     */
    String id();

    /**
     * Returns the file name extensions this compiler handles, without the dot.
     *
     * @return lower-case extensions, such as {@code c} and {@code cpp}
     */
    Set<String> extensions();

    /**
     * Returns whether this compiler handles a source: by default, whether its extension is one of
     * {@link #extensions()}.
     *
     * @param source a file or directory
     * @return true if this compiler can compile it
     */
    default boolean supports(Path source) {
        if (Files.isDirectory(source)) {
            return false;
        }
        Path fileName = source.getFileName();
        if (fileName == null) {
            return false;
        }
        String name = fileName.toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && extensions().contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Returns the version of the compiler and of the tools it runs; part of every cache key, so that a new
     * compiler never reuses an old one's output.
     *
     * @return a description of the exact tool versions
     * @throws ToolNotFoundException if a tool the compiler needs is not installed
     */
    String version();

    /**
     * Compiles the request's sources into one module.
     *
     * @param request what to compile
     * @param output the file to write the module to (bitcode or an ELF object); its directory is private to this
     *               compilation, may hold intermediate files and is deleted afterwards
     * @param timeout how long the tools may run in all
     * @return the files the compilation read and the compiler's warnings
     * @throws CompilationFailedException if the compiler rejects the sources or runs out of time, with its
     *                                    diagnostics verbatim
     * @throws ToolNotFoundException if a tool the compiler needs is not installed
     */
    CompilerResult compile(CompileRequest request, Path output, Duration timeout);
}
