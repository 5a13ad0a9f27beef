package io.predicator.lifecycle.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.lifecycle.PluginSlot;
import io.predicator.lifecycle.PluginVersion;
import io.predicator.lifecycle.SwapResult;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static java.util.Objects.requireNonNull;

/**
 * The {@link PluginSlot} implementation: a {@link HotPlugin} with a single view.
 *
 * @param <T> the functional interface
 */
public final class DefaultPluginSlot<T> implements PluginSlot<T> {
    private final HotPlugin plugin;
    private final String symbol;
    private final Class<T> functionalInterface;
    private final LoadOptions options;
    private final T function;
    private volatile Bound<T> bound;

    /** The current version's own function, cached until the version changes. */
    private record Bound<T>(Plugin plugin, T function) {
    }

    private DefaultPluginSlot(HotPlugin plugin, String symbol, Class<T> functionalInterface, LoadOptions options,
                              T function) {
        this.plugin = plugin;
        this.symbol = symbol;
        this.functionalInterface = functionalInterface;
        this.options = options;
        this.function = function;
    }

    /**
     * Creates a slot and loads its first version.
     *
     * @param context the context
     * @param symbol the function
     * @param functionalInterface its interface
     * @param initial the first version
     * @param options the load options
     * @param <T> the interface type
     * @return the open slot
     */
    public static <T> PluginSlot<T> create(JitContext context, String symbol, Class<T> functionalInterface,
                                           ModuleSource initial, LoadOptions options) {
        requireNonNull(context, "context is null");
        requireNonNull(symbol, "symbol is null");
        requireNonNull(functionalInterface, "functionalInterface is null");
        requireNonNull(initial, "initial is null");
        requireNonNull(options, "options is null");
        HotPlugin plugin = new HotPlugin(context, "plugin slot '" + symbol + "'");
        try {
            T function = plugin.view(symbol, functionalInterface);
            plugin.install(initial, options);
            return new DefaultPluginSlot<>(plugin, symbol, functionalInterface, options, function);
        } catch (RuntimeException | Error e) {
            plugin.close();
            throw e;
        }
    }

    @Override
    public String symbol() {
        return symbol;
    }

    @Override
    public Class<T> functionalInterface() {
        return functionalInterface;
    }

    @Override
    public T function() {
        return function;
    }

    @Override
    public T current() {
        Plugin loaded = plugin.plugin().orElseThrow(() -> new AlreadyClosedException("plugin slot '" + symbol + "'"));
        Bound<T> cached = bound;
        if (cached != null && cached.plugin() == loaded) {
            return cached.function();
        }
        T own = loaded.function(symbol, functionalInterface);
        bound = new Bound<>(loaded, own);
        return own;
    }

    @Override
    public PluginVersion version() {
        return plugin.lastVersion().orElseThrow();
    }

    @Override
    public SwapResult swap(ModuleSource next) {
        return swap(next, options);
    }

    @Override
    public SwapResult swap(ModuleSource next, LoadOptions options) {
        HotPlugin.Installed installed = plugin.install(next, options);
        return new SwapResult(installed.previous().orElseThrow(), installed.current(), installed.loadTime());
    }

    @Override
    public CompletableFuture<SwapResult> swapAsync(ModuleSource next, Executor executor) {
        requireNonNull(next, "next is null");
        requireNonNull(executor, "executor is null");
        return CompletableFuture.supplyAsync(() -> swap(next), executor);
    }

    @Override
    public boolean isClosed() {
        return plugin.isClosed();
    }

    @Override
    public void close() {
        bound = null;
        plugin.close();
    }

    @Override
    public String toString() {
        return "PluginSlot[" + symbol + ", " + functionalInterface.getSimpleName() + ", " + plugin + "]";
    }
}
