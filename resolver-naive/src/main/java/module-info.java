/**
 * The {@code naive} resolver: everything in the process's global scope, for trusted plugins.
 */
module io.predicator.resolver.naive {
    requires transitive io.predicator;

    exports io.predicator.resolver.naive;

    provides io.predicator.spi.SymbolResolverProvider with io.predicator.resolver.naive.NaiveResolverProvider;
}
