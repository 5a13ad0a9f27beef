package io.predicator.resolvers.internal;

import io.predicator.spi.SymbolResolver;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A composite resolver that can tell which of its members answered; {@link Answer#ask} uses it.
 */
interface AttributingResolver extends SymbolResolver {

    /**
     * Resolves a symbol and says who decided.
     *
     * @param symbol the symbol, not null
     * @return the answer
     */
    Answer answer(String symbol);

    @Override
    default Optional<MemorySegment> resolve(String symbol) {
        return answer(symbol).address();
    }
}
