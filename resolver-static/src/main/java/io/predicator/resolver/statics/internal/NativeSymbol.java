package io.predicator.resolver.statics.internal;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A table entry that names a symbol of a native library, looked up when the table is built: the configuration form
 * {@code "library:symbol"}, or {@code "symbol"} for the C library as {@code Linker.defaultLookup()} sees it.
 *
 * @param key the configuration key (the name plugins use), for messages
 * @param library the library name or path as {@code dlopen} takes it; empty for the default lookup
 * @param symbol the symbol to look up in it
 * @since 0.1
 */
public record NativeSymbol(String key, Optional<String> library, String symbol) implements TableEntry {
    /**
     * Creates the entry.
     */
    public NativeSymbol {
        requireNonNull(key, "key is null");
        requireNonNull(library, "library is null");
        requireNonNull(symbol, "symbol is null");
    }

    /**
     * Parses a configuration value; the library is what precedes the last colon, so paths may contain colons.
     *
     * @param key the configuration key, for messages
     * @param value {@code "library:symbol"} or {@code "symbol"}
     * @return the entry
     * @throws IllegalArgumentException if the value is blank or either part is
     */
    public static NativeSymbol parse(String key, String value) {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value of '" + key + "' is null");
        int colon = value.lastIndexOf(':');
        String library = colon < 0 ? "" : value.substring(0, colon).strip();
        String symbol = value.substring(colon + 1).strip();
        if (symbol.isEmpty() || (colon >= 0 && library.isEmpty())) {
            throw new IllegalArgumentException("static resolver configuration '" + key + "' = '" + value
                    + "': expected 'library:symbol' (e.g. 'libm.so.6:cos') or 'symbol' (e.g. 'strlen', from the C "
                    + "library)");
        }
        return new NativeSymbol(key, colon < 0 ? Optional.empty() : Optional.of(library), symbol);
    }

    @Override
    public String kind() {
        return "native symbol";
    }

    @Override
    public MemorySegment link(Libraries libraries) {
        return libraries.find(this);
    }

    @Override
    public String toString() {
        return library.map(name -> name + ":").orElse("") + symbol;
    }
}
