package io.predicator.testkit;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.util.Objects.requireNonNull;

/**
 * A small resolver that honours the contract: a few C functions, the compiler helpers and one data symbol of its
 * own ({@code testkit_answer}: the bytes {@code "42\0"}); id {@code testkit-minimal}.
 */
@SuppressWarnings("restricted")
final class MinimalResolver implements SymbolResolver {
    static final String ID = "testkit-minimal";
    static final String ANSWER = "testkit_answer";
    private static final MemorySegment ANSWER_DATA = Arena.global().allocateFrom(JAVA_BYTE, new byte[] {'4', '2', 0});
    private static final Set<String> LIBC = Set.of("strlen", "sqrt", "toupper", "memcpy", "memmove", "memset", "memcmp",
            "bcmp");
    private static final Set<String> HELPERS = Set.of("__udivti3", "__umodti3");
    private static final SymbolLookup C_LIBRARY = Linker.nativeLinker().defaultLookup();
    private static final SymbolLookup GCC_RUNTIME = SymbolLookup.libraryLookup("libgcc_s.so.1", Arena.global());

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        requireNonNull(symbol, "symbol is null");
        if (symbol.equals(ANSWER)) {
            return Optional.of(ANSWER_DATA);
        }
        if (LIBC.contains(symbol)) {
            return C_LIBRARY.find(symbol);
        }
        if (HELPERS.contains(symbol)) {
            return GCC_RUNTIME.find(symbol);
        }
        return Optional.empty();
    }

    /** Registered in the testkit's test resources, for R12 and R13. */
    public static final class Provider implements SymbolResolverProvider {
        /** Called by ServiceLoader. */
        public Provider() {
        }

        @Override
        public String id() {
            return ID;
        }

        @Override
        public SymbolResolver create(Map<String, String> configuration) {
            if (!configuration.isEmpty()) {
                throw new IllegalArgumentException("the testkit-minimal resolver takes no settings, got "
                        + configuration.keySet());
            }
            return new MinimalResolver();
        }

        @Override
        public String description() {
            return "testkit-minimal: strlen, sqrt, toupper, the compiler helpers and testkit_answer";
        }
    }
}
