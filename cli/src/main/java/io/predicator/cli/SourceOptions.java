package io.predicator.cli;

import io.predicator.ModuleSource;
import io.predicator.toolchain.CompileRequest;
import io.predicator.toolchain.CompiledPlugin;
import io.predicator.toolchain.OutputKind;
import io.predicator.toolchain.Toolchain;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The options of commands that compile plugin sources, and the compiling itself: C and C++ with the bundled clang,
 * Rust files and Cargo projects with cargo.
 */
final class SourceOptions {

    @Option(names = "--lang", paramLabel = "LANG", converter = LanguageConverter.class,
            description = "Compile the sources as this language, c (C and C++) or rust, instead of by their extension.")
    private String language;

    @Option(names = {"-I", "--include"}, paramLabel = "DIR",
            description = "Search DIR for headers (C and C++); repeatable.")
    private List<Path> includeDirectories = new ArrayList<>();

    @Option(names = {"-D", "--define"}, paramLabel = "NAME[=VALUE]",
            description = "Define a preprocessor macro (C and C++) or a --cfg (Rust); repeatable.")
    private List<String> defines = new ArrayList<>();

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Keep compiled plugins in DIR instead of ~/.cache/predicator/toolchain.")
    private Path cacheDirectory;

    /** Returns whether a path is compiled (a source file or a Cargo project) rather than loaded as it is. */
    boolean isSource(Path path) {
        return language != null ? !looksLoadable(path) : toolchain().supports(path);
    }

    /**
     * Compiles sources, printing the compiler's warnings verbatim on the error stream.
     *
     * @param sources source files or one Cargo project directory
     * @param level the optimisation level
     * @param output the kind of output, or null for the compiler's choice
     * @param err where warnings go
     * @return the compiled plugin
     */
    CompiledPlugin compile(List<Path> sources, int level, OutputKind output, PrintWriter err) {
        for (Path source : sources) {
            if (!Files.exists(source)) {
                throw new CommandFailure("no such file: " + source);
            }
        }
        CompileRequest.Builder request = CompileRequest.builder(sources.toArray(Path[]::new)).optimizationLevel(level);
        includeDirectories.forEach(request::includeDirectory);
        try {
            for (String define : defines) {
                int equals = define.indexOf('=');
                request.define(equals < 0 ? define : define.substring(0, equals), equals < 0 ? "" : define.substring(equals + 1));
            }
            if (language != null) {
                request.compiler(language);
            }
            if (output != null) {
                request.output(output);
            }
            CompiledPlugin compiled = toolchain().compile(request.build());
            if (!compiled.diagnostics().isBlank()) {
                err.print(compiled.diagnostics());
                err.flush();
            }
            return compiled;
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
    }

    /**
     * Reads a plugin to load: compiles it (with any extra sources) if it is source, else reads the file as it is.
     */
    ModuleSource read(Path file, List<Path> extraSources, int level, PrintWriter err) {
        if (isSource(file) || !extraSources.isEmpty()) {
            List<Path> sources = new ArrayList<>(List.of(file));
            sources.addAll(extraSources);
            return compile(sources, level, null, err).source();
        }
        return JitOptions.read(file);
    }

    /** Returns where the JIT keeps the machine code of plugins compiled from source: inside the toolchain cache. */
    Path objectCache() {
        return toolchain().cacheDirectory().resolve("jit-objects");
    }

    private Toolchain toolchain() {
        Toolchain.Builder builder = Toolchain.builder();
        if (cacheDirectory != null) {
            builder.cacheDirectory(cacheDirectory);
        }
        return builder.build();
    }

    /** Files in a format the JIT loads directly are never compiled, even with --lang. */
    private static boolean looksLoadable(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        return !Files.isDirectory(path) && (name.endsWith(".ll") || name.endsWith(".bc") || name.endsWith(".o")
                || name.endsWith(".a"));
    }

    /** Accepts the languages there are compilers for. */
    static final class LanguageConverter implements ITypeConverter<String> {
        private static final Map<String, String> LANGUAGES = Map.of("c", "c", "c++", "c", "cpp", "c", "rust", "rust");

        @Override
        public String convert(String value) {
            String id = LANGUAGES.get(value.strip().toLowerCase(Locale.ROOT));
            if (id == null) {
                throw new TypeConversionException("'" + value + "' is not a language: use c or rust");
            }
            return id;
        }
    }
}
