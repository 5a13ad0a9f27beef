package io.predicator.orc.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.JitStats;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginStats;
import io.predicator.ResolverException;
import io.predicator.Signature;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.spi.JitSettings;
import io.predicator.spi.SymbolResolver;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static java.util.Objects.requireNonNull;

/**
 * The ORC backend's {@link JitContext}: compiles modules on the calling thread, resolves their imports through
 * the plugin's resolver, and links them into one LLJIT.
 *
 * <p>Loads and unloads hold the read side of a lifecycle lock for their whole duration; {@link #close()} takes the
 * write side before it releases native resources, so nothing native is freed under a thread still using it.
 */
public final class OrcJitContext implements JitContext {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");

    private final JitSettings settings;
    private final ModuleCompiler compiler;
    private final JitLinker linker;
    private final LongAdder loads = new LongAdder();
    private final LongAdder failedLoads = new LongAdder();
    private final LongAdder unloads = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final Set<OrcPlugin> plugins = ConcurrentHashMap.newKeySet();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Creates a context with its own LLJIT.
     *
     * @param settings the builder's settings
     */
    public OrcJitContext(JitSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
        this.linker = new JitLinker();
        this.compiler = new ModuleCompiler(settings.objectCache(), settings.compileThreads());
    }

    @Override
    public Plugin load(ModuleSource source, LoadOptions options) {
        requireNonNull(source, "source is null");
        requireNonNull(options, "options is null");
        lifecycle.readLock().lock();
        try {
            checkOpen();
            String name = options.overrides().name().orElse(source.name());
            ModuleCompiler.Request request = request(options, options.trust().inlineAssembly());
            SymbolResolver resolver = options.overrides().resolver().orElse(settings.resolver());
            long start = System.nanoTime();
            LoadTimings timings = new LoadTimings();
            PluginEvents.Load event = new PluginEvents.Load();
            event.begin();
            try {
                LazyModule prepared = options.strategy().compileOnFirstUse() && (source.format() == ModuleFormat.IR_TEXT
                        || source.format() == ModuleFormat.BITCODE)
                        ? compiler.prepareLazily(name, source.toByteArray(), request, timings).orElse(null) : null;
                LoadedModule module = prepared == null ? prepare(source, name, request, timings)
                        : new LoadedModule(name, source.format(), List.of(), prepared.signatures(),
                        prepared.inlineAssembly());
                Map<String, Long> imports;
                try {
                    imports = resolve(name, null, prepared == null ? module.imports() : prepared.imports(), resolver);
                } catch (UnresolvedSymbolsException missing) {
                    if (prepared == null) {
                        throw missing;
                    }
                    // A whole load optimises before it resolves, so a call that only dead code makes, or an inlined
                    // available_externally body, needs no symbol. Compiled whole, the module loads as it would
                    // without this option, or fails as it would.
                    LOGGER.log(System.Logger.Level.DEBUG, () -> "Plugin '" + name + "' declares symbols no resolver "
                            + "provides (" + missing.symbols() + "); compiling it whole to see whether it needs them");
                    prepared = null;
                    module = prepare(source, name, request, timings);
                    imports = resolve(name, null, module.imports(), resolver);
                }
                LazyModule lazy = prepared;
                long linkStart = System.nanoTime();
                JitLinker.Linked linked = linker.link(name, module.objects(), imports, module.exportNames(),
                        consultedIds(resolver));
                timings.linkNanos = System.nanoTime() - linkStart;
                Duration duration = Duration.ofNanos(System.nanoTime() - start);
                OrcPlugin plugin = new OrcPlugin(this, name, module, linked, new PluginStats(name, source.format(),
                        source.size(), module.codeBytes(), module.dataBytes(), Instant.now(), duration),
                        lazy == null ? null : new OrcPlugin.FirstUse(lazy, resolver, imports.keySet()));
                plugins.add(plugin);
                loads.increment();
                if (timings.cacheHit) {
                    cacheHits.increment();
                }
                timings.objects = module.objects().size();
                event.onFirstUse = lazy != null;
                commit(event, source, name, request, timings, null);
                LOGGER.log(System.Logger.Level.DEBUG, () -> "Loaded plugin '" + name + "' (" + source.format() + ", "
                        + source.size() + " bytes, O" + request.level() + (request.optimizeIr() ? "" : " code generation only")
                        + (lazy != null ? ", compiled on first use" : "")
                        + (timings.cacheHit ? ", cached" : "") + ") in "
                        + duration.toNanos() / 1_000 + " µs");
                return plugin;
            } catch (RuntimeException | Error e) {
                failedLoads.increment();
                commit(event, source, name, request, timings, e);
                if (e instanceof UnresolvedSymbolsException unresolved) {
                    recordResolutionFailure(name, unresolved.symbols(), unresolved.resolverIds());
                } else if (e instanceof ResolverException) {
                    recordResolutionFailure(name, List.of(), consultedIds(resolver));
                }
                LOGGER.log(System.Logger.Level.DEBUG, () -> "Loading plugin '" + name + "' failed: " + e);
                throw e;
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public JitStats stats() {
        return new JitStats(plugins.stream().map(OrcPlugin::stats)
                .sorted(Comparator.comparing(PluginStats::name)).toList(),
                loads.sum(), failedLoads.sum(), unloads.sum(), cacheHits.sum());
    }

    private static void commit(PluginEvents.Load event, ModuleSource source, String name,
                               ModuleCompiler.Request request, LoadTimings timings, Throwable failure) {
        event.end();
        if (event.shouldCommit()) {
            event.plugin = name;
            event.format = source.format().name();
            event.sourceBytes = source.size();
            event.optimizationLevel = request.level();
            event.preOptimized = !request.optimizeIr();
            event.parseNanos = timings.parseNanos;
            event.optimizeNanos = timings.optimizeNanos;
            event.codegenNanos = timings.codegenNanos;
            event.linkNanos = timings.linkNanos;
            event.cacheHit = timings.cacheHit;
            event.objects = timings.objects;
            event.failure = failure == null ? "" : String.valueOf(failure.getMessage());
            event.commit();
        }
    }

    static void recordResolutionFailure(String plugin, List<String> symbols, List<String> resolvers) {
        PluginEvents.ResolutionFailure event = new PluginEvents.ResolutionFailure();
        if (event.shouldCommit()) {
            event.plugin = plugin;
            event.symbols = String.join(", ", symbols);
            event.resolvers = String.join(", ", resolvers);
            event.commit();
        }
    }

    @Override
    public ModuleInfo inspect(ModuleSource source) {
        return inspect(source, LoadOptions.defaults());
    }

    @Override
    public ModuleInfo inspect(ModuleSource source, LoadOptions options) {
        requireNonNull(source, "source is null");
        requireNonNull(options, "options is null");
        lifecycle.readLock().lock();
        try {
            checkOpen();
            return prepare(source, source.name(), request(options, true), new LoadTimings()).info();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public List<Plugin> plugins() {
        return List.copyOf(plugins);
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (lifecycle.getReadHoldCount() > 0) {
            // Closing waits for every load and unload to finish, this thread's own included: it would never end.
            throw new IllegalStateException("A JIT context cannot be closed from inside one of its own loads or "
                    + "unloads (for example from a symbol resolver); close it after the load returns");
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (OrcPlugin plugin : List.copyOf(plugins)) {
            plugin.close();
        }
        lifecycle.writeLock().lock();
        try {
            // Loads that were already past the closed check have finished now; close what they produced.
            for (OrcPlugin plugin : List.copyOf(plugins)) {
                plugin.close();
            }
            linker.close();
            compiler.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "JitContext[orc, " + plugins.size() + " plugins" + (closed.get() ? ", closed" : "") + "]";
    }

    JitLinker linker() {
        return linker;
    }

    ModuleCompiler compiler() {
        return compiler;
    }

    /** Runs work that uses the compiler or the JIT while they are guaranteed to stay alive. */
    void whileOpen(Runnable work) {
        lifecycle.readLock().lock();
        try {
            checkOpen();
            work.run();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Runs a plugin's unload while the JIT is guaranteed to stay alive, then forgets the plugin. */
    void unload(OrcPlugin plugin, Runnable unload) {
        PluginEvents.Unload event = new PluginEvents.Unload();
        event.begin();
        lifecycle.readLock().lock();
        try {
            unload.run();
        } finally {
            plugins.remove(plugin);
            unloads.increment();
            lifecycle.readLock().unlock();
            event.end();
            if (event.shouldCommit()) {
                event.plugin = plugin.name();
                event.memoryBytes = plugin.stats().memoryBytes();
                event.commit();
            }
            LOGGER.log(System.Logger.Level.DEBUG, () -> "Unloaded plugin '" + plugin.name() + "'");
        }
        NativeHeap.trimAfterUnload();
    }

    /** What a load or an inspection with these options asks of the compiler. */
    private ModuleCompiler.Request request(LoadOptions options, boolean allowInlineAssembly) {
        return new ModuleCompiler.Request(options.overrides().optimizationLevel().orElse(settings.optimizationLevel()),
                !options.optimization().preOptimized(), allowInlineAssembly, !options.trust().input());
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new AlreadyClosedException("JIT context");
        }
    }

    private LoadedModule prepare(ModuleSource source, String name, ModuleCompiler.Request request,
                                 LoadTimings timings) {
        byte[] content = source.toByteArray();
        return switch (source.format()) {
            case IR_TEXT, BITCODE -> {
                ModuleCompiler.Output output = compiler.compile(name, content, request, timings);
                yield new LoadedModule(name, source.format(), parseAll(name, output), output.signatures(),
                        output.inlineAssembly() != null);
            }
            case OBJECT -> new LoadedModule(name, ModuleFormat.OBJECT, List.of(ElfObject.parse(name, content)), Map.of(),
                    false);
            case ARCHIVE -> archive(name, content, request, timings);
        };
    }

    /** Loads every member, as a linker does with {@code --whole-archive}; bitcode members are compiled. */
    private LoadedModule archive(String name, byte[] content, ModuleCompiler.Request request, LoadTimings timings) {
        List<ElfObject> objects = new ArrayList<>();
        Map<String, Signature> signatures = new HashMap<>();
        boolean inlineAssembly = false;
        for (ArArchive.Member member : ArArchive.members(name, content)) {
            String memberName = name + "(" + member.name() + ")";
            ModuleSource memberSource;
            try {
                memberSource = ModuleSource.of(memberName, member.bytes());
            } catch (MalformedModuleException e) {
                throw new MalformedModuleException(name, "member '" + member.name() + "' is not an object: "
                        + e.getMessage());
            }
            switch (memberSource.format()) {
                case OBJECT -> objects.add(ElfObject.parse(memberName, member.bytes()));
                case BITCODE -> {
                    ModuleCompiler.Output output = compiler.compile(memberName, member.bytes(), request, timings);
                    objects.addAll(parseAll(memberName, output));
                    signatures.putAll(output.signatures());
                    inlineAssembly |= output.inlineAssembly() != null;
                }
                default -> throw new MalformedModuleException(name, "member '" + member.name()
                        + "' is neither an ELF object nor bitcode");
            }
        }
        if (objects.isEmpty()) {
            throw new MalformedModuleException(name, "the archive has no members");
        }
        return new LoadedModule(name, ModuleFormat.ARCHIVE, objects, signatures, inlineAssembly);
    }

    private static List<ElfObject> parseAll(String name, ModuleCompiler.Output output) {
        List<ElfObject> objects = new ArrayList<>();
        for (int i = 0; i < output.objects().size(); i++) {
            objects.add(ElfObject.parse(output.objects().size() == 1 ? name : name + " (part " + i + ")",
                    output.objects().get(i)));
        }
        return objects;
    }

    /**
     * Asks the resolver for every import at once, so a failure names all missing symbols.
     *
     * @param firstUse the exported symbol whose first use compiled the code that needs the imports, or null while
     *        loading
     * @param imports each symbol mapped to whether it may stay unresolved
     */
    static Map<String, Long> resolve(String pluginName, String firstUse, Map<String, Boolean> imports,
                                     SymbolResolver resolver) {
        Map<String, Long> addresses = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        String resolverId = resolverId(resolver);
        String during = firstUse == null ? "while loading plugin '" + pluginName + "'"
                : "while compiling '" + firstUse + "' of plugin '" + pluginName + "' on its first use";
        for (Map.Entry<String, Boolean> entry : imports.entrySet()) {
            String symbol = entry.getKey();
            Optional<MemorySegment> answer;
            try {
                answer = resolver.resolve(symbol);
            } catch (RuntimeException | Error e) {
                throw new ResolverException("Resolver '" + resolverId + "' failed on symbol '" + symbol
                        + "' " + during + ": " + e, e);
            }
            if (answer == null) {
                throw new ResolverException("Resolver '" + resolverId + "' returned null instead of an Optional for "
                        + "symbol '" + symbol + "' " + during, null);
            }
            if (answer.isPresent()) {
                if (answer.get().address() == 0) {
                    throw new ResolverException("Resolver '" + resolverId + "' resolved symbol '" + symbol
                            + "' to NULL " + during + "; return empty for symbols it "
                            + "does not provide", null);
                }
                addresses.put(symbol, answer.get().address());
            } else if (!entry.getValue()) {
                missing.add(symbol);
            }
        }
        if (!missing.isEmpty()) {
            throw new UnresolvedSymbolsException(pluginName, missing, consultedIds(resolver));
        }
        return addresses;
    }

    static List<String> consultedIds(SymbolResolver resolver) {
        try {
            return List.copyOf(resolver.consultedIds());
        } catch (RuntimeException e) {
            return List.of(resolverId(resolver));
        }
    }

    private static String resolverId(SymbolResolver resolver) {
        try {
            return resolver.id();
        } catch (RuntimeException e) {
            return resolver.getClass().getName();
        }
    }
}
