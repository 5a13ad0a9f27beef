package io.predicator.testkit;

/**
 * What a resolver promises beyond the requirements every resolver meets; a {@link ResolverContract} declares its
 * resolver's capabilities, and the checks of undeclared ones are skipped (reported as aborted), not failed.
 *
 * @since 0.1
 */
public enum ResolverCapability {
    /** Resolves functions that plugins call; the samples include at least one function that resolves. */
    RESOLVES_FUNCTIONS,
    /** Resolves data symbols that plugins read; the samples include at least one data symbol that resolves. */
    RESOLVES_DATA,
    /**
     * Resolves the helpers that compilers emit calls to on their own ({@code memcpy}, {@code memmove},
     * {@code memset}, {@code memcmp}, {@code bcmp}, {@code __udivti3}, {@code __umodti3}), so ordinary optimised C
     * and Rust plugins link.
     */
    RESOLVES_COMPILER_HELPERS,
    /**
     * Has a {@link io.predicator.spi.SymbolResolverProvider} registered in
     * {@code META-INF/services/io.predicator.spi.SymbolResolverProvider}; the contract names its id through
     * {@link ResolverContract#providerId()}.
     */
    SERVICE_LOADER_REGISTERED
}
