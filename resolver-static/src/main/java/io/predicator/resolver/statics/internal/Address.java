package io.predicator.resolver.statics.internal;

import java.lang.foreign.MemorySegment;

import static java.util.Objects.requireNonNull;

/**
 * A table entry whose address the caller gives directly: a native function or data.
 *
 * @param name the symbol name, for messages
 * @param kind {@code "function"} or {@code "data"}
 * @param address the address, never NULL
 * @since 0.1
 */
public record Address(String name, String kind, MemorySegment address) implements TableEntry {
    /**
     * Creates the entry.
     *
     * @throws IllegalArgumentException if the address is NULL
     */
    public Address {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(address, "address is null");
        if (address.address() == 0) {
            throw new IllegalArgumentException(kind + " '" + name + "' has a NULL address; leave it out of the table "
                    + "instead, so that plugins needing it fail to load with a clear message");
        }
    }

    @Override
    public MemorySegment link(Libraries libraries) {
        return address;
    }
}
