/**
 * The {@code libc} resolver: the C and math libraries only, by profile, with allow and deny patterns.
 */
module io.predicator.resolver.libc {
    requires transitive io.predicator;

    exports io.predicator.resolver.libc;

    provides io.predicator.spi.SymbolResolverProvider with io.predicator.resolver.libc.LibcResolverProvider;
}
