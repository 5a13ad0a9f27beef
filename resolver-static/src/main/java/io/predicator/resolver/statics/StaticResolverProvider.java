package io.predicator.resolver.statics;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Provides {@link StaticResolver}s under id {@code static} from a table of native symbols: each configuration entry
 * maps the name plugins use to {@code "library:symbol"} (for example {@code "libm.so.6:cos"}; the library as
 * {@code dlopen} takes it, a path or a name) or to {@code "symbol"} alone, from the C library as
 * {@link java.lang.foreign.Linker#defaultLookup()} sees it. Everything is looked up when the resolver is created.
 *
 * <p>Host functions are Java code, so they cannot be configured by strings: build those with
 * {@link StaticResolver#builder()}. The resolvers this provider creates should be closed after the plugins that use
 * them, which releases the libraries they opened.
 *
 * @since 0.1
 */
public final class StaticResolverProvider implements SymbolResolverProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public StaticResolverProvider() {
    }

    @Override
    public String id() {
        return StaticResolver.ID;
    }

    /**
     * Creates a resolver whose table holds the configured native symbols; an empty configuration gives an empty
     * table.
     *
     * @param configuration symbol name to {@code "library:symbol"} or {@code "symbol"}
     * @return a new resolver that the caller owns
     * @throws IllegalArgumentException naming the key if a value is malformed or its library or symbol is not found
     */
    @Override
    public SymbolResolver create(Map<String, String> configuration) {
        requireNonNull(configuration, "configuration is null");
        StaticResolver.Builder builder = StaticResolver.builder();
        new TreeMap<>(configuration).forEach(builder::nativeSymbol);
        return builder.build();
    }

    @Override
    public String description() {
        return "static: an explicit table of native functions and data (symbol=library:name or symbol=name); "
                + "Java host functions through StaticResolver.builder()";
    }
}
