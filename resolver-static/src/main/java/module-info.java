/**
 * The {@code static} resolver: an explicit table of native functions, data and Java host functions.
 */
module io.predicator.resolver.statics {
    requires transitive io.predicator;

    exports io.predicator.resolver.statics;

    provides io.predicator.spi.SymbolResolverProvider with io.predicator.resolver.statics.StaticResolverProvider;
}
