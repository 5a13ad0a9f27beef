package io.predicator.spi;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The resolvers {@link SymbolResolver#none()}, {@link SymbolResolver#compilerSupport()} and
 * {@link SymbolResolver#of} return.
 */
final class BuiltInResolvers {
    static final SymbolResolver NONE = new SymbolResolver() {
        @Override
        public String id() {
            return "none";
        }

        @Override
        public Optional<MemorySegment> resolve(String symbol) {
            requireNonNull(symbol, "symbol is null");
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "SymbolResolver[none]";
        }
    };

    static final SymbolResolver COMPILER_SUPPORT = new SymbolResolver() {
        private final Set<String> names = Set.of("memcpy", "memmove", "memset", "memcmp", "bcmp");
        private final SymbolLookup libc = Linker.nativeLinker().defaultLookup();

        @Override
        public String id() {
            return "compiler-support";
        }

        @Override
        public Optional<MemorySegment> resolve(String symbol) {
            requireNonNull(symbol, "symbol is null");
            return names.contains(symbol) ? libc.find(symbol) : Optional.empty();
        }

        @Override
        public String toString() {
            return "SymbolResolver[compiler-support]";
        }
    };

    /** A resolver made of an id and a function. */
    record Lookup(String id, Function<String, Optional<MemorySegment>> lookup) implements SymbolResolver {
        Lookup {
            requireNonNull(id, "id is null");
            requireNonNull(lookup, "lookup is null");
            if (id.isBlank()) {
                throw new IllegalArgumentException("id is blank");
            }
        }

        @Override
        public Optional<MemorySegment> resolve(String symbol) {
            requireNonNull(symbol, "symbol is null");
            return lookup.apply(symbol);
        }

        @Override
        public String toString() {
            return "SymbolResolver[" + id + "]";
        }
    }

    private BuiltInResolvers() {
    }
}
