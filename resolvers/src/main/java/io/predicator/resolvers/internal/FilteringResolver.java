package io.predicator.resolvers.internal;

import io.predicator.spi.SymbolResolver;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Lets through only the symbols an allow list matches, or all but those a deny list matches; refused symbols
 * resolve to empty without asking the wrapped resolver. Immutable.
 */
final class FilteringResolver implements AttributingResolver {
    private final SymbolResolver delegate;
    private final SymbolPatterns patterns;
    private final boolean allowList;
    private final String id;

    FilteringResolver(SymbolResolver delegate, boolean allowList, String... patterns) {
        this.delegate = requireNonNull(delegate, "resolver is null");
        this.patterns = new SymbolPatterns(patterns);
        this.allowList = allowList;
        this.id = (allowList ? "allow(" : "deny(") + delegate.id() + ")";
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Answer answer(String symbol) {
        requireNonNull(symbol, "symbol is null");
        if (patterns.matches(symbol) != allowList) {
            return Answer.denied(id);
        }
        return Answer.ask(delegate, symbol);
    }

    @Override
    public List<String> consultedIds() {
        return List.of(id);
    }

    @Override
    public String toString() {
        return "SymbolResolver[" + id + " " + patterns.patterns() + "]";
    }
}
