package io.predicator.lifecycle;

import io.predicator.ModuleSource;

import java.nio.file.Path;

/**
 * Turns a plugin source file (C, Rust …) into a loadable module, so that a {@link PluginDirectory} can reload
 * plugins from their sources; registered per file extension with
 * {@link PluginDirectory.Builder#compiler(String, SourceCompiler)}.
 *
 * <p>A compiler runs on the directory's worker thread, once per change of the file. It may throw a
 * {@link io.predicator.JitException}, which is reported as is; any other exception is reported wrapped in one.
 * The previous version of the plugin keeps serving calls either way.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface SourceCompiler {

    /**
     * Compiles a source file.
     *
     * @param source the file, inside the watched directory
     * @return the module to load: IR text, bitcode, an object or an archive
     */
    ModuleSource compile(Path source);
}
