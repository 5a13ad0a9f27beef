package io.predicator.resolvers.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Exact symbol names and globs ({@code *} any run of characters, {@code ?} one character); immutable.
 */
final class SymbolPatterns {
    private final Set<String> exact = new HashSet<>();
    private final List<String> globs = new ArrayList<>();
    private final List<String> all;

    SymbolPatterns(String... patterns) {
        requireNonNull(patterns, "patterns is null");
        if (patterns.length == 0) {
            throw new IllegalArgumentException("give at least one symbol name or glob");
        }
        for (int i = 0; i < patterns.length; i++) {
            String pattern = requireNonNull(patterns[i], "patterns[" + i + "] is null");
            if (pattern.isBlank()) {
                throw new IllegalArgumentException("patterns[" + i + "] is blank");
            }
            if (pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0) {
                globs.add(pattern);
            } else {
                exact.add(pattern);
            }
        }
        this.all = List.of(patterns);
    }

    boolean matches(String symbol) {
        if (exact.contains(symbol)) {
            return true;
        }
        for (String glob : globs) {
            if (glob(glob, symbol)) {
                return true;
            }
        }
        return false;
    }

    List<String> patterns() {
        return all;
    }

    /** Matches without regular expressions: on a mismatch, retries from the last {@code *} one character later. */
    static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = t;
            } else if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
