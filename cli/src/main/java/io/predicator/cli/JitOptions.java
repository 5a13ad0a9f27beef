package io.predicator.cli;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.spi.JitSettings;
import io.predicator.spi.SymbolResolver;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The options every command that compiles a plugin shares, and the reading of the plugin file.
 */
final class JitOptions {

    @Option(names = {"-O", "--opt"}, paramLabel = "LEVEL", defaultValue = "2", converter = LevelConverter.class,
            description = "Optimisation level, 0 (none) to 3 (aggressive); default ${DEFAULT-VALUE}.")
    private int optimizationLevel;

    /** Creates a context with the backend on the class path and these options. */
    JitContext newContext() {
        return JitContext.builder().optimizationLevel(optimizationLevel).build();
    }

    /**
     * Creates a context that links plugins against a resolver and, if given, keeps the machine code it generates in
     * an on-disk cache, so that a large plugin compiled from source is not code-generated again on the next run.
     */
    JitContext newContext(SymbolResolver resolver, Path objectCache) {
        JitContext.Builder builder = JitContext.builder().optimizationLevel(optimizationLevel).resolver(resolver);
        if (objectCache != null) {
            builder.objectCache(objectCache);
        }
        return builder.build();
    }

    /** Returns the optimisation level, which applies to compiling sources too. */
    int optimizationLevel() {
        return optimizationLevel;
    }

    /** Reads a plugin file, failing with a one-line message if it is missing or unreadable. */
    static ModuleSource read(Path file) {
        if (Files.isDirectory(file)) {
            throw new CommandFailure(file + " is a directory, not a plugin file");
        }
        if (!Files.exists(file)) {
            throw new CommandFailure("no such file: " + file);
        }
        try {
            return ModuleSource.of(file);
        } catch (UncheckedIOException e) {
            throw new CommandFailure("cannot read " + file + ": " + e.getCause(), e);
        }
    }

    /** Reads an optimisation level and checks its range. */
    static final class LevelConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return JitSettings.checkOptimizationLevel(Integer.parseInt(value.strip()));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not an optimization level: use 0, 1, 2 or 3");
            }
        }
    }
}
