package io.predicator.guice;

import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import static java.util.Objects.requireNonNull;

/** A test resolver that provides some C library functions at their real addresses and remembers what it was asked. */
final class MapResolver implements SymbolResolver {
    private final String id;
    private final Set<String> names;
    private final ConcurrentLinkedQueue<String> asked = new ConcurrentLinkedQueue<>();

    MapResolver(String id, String... names) {
        this.id = requireNonNull(id, "id is null");
        this.names = Set.of(names);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Optional<MemorySegment> resolve(String symbol) {
        requireNonNull(symbol, "symbol is null");
        asked.add(symbol);
        return names.contains(symbol) ? Linker.nativeLinker().defaultLookup().find(symbol) : Optional.empty();
    }

    List<String> asked() {
        return List.copyOf(asked);
    }

    @Override
    public String toString() {
        return "MapResolver[" + id + "]";
    }
}
