package io.predicator;

import io.predicator.spi.JitSettings;
import io.predicator.spi.SymbolResolver;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * How one load differs from the context's defaults, along five axes: {@linkplain Overrides overrides} of the
 * context's settings, {@linkplain Optimization optimisation}, {@linkplain Strategy strategy} (when code is
 * generated), {@linkplain Trust trust} (what the load may assume of its input) and {@linkplain Limits limits} (how
 * much the load may take). Immutable; build with
 * {@link #builder()}.
 *
 * <p>Every default is the safe one for a host whose users hand it plugins: nothing is trusted unless a builder
 * method says so by name ({@link Builder#trustInput(boolean)}, {@link Builder#trustInlineAssembly(boolean)}).
 *
 * <p>A backend honours every option it is given or refuses the load with a {@link ConfigurationException} that
 * names the options it cannot honour ({@link #refuseUnsupported}); it never ignores one silently.
 *
 * @since 0.1
 */
public final class LoadOptions {
    private static final LoadOptions DEFAULTS = new Builder().build();

    private final Overrides overrides;
    private final Optimization optimization;
    private final Strategy strategy;
    private final Trust trust;
    private final Limits limits;

    private LoadOptions(Builder builder) {
        this.overrides = new Overrides(Optional.ofNullable(builder.resolver),
                builder.optimizationLevel == null ? OptionalInt.empty() : OptionalInt.of(builder.optimizationLevel),
                Optional.ofNullable(builder.name));
        this.optimization = new Optimization(builder.preOptimized);
        this.strategy = new Strategy(builder.compileOnFirstUse);
        this.trust = new Trust(builder.trustInput, builder.trustInlineAssembly);
        this.limits = new Limits(Optional.ofNullable(builder.compileTimeout), Optional.ofNullable(builder.callTimeout));
    }

    /**
     * Returns options that change nothing: the context's settings, the full optimisation pipeline, the whole module
     * compiled at load, and nothing trusted.
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
     * Returns this load's overrides of the context's settings.
     *
     * @return the overrides, each empty where the context's setting applies
     */
    public Overrides overrides() {
        return overrides;
    }

    /**
     * Returns how this load optimises the module.
     *
     * @return the optimisation axis
     */
    public Optimization optimization() {
        return optimization;
    }

    /**
     * Returns when this load generates code.
     *
     * @return the strategy axis
     */
    public Strategy strategy() {
        return strategy;
    }

    /**
     * Returns what this load may assume of its input.
     *
     * @return the trust axis
     */
    public Trust trust() {
        return trust;
    }

    /**
     * Returns how much this load may take.
     *
     * @return the limits axis, each empty where the context's limit applies
     */
    public Limits limits() {
        return limits;
    }

    /**
     * Returns the options that differ from {@link #defaults()}.
     *
     * @return the options set, in declaration order
     */
    public Set<Option> changed() {
        Set<Option> changed = EnumSet.noneOf(Option.class);
        if (overrides.resolver().isPresent()) {
            changed.add(Option.RESOLVER);
        }
        if (overrides.optimizationLevel().isPresent()) {
            changed.add(Option.OPTIMIZATION_LEVEL);
        }
        if (overrides.name().isPresent()) {
            changed.add(Option.NAME);
        }
        if (optimization.preOptimized()) {
            changed.add(Option.PRE_OPTIMIZED);
        }
        if (strategy.compileOnFirstUse()) {
            changed.add(Option.COMPILE_ON_FIRST_USE);
        }
        if (trust.input()) {
            changed.add(Option.TRUST_INPUT);
        }
        if (trust.inlineAssembly()) {
            changed.add(Option.TRUST_INLINE_ASSEMBLY);
        }
        if (limits.compileTimeout().isPresent()) {
            changed.add(Option.COMPILE_TIMEOUT);
        }
        if (limits.callTimeout().isPresent()) {
            changed.add(Option.CALL_TIMEOUT);
        }
        return changed;
    }

    /**
     * Refuses these options if any option they change is not among those a backend (or one of its operations)
     * honours: the loud failure that the class documentation promises in place of silently ignoring an option.
     *
     * @param supported the options the caller honours
     * @param operation what refuses, for the message, such as {@code "the ORC backend's inspect"}
     * @return these options, for chaining
     * @throws ConfigurationException naming every changed option that is not supported
     */
    public LoadOptions refuseUnsupported(Set<Option> supported, String operation) {
        requireNonNull(supported, "supported is null");
        requireNonNull(operation, "operation is null");
        Set<Option> unsupported = changed();
        unsupported.removeAll(supported);
        if (!unsupported.isEmpty()) {
            throw new ConfigurationException(operation + " cannot honour the load options "
                    + unsupported.stream().map(Option::builderMethod).collect(Collectors.joining(", "))
                    + "; it supports " + (supported.isEmpty() ? "none"
                    : supported.stream().map(Option::builderMethod).collect(Collectors.joining(", ")))
                    + ". Remove the options or use a backend that supports them");
        }
        return this;
    }

    /**
     * Returns a builder that starts from these options.
     *
     * @return a new builder with these values
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.resolver = overrides.resolver().orElse(null);
        builder.optimizationLevel = overrides.optimizationLevel().isPresent()
                ? overrides.optimizationLevel().getAsInt() : null;
        builder.name = overrides.name().orElse(null);
        builder.preOptimized = optimization.preOptimized();
        builder.compileOnFirstUse = strategy.compileOnFirstUse();
        builder.trustInput = trust.input();
        builder.trustInlineAssembly = trust.inlineAssembly();
        builder.compileTimeout = limits.compileTimeout().orElse(null);
        builder.callTimeout = limits.callTimeout().orElse(null);
        return builder;
    }

    @Override
    public String toString() {
        return "LoadOptions[resolver=" + overrides.resolver().map(SymbolResolver::id).orElse("context's")
                + ", optimizationLevel=" + (overrides.optimizationLevel().isPresent()
                ? overrides.optimizationLevel().getAsInt() : "context's")
                + ", name=" + overrides.name().orElse("source's")
                + ", preOptimized=" + optimization.preOptimized()
                + ", compileOnFirstUse=" + strategy.compileOnFirstUse()
                + ", trustInput=" + trust.input() + ", trustInlineAssembly=" + trust.inlineAssembly()
                + ", compileTimeout=" + limits.compileTimeout().map(Duration::toString).orElse("context's")
                + ", callTimeout=" + limits.callTimeout().map(Duration::toString).orElse("context's") + "]";
    }

    /**
     * Each option a load can change, named after its builder method.
     *
     * @since 0.1
     */
    public enum Option {
        /** {@link Builder#resolver(SymbolResolver)}. */
        RESOLVER("resolver"),
        /** {@link Builder#optimizationLevel(int)}. */
        OPTIMIZATION_LEVEL("optimizationLevel"),
        /** {@link Builder#name(String)}. */
        NAME("name"),
        /** {@link Builder#preOptimized(boolean)}. */
        PRE_OPTIMIZED("preOptimized"),
        /** {@link Builder#compileOnFirstUse(boolean)}. */
        COMPILE_ON_FIRST_USE("compileOnFirstUse"),
        /** {@link Builder#trustInput(boolean)}. */
        TRUST_INPUT("trustInput"),
        /** {@link Builder#trustInlineAssembly(boolean)}. */
        TRUST_INLINE_ASSEMBLY("trustInlineAssembly"),
        /** {@link Builder#compileTimeout(Duration)}. */
        COMPILE_TIMEOUT("compileTimeout"),
        /** {@link Builder#callTimeout(Duration)}. */
        CALL_TIMEOUT("callTimeout");

        private final String builderMethod;

        Option(String builderMethod) {
            this.builderMethod = builderMethod;
        }

        /**
         * Returns the name of the builder method that sets this option.
         *
         * @return the method's name, such as {@code "trustInput"}
         */
        public String builderMethod() {
            return builderMethod;
        }
    }

    /**
     * Overrides of the context's settings for one load; each is empty where the context's setting applies.
     *
     * @param resolver the resolver instead of the context's
     * @param optimizationLevel the optimisation level instead of the context's, 0 to 3
     * @param name the plugin's name instead of the module source's
     * @since 0.1
     */
    public record Overrides(Optional<SymbolResolver> resolver, OptionalInt optimizationLevel, Optional<String> name) {
        /**
         * Checks the overrides.
         */
        public Overrides {
            requireNonNull(resolver, "resolver is null");
            requireNonNull(optimizationLevel, "optimizationLevel is null");
            requireNonNull(name, "name is null");
        }
    }

    /**
     * How a load optimises IR and bitcode (objects and archives of objects are machine code already: no option of
     * this axis changes them).
     *
     * @param preOptimized true to skip LLVM's IR optimisation pipeline and only generate code for this CPU
     * @see Builder#preOptimized(boolean)
     * @since 0.1
     */
    public record Optimization(boolean preOptimized) {
    }

    /**
     * When a load generates code.
     *
     * @param compileOnFirstUse true to compile each exported symbol when it is first asked for, false to compile
     *        the whole module at load
     * @see Builder#compileOnFirstUse(boolean)
     * @since 0.1
     */
    public record Strategy(boolean compileOnFirstUse) {
    }

    /**
     * What a load may assume of its input. Both are false by default, the safe side for a host whose users hand it
     * plugins; each true names a risk the caller accepts.
     *
     * @param input true if the input comes from a source the caller controls, so it is compiled in this process
     *        without the out-of-process checks ({@link Builder#trustInput(boolean)})
     * @param inlineAssembly true if IR and bitcode may contain inline assembly
     *        ({@link Builder#trustInlineAssembly(boolean)})
     * @since 0.1
     */
    public record Trust(boolean input, boolean inlineAssembly) {
    }

    /**
     * How much a load may take; each is empty where the context's limit applies.
     *
     * @param compileTimeout how long compiling the module may take ({@link Builder#compileTimeout(Duration)})
     * @param callTimeout how long each call of the plugin's functions may run ({@link Builder#callTimeout(Duration)})
     * @since 0.2
     */
    public record Limits(Optional<Duration> compileTimeout, Optional<Duration> callTimeout) {
        /**
         * Checks the limits.
         */
        public Limits {
            requireNonNull(compileTimeout, "compileTimeout is null");
            requireNonNull(callTimeout, "callTimeout is null");
        }

        /**
         * Creates limits without a call timeout of their own.
         *
         * @param compileTimeout how long compiling the module may take
         */
        public Limits(Optional<Duration> compileTimeout) {
            this(compileTimeout, Optional.empty());
        }
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
        private boolean preOptimized;
        private boolean compileOnFirstUse;
        private boolean trustInput;
        private boolean trustInlineAssembly;
        private Duration compileTimeout;
        private Duration callTimeout;

        private Builder() {
        }

        /**
         * Overrides: uses this resolver instead of the context's.
         *
         * @param resolver the resolver
         * @return this builder
         */
        public Builder resolver(SymbolResolver resolver) {
            this.resolver = requireNonNull(resolver, "resolver is null");
            return this;
        }

        /**
         * Overrides: uses this optimisation level instead of the context's.
         *
         * @param level 0 (none) to 3 (aggressive), as LLVM's {@code default<O0..O3>} pipelines
         * @return this builder
         */
        public Builder optimizationLevel(int level) {
            this.optimizationLevel = JitSettings.checkOptimizationLevel(level);
            return this;
        }

        /**
         * Overrides: names the plugin, instead of taking the module source's name.
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
         * Optimisation: declares that the module's IR was optimised when it was built (bitcode from
         * {@code clang -O2 -emit-llvm}, say): the load then skips LLVM's IR optimisation pipeline and only
         * generates machine code for the host CPU, at the optimisation level's code-generation setting. Optimising
         * already optimised IR again gains little and is most of the cost of a cold load: for a large plugin this
         * option cuts it by about half. What is lost are the IR transformations that depend on the host CPU
         * (vectorising for its vector width): leave it off for bitcode built for link-time optimisation
         * ({@code -flto}), whose vectorisation is left to this compile. Objects are machine code already; for them
         * the option changes nothing.
         *
         * @param preOptimized true to generate code without optimising the IR again
         * @return this builder
         */
        public Builder preOptimized(boolean preOptimized) {
            this.preOptimized = preOptimized;
            return this;
        }

        /**
         * Strategy: compiles IR and bitcode on first use. The load parses, verifies and checks the whole module and
         * resolves the symbols that code reachable from its exports imports, but generates no code; each exported
         * function or data symbol is compiled, with everything it references that is not compiled yet, when
         * {@link Plugin#function} or {@link Plugin#address} first asks for it. A plugin of which a caller uses a
         * few entry points then loads in a fraction of the time a whole compile takes; large first uses are
         * compiled on several threads, as whole loads are.
         *
         * <p>What changes: failures that only code generation or linking finds (a symbol that the generated code
         * needs but the module does not declare, say {@code memcpy}, and no resolver provides) are thrown by the
         * first {@code function} or {@code address} call that needs the code, not by the load. Functions compiled
         * in separate pieces are not inlined into each other. Modules that cannot be compiled in pieces (with
         * aliases, ifuncs, block addresses, module-level assembly, appending arrays or thread-locals), objects and
         * archives are compiled whole at load as usual, and so is a module whose whole object is in the object
         * cache. With an object cache, each piece is cached too, so a later load that asks for the same symbols in
         * the same order compiles nothing (it still parses and checks the module). A module whose exports reach a
         * use of a symbol that no resolver provides is compiled whole at load, so that it loads if optimisation
         * removes every such use (a call in dead code, an inlined {@code available_externally} body) and fails as a
         * whole load would if not.
         *
         * @param onFirstUse true to compile each exported symbol when it is first asked for
         * @return this builder
         */
        public Builder compileOnFirstUse(boolean onFirstUse) {
            this.compileOnFirstUse = onFirstUse;
            return this;
        }

        /**
         * Trust: declares that the input comes from a source the caller controls (its own build, say), so that it
         * is compiled in this process without the out-of-process checks that untrusted input gets.
         *
         * <p>What it risks: LLVM is not hardened against damaged or hostile input. Its bitcode reader crashes on
         * some single flipped bits, its parser and code generator overflow their stack on long reference chains,
         * and its code generator ends the process on IR it cannot compile; a crash or a fatal error inside the JVM
         * ends the JVM, and a compile that never ends cannot be stopped. Untrusted IR and bitcode (the default) are
         * therefore compiled in a compile worker, a separate process kept warm, and a worker that crashes, aborts
         * or runs past the compile timeout becomes a {@link MalformedModuleException} or a
         * {@link CompilationException} here. Trusting the input compiles it in this process, which saves the
         * round trip to the worker and takes the risk. Objects are checked in this process whatever this says: the
         * ELF reader is guarded by checks of its own (sizes, relocations).
         *
         * @param trusted true to compile the input in this process without out-of-process checks
         * @return this builder
         */
        public Builder trustInput(boolean trusted) {
            this.trustInput = trusted;
            return this;
        }

        /**
         * Trust: allows inline assembly in IR and bitcode, which is refused by default with a
         * {@link PolicyViolationException}. What it risks: inline assembly is the usual way to make raw system
         * calls, around any resolver, so a plugin with it can do whatever the process can. Objects are machine
         * code already: this policy cannot apply to them.
         *
         * @param trusted true to allow inline assembly
         * @return this builder
         */
        public Builder trustInlineAssembly(boolean trusted) {
            this.trustInlineAssembly = trusted;
            return this;
        }

        /**
         * Limits: how long compiling this load's module may take, instead of the context's limit
         * ({@link JitContext.Builder#compileTimeout(Duration)}). Past it, the compile worker doing the work is
         * killed and the load throws {@link CompilationException}. Input compiled in this process
         * ({@link #trustInput(boolean)}) cannot be stopped: LLVM has no way to cancel a compile, so for it the limit
         * only turns a compile that finished late into that exception.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder compileTimeout(Duration timeout) {
            this.compileTimeout = JitSettings.checkTimeout(timeout, "compileTimeout");
            return this;
        }

        /**
         * Limits: how long each call of the plugin's functions may run, instead of the context's default
         * ({@link JitContext.Builder#callTimeout(Duration)}, none unless set). A call still running past it is
         * stopped and throws {@link PluginFaultException} of kind {@link PluginFaultException.Kind#TIMEOUT}, at most
         * a few milliseconds late; the plugin then closes, as after any fault, since the call may have left its
         * state half-updated. The call is stopped in the plugin's own code, whatever its format: a call blocked
         * inside a host function or a library function it called stops when that function returns to the plugin.
         * One timer serves every call of the process, so a deadline costs a call two stores and nothing more.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = JitSettings.checkTimeout(timeout, "callTimeout");
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
