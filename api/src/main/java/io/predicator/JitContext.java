package io.predicator;

import io.predicator.spi.JitBackend;
import io.predicator.spi.JitSettings;
import io.predicator.spi.SymbolResolver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

import static java.util.Objects.requireNonNull;

/**
 * Loads native plugins, compiles them for the host CPU and links them in-process; the entry point of Predicator.
 *
 * <pre>{@code
 * try (JitContext jit = JitContext.builder().build();
 *      Plugin plugin = jit.load(ModuleSource.of(Path.of("add.ll")))) {
 *     IntBinaryOperator add = plugin.function("add", IntBinaryOperator.class);
 *     int five = add.applyAsInt(2, 3);
 * }
 * }</pre>
 *
 * <p>A context is thread-safe: many threads may load, call and close plugins at the same time. Closing it
 * closes every plugin still loaded.
 *
 * @since 0.1
 */
public interface JitContext extends AutoCloseable {

    /**
     * Starts building a context with the backend found through {@link ServiceLoader}.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Loads a plugin with the context's settings.
     *
     * @param source the plugin's content
     * @return the loaded plugin, owned by the caller (close it) and by this context (closed with it)
     * @throws MalformedModuleException if the content cannot be read
     * @throws UnsupportedModuleException if the module uses what JIT-loaded plugins cannot have
     * @throws UnresolvedSymbolsException if the plugin references symbols its resolver does not provide
     * @throws ResolverException if the resolver fails
     * @throws CompilationException if LLVM fails to compile or link the module
     * @throws AlreadyClosedException if the context is closed
     */
    default Plugin load(ModuleSource source) {
        return load(source, LoadOptions.defaults());
    }

    /**
     * Loads a plugin with per-load overrides.
     *
     * @param source the plugin's content
     * @param options overrides of the context's resolver, optimisation level or the plugin's name
     * @return the loaded plugin
     * @throws JitException as for {@link #load(ModuleSource)}
     */
    Plugin load(ModuleSource source, LoadOptions options);

    /**
     * Reads what a module exports and imports without loading it. For IR and bitcode this compiles the module
     * (the code generator may add imports such as {@code memcpy}) but links nothing.
     *
     * @param source the module's content
     * @return its exports and the undefined symbols it needs
     * @throws MalformedModuleException if the content cannot be read
     */
    ModuleInfo inspect(ModuleSource source);

    /**
     * Reads what a module exports and imports without loading it, compiling IR and bitcode with these options: the
     * optimisation level, {@link LoadOptions.Optimization#preOptimized()} and the {@linkplain LoadOptions.Trust trust}
     * options apply; the resolver, the name and the strategy do not, as nothing is linked. A backend that does not
     * implement this method inspects as {@link #inspect(ModuleSource)} does when the options change none of those
     * that apply, and otherwise refuses them rather than ignore them.
     *
     * @param source the module's content
     * @param options how to compile the module
     * @return its exports and the undefined symbols it needs
     * @throws MalformedModuleException if the content cannot be read
     * @throws ConfigurationException if the backend cannot honour an option that applies to inspection
     */
    default ModuleInfo inspect(ModuleSource source, LoadOptions options) {
        options.refuseUnsupported(EnumSet.of(LoadOptions.Option.RESOLVER, LoadOptions.Option.NAME,
                LoadOptions.Option.COMPILE_ON_FIRST_USE), "this JIT backend's inspect");
        return inspect(source);
    }

    /**
     * Returns the plugins loaded by this context and not yet closed.
     *
     * @return a snapshot of the open plugins
     */
    List<Plugin> plugins();

    /**
     * Returns a snapshot of the loaded plugins, their memory, and load counts.
     *
     * @return the statistics
     */
    JitStats stats();

    /**
     * Returns whether the context has been closed.
     *
     * @return true once {@link #close()} has started
     */
    boolean isClosed();

    /**
     * Closes every plugin still loaded, then releases the JIT; idempotent. Calls in flight get the
     * {@linkplain Plugin#DEFAULT_DRAIN default drain} to complete, then are stopped, as with {@link #close(Duration)}.
     */
    @Override
    default void close() {
        close(Plugin.DEFAULT_DRAIN);
    }

    /**
     * Closes every plugin still loaded, then releases the JIT; idempotent. Calls in flight may complete until the
     * drain ends, one drain for all the plugins together, so that closing many busy plugins does not add up their
     * drains; calls still running then are stopped and throw {@link PluginFaultException} of kind
     * {@link PluginFaultException.Kind#INTERRUPTED} (see {@link Plugin#close(Duration)}).
     *
     * @param drain how long calls in flight may go on running, zero or positive
     */
    void close(Duration drain);

    /**
     * Builds a {@link JitContext}; not thread-safe.
     *
     * <p>Without {@link #resolver(SymbolResolver)}, plugins may use only what they define themselves plus the
     * memory routines compilers emit calls to ({@link SymbolResolver#compilerSupport()}). Without
     * {@link #optimizationLevel(int)}, plugins are optimised at level 2.
     *
     * @since 0.1
     */
    final class Builder {
        private SymbolResolver resolver = SymbolResolver.compilerSupport();
        private int optimizationLevel = 2;
        private String backendId;
        private Path objectCache;
        private int compileThreads = Runtime.getRuntime().availableProcessors();
        private Duration compileTimeout = JitSettings.DEFAULT_COMPILE_TIMEOUT;
        private Duration callTimeout;

        private Builder() {
        }

        /**
         * Sets the resolver for plugins whose load options name none.
         *
         * @param resolver the resolver
         * @return this builder
         */
        public Builder resolver(SymbolResolver resolver) {
            this.resolver = requireNonNull(resolver, "resolver is null");
            return this;
        }

        /**
         * Sets the default optimisation level.
         *
         * @param level 0 (none) to 3 (aggressive), as LLVM's {@code default<O0..O3>} pipelines
         * @return this builder
         */
        public Builder optimizationLevel(int level) {
            this.optimizationLevel = JitSettings.checkOptimizationLevel(level);
            return this;
        }

        /**
         * Keeps compiled objects in a content-addressed on-disk cache, so loading the same module again (in this
         * or a later process) skips optimisation and code generation. Off unless set. The key covers the module's
         * content, the optimisation level, the LLVM version and the host CPU and its features; entries are
         * checksummed and a damaged one is discarded, never loaded; several processes may share the directory.
         *
         * @param directory the cache directory, created if missing
         * @return this builder
         */
        public Builder objectCache(Path directory) {
            this.objectCache = requireNonNull(directory, "directory is null");
            return this;
        }

        /**
         * Sets how many threads may compile one large module: a backend may split such a module and optimise and
         * generate code for the parts at once. Defaults to the number of processors; 1 compiles every module on
         * the loading thread alone. Small modules always compile on the loading thread.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder compileThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("compileThreads must be at least 1, got " + threads);
            }
            this.compileThreads = threads;
            return this;
        }

        /**
         * Sets how long compiling one module may take, for loads whose options set no limit of their own
         * ({@link LoadOptions.Builder#compileTimeout(Duration)}). Past it, the compile worker doing the work is
         * killed and the load throws {@link CompilationException}; input compiled in this process (trusted input)
         * cannot be stopped, only refused once it finishes. Defaults to
         * {@link JitSettings#DEFAULT_COMPILE_TIMEOUT two minutes}.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder compileTimeout(Duration timeout) {
            this.compileTimeout = JitSettings.checkTimeout(timeout, "compileTimeout");
            return this;
        }

        /**
         * Sets how long one call of a plugin's functions may run, for loads whose options set no limit of their own
         * ({@link LoadOptions.Builder#callTimeout(Duration)}). A call still running past it throws
         * {@link PluginFaultException} of kind {@link PluginFaultException.Kind#TIMEOUT}, at most a few
         * milliseconds late, and its plugin closes. None unless set: calls run until they return, and can still be
         * stopped by interrupting the calling thread.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = JitSettings.checkTimeout(timeout, "callTimeout");
            return this;
        }

        /**
         * Chooses the backend by id when several are on the class path.
         *
         * @param id the backend id, such as {@code "orc"}
         * @return this builder
         */
        public Builder backend(String id) {
            this.backendId = requireNonNull(id, "id is null");
            return this;
        }

        /**
         * Creates the context with the backend found through {@link ServiceLoader}.
         *
         * @return a new context that the caller owns
         * @throws ConfigurationException if no backend, or more than one and none chosen, is on the class path
         */
        public JitContext build() {
            return build(ServiceLoader.load(JitBackend.class, JitContext.class.getClassLoader()));
        }

        /**
         * Creates the context with an explicitly given backend, without {@link ServiceLoader}.
         *
         * @param backend the backend
         * @return a new context that the caller owns
         */
        public JitContext build(JitBackend backend) {
            requireNonNull(backend, "backend is null");
            return backend.create(new JitSettings(resolver, optimizationLevel, Optional.ofNullable(objectCache),
                    compileThreads, compileTimeout, Optional.ofNullable(callTimeout)));
        }

        private JitContext build(Iterable<JitBackend> discovered) {
            List<JitBackend> backends = new ArrayList<>();
            discovered.forEach(backends::add);
            List<String> ids = backends.stream().map(JitBackend::id).toList();
            if (backendId != null) {
                return build(backends.stream()
                        .filter(backend -> backend.id().equals(backendId))
                        .findFirst()
                        .orElseThrow(() -> new ConfigurationException("No JIT backend with id '" + backendId
                                + "' on the class path; found " + ids)));
            }
            if (backends.isEmpty()) {
                throw new ConfigurationException("No JIT backend on the class path: add io.predicator:predicator-orc-backend "
                        + "as a dependency");
            }
            if (backends.size() > 1) {
                throw new ConfigurationException("Several JIT backends on the class path " + ids
                        + "; choose one with JitContext.builder().backend(id)");
            }
            return build(backends.getFirst());
        }
    }
}
