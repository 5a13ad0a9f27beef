package io.predicator.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.predicator.JitContext;
import io.predicator.guice.internal.ContextOwner;
import io.predicator.guice.internal.ResolverChoice;
import io.predicator.resolvers.ResolverRegistry;
import io.predicator.spi.JitSettings;
import io.predicator.spi.SymbolResolver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Binds a singleton {@link JitContext} and the {@link PredicatorLifecycle} that closes it; install it to inject
 * Predicator with Guice.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(
 *         PredicatorModule.builder().resolvers("host", "libc").optimizationLevel(3).build(),
 *         new AbstractModule() {
 *             @Override
 *             protected void configure() {
 *                 PredicatorModule.resolverBinder(binder()).addBinding().toInstance(hostFunctions); // id "host"
 *             }
 *         });
 * JitContext jit = injector.getInstance(JitContext.class);
 * // ... when the application stops, the injector's owner closes the context:
 * injector.getInstance(PredicatorLifecycle.class).close();
 * }</pre>
 *
 * <p>The context's resolver comes from the resolvers contributed through {@link #resolverBinder(Binder)} and the
 * providers of a {@link ResolverRegistry} ({@link ResolverRegistry#discover()} unless {@link Builder#registry}
 * names one). With ids configured, those are used in order, a contributed resolver before a provider with the
 * same id, chained if several. Without ids, the only candidate is used; none, or several, fail injection
 * with a message saying what to add or how to choose.
 *
 * <p>Modules are equal when their configuration is, so installing the same configuration twice is harmless.
 *
 * @since 0.1
 */
public final class PredicatorModule extends AbstractModule {
    private final List<String> resolverIds;
    private final Map<String, Map<String, String>> resolverConfigurations;
    private final Integer optimizationLevel;
    private final ResolverRegistry registry;

    /**
     * Creates a module with the defaults: the only resolver available, and the backend's optimisation level.
     */
    public PredicatorModule() {
        this(new Builder());
    }

    private PredicatorModule(Builder builder) {
        this.resolverIds = List.copyOf(builder.resolverIds);
        this.resolverConfigurations = Map.copyOf(builder.resolverConfigurations);
        this.optimizationLevel = builder.optimizationLevel;
        this.registry = builder.registry;
    }

    /**
     * Starts configuring a module.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the set binder through which modules contribute resolvers that the context may use, by their ids.
     *
     * @param binder the binder of the contributing module
     * @return the resolvers' set binder
     */
    public static Multibinder<SymbolResolver> resolverBinder(Binder binder) {
        requireNonNull(binder, "binder is null");
        return Multibinder.newSetBinder(binder, SymbolResolver.class);
    }

    @Override
    protected final void configure() {
        resolverBinder(binder());
    }

    @Provides
    @Singleton
    ContextOwner contextOwner(Set<SymbolResolver> contributed) {
        Set<SymbolResolver> resolvers = Set.copyOf(contributed);
        return new ContextOwner(() -> {
            ResolverRegistry providers = registry != null ? registry : ResolverRegistry.discover();
            JitContext.Builder builder = JitContext.builder()
                    .resolver(ResolverChoice.choose(resolverIds, resolverConfigurations, resolvers, providers));
            if (optimizationLevel != null) {
                builder.optimizationLevel(optimizationLevel);
            }
            return builder.build();
        });
    }

    @Provides
    PredicatorLifecycle lifecycle(ContextOwner owner) {
        return owner;
    }

    @Provides
    @Singleton
    JitContext jitContext(ContextOwner owner) {
        return owner.context();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PredicatorModule that
                && resolverIds.equals(that.resolverIds)
                && resolverConfigurations.equals(that.resolverConfigurations)
                && Objects.equals(optimizationLevel, that.optimizationLevel)
                && registry == that.registry;
    }

    @Override
    public int hashCode() {
        return Objects.hash(resolverIds, resolverConfigurations, optimizationLevel, System.identityHashCode(registry));
    }

    @Override
    public String toString() {
        return "PredicatorModule[resolvers=" + (resolverIds.isEmpty() ? "the only one available" : resolverIds)
                + (resolverConfigurations.isEmpty() ? "" : ", resolverConfig=" + resolverConfigurations)
                + ", optimizationLevel=" + (optimizationLevel == null ? "default" : optimizationLevel)
                + ", registry=" + (registry == null ? "discovered" : registry) + "]";
    }

    /**
     * Configures a {@link PredicatorModule}; not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {
        private List<String> resolverIds = List.of();
        private final Map<String, Map<String, String>> resolverConfigurations = new LinkedHashMap<>();
        private Integer optimizationLevel;
        private ResolverRegistry registry;

        private Builder() {
        }

        /**
         * Uses the resolver with this id: a contributed one, or else one created by the provider with the id.
         *
         * @param id the resolver's id, such as {@code "libc"}
         * @return this builder
         */
        public Builder resolver(String id) {
            return resolvers(id);
        }

        /**
         * Chains the resolvers with these ids, asked in this order; each is a contributed one, or else one created
         * by the provider with the id.
         *
         * @param ids the resolvers' ids, at least one, without repeats
         * @return this builder
         */
        public Builder resolvers(String... ids) {
            requireNonNull(ids, "ids is null");
            if (ids.length == 0) {
                throw new IllegalArgumentException("give at least one resolver id");
            }
            List<String> checked = new ArrayList<>(ids.length);
            for (int i = 0; i < ids.length; i++) {
                String id = checkedId(ids[i], "ids[" + i + "]");
                if (checked.contains(id)) {
                    throw new IllegalArgumentException("resolver id '" + id + "' is given twice");
                }
                checked.add(id);
            }
            this.resolverIds = List.copyOf(checked);
            return this;
        }

        /**
         * Configures the provider of a resolver; the configuration is passed to
         * {@link io.predicator.spi.SymbolResolverProvider#create(Map)}.
         *
         * @param id the provider's id
         * @param configuration settings whose keys the provider documents; copied
         * @return this builder
         */
        public Builder resolverConfig(String id, Map<String, String> configuration) {
            requireNonNull(configuration, "configuration is null");
            resolverConfigurations.put(checkedId(id, "id"), Map.copyOf(configuration));
            return this;
        }

        /**
         * Sets the context's default optimisation level.
         *
         * @param level 0 (none) to 3 (aggressive)
         * @return this builder
         */
        public Builder optimizationLevel(int level) {
            this.optimizationLevel = JitSettings.checkOptimizationLevel(level);
            return this;
        }

        /**
         * Takes resolver providers from this registry instead of discovering them through ServiceLoader when the
         * context is first injected.
         *
         * @param registry the providers, for example {@code ResolverRegistry.of(new LibcResolverProvider())}
         * @return this builder
         */
        public Builder registry(ResolverRegistry registry) {
            this.registry = requireNonNull(registry, "registry is null");
            return this;
        }

        /**
         * Creates the module.
         *
         * @return the module, equal to any other built with the same configuration
         */
        public PredicatorModule build() {
            return new PredicatorModule(this);
        }

        private static String checkedId(String id, String name) {
            requireNonNull(id, name + " is null");
            if (id.isBlank()) {
                throw new IllegalArgumentException(name + " is blank");
            }
            return id;
        }
    }
}
