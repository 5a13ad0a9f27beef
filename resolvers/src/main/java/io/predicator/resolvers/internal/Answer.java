package io.predicator.resolvers.internal;

import io.predicator.ResolverException;
import io.predicator.resolvers.Resolution.Outcome;
import io.predicator.spi.SymbolResolver;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a resolver answered for one symbol and which resolver decided: the way composites report the member that
 * answered, so that an audit can name it.
 *
 * @param outcome resolved, missing or denied
 * @param resolverId the resolver that provided the address, or the policy that denied the symbol
 * @param address present exactly when resolved
 */
public record Answer(Outcome outcome, Optional<String> resolverId, Optional<MemorySegment> address) {
    private static final Answer MISSING = new Answer(Outcome.MISSING, Optional.empty(), Optional.empty());

    /**
     * Creates the record.
     */
    public Answer {
        requireNonNull(outcome, "outcome is null");
        requireNonNull(resolverId, "resolverId is null");
        requireNonNull(address, "address is null");
    }

    static Answer resolved(String resolverId, MemorySegment address) {
        return new Answer(Outcome.RESOLVED, Optional.of(resolverId), Optional.of(address));
    }

    static Answer missing() {
        return MISSING;
    }

    static Answer denied(String policyId) {
        return new Answer(Outcome.DENIED, Optional.of(policyId), Optional.empty());
    }

    boolean isResolved() {
        return outcome == Outcome.RESOLVED;
    }

    /**
     * Asks a resolver for a symbol; a composite reports the member that answered, any other resolver itself.
     *
     * <p>Exceptions propagate unchanged. A {@code null} answer or a NULL address breaks the SPI and becomes a
     * {@link ResolverException} naming this resolver, so that a composite does not hide which member misbehaved.
     *
     * @param resolver the resolver to ask
     * @param symbol the symbol
     * @return the answer
     */
    public static Answer ask(SymbolResolver resolver, String symbol) {
        if (resolver instanceof AttributingResolver attributing) {
            return attributing.answer(symbol);
        }
        Optional<MemorySegment> found = resolver.resolve(symbol);
        if (found == null) {
            throw new ResolverException("Resolver '" + resolver.id() + "' returned null instead of an Optional for "
                    + "symbol '" + symbol + "'; return Optional.empty() for symbols it does not provide", null);
        }
        if (found.isEmpty()) {
            return MISSING;
        }
        if (found.get().address() == 0) {
            throw new ResolverException("Resolver '" + resolver.id() + "' resolved symbol '" + symbol
                    + "' to NULL; return Optional.empty() for symbols it does not provide", null);
        }
        return resolved(resolver.id(), found.get());
    }
}
