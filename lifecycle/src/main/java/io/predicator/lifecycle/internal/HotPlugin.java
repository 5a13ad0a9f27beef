package io.predicator.lifecycle.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.lifecycle.PluginUnavailableException;
import io.predicator.lifecycle.PluginVersion;
import io.predicator.lifecycle.RestartPolicy;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import static java.util.Objects.requireNonNull;

/**
 * A plugin whose loaded version can be replaced while other threads call its functions: the engine behind
 * {@link io.predicator.lifecycle.PluginSlot} and each file of {@link io.predicator.lifecycle.PluginDirectory}.
 *
 * <p>Callers reach functions through <em>views</em>, one per (symbol, descriptor). Every published {@link Version}
 * holds the method handle of every view already bound, so a call is one volatile read of {@link #current}, an
 * array load and the call. Installing a version binds every view first (which checks that the new module exports
 * each function with the requested signature), publishes it, and only then closes the old one; a call that raced
 * the close and got {@link AlreadyClosedException} from the old version is retried on the new one.
 *
 * <p>A version that faults closes itself (the backend does so). The first call to see the fault schedules a
 * restart on the restart executor: the same source is loaded again, as the {@link RestartPolicy} allows, and calls
 * that reach the faulted version meanwhile wait for the restart and then run on the new version. Past the policy's
 * limit, the plugin stops: calls throw {@link PluginUnavailableException} with the fault as cause until the next
 * install.
 *
 * <p>Installs, restarts, unloads, view registration and close are serialised by one lock; calls take no lock.
 */
public final class HotPlugin implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(HotPlugin.class.getName());
    private static final MethodHandle TARGET;
    private static final MethodHandle RETRY;
    private static final MethodHandle FAULTED;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            TARGET = lookup.findVirtual(HotPlugin.class, "target", MethodType.methodType(MethodHandle.class, int.class));
            RETRY = lookup.findVirtual(HotPlugin.class, "retry", MethodType.methodType(Object.class, int.class,
                    AlreadyClosedException.class, Object[].class));
            FAULTED = lookup.findVirtual(HotPlugin.class, "faulted", MethodType.methodType(Object.class,
                    PluginFaultException.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final JitContext context;
    private final String description;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}; index = the view's position in every version's handle array. */
    private final List<Binding> bindings = new ArrayList<>();
    private final Map<ViewKey, Object> views = new ConcurrentHashMap<>();
    private volatile Version current;
    /** Guarded by {@link #lock}. */
    private long generation;
    private volatile PluginVersion last;
    private final RestartPolicy policy;
    private final Executor restarter;
    private final Supervisor supervisor;
    /** Guarded by {@link #lock}: when the faults counted against the policy happened, oldest first. */
    private final ArrayDeque<Long> faultTimes = new ArrayDeque<>();
    /** Guarded by {@code this}: the restart scheduled for a faulted version, if any. */
    private Restart restart;

    /**
     * Hears how the plugin recovered from a fault; called on the restart executor, under the plugin's lock.
     */
    public interface Supervisor {
        /**
         * A faulted version was replaced by the same source, loaded again.
         *
         * @param fault the fault
         * @param installed the faulted version (closed) and the new one
         */
        void restarted(PluginFaultException fault, Installed installed);

        /**
         * A faulted version was not replaced: the policy's limit was reached, or loading it again failed.
         *
         * @param fault the fault
         * @param stopped what calls throw from now on
         */
        void stopped(PluginFaultException fault, PluginUnavailableException stopped);
    }

    private record Restart(Version faulted, CompletableFuture<Void> done) {
    }

    /** A function the views call: its name and C descriptor, and the dispatching handle of the views' type. */
    private record Binding(String symbol, FunctionDescriptor descriptor, MethodHandle dispatcher) {
    }

    private record ViewKey(String symbol, Class<?> functionalInterface) {
    }

    /**
     * What calls go to: a loaded plugin with the handles of every bound view, or no plugin (nothing loaded yet,
     * unloaded, or closed) with the reason calls fail.
     */
    private record Version(Plugin plugin, PluginVersion info, MethodHandle[] handles, boolean closed, String reason,
                           Throwable cause, ModuleSource source, LoadOptions options) {
        static Version absent(String reason, Throwable cause) {
            return new Version(null, null, new MethodHandle[0], false, reason, cause, null, null);
        }

        static Version closed(String description) {
            return new Version(null, null, new MethodHandle[0], true, description, null, null, null);
        }

        Version withHandles(MethodHandle[] more) {
            return new Version(plugin, info, more, false, null, null, source, options);
        }

        boolean faulted() {
            return plugin != null && plugin.fault().isPresent();
        }
    }

    /**
     * The outcome of {@link #install}.
     *
     * @param previous the version replaced, empty if none was loaded
     * @param lastServed the version that served last before this one: the one replaced, or one unloaded or stopped
     *                   after faults before it; empty for the first
     * @param current the version installed
     * @param loadTime how long loading and binding took
     */
    public record Installed(Optional<PluginVersion> previous, Optional<PluginVersion> lastServed, PluginVersion current,
                            Duration loadTime) {
    }

    /**
     * Creates an empty plugin: views can be made, calls throw {@link PluginUnavailableException} until an install.
     *
     * @param context the context that loads every version
     * @param description what the plugin is, for messages: {@code "plugin slot 'filter'"}
     * @param policy how often a faulted version is loaded again
     * @param restarter where restarts run; a task may run at once on the submitting thread
     * @param supervisor hears about restarts and stops
     */
    public HotPlugin(JitContext context, String description, RestartPolicy policy, Executor restarter,
                     Supervisor supervisor) {
        this.context = requireNonNull(context, "context is null");
        this.description = requireNonNull(description, "description is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.restarter = requireNonNull(restarter, "restarter is null");
        this.supervisor = requireNonNull(supervisor, "supervisor is null");
        this.current = Version.absent(description + " has no plugin loaded", null);
    }

    /**
     * Loads a version, binds every view to it, makes it current and closes the previous one.
     *
     * @param source the module
     * @param options how to load it
     * @return what was replaced and what serves now
     * @throws io.predicator.JitException if loading or binding fails; the previous version keeps serving
     * @throws AlreadyClosedException if this plugin is closed
     */
    public Installed install(ModuleSource source, LoadOptions options) {
        requireNonNull(source, "source is null");
        requireNonNull(options, "options is null");
        lock.lock();
        try {
            checkOpen();
            Installed installed = load(source, options, false);
            faultTimes.clear(); // new code: its faults are counted afresh
            return installed;
        } finally {
            lock.unlock();
        }
    }

    /** Loads, binds and publishes a version, then closes the one it replaced. Holds the lock. */
    private Installed load(ModuleSource source, LoadOptions options, boolean restart) {
        SwapEvent event = new SwapEvent();
        event.begin();
        event.plugin = options.overrides().name().orElse(source.name());
        event.source = source.name();
        event.restart = restart;
        event.previousGeneration = current.info() == null ? 0 : current.info().generation();
        long started = System.nanoTime();
        Plugin plugin;
        MethodHandle[] handles;
        try {
            plugin = context.load(source, options);
            try {
                handles = new MethodHandle[bindings.size()];
                for (int i = 0; i < handles.length; i++) {
                    Binding binding = bindings.get(i);
                    handles[i] = plugin.function(binding.symbol(), binding.descriptor());
                }
            } catch (RuntimeException | Error e) {
                closeQuietly(plugin, e);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            event.loadNanos = System.nanoTime() - started;
            event.failure = String.valueOf(e.getMessage());
            event.end();
            event.commit();
            throw e;
        }
        Duration loadTime = Duration.ofNanos(System.nanoTime() - started);
        PluginVersion info = new PluginVersion(plugin.name(), ++generation, source.name(), source.format(),
                source.sha256(), Instant.now());
        Version previous = current;
        PluginVersion lastServed = last;
        current = new Version(plugin, info, handles, false, null, null, source, options);
        last = info;
        long drainStarted = System.nanoTime();
        if (previous.plugin() != null) {
            // Waits for the calls already running in the old version; new calls go to the new one.
            closeReplaced(previous.plugin());
        }
        event.plugin = plugin.name();
        event.generation = info.generation();
        event.loadNanos = loadTime.toNanos();
        event.drainNanos = System.nanoTime() - drainStarted;
        event.failure = "";
        event.end();
        event.commit();
        return new Installed(Optional.ofNullable(previous.info()), Optional.ofNullable(lastServed), info, loadTime);
    }

    /**
     * Stops serving the current version and closes it; calls throw {@link PluginUnavailableException} until the
     * next install.
     *
     * @param reason why, for the exception calls throw
     * @return the version that was unloaded, empty if none was loaded
     */
    public Optional<PluginVersion> unload(String reason) {
        requireNonNull(reason, "reason is null");
        lock.lock();
        try {
            Version previous = current;
            if (previous.closed()) {
                return Optional.empty();
            }
            current = Version.absent(reason, null);
            if (previous.plugin() != null) {
                previous.plugin().close();
            }
            return Optional.ofNullable(previous.info());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records why the latest load failed, for the exception calls throw while no version is loaded; a loaded version
     * is left serving.
     *
     * @param reason the message
     * @param cause the failure
     */
    public void failedWhileAbsent(String reason, Throwable cause) {
        lock.lock();
        try {
            Version version = current;
            if (version.plugin() == null && !version.closed()) {
                current = Version.absent(reason, cause);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns an implementation of a functional interface that calls the current version's function.
     *
     * @param symbol the function
     * @param functionalInterface the interface
     * @param <T> its type
     * @return the view; the same instance for the same symbol and interface
     * @throws io.predicator.UnknownSymbolException if the current version does not export the function
     * @throws io.predicator.SignatureMismatchException if it declares another signature
     * @throws AlreadyClosedException if this plugin is closed
     * @throws IllegalArgumentException if the interface is not functional or has types with no C equivalent
     */
    public <T> T view(String symbol, Class<T> functionalInterface) {
        requireNonNull(symbol, "symbol is null");
        Method method = FunctionViews.singleAbstractMethod(functionalInterface);
        ViewKey key = new ViewKey(symbol, functionalInterface);
        Object existing = views.get(key);
        if (existing != null) {
            return functionalInterface.cast(existing);
        }
        FunctionDescriptor descriptor = FunctionViews.descriptor(functionalInterface);
        lock.lock();
        try {
            checkOpen();
            existing = views.get(key);
            if (existing != null) {
                return functionalInterface.cast(existing);
            }
            int index = bind(symbol, descriptor);
            T view = FunctionViews.implement(functionalInterface, method, bindings.get(index).dispatcher(),
                    "Function[" + symbol + " of " + description + "]");
            views.put(key, view);
            return view;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the plugin serving calls now.
     *
     * @return the plugin, empty if none is loaded or this is closed
     */
    public Optional<Plugin> plugin() {
        return Optional.ofNullable(current.plugin());
    }

    /**
     * Returns the version serving calls now.
     *
     * @return the version, empty if none is loaded or this is closed
     */
    public Optional<PluginVersion> version() {
        return Optional.ofNullable(current.info());
    }

    /**
     * Returns the version that served calls last, even if it is unloaded or closed now.
     *
     * @return the latest version installed, empty if none ever was
     */
    public Optional<PluginVersion> lastVersion() {
        return Optional.ofNullable(last);
    }

    /**
     * Returns whether {@link #close()} has run.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return current.closed();
    }

    /**
     * Closes the current version with the default drain ({@link Plugin#DEFAULT_DRAIN}); later calls through views
     * throw {@link AlreadyClosedException}. Idempotent.
     */
    @Override
    public void close() {
        close(Plugin.DEFAULT_DRAIN);
    }

    /**
     * Closes the current version, letting its calls in flight run for at most the drain; later calls through views
     * throw {@link AlreadyClosedException}. Idempotent.
     *
     * @param drain how long calls in flight may go on running
     */
    public void close(Duration drain) {
        lock.lock();
        try {
            Version previous = current;
            if (previous.closed()) {
                return;
            }
            current = Version.closed(description);
            if (previous.plugin() != null) {
                previous.plugin().close(drain);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        Version version = current;
        return description + (version.closed() ? " (closed)"
                : version.info() == null ? " (nothing loaded)" : " (generation " + version.info().generation() + ")");
    }

    /** Registers a binding (or finds it) and republishes the current version with its handle. Holds the lock. */
    private int bind(String symbol, FunctionDescriptor descriptor) {
        for (int i = 0; i < bindings.size(); i++) {
            Binding binding = bindings.get(i);
            if (binding.symbol().equals(symbol) && binding.descriptor().equals(descriptor)) {
                return i;
            }
        }
        Version version = current;
        MethodHandle handle = null;
        if (version.plugin() != null) {
            // Throws if the loaded version lacks the function: nothing is registered then.
            handle = version.plugin().function(symbol, descriptor);
        }
        int index = bindings.size();
        MethodHandle dispatcher = dispatcher(index, descriptor.toMethodType());
        bindings.add(new Binding(symbol, descriptor, dispatcher));
        if (version.plugin() != null) {
            MethodHandle[] handles = Arrays.copyOf(version.handles(), index + 1);
            handles[index] = handle;
            current = version.withHandles(handles);
        }
        return index;
    }

    /**
     * Builds {@code (args) -> target(index).invokeExact(args)}, retried through {@link #retry} when the version it
     * reached was closed under it, and passing a fault through {@link #faulted} on its way to the caller.
     */
    private MethodHandle dispatcher(int index, MethodType type) {
        MethodHandle target = MethodHandles.insertArguments(TARGET.bindTo(this), 0, index);
        MethodHandle call = MethodHandles.foldArguments(MethodHandles.exactInvoker(type), target);
        MethodHandle retry = MethodHandles.insertArguments(RETRY.bindTo(this), 0, index)
                .asCollector(Object[].class, type.parameterCount())
                .asType(type.insertParameterTypes(0, AlreadyClosedException.class));
        MethodHandle faulted = MethodHandles.dropArguments(FAULTED.bindTo(this), 1, type.parameterList())
                .asType(type.insertParameterTypes(0, PluginFaultException.class));
        return MethodHandles.catchException(MethodHandles.catchException(call, AlreadyClosedException.class, retry),
                PluginFaultException.class, faulted);
    }

    /** Schedules the restart of the version that faulted, and rethrows the fault to its caller. */
    private Object faulted(PluginFaultException fault) throws PluginFaultException {
        Version version = current;
        if (version.faulted()) {
            restartLater(version);
        }
        throw fault;
    }

    /** Schedules a faulted version's restart, once; returns when it is done. */
    private synchronized CompletableFuture<Void> restartLater(Version faulted) {
        if (restart != null && restart.faulted() == faulted) {
            return restart.done();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        restart = new Restart(faulted, done);
        try {
            restarter.execute(() -> {
                try {
                    restart(faulted);
                } catch (RuntimeException | Error e) {
                    LOGGER.log(System.Logger.Level.ERROR, "restarting " + description + " after its fault failed", e);
                } finally {
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) { // the owner is closing
            done.complete(null);
        }
        return done;
    }

    /**
     * Replaces a faulted version by its own source loaded again, or stops the plugin if the policy says so or the
     * load fails. Does nothing if the version was replaced meanwhile.
     */
    private void restart(Version faulted) {
        lock.lock();
        try {
            if (current != faulted) {
                return;
            }
            PluginFaultException fault = faulted.plugin().fault().orElseThrow();
            long now = System.nanoTime();
            faultTimes.addLast(now);
            while (now - faultTimes.getFirst() > policy.window().toNanos()) {
                faultTimes.removeFirst();
            }
            if (faultTimes.size() > policy.restarts()) {
                stop(faulted, fault, new PluginUnavailableException(description + " is stopped: it faulted "
                        + faultTimes.size() + (faultTimes.size() == 1 ? " time" : " times")
                        + (policy.restarts() == 0 ? "" : " within " + policy.window()) + ", more than its "
                        + policy + " allows. Install a new version to start it again. Last fault: "
                        + fault.getMessage(), fault));
                return;
            }
            Installed installed;
            try {
                installed = load(faulted.source(), faulted.options(), true);
            } catch (RuntimeException | Error e) {
                e.addSuppressed(fault);
                stop(faulted, fault, new PluginUnavailableException(description + " is stopped: it faulted, and "
                        + "loading it again failed: " + e.getMessage(), e));
                return;
            }
            supervisor.restarted(fault, installed);
        } finally {
            lock.unlock();
        }
    }

    private void stop(Version faulted, PluginFaultException fault, PluginUnavailableException stopped) {
        current = Version.absent(stopped.getMessage(), stopped.getCause());
        closeReplaced(faulted.plugin());
        supervisor.stopped(fault, stopped);
    }

    /** The fast path: the current version's handle for a view. */
    private MethodHandle target(int index) {
        Version version = current;
        MethodHandle[] handles = version.handles();
        if (index < handles.length) {
            return handles[index];
        }
        return slowTarget(version, index);
    }

    private MethodHandle slowTarget(Version version, int index) {
        if (version.closed()) {
            throw new AlreadyClosedException(description);
        }
        if (version.plugin() == null) {
            throw new PluginUnavailableException(version.reason(), version.cause());
        }
        // A version published before this view was bound (only reachable through unsafe publication of the view).
        Binding binding;
        lock.lock();
        try {
            binding = bindings.get(index);
        } finally {
            lock.unlock();
        }
        return version.plugin().function(binding.symbol(), binding.descriptor());
    }

    /**
     * Runs a call again after the version it reached turned out closed. A closed plugin refuses a call before its
     * native code runs, so the retry never runs anything twice. Gives up when the version did not change, which
     * means this plugin, its context or the plugin itself was closed for good.
     */
    private Object retry(int index, AlreadyClosedException failure, Object[] arguments) throws Throwable {
        while (true) {
            Version version = current;
            MethodHandle handle = index < version.handles().length ? version.handles()[index] : slowTarget(version, index);
            try {
                return handle.invokeWithArguments(arguments);
            } catch (AlreadyClosedException again) {
                if (current == version && version.faulted()) {
                    awaitRestart(version, again);
                }
                if (current == version) {
                    throw again;
                }
            }
        }
    }

    /** Waits for a faulted version's restart; an interrupt ends the wait with the call's failure. */
    private void awaitRestart(Version faulted, AlreadyClosedException failure) {
        try {
            restartLater(faulted).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a restart cannot fail: its failures are handled inside it", e);
        }
    }

    private void checkOpen() {
        if (current.closed()) {
            throw new AlreadyClosedException(description);
        }
    }

    /**
     * Closes a version that no call can reach any more. The switch already happened, so a failure here (such as a
     * swap run from a host function inside the old version's own call, which the backend refuses to close under
     * itself) must not undo it: the old version is then left to its context's close, and the failure is logged.
     */
    private void closeReplaced(Plugin plugin) {
        try {
            plugin.close();
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "could not unload the replaced version of " + description
                    + "; it stays loaded until its context closes", e);
        }
    }

    private static void closeQuietly(Plugin plugin, Throwable failure) {
        try {
            plugin.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            LOGGER.log(System.Logger.Level.DEBUG, "closing a rejected plugin version failed", e);
        }
    }
}
