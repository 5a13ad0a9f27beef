package io.predicator.guice;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.util.Map;
import java.util.Set;

/**
 * The one provider on this module's test class path ({@code META-INF/services} in the test resources), so that
 * discovery has exactly one candidate unless a test contributes more. ServiceLoader instantiates only public
 * classes with public constructors.
 */
final class TestProviders {
    private TestProviders() {
    }

    /** Id {@code discovered}: C library functions, {@code strlen} unless the key {@code symbols} lists others. */
    public static final class Discovered implements SymbolResolverProvider {
        /** Called by ServiceLoader. */
        public Discovered() {
        }

        @Override
        public String id() {
            return "discovered";
        }

        @Override
        public SymbolResolver create(Map<String, String> configuration) {
            if (!Set.of("symbols").containsAll(configuration.keySet())) {
                throw new IllegalArgumentException("unknown keys " + configuration.keySet() + "; accepted: [symbols]");
            }
            return new MapResolver(id(), configuration.getOrDefault("symbols", "strlen").split(","));
        }
    }
}
