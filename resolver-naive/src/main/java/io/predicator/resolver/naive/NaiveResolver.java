package io.predicator.resolver.naive;

import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Resolves every symbol visible in the process's global scope, as the dynamic linker's
 * {@code dlsym(RTLD_DEFAULT, name)} sees it: the C library, the JVM, and every library loaded with
 * {@code RTLD_GLOBAL}; plus the compiler runtime ({@code libgcc_s.so.1}, which holds the 128-bit arithmetic
 * helpers optimised C and Rust call) when the global scope lacks a name. The permissive choice for trusted
 * plugins; id {@code naive}.
 *
 * <p>Libraries loaded privately (such as JNI libraries loaded by {@code System.loadLibrary}) are not in the
 * global scope and stay invisible. Thread-safe.
 *
 * @since 0.1
 */
public final class NaiveResolver implements SymbolResolver {
    /** The id of this resolver and of its provider. */
    public static final String ID = "naive";

    private static final NaiveResolver INSTANCE = new NaiveResolver();
    private static final MethodHandle DLSYM = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("dlsym")
                    .orElseThrow(() -> new ExceptionInInitializerError("the C library has no dlsym")),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private static final Optional<SymbolLookup> COMPILER_RUNTIME = compilerRuntime();

    private NaiveResolver() {
    }

    /**
     * Returns the resolver; it has no state, so one instance serves everyone.
     *
     * @return the naive resolver
     */
    public static NaiveResolver instance() {
        return INSTANCE;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        requireNonNull(symbol, "symbol is null");
        if (symbol.isEmpty() || symbol.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = (MemorySegment) DLSYM.invokeExact(MemorySegment.NULL, arena.allocateFrom(symbol));
            if (address.address() != 0) {
                return Optional.of(address);
            }
        } catch (Throwable e) {
            throw new IllegalStateException("dlsym failed for '" + symbol + "'", e);
        }
        return COMPILER_RUNTIME.flatMap(runtime -> runtime.find(symbol));
    }

    private static Optional<SymbolLookup> compilerRuntime() {
        try {
            return Optional.of(SymbolLookup.libraryLookup("libgcc_s.so.1", Arena.global()));
        } catch (IllegalArgumentException absent) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "NaiveResolver[every symbol in the process's global scope]";
    }
}
