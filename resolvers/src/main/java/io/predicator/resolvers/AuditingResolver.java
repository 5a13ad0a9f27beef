package io.predicator.resolvers;

import io.predicator.spi.SymbolResolver;

import java.util.List;

/**
 * A resolver that answers as the resolver it wraps and records every symbol it was asked for: which resolver
 * answered, the address, and whether the symbol was missing or denied. Create one with
 * {@link Resolvers#audited(SymbolResolver)}.
 *
 * <p>It keeps the wrapped resolver's {@link #id()} and {@link #consultedIds()}, so error messages read the same
 * with or without auditing. Thread-safe.
 *
 * @since 0.1
 */
public interface AuditingResolver extends SymbolResolver {

    /**
     * Returns what was asked so far, in the order the answers were given.
     *
     * @return an immutable snapshot that later resolutions do not change
     */
    List<Resolution> resolutions();
}
