package io.predicator.resolvers.internal;

import io.predicator.resolvers.AuditingResolver;
import io.predicator.spi.SymbolResolver;

import java.util.List;

/**
 * Creates the composite resolvers behind {@link io.predicator.resolvers.Resolvers}; not part of the API.
 */
public final class Composites {
    private Composites() {
    }

    /**
     * Creates a chain.
     *
     * @param members the resolvers, asked in this order
     * @return the chain
     */
    public static SymbolResolver chain(List<? extends SymbolResolver> members) {
        return new ChainResolver(members);
    }

    /**
     * Creates an allow or deny filter.
     *
     * @param delegate the filtered resolver
     * @param allowList true to let through only matching symbols, false to refuse matching symbols
     * @param patterns exact names and globs
     * @return the filter
     */
    public static SymbolResolver filter(SymbolResolver delegate, boolean allowList, String... patterns) {
        return new FilteringResolver(delegate, allowList, patterns);
    }

    /**
     * Creates an auditing wrapper.
     *
     * @param delegate the audited resolver
     * @return the wrapper
     */
    public static AuditingResolver audit(SymbolResolver delegate) {
        return new RecordingResolver(delegate);
    }
}
