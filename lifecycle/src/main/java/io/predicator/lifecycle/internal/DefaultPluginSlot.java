package io.predicator.lifecycle.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.lifecycle.PluginSlot;
import io.predicator.lifecycle.PluginUnavailableException;
import io.predicator.lifecycle.PluginVersion;
import io.predicator.lifecycle.RestartPolicy;
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
    private static final System.Logger LOGGER = System.getLogger(PluginSlot.class.getName());

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
     * @param restarts the restart policy
     * @param <T> the interface type
     * @return the open slot
     */
    public static <T> PluginSlot<T> create(JitContext context, String symbol, Class<T> functionalInterface,
                                           ModuleSource initial, LoadOptions options, RestartPolicy restarts) {
        requireNonNull(context, "context is null");
        requireNonNull(symbol, "symbol is null");
        requireNonNull(functionalInterface, "functionalInterface is null");
        requireNonNull(initial, "initial is null");
        requireNonNull(options, "options is null");
        requireNonNull(restarts, "restarts is null");
        String description = "plugin slot '" + symbol + "'";
        HotPlugin plugin = new HotPlugin(context, description, restarts,
                task -> Thread.ofVirtual().name("predicator-restart-" + symbol).start(task), new Logged(description));
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
        // After a stop, nothing was serving: the version replaced is the one that faulted last.
        return new SwapResult(installed.lastServed().orElseThrow(), installed.current(), installed.loadTime());
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

    /** Logs how the slot recovered from faults. */
    private record Logged(String description) implements HotPlugin.Supervisor {
        @Override
        public void restarted(PluginFaultException fault, HotPlugin.Installed installed) {
            LOGGER.log(System.Logger.Level.WARNING, () -> description + " restarted as generation "
                    + installed.current().generation() + " after a fault: " + fault.getMessage());
        }

        @Override
        public void stopped(PluginFaultException fault, PluginUnavailableException stopped) {
            LOGGER.log(System.Logger.Level.ERROR, stopped.getMessage());
        }
    }

    @Override
    public String toString() {
        return "PluginSlot[" + symbol + ", " + functionalInterface.getSimpleName() + ", " + plugin + "]";
    }
}
