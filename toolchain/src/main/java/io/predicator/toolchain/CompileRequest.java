package io.predicator.toolchain;

import io.predicator.spi.JitSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What to compile into one plugin and how: the sources, the optimisation level, include directories, macro
 * definitions, extra compiler arguments and, optionally, the compiler and the kind of output. Immutable; build with
 * {@link #builder(Path...)}.
 *
 * <p>Sources are C or C++ files (several are linked into one module), one Rust file, or one Cargo project
 * directory.
 *
 * @since 0.1
 */
public final class CompileRequest {
    private static final Pattern MACRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final List<Path> sources;
    private final int optimizationLevel;
    private final List<Path> includeDirectories;
    private final Map<String, String> defines;
    private final List<String> compilerArguments;
    private final OutputKind output;
    private final String compiler;

    private CompileRequest(Builder builder) {
        this.sources = List.copyOf(builder.sources);
        this.optimizationLevel = builder.optimizationLevel;
        this.includeDirectories = List.copyOf(builder.includeDirectories);
        this.defines = Collections.unmodifiableMap(new LinkedHashMap<>(builder.defines));
        this.compilerArguments = List.copyOf(builder.compilerArguments);
        this.output = builder.output;
        this.compiler = builder.compiler;
    }

    /**
     * Starts a request for some sources.
     *
     * @param sources source files, or one Cargo project directory; at least one
     * @return a new builder
     */
    public static Builder builder(Path... sources) {
        return new Builder().sources(Arrays.asList(sources));
    }

    /**
     * Creates a request with the default settings.
     *
     * @param sources source files, or one Cargo project directory; at least one
     * @return the request
     */
    public static CompileRequest of(Path... sources) {
        return builder(sources).build();
    }

    /**
     * Returns the sources, in the order given.
     *
     * @return the source files or project directory
     */
    public List<Path> sources() {
        return sources;
    }

    /**
     * Returns the optimisation level.
     *
     * @return 0 (none) to 3 (aggressive); 2 unless set
     */
    public int optimizationLevel() {
        return optimizationLevel;
    }

    /**
     * Returns the directories searched for included headers, before the system's.
     *
     * @return the include directories
     */
    public List<Path> includeDirectories() {
        return includeDirectories;
    }

    /**
     * Returns the preprocessor macros to define, in the order given; an empty value defines the name alone.
     *
     * @return macro names to values
     */
    public Map<String, String> defines() {
        return defines;
    }

    /**
     * Returns arguments passed to the compiler verbatim, after Predicator's own, such as {@code -std=c11}.
     *
     * @return the extra arguments
     */
    public List<String> compilerArguments() {
        return compilerArguments;
    }

    /**
     * Returns the kind of output asked for, if any; otherwise the compiler chooses what loads best.
     *
     * @return the requested output kind
     */
    public Optional<OutputKind> output() {
        return Optional.ofNullable(output);
    }

    /**
     * Returns the id of the compiler asked for, if any; otherwise the sources' extensions choose.
     *
     * @return the compiler id, such as {@code "c"} or {@code "rust"}
     */
    public Optional<String> compiler() {
        return Optional.ofNullable(compiler);
    }

    /**
     * Returns a builder that starts from this request.
     *
     * @return a new builder with this request's values
     */
    public Builder toBuilder() {
        Builder builder = new Builder().sources(sources).optimizationLevel(optimizationLevel);
        includeDirectories.forEach(builder::includeDirectory);
        defines.forEach(builder::define);
        builder.compilerArguments.addAll(compilerArguments);
        builder.output = output;
        builder.compiler = compiler;
        return builder;
    }

    /**
     * Describes every setting except the sources, for cache keys and messages.
     *
     * @return a stable description of the settings
     */
    public String settings() {
        return "O" + optimizationLevel
                + " include=" + includeDirectories.stream().map(path -> path.toAbsolutePath().normalize()).toList()
                + " define=" + defines
                + " args=" + compilerArguments
                + " output=" + (output == null ? "auto" : output)
                + " compiler=" + (compiler == null ? "auto" : compiler);
    }

    @Override
    public String toString() {
        return "CompileRequest[" + sources + ", " + settings() + "]";
    }

    /**
     * Builds a {@link CompileRequest}; not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final List<Path> sources = new ArrayList<>();
        private int optimizationLevel = 2;
        private final List<Path> includeDirectories = new ArrayList<>();
        private final Map<String, String> defines = new LinkedHashMap<>();
        private final List<String> compilerArguments = new ArrayList<>();
        private OutputKind output;
        private String compiler;

        private Builder() {
        }

        /**
         * Adds sources.
         *
         * @param sources source files or a Cargo project directory
         * @return this builder
         */
        public Builder sources(List<Path> sources) {
            requireNonNull(sources, "sources is null");
            sources.forEach(source -> this.sources.add(requireNonNull(source, "a source is null")));
            return this;
        }

        /**
         * Sets the optimisation level.
         *
         * @param level 0 (none) to 3 (aggressive)
         * @return this builder
         */
        public Builder optimizationLevel(int level) {
            this.optimizationLevel = JitSettings.checkOptimizationLevel(level);
            return this;
        }

        /**
         * Adds a directory to search for headers.
         *
         * @param directory the include directory
         * @return this builder
         */
        public Builder includeDirectory(Path directory) {
            includeDirectories.add(requireNonNull(directory, "directory is null"));
            return this;
        }

        /**
         * Defines a preprocessor macro.
         *
         * @param name the macro's name
         * @param value its value; empty to define the name alone
         * @return this builder
         * @throws IllegalArgumentException if the name is not a C identifier
         */
        public Builder define(String name, String value) {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
            if (!MACRO_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a macro name: use letters, digits and _");
            }
            defines.put(name, value);
            return this;
        }

        /**
         * Adds arguments passed to the compiler verbatim, after Predicator's own.
         *
         * @param arguments the arguments, such as {@code -std=c11}
         * @return this builder
         */
        public Builder compilerArguments(String... arguments) {
            for (String argument : arguments) {
                compilerArguments.add(requireNonNull(argument, "an argument is null"));
            }
            return this;
        }

        /**
         * Asks for a particular kind of output instead of the compiler's choice.
         *
         * @param output bitcode or an object
         * @return this builder
         */
        public Builder output(OutputKind output) {
            this.output = requireNonNull(output, "output is null");
            return this;
        }

        /**
         * Chooses the compiler by id instead of by the sources' extensions.
         *
         * @param id the compiler id, such as {@code "c"} or {@code "rust"}
         * @return this builder
         */
        public Builder compiler(String id) {
            requireNonNull(id, "id is null");
            if (id.isBlank()) {
                throw new IllegalArgumentException("compiler id is blank");
            }
            this.compiler = id;
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the immutable request
         * @throws IllegalArgumentException if there are no sources
         */
        public CompileRequest build() {
            if (sources.isEmpty()) {
                throw new IllegalArgumentException("a compile request needs at least one source");
            }
            return new CompileRequest(this);
        }
    }
}
