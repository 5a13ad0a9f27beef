package io.predicator.testkit;

/**
 * What {@link BackendContract} checks of a {@link io.predicator.JitContext} implementation; each test of the
 * contract names one of these, and so does each of its failures.
 *
 * @since 0.1
 */
public enum BackendRequirement implements Requirement {
    /** IR text, plain and wrapped bitcode, ELF objects and archives load, as declared, and their functions run. */
    B1("every declared format loads and its functions run"),
    /** {@code exports()} and {@code inspect()} list defined functions, with signatures where the format has types. */
    B2("exports are listed, with signatures where the format carries types"),
    /** Plugins defining the same names each see their own code and data; closing one leaves the others working. */
    B3("plugins are isolated from each other"),
    /** Asking for a function with the wrong signature throws {@link io.predicator.SignatureMismatchException} showing both. */
    B4("a mismatched signature is refused, showing both signatures"),
    /** Asking for a symbol the plugin does not export throws {@link io.predicator.UnknownSymbolException}. */
    B5("unknown symbols are reported, not guessed"),
    /** Closing a plugin (or the context) while one of its functions runs waits for the call to return. */
    B6("close waits for a call in flight"),
    /** After close, calls, lookups and data access throw instead of touching freed memory; close is idempotent. */
    B7("a closed plugin refuses every use"),
    /** Closing the context closes every plugin; loading afterwards throws {@link io.predicator.AlreadyClosedException}. */
    B8("closing the context closes its plugins"),
    /** Several threads loading, calling and closing plugins at once all get the right results. */
    B9("concurrent loads work"),
    /** Empty, random, truncated, ill-formed, unverifiable or foreign-architecture input throws {@link io.predicator.MalformedModuleException} naming the source. */
    B10("bad input gives a typed exception naming the source"),
    /** A plugin with several unresolved imports fails with {@link io.predicator.UnresolvedSymbolsException} listing all. */
    B11("unresolved symbols are all listed at once"),
    /** After any failed load the context has no half-loaded plugin and still loads and runs a good one. */
    B12("a failed load leaves the context usable"),
    /** A resolver that throws or answers {@code null} or a NULL address gives {@link io.predicator.ResolverException}. */
    B13("resolver failures are contained"),
    /** The context's resolver, or the one in the load options, supplies the plugin's imports, host functions included. */
    B14("the resolver supplies the imports"),
    /**
     * IR with inline assembly is refused by default with {@link io.predicator.PolicyViolationException} naming the
     * source, and loads with {@code LoadOptions.builder().trustInlineAssembly(true)} unless that option is refused.
     */
    B15("content the load policy refuses gives a policy violation"),
    /**
     * A module of a shape the backend does not support (alignment beyond what it can place) throws
     * {@link io.predicator.UnsupportedModuleException} naming the source, and the context stays usable.
     */
    B16("an unsupported module gives an unsupported-module exception"),
    /**
     * Each {@link io.predicator.LoadOptions.Option}, set alone, is honoured by {@code load} and {@code inspect}, or
     * refused with a {@link io.predicator.ConfigurationException} that names it; never silently ignored.
     */
    B17("every load option is honoured or refused by name");

    private final String description;

    BackendRequirement(String description) {
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
