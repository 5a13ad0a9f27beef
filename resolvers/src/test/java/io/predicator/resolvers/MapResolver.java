package io.predicator.resolvers;

import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.util.Objects.requireNonNull;

/** A test resolver that provides a fixed map of symbols and remembers what it was asked. */
final class MapResolver implements SymbolResolver {
    private final String id;
    private final Map<String, MemorySegment> symbols;
    private final ConcurrentLinkedQueue<String> asked = new ConcurrentLinkedQueue<>();

    MapResolver(String id, Map<String, MemorySegment> symbols) {
        this.id = requireNonNull(id, "id is null");
        this.symbols = Map.copyOf(symbols);
    }

    /** Provides the named functions at their real addresses in the C library. */
    static MapResolver libc(String id, String... names) {
        Map<String, MemorySegment> symbols = new LinkedHashMap<>();
        for (String name : names) {
            symbols.put(name, libcAddress(name));
        }
        return new MapResolver(id, symbols);
    }

    static MemorySegment libcAddress(String name) {
        return Linker.nativeLinker().defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        requireNonNull(symbol, "symbol is null");
        asked.add(symbol);
        return Optional.ofNullable(symbols.get(symbol));
    }

    List<String> asked() {
        return List.copyOf(asked);
    }
}
