package io.predicator.orc.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.JitStats;
import io.predicator.LoadOptions;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginStats;
import io.predicator.ResolverException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.orc.internal.llvm.Failures;
import io.predicator.orc.internal.pipeline.CompileRequest;
import io.predicator.orc.internal.pipeline.LoadTimings;
import io.predicator.orc.internal.pipeline.Pipeline;
import io.predicator.orc.internal.pipeline.ResolveStage;
import io.predicator.spi.JitSettings;
import io.predicator.spi.SymbolResolver;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import static java.util.Objects.requireNonNull;

/**
 * The ORC backend's {@link JitContext}: the lifecycle, the registry of loaded plugins and the statistics. The work
 * of a load is the {@link Pipeline}'s; this class turns options into a {@link CompileRequest}, runs the pipeline,
 * registers the plugin and records what happened (JFR events, counters, the log).
 *
 * <p>Loads and unloads hold the read side of a lifecycle lock for their whole duration; {@link #close()} takes the
 * write side before it releases native resources, so nothing native is freed under a thread still using it. Close
 * closes every plugin, then the pipeline (the LLJIT, then the compiler), each even if an earlier one failed; the
 * failures are thrown together, the first with the others suppressed.
 */
public final class OrcJitContext implements JitContext {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");

    private final JitSettings settings;
    private final Pipeline pipeline;
    private final LongAdder loads = new LongAdder();
    private final LongAdder failedLoads = new LongAdder();
    private final LongAdder unloads = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder faults = new LongAdder();
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
        this.pipeline = new Pipeline(settings.objectCache(), settings.compileThreads());
    }

    @Override
    public Plugin load(ModuleSource source, LoadOptions options) {
        requireNonNull(source, "source is null");
        requireNonNull(options, "options is null");
        lifecycle.readLock().lock();
        try {
            checkOpen();
            String name = options.overrides().name().orElse(source.name());
            CompileRequest request = request(options, options.trust().inlineAssembly());
            SymbolResolver resolver = options.overrides().resolver().orElse(settings.resolver());
            long start = System.nanoTime();
            LoadTimings timings = new LoadTimings();
            PluginEvents.Load event = new PluginEvents.Load();
            event.begin();
            try {
                Pipeline.Loaded loaded = pipeline.load(name, source, request, resolver, timings);
                boolean onFirstUse = loaded.lazy() != null;
                Duration duration = Duration.ofNanos(System.nanoTime() - start);
                OrcPlugin plugin = new OrcPlugin(this, name, loaded, new PluginStats(name, source.format(),
                        source.size(), loaded.unit().codeBytes(), loaded.unit().dataBytes(), Instant.now(), duration),
                        resolver, options.limits().callTimeout().or(settings::callTimeout).orElse(null));
                plugins.add(plugin);
                loads.increment();
                if (timings.cacheHit) {
                    cacheHits.increment();
                }
                timings.objects = loaded.unit().objects().size();
                event.onFirstUse = onFirstUse;
                commit(event, source, name, request, timings, null);
                LOGGER.log(System.Logger.Level.DEBUG, () -> "Loaded plugin '" + name + "' (" + source.format() + ", "
                        + source.size() + " bytes, O" + request.level() + (request.optimizeIr() ? "" : " code generation only")
                        + (onFirstUse ? ", compiled on first use" : "")
                        + (timings.cacheHit ? ", cached" : "") + ") in "
                        + duration.toNanos() / 1_000 + " µs");
                return plugin;
            } catch (RuntimeException | Error e) {
                failedLoads.increment();
                commit(event, source, name, request, timings, e);
                if (e instanceof UnresolvedSymbolsException unresolved) {
                    recordResolutionFailure(name, unresolved.symbols(), unresolved.resolverIds());
                } else if (e instanceof ResolverException) {
                    recordResolutionFailure(name, List.of(), ResolveStage.consultedIds(resolver));
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
                loads.sum(), failedLoads.sum(), unloads.sum(), cacheHits.sum(), faults.sum());
    }

    private static void commit(PluginEvents.Load event, ModuleSource source, String name,
                               CompileRequest request, LoadTimings timings, Throwable failure) {
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
            event.trialLinkNanos = timings.trialLinkNanos;
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
            return pipeline.inspect(source.name(), source, request(options, true));
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
    public void close(Duration drain) {
        long deadline = Drain.deadline(drain);
        if (lifecycle.getReadHoldCount() > 0) {
            // Closing waits for every load and unload to finish, this thread's own included: it would never end.
            throw new IllegalStateException("A JIT context cannot be closed from inside one of its own loads or "
                    + "unloads (for example from a symbol resolver); close it after the load returns");
        }
        for (OrcPlugin plugin : List.copyOf(plugins)) {
            if (plugin.inCallOnThisThread()) {
                // Disposing the JIT now would free the code this thread returns into once the host function returns.
                throw new IllegalStateException("A JIT context cannot be closed from inside a call of its plugin '"
                        + plugin.name() + "' (a host function it called): closing frees the code that call returns "
                        + "into; close it after the call returns");
            }
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Failures failures = new Failures();
        for (OrcPlugin plugin : List.copyOf(plugins)) {
            failures.run(() -> plugin.closeBy(deadline, drain));
        }
        lifecycle.writeLock().lock();
        try {
            // Loads that were already past the closed check have finished now; close what they produced.
            for (OrcPlugin plugin : List.copyOf(plugins)) {
                failures.run(() -> plugin.closeBy(deadline, drain));
            }
            failures.run(pipeline::close);
        } finally {
            lifecycle.writeLock().unlock();
        }
        failures.rethrow();
    }

    @Override
    public String toString() {
        return "JitContext[orc, " + plugins.size() + " plugins" + (closed.get() ? ", closed" : "") + "]";
    }

    Pipeline pipeline() {
        return pipeline;
    }

    /** Counts a plugin call that faulted. */
    void recordFault() {
        faults.increment();
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

    /** What a load or an inspection with these options asks of the pipeline: the one place options are read. */
    private CompileRequest request(LoadOptions options, boolean allowInlineAssembly) {
        return new CompileRequest(options.overrides().optimizationLevel().orElse(settings.optimizationLevel()),
                !options.optimization().preOptimized(), allowInlineAssembly, !options.trust().input(),
                options.strategy().compileOnFirstUse(),
                options.limits().compileTimeout().orElse(settings.compileTimeout()));
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new AlreadyClosedException("JIT context");
        }
    }
}
