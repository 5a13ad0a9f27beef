package io.predicator.spi;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides what a plugin may link against: the backend asks it for every symbol a plugin references but does not
 * define, and a plugin whose references are not all answered does not load.
 *
 * <p>Implementations must be thread-safe (several plugins may load at once) and must not block on locks that a
 * loading thread could hold. An unknown name gives {@link Optional#empty()}, never an exception.
 *
 * @since 0.1
 */
public interface SymbolResolver {

    /**
     * Returns a stable identifier for this resolver, used in messages and configuration.
     *
     * @return a non-blank id, such as {@code "libc"}
     */
    String id();

    /**
     * Resolves a symbol a plugin references.
     *
     * @param symbol the symbol name as it appears in the object file (no global prefix on ELF)
     * @return the address of the function or data, or empty if this resolver does not provide it
     */
    Optional<MemorySegment> resolve(String symbol);

    /**
     * Returns the ids of the resolvers this one consults, in order; a composite resolver lists its parts. Error
     * messages about unresolved symbols name them.
     *
     * @return the consulted resolvers' ids; by default just {@link #id()}
     */
    default List<String> consultedIds() {
        return List.of(id());
    }

    /**
     * Returns a resolver with the given id that answers with the given function, for resolvers that need no class
     * of their own: {@code SymbolResolver.of("libm", SymbolLookup.libraryLookup("libm.so.6", arena)::find)}.
     *
     * @param id the resolver's id, non-blank
     * @param lookup answers each symbol with its address, or empty if this resolver does not provide it
     * @return a resolver that calls {@code lookup}
     * @since 0.1
     */
    static SymbolResolver of(String id, Function<String, Optional<MemorySegment>> lookup) {
        return new BuiltInResolvers.Lookup(id, lookup);
    }

    /**
     * Returns a resolver that provides nothing: plugins may use only what they define themselves.
     *
     * @return the empty resolver, id {@code "none"}
     */
    static SymbolResolver none() {
        return BuiltInResolvers.NONE;
    }

    /**
     * Returns the resolver used when none is configured: the memory routines that compilers emit calls to on
     * their own ({@code memcpy}, {@code memmove}, {@code memset}, {@code memcmp}, {@code bcmp}), taken from the
     * C library, and nothing else.
     *
     * <p>These routines touch no state outside the memory they are given, so providing them lets ordinary
     * optimised C and Rust plugins link without granting access to anything else of the process.
     *
     * @return the compiler-support resolver, id {@code "compiler-support"}
     */
    static SymbolResolver compilerSupport() {
        return BuiltInResolvers.COMPILER_SUPPORT;
    }
}
