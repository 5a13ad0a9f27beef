package io.predicator.lifecycle;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.lifecycle.internal.DefaultPluginSlot;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One plugin function whose implementation can be replaced while other threads keep calling it.
 *
 * <pre>{@code
 * try (PluginSlot<IntPredicate> slot = PluginSlot.create(jit, "accept", IntPredicate.class,
 *         ModuleSource.of(Path.of("filter-v1.ll")))) {
 *     IntPredicate accept = slot.function();          // hand this to the callers, once
 *     accept.test(42);                                 // runs version 1
 *     slot.swap(ModuleSource.of(Path.of("filter-v2.ll")));
 *     accept.test(42);                                 // runs version 2; version 1 is unloaded
 * }
 * }</pre>
 *
 * <p>A {@linkplain #swap(ModuleSource) swap} loads the new version on the swapping thread while callers keep
 * calling the old one, checks that it exports the function with the slot's signature, switches every later call
 * to it at once, and then closes the old version, which lets the calls already running in it finish during the
 * {@linkplain io.predicator.Plugin#DEFAULT_DRAIN default drain} and stops those still running after it (they throw
 * {@link io.predicator.PluginFaultException} of kind {@code INTERRUPTED}), so that a hung call holds up a swap for
 * at most the drain. Callers
 * never see a missing or half-loaded plugin: a call that read the old version just before the switch and found it
 * closed is run again on the new one (a closed plugin refuses calls before any native code runs, so nothing runs
 * twice). A swap that fails throws and leaves the old version serving. Swaps of one slot run one at a time, in the
 * order they take the slot's lock.
 *
 * <p>A version that faults ({@link io.predicator.PluginFaultException}: it crashed, aborted, exited or panicked)
 * closes itself, and the slot loads its source again as its {@link RestartPolicy} allows ({@link
 * RestartPolicy#defaults()} unless given). The faulting call throws the fault; calls that arrive while the source
 * loads again wait for it and run on the new version. Past the policy's limit the slot stops: calls throw
 * {@link PluginUnavailableException} until the next swap. Restarts are logged to the {@link System.Logger} named
 * {@code io.predicator.lifecycle.PluginSlot} and recorded as {@code io.predicator.PluginSwap} events.
 *
 * <p>Every method is thread-safe.
 *
 * @param <T> the functional interface the function is called through
 * @since 0.1
 */
public interface PluginSlot<T> extends AutoCloseable {

    /**
     * Loads the first version with the context's default load options.
     *
     * @param context the context that loads every version
     * @param symbol the function's name in the plugin
     * @param functionalInterface the interface whose single abstract method gives the signature
     * @param initial the first version
     * @param <T> the interface type
     * @return an open slot serving {@code initial}
     * @throws JitException as {@link JitContext#load(ModuleSource)}, or an
     *         {@link io.predicator.UnknownSymbolException} or {@link io.predicator.SignatureMismatchException} if the
     *         module does not export the function with that signature
     * @throws IllegalArgumentException if the interface is not functional or uses types with no C equivalent
     */
    static <T> PluginSlot<T> create(JitContext context, String symbol, Class<T> functionalInterface,
                                    ModuleSource initial) {
        return create(context, symbol, functionalInterface, initial, LoadOptions.defaults());
    }

    /**
     * Loads the first version with the given load options, which later swaps reuse unless they pass their own.
     *
     * @param context the context that loads every version
     * @param symbol the function's name in the plugin
     * @param functionalInterface the interface whose single abstract method gives the signature
     * @param initial the first version
     * @param options the load options for every version
     * @param <T> the interface type
     * @return an open slot serving {@code initial}
     * @throws JitException as {@link #create(JitContext, String, Class, ModuleSource)}
     */
    static <T> PluginSlot<T> create(JitContext context, String symbol, Class<T> functionalInterface,
                                    ModuleSource initial, LoadOptions options) {
        return create(context, symbol, functionalInterface, initial, options, RestartPolicy.defaults());
    }

    /**
     * Loads the first version with the given load options and restarts faulted versions as the policy says.
     *
     * @param context the context that loads every version
     * @param symbol the function's name in the plugin
     * @param functionalInterface the interface whose single abstract method gives the signature
     * @param initial the first version
     * @param options the load options for every version
     * @param restarts how often a version that faulted is loaded again
     * @param <T> the interface type
     * @return an open slot serving {@code initial}
     * @throws JitException as {@link #create(JitContext, String, Class, ModuleSource)}
     * @since 0.2
     */
    static <T> PluginSlot<T> create(JitContext context, String symbol, Class<T> functionalInterface,
                                    ModuleSource initial, LoadOptions options, RestartPolicy restarts) {
        return DefaultPluginSlot.create(context, symbol, functionalInterface, initial, options, restarts);
    }

    /**
     * Returns the name of the function this slot calls.
     *
     * @return the symbol
     */
    String symbol();

    /**
     * Returns the interface the function is called through.
     *
     * @return the functional interface
     */
    Class<T> functionalInterface();

    /**
     * Returns an implementation of the interface that calls whichever version is current at each call; obtain it
     * once and keep it. Its cost over a direct call is a volatile read and one indirection.
     *
     * <p>After the slot is closed, its calls throw {@link AlreadyClosedException}.
     *
     * @return the dispatching implementation, the same instance on every call
     */
    T function();

    /**
     * Returns the current version's own implementation of the interface, bound to that version: once a swap
     * replaces it, its calls throw {@link AlreadyClosedException}. Prefer {@link #function()} unless several calls
     * must reach the same version.
     *
     * @return the current version's function
     * @throws AlreadyClosedException if the slot or its current version is closed
     */
    T current();

    /**
     * Returns the version serving calls now; after {@link #close()}, the last one that did.
     *
     * @return the current version
     */
    PluginVersion version();

    /**
     * Replaces the function with the one in {@code next}, loaded with the slot's load options.
     *
     * @param next the new version's module
     * @return the previous and the new version; the previous one is closed when this returns
     * @throws JitException if {@code next} fails to load, or does not export the function with the slot's signature
     *         (checked for IR and bitcode; objects and archives carry no types); the previous version keeps serving
     * @throws AlreadyClosedException if the slot or its context is closed
     */
    SwapResult swap(ModuleSource next);

    /**
     * Replaces the function with the one in {@code next}, loaded with the given options.
     *
     * @param next the new version's module
     * @param options load options for this version only
     * @return the previous and the new version
     * @throws JitException as {@link #swap(ModuleSource)}; the previous version keeps serving
     */
    SwapResult swap(ModuleSource next, LoadOptions options);

    /**
     * Runs {@link #swap(ModuleSource)} on an executor.
     *
     * @param next the new version's module
     * @param executor where to compile and load it
     * @return a future completed with the swap's result, or exceptionally with what {@link #swap(ModuleSource)}
     *         would have thrown
     */
    CompletableFuture<SwapResult> swapAsync(ModuleSource next, Executor executor);

    /**
     * Returns whether the slot has been closed.
     *
     * @return true once {@link #close()} has started
     */
    boolean isClosed();

    /**
     * Closes the current version, after the calls running in it finish; idempotent. Waits for a swap in progress.
     */
    @Override
    void close();
}
