package io.predicator.resolvers;

import io.predicator.JitException;
import io.predicator.resolvers.internal.Composites;
import io.predicator.spi.SymbolResolver;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Finds resolvers by id and composes them: chains, allow and deny lists, and audits.
 *
 * <pre>{@code
 * AuditingResolver resolver = Resolvers.audited(Resolvers.chain(
 *         hostFunctions, // a SymbolResolver of your own, asked first
 *         Resolvers.deny(Resolvers.named("libc", Map.of("profile", "full")), "system", "exec*")));
 * JitContext jit = JitContext.builder().resolver(resolver).build();
 * }</pre>
 *
 * <p>Every resolver returned here is thread-safe, rejects a null symbol with {@link NullPointerException}, and lets
 * exceptions of the resolvers it wraps propagate (the backend reports them as
 * {@link io.predicator.ResolverException}). A wrapped resolver that answers {@code null} or a NULL address breaks
 * the SPI: the composite throws {@link io.predicator.ResolverException} naming it.
 *
 * @since 0.1
 */
public final class Resolvers {
    private Resolvers() {
    }

    /**
     * Creates a resolver with its default configuration from the provider with an id, found through
     * {@link ResolverRegistry#discover()}.
     *
     * @param id the provider's id, such as {@code "libc"}
     * @return a new resolver
     * @throws io.predicator.ConfigurationException if no provider has the id; the message lists those found
     */
    public static SymbolResolver named(String id) {
        return named(id, Map.of());
    }

    /**
     * Creates a configured resolver from the provider with an id, found through {@link ResolverRegistry#discover()}.
     *
     * @param id the provider's id, such as {@code "libc"}
     * @param configuration settings whose keys the provider documents
     * @return a new resolver
     * @throws io.predicator.ConfigurationException if no provider has the id; the message lists those found
     * @throws IllegalArgumentException if the provider rejects the configuration
     */
    public static SymbolResolver named(String id, Map<String, String> configuration) {
        requireNonNull(id, "id is null");
        requireNonNull(configuration, "configuration is null");
        return ResolverRegistry.discover().create(id, configuration);
    }

    /**
     * Chains resolvers: each symbol is asked of them in order, and the first that provides it wins.
     *
     * @param resolvers the resolvers, at least one
     * @return the chain, with id {@code chain(a,b,…)} and the members' consulted ids, flattened
     */
    public static SymbolResolver chain(SymbolResolver... resolvers) {
        requireNonNull(resolvers, "resolvers is null");
        return chain(Arrays.asList(resolvers));
    }

    /**
     * Chains resolvers: each symbol is asked of them in order, and the first that provides it wins.
     *
     * @param resolvers the resolvers, at least one; copied
     * @return the chain, with id {@code chain(a,b,…)} and the members' consulted ids, flattened
     */
    public static SymbolResolver chain(List<? extends SymbolResolver> resolvers) {
        return Composites.chain(resolvers);
    }

    /**
     * Lets a resolver answer only for symbols that match a pattern; others resolve to empty without asking it.
     *
     * @param resolver the resolver
     * @param patterns exact symbol names and globs ({@code *} any run of characters, {@code ?} one character)
     * @return the filtered resolver, with id {@code allow(<resolver id>)}
     * @throws IllegalArgumentException if no pattern is given or one is blank
     */
    public static SymbolResolver allow(SymbolResolver resolver, String... patterns) {
        return Composites.filter(resolver, true, patterns);
    }

    /**
     * Refuses symbols that match a pattern: they resolve to empty without asking the resolver.
     *
     * @param resolver the resolver
     * @param patterns exact symbol names and globs ({@code *} any run of characters, {@code ?} one character)
     * @return the filtered resolver, with id {@code deny(<resolver id>)}
     * @throws IllegalArgumentException if no pattern is given or one is blank
     */
    public static SymbolResolver deny(SymbolResolver resolver, String... patterns) {
        return Composites.filter(resolver, false, patterns);
    }

    /**
     * Wraps a resolver so that every symbol asked of it is recorded, with the resolver that answered.
     *
     * @param resolver the resolver
     * @return a resolver that answers as the given one and keeps its id and consulted ids
     */
    public static AuditingResolver audited(SymbolResolver resolver) {
        return Composites.audit(resolver);
    }
}
