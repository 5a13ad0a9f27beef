package io.predicator.resolver.naive;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.util.Map;

/**
 * Provides the {@link NaiveResolver} under id {@code naive}; it takes no configuration.
 *
 * @since 0.1
 */
public final class NaiveResolverProvider implements SymbolResolverProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public NaiveResolverProvider() {
    }

    @Override
    public String id() {
        return NaiveResolver.ID;
    }

    @Override
    public SymbolResolver create(Map<String, String> configuration) {
        if (!configuration.isEmpty()) {
            throw new IllegalArgumentException("the naive resolver takes no configuration, got keys "
                    + configuration.keySet());
        }
        return NaiveResolver.instance();
    }

    @Override
    public String description() {
        return "naive: every symbol in the process's global scope (trusted plugins only)";
    }
}
