/**
 * Resolver discovery, composition, policies and auditing: finds {@link io.predicator.spi.SymbolResolverProvider}s
 * through {@code ServiceLoader}.
 */
module io.predicator.resolvers {
    requires transitive io.predicator;

    exports io.predicator.resolvers;

    uses io.predicator.spi.SymbolResolverProvider;
}
