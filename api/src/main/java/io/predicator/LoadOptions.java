package io.predicator;

import io.predicator.spi.JitSettings;
import io.predicator.spi.SymbolResolver;

import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Objects.requireNonNull;

/**
 * Per-load overrides of a context's settings (the resolver, the optimisation level, the plugin's name) and what a
 * load may assume of its module (inline assembly, optimised already, trusted bitcode).
 * Immutable; build with {@link #builder()}.
 *
 * @since 0.1
 */
public final class LoadOptions {
    private static final LoadOptions DEFAULTS = new Builder().build();

    private final SymbolResolver resolver;
    private final Integer optimizationLevel;
    private final String name;
    private final boolean inlineAssemblyAllowed;
    private final boolean preOptimized;
    private final boolean untrustedBitcode;
    private final boolean compileOnFirstUse;

    private LoadOptions(Builder builder) {
        this.resolver = builder.resolver;
        this.optimizationLevel = builder.optimizationLevel;
        this.name = builder.name;
        this.inlineAssemblyAllowed = builder.inlineAssemblyAllowed;
        this.preOptimized = builder.preOptimized;
        this.untrustedBitcode = builder.untrustedBitcode;
        this.compileOnFirstUse = builder.compileOnFirstUse;
    }

    /**
     * Returns options that override nothing.
     *
     * @return the default options
     */
    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts building options.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the resolver for this load, if it overrides the context's.
     *
     * @return the resolver override
     */
    public Optional<SymbolResolver> resolver() {
        return Optional.ofNullable(resolver);
    }

    /**
     * Returns the optimisation level for this load, if it overrides the context's.
     *
     * @return the level override, 0 to 3
     */
    public OptionalInt optimizationLevel() {
        return optimizationLevel == null ? OptionalInt.empty() : OptionalInt.of(optimizationLevel);
    }

    /**
     * Returns the plugin's name, if it overrides the module source's name.
     *
     * @return the name override
     */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /**
     * Returns whether IR and bitcode may contain inline assembly. Off by default: inline assembly is the usual way
     * to make raw system calls, around any resolver.
     *
     * @return true if inline assembly is allowed
     */
    public boolean inlineAssemblyAllowed() {
        return inlineAssemblyAllowed;
    }

    /**
     * Returns whether the module's IR was optimised when it was built, so that the load only generates code.
     *
     * @return true to skip the IR optimisation pipeline
     * @see Builder#preOptimized(boolean)
     */
    public boolean preOptimized() {
        return preOptimized;
    }

    /**
     * Returns whether bitcode is read in a separate process first, because it may be damaged or hostile.
     *
     * @return true to check bitcode out of process before loading it
     * @see Builder#untrustedBitcode(boolean)
     */
    public boolean untrustedBitcode() {
        return untrustedBitcode;
    }

    /**
     * Returns whether IR and bitcode are compiled piece by piece, each exported symbol when it is first asked for.
     *
     * @return true to compile each symbol on first use instead of the whole module at load
     * @see Builder#compileOnFirstUse(boolean)
     */
    public boolean compileOnFirstUse() {
        return compileOnFirstUse;
    }

    /**
     * Returns a builder that starts from these options.
     *
     * @return a new builder with these values
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.resolver = resolver;
        builder.optimizationLevel = optimizationLevel;
        builder.name = name;
        builder.inlineAssemblyAllowed = inlineAssemblyAllowed;
        builder.preOptimized = preOptimized;
        builder.untrustedBitcode = untrustedBitcode;
        builder.compileOnFirstUse = compileOnFirstUse;
        return builder;
    }

    @Override
    public String toString() {
        return "LoadOptions[resolver=" + (resolver == null ? "context's" : resolver.id())
                + ", optimizationLevel=" + (optimizationLevel == null ? "context's" : optimizationLevel)
                + ", name=" + (name == null ? "source's" : name)
                + ", inlineAssemblyAllowed=" + inlineAssemblyAllowed + ", preOptimized=" + preOptimized
                + ", untrustedBitcode=" + untrustedBitcode + ", compileOnFirstUse=" + compileOnFirstUse + "]";
    }

    /**
     * Builds {@link LoadOptions}; not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {
        private SymbolResolver resolver;
        private Integer optimizationLevel;
        private String name;
        private boolean inlineAssemblyAllowed;
        private boolean preOptimized;
        private boolean untrustedBitcode;
        private boolean compileOnFirstUse;

        private Builder() {
        }

        /**
         * Uses this resolver instead of the context's.
         *
         * @param resolver the resolver
         * @return this builder
         */
        public Builder resolver(SymbolResolver resolver) {
            this.resolver = requireNonNull(resolver, "resolver is null");
            return this;
        }

        /**
         * Uses this optimisation level instead of the context's.
         *
         * @param level 0 (none) to 3 (aggressive), as LLVM's {@code default<O0..O3>} pipelines
         * @return this builder
         */
        public Builder optimizationLevel(int level) {
            this.optimizationLevel = JitSettings.checkOptimizationLevel(level);
            return this;
        }

        /**
         * Names the plugin, instead of taking the module source's name.
         *
         * @param name the plugin name
         * @return this builder
         */
        public Builder name(String name) {
            requireNonNull(name, "name is null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name is blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Allows or refuses inline assembly in IR and bitcode (objects are machine code already: this policy
         * cannot apply to them).
         *
         * @param allowed true to allow inline assembly
         * @return this builder
         */
        public Builder allowInlineAssembly(boolean allowed) {
            this.inlineAssemblyAllowed = allowed;
            return this;
        }

        /**
         * Declares that the module's IR was optimised when it was built (bitcode from {@code clang -O2 -emit-llvm},
         * say): the load then skips LLVM's IR optimisation pipeline and only generates machine code for the host
         * CPU, at the optimisation level's code-generation setting. Optimising already optimised IR again gains
         * little and is most of the cost of a cold load: for a large plugin this option cuts it by about half.
         * What is lost are the IR transformations that depend on the host CPU (vectorising for its vector width):
         * leave it off for bitcode built for link-time optimisation ({@code -flto}), whose vectorisation is left
         * to this compile. Objects are machine code already; for them the option changes nothing.
         *
         * @param preOptimized true to generate code without optimising the IR again
         * @return this builder
         */
        public Builder preOptimized(boolean preOptimized) {
            this.preOptimized = preOptimized;
            return this;
        }

        /**
         * Declares bitcode untrusted: it is first read in a separate process by the LLVM bitcode reader bundled with
         * the backend, and refused with a {@link MalformedModuleException} if that reader fails or crashes. LLVM's
         * reader is not hardened against damaged input (fuzzing finds single flipped bits that crash it), and a
         * crash inside the JVM ends the JVM. Costs a process start per load that compiles bitcode (about 10 ms for
         * a small module; object cache hits skip it). Set it for bitcode from outside your control; IR text and
         * objects are checked in-process whatever this says.
         *
         * @param untrusted true to check bitcode out of process first
         * @return this builder
         */
        public Builder untrustedBitcode(boolean untrusted) {
            this.untrustedBitcode = untrusted;
            return this;
        }

        /**
         * Compiles IR and bitcode on first use: the load parses, verifies and checks the whole module and resolves
         * the symbols that code reachable from its exports imports, but generates no code; each exported function
         * or data symbol is compiled, with everything it references that is not compiled yet, when
         * {@link Plugin#function} or
         * {@link Plugin#address} first asks for it. A plugin of which a caller uses a few entry points then loads in
         * a fraction of the time a whole compile takes; large first uses are compiled on several threads, as whole
         * loads are.
         *
         * <p>What changes: failures that only code generation or linking finds (a symbol that the generated code
         * needs but the module does not declare, say {@code memcpy}, and no resolver provides) are thrown by the
         * first {@code function} or {@code address} call that needs the code, not by the load. Functions compiled
         * in separate pieces are not inlined into each other. Modules that cannot be compiled in pieces (with
         * aliases, ifuncs, block addresses, module-level assembly, appending arrays or thread-locals), objects and
         * archives are compiled whole at load as usual, and so is a module whose whole object is in the object
         * cache. With an object
         * cache, each piece is cached too, so a later load that asks for the same symbols in the same order
         * compiles nothing (it still parses and checks the module). A module whose exports reach a use of a symbol
         * that no resolver provides is compiled whole at load, so that it loads if optimisation removes every such
         * use (a call in dead code, an inlined {@code available_externally} body) and fails as a whole load would
         * if not.
         *
         * @param onFirstUse true to compile each exported symbol when it is first asked for
         * @return this builder
         */
        public Builder compileOnFirstUse(boolean onFirstUse) {
            this.compileOnFirstUse = onFirstUse;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return immutable options
         */
        public LoadOptions build() {
            return new LoadOptions(this);
        }
    }
}
