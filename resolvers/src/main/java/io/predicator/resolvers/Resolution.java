package io.predicator.resolvers;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One symbol an {@link AuditingResolver} was asked for, with the answer and which resolver gave it.
 *
 * @param symbol the symbol that was asked for
 * @param resolverId the resolver that decided: for {@link Outcome#RESOLVED} the one that provided the address (for
 *                   a chain, the member that answered), for {@link Outcome#DENIED} the policy that refused; empty
 *                   when nobody provided the symbol or the resolver failed
 * @param address the address the symbol resolved to; present only for {@link Outcome#RESOLVED}
 * @param outcome what happened
 * @since 0.1
 */
public record Resolution(String symbol, Optional<String> resolverId, Optional<MemorySegment> address,
                         Outcome outcome) {
    /**
     * Creates the record.
     */
    public Resolution {
        requireNonNull(symbol, "symbol is null");
        requireNonNull(resolverId, "resolverId is null");
        requireNonNull(address, "address is null");
        requireNonNull(outcome, "outcome is null");
        if (address.isPresent() != (outcome == Outcome.RESOLVED)) {
            throw new IllegalArgumentException("an address is present exactly when the outcome is RESOLVED, got "
                    + outcome + " with " + (address.isPresent() ? "an address" : "no address"));
        }
    }

    @Override
    public String toString() {
        return symbol + " " + outcome
                + resolverId.map(id -> " by " + id).orElse("")
                + address.map(segment -> " at 0x" + Long.toHexString(segment.address())).orElse("");
    }

    /**
     * What a resolver answered for one symbol.
     *
     * @since 0.1
     */
    public enum Outcome {
        /** A resolver provided an address. */
        RESOLVED,
        /** No resolver provides the symbol. */
        MISSING,
        /** A policy ({@link Resolvers#allow} or {@link Resolvers#deny}) refused the symbol without asking further. */
        DENIED,
        /** A resolver threw; the exception went on to the caller. */
        FAILED
    }
}
