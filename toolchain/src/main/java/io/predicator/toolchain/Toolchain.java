package io.predicator.toolchain;

import io.predicator.ModuleSource;
import io.predicator.toolchain.internal.BuildCache;
import io.predicator.toolchain.internal.CompilerRegistry;
import io.predicator.toolchain.internal.Hashing;
import io.predicator.toolchain.spi.CompilerResult;
import io.predicator.toolchain.spi.PluginCompiler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Compiles plugin sources into modules a {@link io.predicator.JitContext} loads, with one command's worth of
 * configuration: C and C++ with the clang bundled in LLVM 20 (the JIT's own version), Rust with {@code cargo}.
 *
 * <pre>{@code
 * Toolchain toolchain = Toolchain.detect();
 * CompiledPlugin compiled = toolchain.compile(CompileRequest.of(Path.of("filter.c")));
 * try (JitContext jit = JitContext.builder().build();
 *      Plugin plugin = jit.load(compiled.source())) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Results are cached by content: the key covers the compiler and its version, the settings and the sources, and
 * a cached result is reused only while every file the compilation read (headers, Rust modules, dependencies) is
 * unchanged. The cache is safe for several threads and processes at once. Compilers are found through
 * {@link ServiceLoader} ({@code c} and {@code rust} are built in) and can be registered explicitly.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1
 */
public final class Toolchain {
    private static final String KEY_VERSION = "predicator-toolchain-key-1";

    private final Map<String, PluginCompiler> compilers;
    private final BuildCache cache;
    private final Duration timeout;

    private Toolchain(Builder builder) {
        this.compilers = Map.copyOf(CompilerRegistry.compilers(builder.discover, builder.compilers,
                Toolchain.class.getClassLoader()));
        this.cache = new BuildCache(builder.cacheDirectory);
        this.timeout = builder.timeout;
    }

    /**
     * Returns a toolchain with the compilers found through {@link ServiceLoader} and the cache in
     * {@link #defaultCacheDirectory()}.
     *
     * @return the toolchain
     */
    public static Toolchain detect() {
        return builder().build();
    }

    /**
     * Starts configuring a toolchain.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns where compiled plugins are cached unless configured otherwise: the system property
     * {@code predicator.toolchain.cache} if set, else {@code $XDG_CACHE_HOME/predicator/toolchain}, else
     * {@code ~/.cache/predicator/toolchain}.
     *
     * @return the default cache directory
     */
    public static Path defaultCacheDirectory() {
        String property = System.getProperty("predicator.toolchain.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("predicator").resolve("toolchain");
    }

    /**
     * Compiles sources with default settings.
     *
     * @param sources C or C++ files, one Rust file or one Cargo project directory
     * @return the compiled plugin
     * @throws CompilationFailedException if the compiler rejects the sources, with its diagnostics
     * @throws ToolNotFoundException if a tool the compiler needs is not installed
     * @throws IllegalArgumentException if a source does not exist or no compiler handles it
     */
    public CompiledPlugin compile(Path... sources) {
        return compile(CompileRequest.of(sources));
    }

    /**
     * Compiles a request's sources into one module, or returns the cached result of an identical compilation.
     *
     * @param request what to compile and how
     * @return the compiled plugin
     * @throws CompilationFailedException if the compiler rejects the sources, with its diagnostics
     * @throws ToolNotFoundException if a tool the compiler needs is not installed
     * @throws IllegalArgumentException if a source does not exist, no compiler handles it, or the sources need
     *                                  different compilers
     */
    public CompiledPlugin compile(CompileRequest request) {
        requireNonNull(request, "request is null");
        for (Path source : request.sources()) {
            if (!Files.exists(source)) {
                throw new IllegalArgumentException("no such file: " + source);
            }
        }
        PluginCompiler compiler = compilerFor(request);
        String version = compiler.version();
        String key = key(compiler, version, request);
        String name = moduleName(request.sources().getFirst());
        Optional<BuildCache.Entry> cached = cache.lookup(key);
        if (cached.isPresent()) {
            Path artifact = cached.get().artifact();
            return new CompiledPlugin(ModuleSource.of(name, read(artifact)), artifact, compiler.id(), true,
                    cached.get().diagnostics());
        }
        Path work = cache.newWorkDirectory();
        try {
            Path output = work.resolve("output");
            CompilerResult result = compiler.compile(request, output, timeout);
            if (!Files.isRegularFile(output)) {
                throw new CompilationFailedException(compiler.id(), "compiler '" + compiler.id()
                        + "' reported success but wrote no output", result.diagnostics());
            }
            ModuleSource source = ModuleSource.of(name, read(output));
            String extension = switch (source.format()) {
                case BITCODE -> "bc";
                case OBJECT -> "o";
                case ARCHIVE -> "a";
                case IR_TEXT -> "ll";
            };
            Set<Path> inputs = new LinkedHashSet<>();
            request.sources().stream().filter(Files::isRegularFile)
                    .forEach(path -> inputs.add(path.toAbsolutePath().normalize()));
            inputs.addAll(result.inputs());
            Path artifact = cache.store(key, output, extension, new ArrayList<>(inputs), result.diagnostics());
            return new CompiledPlugin(source, artifact, compiler.id(), false, result.diagnostics());
        } finally {
            BuildCache.deleteTree(work);
        }
    }

    /**
     * Returns whether some compiler handles a path, so that it can be compiled rather than loaded as it is.
     *
     * @param source a file or directory
     * @return true if a registered compiler supports it
     */
    public boolean supports(Path source) {
        requireNonNull(source, "source is null");
        return compilers.values().stream().anyMatch(compiler -> compiler.supports(source));
    }

    /**
     * Returns the compilers this toolchain uses.
     *
     * @return the compilers, sorted by id
     */
    public List<PluginCompiler> compilers() {
        return compilers.values().stream().sorted(java.util.Comparator.comparing(PluginCompiler::id)).toList();
    }

    /**
     * Returns the directory where compiled plugins are cached.
     *
     * @return the cache directory
     */
    public Path cacheDirectory() {
        return cache.root();
    }

    @Override
    public String toString() {
        return "Toolchain[compilers=" + compilers().stream().map(PluginCompiler::id).toList() + ", cache="
                + cache.root() + "]";
    }

    private PluginCompiler compilerFor(CompileRequest request) {
        Optional<String> id = request.compiler();
        if (id.isPresent()) {
            PluginCompiler compiler = compilers.get(id.get());
            if (compiler == null) {
                throw new IllegalArgumentException("no plugin compiler '" + id.get() + "'; known: " + ids());
            }
            return compiler;
        }
        PluginCompiler chosen = null;
        for (Path source : request.sources()) {
            PluginCompiler compiler = compilers().stream().filter(candidate -> candidate.supports(source))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no plugin compiler handles " + source
                            + "; known: " + describeCompilers()));
            if (chosen != null && !chosen.id().equals(compiler.id())) {
                throw new IllegalArgumentException("sources need different compilers ('" + chosen.id() + "' and '"
                        + compiler.id() + "'): build each plugin on its own");
            }
            chosen = compiler;
        }
        return chosen;
    }

    private String key(PluginCompiler compiler, String version, CompileRequest request) {
        MessageDigest digest = Hashing.sha256();
        Hashing.update(digest, KEY_VERSION);
        Hashing.update(digest, compiler.id());
        Hashing.update(digest, version);
        Hashing.update(digest, request.settings());
        for (Path source : request.sources()) {
            Path absolute = source.toAbsolutePath().normalize();
            Hashing.update(digest, absolute.toString());
            if (Files.isRegularFile(absolute)) {
                Hashing.update(digest, Hashing.file(absolute));
            }
        }
        return Hashing.hex(digest);
    }

    private List<String> ids() {
        return compilers().stream().map(PluginCompiler::id).toList();
    }

    private String describeCompilers() {
        return compilers().stream()
                .map(compiler -> compiler.id() + " (" + compiler.extensions().stream().sorted()
                        .map(extension -> "." + extension).collect(Collectors.joining(", ")) + ")")
                .collect(Collectors.joining(", "));
    }

    private static String moduleName(Path source) {
        Path absolute = source.toAbsolutePath().normalize();
        Path fileName = absolute.getFileName();
        if (fileName != null && fileName.toString().equals("Cargo.toml") && absolute.getParent() != null) {
            fileName = absolute.getParent().getFileName();
        }
        return fileName == null ? absolute.toString() : fileName.toString();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read compiled plugin " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Configures a {@link Toolchain}; not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {
        private Path cacheDirectory = defaultCacheDirectory();
        private final List<PluginCompiler> compilers = new ArrayList<>();
        private boolean discover = true;
        private Duration timeout = Duration.ofMinutes(30);

        private Builder() {
        }

        /**
         * Keeps compiled plugins in this directory instead of the default.
         *
         * @param directory the cache directory; created when first written
         * @return this builder
         */
        public Builder cacheDirectory(Path directory) {
            this.cacheDirectory = requireNonNull(directory, "directory is null");
            return this;
        }

        /**
         * Registers a compiler explicitly; it replaces a discovered compiler with the same id.
         *
         * @param compiler the compiler
         * @return this builder
         */
        public Builder compiler(PluginCompiler compiler) {
            compilers.add(requireNonNull(compiler, "compiler is null"));
            return this;
        }

        /**
         * Chooses whether to add the compilers found through {@link ServiceLoader}; on by default.
         *
         * @param discover false to use only explicitly registered compilers
         * @return this builder
         */
        public Builder discoverCompilers(boolean discover) {
            this.discover = discover;
            return this;
        }

        /**
         * Limits how long one compilation may run; 30 minutes by default, which a translation unit of hundreds of
         * thousands of lines needs far less than.
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            requireNonNull(timeout, "timeout is null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Creates the toolchain; tools are looked for only when a compilation needs them.
         *
         * @return the toolchain
         */
        public Toolchain build() {
            return new Toolchain(this);
        }
    }
}
