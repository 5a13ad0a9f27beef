package io.predicator.resolver.statics;

import io.predicator.AlreadyClosedException;
import io.predicator.HostFunctionException;
import io.predicator.resolver.statics.internal.Address;
import io.predicator.resolver.statics.internal.HostFunction;
import io.predicator.resolver.statics.internal.Libraries;
import io.predicator.resolver.statics.internal.NativeSymbol;
import io.predicator.resolver.statics.internal.TableEntry;
import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.SequencedSet;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * Resolves exactly the symbols of an explicit table built in Java: native functions and data by address, and Java
 * methods exposed to plugins as native functions (host functions), so that plugins can call back into the host;
 * id {@code static}.
 *
 * <pre>{@code
 * try (StaticResolver host = StaticResolver.builder()
 *             .hostFunction("host_mul", IntBinaryOperator.class, (a, b) -> a * b)
 *             .function("c_strlen", Linker.nativeLinker().defaultLookup().find("strlen").orElseThrow())
 *             .build();
 *      JitContext jit = JitContext.builder().resolver(host).build();
 *      Plugin plugin = jit.load(ModuleSource.of(Path.of("uses-host.ll")))) {
 *     ...
 * } // resources close in reverse order: the plugins before the resolver they call into
 * }</pre>
 *
 * <p><b>Host functions and exceptions.</b> Each host function is an FFM upcall stub. An exception that unwinds out of
 * an upcall terminates the JVM, so whatever the Java code throws ({@link Exception}s and {@link Error}s alike) is
 * caught at the stub: the plugin sees the function's failure value (by default zero, {@code false} or
 * {@link MemorySegment#NULL}) and carries on, and when the plugin function returns to Java the backend throws a
 * {@link HostFunctionException} whose cause is the original exception. Exceptions stay with the thread that threw
 * them. Plugin code must therefore treat the failure value as "the call failed, return soon".
 *
 * <p><b>Lifetime.</b> The stubs live in an arena the resolver owns; {@link #close()} frees them. A plugin linked
 * against this resolver keeps calling the stubs' addresses directly, so <em>the resolver must outlive every plugin
 * (and every context) that uses it</em>: close those first. A plugin calling a host function after the resolver is
 * closed jumps into freed memory. Libraries opened for {@linkplain StaticResolverProvider configured} entries are
 * released on close too. Addresses given to {@link Builder#function} and {@link Builder#data} stay the caller's
 * responsibility: keep that memory alive as long as the plugins.
 *
 * <p>Thread-safe: the table is immutable once built.
 *
 * @since 0.1
 */
public final class StaticResolver implements SymbolResolver, AutoCloseable {
    /** The id of this resolver and of its provider. */
    public static final String ID = "static";

    private final SequencedMap<String, MemorySegment> table;
    private final Arena arena;
    private final AtomicBoolean closed = new AtomicBoolean();

    private StaticResolver(SequencedMap<String, MemorySegment> table, Arena arena) {
        this.table = table;
        this.arena = arena;
    }

    /**
     * Starts building a table.
     *
     * @return a new, empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * Returns the address the table holds for a name: a native function or data, or a host function's upcall stub.
     *
     * @param symbol the symbol name
     * @return its address, or empty if the table has no such name
     * @throws AlreadyClosedException if the resolver is closed
     */
    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        requireNonNull(symbol, "symbol is null");
        if (closed.get()) {
            throw new AlreadyClosedException("resolver '" + ID + "'");
        }
        return Optional.ofNullable(table.get(symbol));
    }

    /**
     * Returns the names in the table, in the order they were added.
     *
     * @return an unmodifiable view of the names
     */
    public SequencedSet<String> symbols() {
        return Collections.unmodifiableSequencedSet(table.sequencedKeySet());
    }

    /**
     * Returns whether the resolver has been closed.
     *
     * @return true once {@link #close()} has been called
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Frees the host functions' upcall stubs and releases the libraries opened for the table; idempotent. Close
     * every plugin linked against this resolver first.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "StaticResolver" + table.keySet() + (closed.get() ? "[closed]" : "");
    }

    /**
     * Collects a {@link StaticResolver}'s table; not thread-safe. Each name may appear once: adding a name twice
     * throws at once. One builder may build several independent resolvers, each with stubs of its own.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final Map<String, TableEntry> entries = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds a native function by address, such as one found with a {@link java.lang.foreign.SymbolLookup}.
         *
         * @param name the name plugins call it by
         * @param address the function's entry point; not NULL
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already in the table, or the address is NULL
         */
        public Builder function(String name, MemorySegment address) {
            return add(name, new Address(checkedName(name), "function", requireNonNull(address, "address is null")));
        }

        /**
         * Adds native data by address, such as a Java-allocated segment that plugins declare as an external global
         * ({@code @counter = external global i64}); the memory must outlive the plugins that use it.
         *
         * @param name the name plugins refer to it by
         * @param address the data's first byte; not NULL
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already in the table, or the address is NULL
         */
        public Builder data(String name, MemorySegment address) {
            return add(name, new Address(checkedName(name), "data", requireNonNull(address, "address is null")));
        }

        /**
         * Adds a Java method handle as a native function that returns the default failure value (zero,
         * {@code false} or {@link MemorySegment#NULL}) to the plugin when it throws.
         *
         * @param name the name plugins call it by
         * @param target the Java code; its type must be exactly {@code descriptor.toMethodType()}
         * @param descriptor the function's C signature
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already in the table, or the types disagree
         */
        public Builder hostFunction(String name, MethodHandle target, FunctionDescriptor descriptor) {
            return add(name, HostFunction.of(checkedName(name), target, descriptor, Optional.empty()));
        }

        /**
         * Adds a Java method handle as a native function that returns the given failure value to the plugin when it
         * throws.
         *
         * @param name the name plugins call it by
         * @param target the Java code; its type must be exactly {@code descriptor.toMethodType()}
         * @param descriptor the function's C signature
         * @param failureValue the boxed return value the plugin sees on failure, e.g. {@code -1} for {@code int},
         *        {@code -1L} for {@code long}; a native segment for a pointer
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already in the table, the types disagree, the
         *         function returns void, or the failure value's type is not the return type
         */
        public Builder hostFunction(String name, MethodHandle target, FunctionDescriptor descriptor, Object failureValue) {
            requireNonNull(failureValue, "failureValue is null");
            return add(name, HostFunction.of(checkedName(name), target, descriptor, Optional.of(failureValue)));
        }

        /**
         * Adds an implementation of a functional interface as a native function whose C signature comes from the
         * interface's single abstract method ({@code boolean}, {@code byte}, {@code short}, {@code char},
         * {@code int}, {@code long}, {@code float}, {@code double}, {@link MemorySegment} for pointers,
         * {@code void}); it returns the default failure value to the plugin when it throws.
         *
         * <p>Pointer arguments arrive as zero-length segments: {@code reinterpret} them to read what they point to.
         * A non-public interface works when its package is open to this module (always on the class path).
         *
         * @param name the name plugins call it by
         * @param functionalInterface the interface, such as {@link java.util.function.IntBinaryOperator}
         * @param implementation the Java code
         * @param <T> the interface type
         * @return this builder
         * @throws IllegalArgumentException if the name is blank or already in the table, or the interface is not
         *         functional or uses types with no C equivalent
         */
        public <T> Builder hostFunction(String name, Class<T> functionalInterface, T implementation) {
            return add(name, HostFunction.of(checkedName(name), functionalInterface, implementation, Optional.empty()));
        }

        /**
         * Adds an implementation of a functional interface as a native function that returns the given failure
         * value to the plugin when it throws.
         *
         * @param name the name plugins call it by
         * @param functionalInterface the interface
         * @param implementation the Java code
         * @param failureValue the boxed return value the plugin sees on failure
         * @param <T> the interface type
         * @return this builder
         * @throws IllegalArgumentException as for {@link #hostFunction(String, Class, Object)}, and if the method
         *         returns void or the failure value's type is not its return type
         */
        public <T> Builder hostFunction(String name, Class<T> functionalInterface, T implementation, Object failureValue) {
            requireNonNull(failureValue, "failureValue is null");
            return add(name, HostFunction.of(checkedName(name), functionalInterface, implementation,
                    Optional.of(failureValue)));
        }

        /**
         * Creates the resolver: creates the host functions' upcall stubs and opens configured libraries in a shared
         * arena that the resolver owns.
         *
         * @return a new resolver that the caller owns and closes after the plugins that use it
         * @throws IllegalArgumentException if a configured library or symbol is not found, naming the entry
         */
        public StaticResolver build() {
            Arena arena = Arena.ofShared();
            try {
                Libraries libraries = new Libraries(arena);
                SequencedMap<String, MemorySegment> table = new LinkedHashMap<>();
                entries.forEach((name, entry) -> table.put(name, entry.link(libraries)));
                return new StaticResolver(table, arena);
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        }

        /** Adds a native symbol looked up when the table is built; {@link StaticResolverProvider} uses this. */
        Builder nativeSymbol(String name, String reference) {
            return add(name, NativeSymbol.parse(checkedName(name), reference));
        }

        private Builder add(String name, TableEntry entry) {
            TableEntry previous = entries.putIfAbsent(name, entry);
            if (previous != null) {
                throw new IllegalArgumentException("symbol '" + name + "' is already in the table as a "
                        + previous.kind() + "; each name may appear once");
            }
            return this;
        }

        private static String checkedName(String name) {
            requireNonNull(name, "name is null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("symbol name is blank");
            }
            return name;
        }
    }
}
