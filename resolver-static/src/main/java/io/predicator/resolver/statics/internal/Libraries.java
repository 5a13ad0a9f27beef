package io.predicator.resolver.statics.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What building one static resolver's table needs: the arena that owns its upcall stubs and libraries, and the
 * libraries opened so far, so that each is opened once. Not thread-safe; used by one build.
 *
 * @since 0.1
 */
public final class Libraries {
    private final Arena arena;
    private final Map<String, SymbolLookup> opened = new HashMap<>();

    /**
     * Creates an empty set of libraries owned by the arena.
     *
     * @param arena closed with the resolver: frees its stubs and unloads its libraries
     */
    public Libraries(Arena arena) {
        this.arena = requireNonNull(arena, "arena is null");
    }

    /**
     * Returns the arena that owns what the table creates.
     *
     * @return the resolver's arena
     */
    public Arena arena() {
        return arena;
    }

    /**
     * Looks up a native symbol, opening its library in the arena the first time.
     *
     * @param entry the symbol and its library
     * @return its address
     * @throws IllegalArgumentException naming the configuration key if the library or the symbol is not found
     */
    MemorySegment find(NativeSymbol entry) {
        SymbolLookup lookup = entry.library().map(library -> opened.computeIfAbsent(library, name -> {
            try {
                return SymbolLookup.libraryLookup(name, arena);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("static resolver entry '" + entry.key() + "' = '" + entry
                        + "': cannot load library '" + name + "': " + e.getMessage(), e);
            }
        })).orElseGet(() -> Linker.nativeLinker().defaultLookup());
        return lookup.find(entry.symbol()).orElseThrow(() -> new IllegalArgumentException("static resolver entry '"
                + entry.key() + "' = '" + entry + "': no symbol '" + entry.symbol() + "' in "
                + entry.library().map(library -> "library '" + library + "'")
                        .orElse("the C library (Linker.nativeLinker().defaultLookup())")));
    }
}
