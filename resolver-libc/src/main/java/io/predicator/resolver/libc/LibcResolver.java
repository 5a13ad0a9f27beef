package io.predicator.resolver.libc;

import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Resolves symbols from the C library only — {@code libc.so.6}, {@code libm.so.6} and, for 128-bit arithmetic
 * helpers, {@code libgcc_s.so.1} — never from the JVM or other libraries the process happens to have loaded;
 * id {@code libc}.
 *
 * <p>A {@linkplain LibcProfile profile} says which of their symbols a plugin may import; allow patterns add names
 * and deny patterns remove them (exact names or globs with {@code *} and {@code ?}; deny wins). The compiler
 * helpers of {@link LibcProfile#compilerHelpers()} resolve under every profile unless denied. Thread-safe.
 *
 * <pre>{@code
 * SymbolResolver libc = LibcResolver.builder().profile(LibcProfile.PURE).allow("getpid").build();
 * }</pre>
 *
 * @since 0.1
 */
public final class LibcResolver implements SymbolResolver {
    /** The id of this resolver and of its provider. */
    public static final String ID = "libc";

    private static final List<SymbolLookup> LIBRARIES = libraries();

    private final LibcProfile profile;
    private final List<Pattern> allowed;
    private final List<Pattern> denied;

    private LibcResolver(Builder builder) {
        this.profile = builder.profile;
        this.allowed = List.copyOf(builder.allowed);
        this.denied = List.copyOf(builder.denied);
    }

    /**
     * Starts building a resolver with the {@link LibcProfile#PURE} profile.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a resolver for a profile with no extra allow or deny patterns.
     *
     * @param profile the profile
     * @return the resolver
     */
    public static LibcResolver of(LibcProfile profile) {
        return builder().profile(profile).build();
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * Returns the profile this resolver applies.
     *
     * @return the profile
     */
    public LibcProfile profile() {
        return profile;
    }

    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        requireNonNull(symbol, "symbol is null");
        if (!permits(symbol)) {
            return Optional.empty();
        }
        for (SymbolLookup library : LIBRARIES) {
            Optional<MemorySegment> address = library.find(symbol);
            if (address.isPresent()) {
                return address;
            }
        }
        return Optional.empty();
    }

    /**
     * Returns whether the profile and patterns let a plugin import a symbol (whether or not the libraries have it).
     *
     * @param symbol the symbol name
     * @return true if permitted
     */
    public boolean permits(String symbol) {
        requireNonNull(symbol, "symbol is null");
        if (matches(denied, symbol)) {
            return false;
        }
        return profile == LibcProfile.FULL || profile.symbols().contains(symbol)
                || LibcProfile.compilerHelpers().contains(symbol) || matches(allowed, symbol);
    }

    @Override
    public String toString() {
        return "LibcResolver[" + profile + (allowed.isEmpty() ? "" : ", allow " + allowed)
                + (denied.isEmpty() ? "" : ", deny " + denied) + "]";
    }

    private static boolean matches(List<Pattern> patterns, String symbol) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(symbol).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Pattern glob(String glob) {
        requireNonNull(glob, "pattern is null");
        if (glob.isBlank()) {
            throw new IllegalArgumentException("a symbol pattern cannot be blank");
        }
        StringBuilder regex = new StringBuilder();
        for (char c : glob.strip().toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static List<SymbolLookup> libraries() {
        List<SymbolLookup> lookups = new ArrayList<>();
        for (String library : List.of("libc.so.6", "libm.so.6", "libgcc_s.so.1")) {
            try {
                // dlopen(name) + dlsym(handle): searches that library (and its own dependencies) only.
                lookups.add(SymbolLookup.libraryLookup(library, Arena.global()));
            } catch (IllegalArgumentException absent) {
                System.getLogger("io.predicator.resolver.libc").log(System.Logger.Level.DEBUG,
                        "C runtime library " + library + " is not available: " + absent.getMessage());
            }
        }
        return List.copyOf(lookups);
    }

    /**
     * Builds a {@link LibcResolver}; not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {
        private LibcProfile profile = LibcProfile.PURE;
        private final List<Pattern> allowed = new ArrayList<>();
        private final List<Pattern> denied = new ArrayList<>();

        private Builder() {
        }

        /**
         * Chooses the profile.
         *
         * @param profile the profile
         * @return this builder
         */
        public Builder profile(LibcProfile profile) {
            this.profile = requireNonNull(profile, "profile is null");
            return this;
        }

        /**
         * Permits more symbols than the profile does.
         *
         * @param patterns exact names or globs
         * @return this builder
         */
        public Builder allow(String... patterns) {
            return allow(List.of(patterns));
        }

        /**
         * Permits more symbols than the profile does.
         *
         * @param patterns exact names or globs
         * @return this builder
         */
        public Builder allow(Collection<String> patterns) {
            patterns.forEach(pattern -> allowed.add(glob(pattern)));
            return this;
        }

        /**
         * Refuses symbols the profile or allow patterns would permit; deny wins over allow.
         *
         * @param patterns exact names or globs
         * @return this builder
         */
        public Builder deny(String... patterns) {
            return deny(List.of(patterns));
        }

        /**
         * Refuses symbols the profile or allow patterns would permit; deny wins over allow.
         *
         * @param patterns exact names or globs
         * @return this builder
         */
        public Builder deny(Collection<String> patterns) {
            patterns.forEach(pattern -> denied.add(glob(pattern)));
            return this;
        }

        /**
         * Builds the resolver.
         *
         * @return an immutable resolver
         */
        public LibcResolver build() {
            return new LibcResolver(this);
        }
    }
}
