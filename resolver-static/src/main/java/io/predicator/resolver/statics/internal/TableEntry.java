package io.predicator.resolver.statics.internal;

import java.lang.foreign.MemorySegment;

/**
 * One row of a static resolver's table before it is built: an address given directly, a native symbol to look up,
 * or a Java host function to expose through an upcall stub.
 *
 * @since 0.1
 */
public sealed interface TableEntry permits Address, NativeSymbol, HostFunction {

    /**
     * Names what kind of entry this is, for messages.
     *
     * @return for example {@code "host function"}
     */
    String kind();

    /**
     * Produces the address plugins link against.
     *
     * @param libraries the arena that owns what linking creates, and the libraries opened so far
     * @return a non-NULL address
     * @throws IllegalArgumentException if the entry cannot be linked, naming it
     */
    MemorySegment link(Libraries libraries);
}
