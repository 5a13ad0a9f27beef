package io.predicator.testkit;

/**
 * What {@link ResolverContract} checks of a {@link io.predicator.spi.SymbolResolver}; each test of the contract
 * names one of these, and so does each of its failures.
 *
 * @since 0.1
 */
public enum ResolverRequirement implements Requirement {
    /** The test class declares capabilities that its samples back up, and nothing it cannot back up. */
    R0("the declared capabilities are backed by the samples"),
    /** {@code id()} is non-blank and the same every time; {@code consultedIds()} lists non-blank ids. */
    R1("the id is non-blank and stable"),
    /** {@code resolve(null)} throws {@link NullPointerException}. */
    R2("null is rejected"),
    /** Names nobody defines (blank, absurd, with NUL characters, 10,000 characters long …) give empty. */
    R3("unknown names give empty, never an exception"),
    /** Every sample resolves (to a non-NULL address) or is refused, as declared. */
    R4("samples resolve or are refused as declared"),
    /** Asking again gives the same answer; a second resolver from the factory agrees on what resolves. */
    R5("answers are deterministic"),
    /** Many threads resolving at once get the same answers as one thread alone. */
    R6("concurrent resolution is consistent"),
    /** A plugin importing a resolved function links, sees the same address, and calls it successfully. */
    R7("resolved functions work in a JIT-linked plugin"),
    /** A plugin importing a resolved data symbol links, sees the same address and reads the expected bytes. */
    R8("resolved data works in a JIT-linked plugin"),
    /** A plugin importing a refused symbol does not load, and the failure names the symbol. */
    R9("refused symbols keep a plugin from loading"),
    /** {@code memcpy}, {@code memmove}, {@code memset}, {@code memcmp}, {@code bcmp} and the 128-bit division helpers resolve and compute correctly. */
    R10("the compiler helpers resolve and work"),
    /** When the resolver throws, the load fails with {@link io.predicator.ResolverException} and nothing else breaks. */
    R11("a throwing resolver is contained"),
    /** {@link java.util.ServiceLoader} finds the provider by its id, and it creates an equivalent resolver. */
    R12("the provider is discoverable"),
    /** The provider rejects configuration keys it does not know, naming the key. */
    R13("the provider rejects unknown configuration keys");

    private final String description;

    ResolverRequirement(String description) {
        this.description = description;
    }

    @Override
    public String code() {
        return name();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return name() + " '" + description + "'";
    }
}
