package io.predicator;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A loaded native plugin: its functions can be called and its data read until it is closed.
 *
 * <p>Closing unloads the plugin's code and data. A call in flight when {@link #close()} is called may complete
 * during a bounded drain ({@link #close(Duration)}, {@link #DEFAULT_DRAIN} by default), after which it is stopped;
 * calls through any handle or interface obtained from this plugin afterwards throw
 * {@link AlreadyClosedException} instead of jumping into freed memory. A call that throws
 * {@code AlreadyClosedException} ran no native code at all, so it is always safe to retry it on another version
 * of the plugin. {@code close()} must not be called from inside one of the plugin's own calls (a host function
 * the plugin called): it would wait for itself, so it throws {@link IllegalStateException} instead. Every method
 * is thread-safe.
 *
 * @since 0.1
 */
public interface Plugin extends AutoCloseable {
    /**
     * How long {@link #close()} lets calls in flight run before it stops them: five seconds, far longer than the
     * calls of a filter or a check should take, and short enough that a hung call cannot hold up a server's swap
     * or shutdown for long.
     */
    Duration DEFAULT_DRAIN = Duration.ofSeconds(5);

    /**
     * Returns the plugin's name, as given in the load options or by the module source.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the format the plugin was loaded from.
     *
     * @return the format
     */
    ModuleFormat format();

    /**
     * Returns a function as an implementation of a functional interface, whose single abstract method's types
     * give the signature ({@code int}, {@code long}, {@code short}, {@code char}, {@code byte}, {@code boolean},
     * {@code float}, {@code double}, {@link MemorySegment} for pointers, {@code void}).
     *
     * @param symbol the function's name
     * @param functionalInterface the interface to implement
     * @param <T> the interface type
     * @return an implementation that calls the native function
     * @throws UnknownSymbolException if the plugin does not export the function
     * @throws SignatureMismatchException if the module declares a different signature (IR and bitcode only)
     * @throws UnsupportedModuleException if the function takes more parameters than a call from Java can pass (248
     *         argument slots, of which a {@code long}, {@code double} or pointer takes two)
     * @throws AlreadyClosedException if the plugin is closed
     * @throws IllegalArgumentException if the interface is not functional or uses types with no C equivalent
     */
    <T> T function(String symbol, Class<T> functionalInterface);

    /**
     * Returns a method handle that calls a function with the given descriptor.
     *
     * @param symbol the function's name
     * @param descriptor the function's C signature
     * @return a method handle of the descriptor's type
     * @throws UnknownSymbolException if the plugin does not export the function
     * @throws SignatureMismatchException if the module declares a different signature (IR and bitcode only)
     * @throws UnsupportedModuleException if the function takes more parameters than a call from Java can pass (248
     *         argument slots, of which a {@code long}, {@code double} or pointer takes two)
     * @throws AlreadyClosedException if the plugin is closed
     */
    MethodHandle function(String symbol, FunctionDescriptor descriptor);

    /**
     * Returns the address of an exported function or data symbol. The segment belongs to the plugin: for data it
     * has the symbol's size, and any access after the plugin is closed throws {@link IllegalStateException}.
     *
     * @param symbol the symbol's name
     * @return the address, or empty if the plugin exports no such symbol
     * @throws AlreadyClosedException if the plugin is closed
     */
    Optional<MemorySegment> address(String symbol);

    /**
     * Returns the functions the plugin defines and exports, with their signatures where the format carries types.
     *
     * @return exported functions, sorted by name
     */
    List<ExportedFunction> exports();

    /**
     * Returns the fault that closed the plugin: after a fault its memory may be corrupt, so it closes itself as soon
     * as its other calls in flight return, and its later calls throw {@link AlreadyClosedException} with this fault
     * as the cause.
     *
     * @return the fault, or empty if the plugin never faulted (or its backend does not contain faults)
     * @since 0.2
     */
    default Optional<PluginFaultException> fault() {
        return Optional.empty();
    }

    /**
     * Returns whether the plugin has been closed.
     *
     * @return true once {@link #close()} has started
     */
    boolean isClosed();

    /**
     * Unloads the plugin, after letting calls in flight run for the {@linkplain #DEFAULT_DRAIN default drain};
     * idempotent. See {@link #close(Duration)}.
     */
    @Override
    default void close() {
        close(DEFAULT_DRAIN);
    }

    /**
     * Unloads the plugin; idempotent. New calls fail at once with {@link AlreadyClosedException}. Calls in flight
     * may go on until the drain ends; those still running then are stopped in the plugin's code and throw
     * {@link PluginFaultException} of kind {@link PluginFaultException.Kind#INTERRUPTED}, and the code is freed
     * once every call has returned. A call blocked inside a host function (or a library function) stops when that
     * function returns to the plugin, so close waits for it until then. A second close while one is under way
     * returns at once.
     *
     * @param drain how long calls in flight may go on running, zero or positive
     */
    void close(Duration drain);
}
