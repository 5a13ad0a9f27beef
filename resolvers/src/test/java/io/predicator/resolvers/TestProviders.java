package io.predicator.resolvers;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.util.Map;
import java.util.Set;

/**
 * Providers that discovery tests list in generated {@code META-INF/services} files. ServiceLoader instantiates
 * only public classes with public constructors, hence the public nested classes.
 */
final class TestProviders {
    private TestProviders() {
    }

    /** Id {@code alpha}: C library functions, {@code strlen} unless the key {@code symbols} lists others. */
    public static final class Alpha implements SymbolResolverProvider {
        /** Called by ServiceLoader. */
        public Alpha() {
        }

        @Override
        public String id() {
            return "alpha";
        }

        @Override
        public SymbolResolver create(Map<String, String> configuration) {
            return libc(id(), configuration);
        }

        @Override
        public String description() {
            return "alpha: a few C library functions";
        }
    }

    /** Id {@code beta}: as {@link Alpha}. */
    public static final class Beta implements SymbolResolverProvider {
        /** Called by ServiceLoader. */
        public Beta() {
        }

        @Override
        public String id() {
            return "beta";
        }

        @Override
        public SymbolResolver create(Map<String, String> configuration) {
            return libc(id(), configuration);
        }
    }

    /** Id {@code alpha} again, to clash with {@link Alpha}. */
    public static final class AlphaAgain implements SymbolResolverProvider {
        /** Called by ServiceLoader. */
        public AlphaAgain() {
        }

        @Override
        public String id() {
            return "alpha";
        }

        @Override
        public SymbolResolver create(Map<String, String> configuration) {
            return libc(id(), configuration);
        }
    }

    /** Creates resolvers that break the SPI by returning null. */
    public static final class ReturnsNull implements SymbolResolverProvider {
        /** Called by ServiceLoader. */
        public ReturnsNull() {
        }

        @Override
        public String id() {
            return "returns-null";
        }

        @Override
        public SymbolResolver create(Map<String, String> configuration) {
            return null;
        }
    }

    static SymbolResolver libc(String id, Map<String, String> configuration) {
        if (!Set.of("symbols").containsAll(configuration.keySet())) {
            throw new IllegalArgumentException("unknown keys " + configuration.keySet() + "; accepted: [symbols]");
        }
        return MapResolver.libc(id, configuration.getOrDefault("symbols", "strlen").split(","));
    }
}
