package com.example.mathresolver;

import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Lets plugins call a few functions of the C math library ({@code libm.so.6}) and nothing else: no memory, string,
 * file or process functions, not even {@code memcpy}. Id {@code math-only}. Thread-safe and stateless.
 */
@SuppressWarnings("restricted")
public final class MathOnlyResolver implements SymbolResolver {
    /** The id of the resolver and of its provider. */
    public static final String ID = "math-only";

    /** The functions a plugin may import unless a smaller set is chosen. */
    public static final Set<String> FUNCTIONS = Set.of("sqrt", "cbrt", "pow", "exp", "log", "sin", "cos", "tan",
            "atan2", "hypot", "fabs", "floor", "ceil", "fmod");

    /** dlopen("libm.so.6") + dlsym on that handle: only libm's own symbols are visible through it. */
    private static final SymbolLookup LIBM = SymbolLookup.libraryLookup("libm.so.6", Arena.global());

    private final Set<String> allowed;

    /** Creates a resolver for every function of {@link #FUNCTIONS}. */
    public MathOnlyResolver() {
        this(FUNCTIONS);
    }

    /**
     * Creates a resolver for some of the functions.
     *
     * @param functions a subset of {@link #FUNCTIONS}
     * @throws IllegalArgumentException if a name is not one of {@link #FUNCTIONS}
     */
    public MathOnlyResolver(Collection<String> functions) {
        requireNonNull(functions, "functions is null");
        for (String function : functions) {
            if (!FUNCTIONS.contains(function)) {
                throw new IllegalArgumentException("'" + function + "' is not one of the math functions "
                        + new TreeSet<>(FUNCTIONS));
            }
        }
        this.allowed = Set.copyOf(functions);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        requireNonNull(symbol, "symbol is null");
        return allowed.contains(symbol) ? LIBM.find(symbol) : Optional.empty();
    }

    @Override
    public String toString() {
        return "MathOnlyResolver" + new TreeSet<>(allowed);
    }
}
