package io.predicator.resolvers;

import io.predicator.spi.SymbolResolver;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** A test resolver that breaks or fails on every symbol in one chosen way. */
final class MisbehavingResolver implements SymbolResolver {
    enum Behavior { THROW, NULL_OPTIONAL, NULL_ADDRESS }

    private final String id;
    private final Behavior behavior;
    private final RuntimeException failure;

    MisbehavingResolver(String id, Behavior behavior) {
        this.id = id;
        this.behavior = behavior;
        this.failure = new IllegalStateException("resolver '" + id + "' is broken");
    }

    RuntimeException failure() {
        return failure;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        return switch (behavior) {
            case THROW -> throw failure;
            case NULL_OPTIONAL -> null;
            case NULL_ADDRESS -> Optional.of(MemorySegment.NULL);
        };
    }
}
