package io.predicator.toolchain.spi;

import java.nio.file.Path;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What a {@link PluginCompiler} reports about a successful compilation.
 *
 * @param inputs every file the compilation read (sources, headers, modules), as far as the compiler can tell; the
 *               cached result is reused only while all of them keep their content
 * @param diagnostics the compiler's warnings, verbatim; empty if none
 * @since 0.1
 */
public record CompilerResult(List<Path> inputs, String diagnostics) {
    /**
     * Creates the result.
     */
    public CompilerResult {
        inputs = List.copyOf(requireNonNull(inputs, "inputs is null"));
        requireNonNull(diagnostics, "diagnostics is null");
    }
}
