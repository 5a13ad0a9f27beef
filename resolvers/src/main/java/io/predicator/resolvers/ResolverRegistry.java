package io.predicator.resolvers;

import io.predicator.ConfigurationException;
import io.predicator.JitException;
import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.lang.System.Logger;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.lang.System.Logger.Level.DEBUG;
import static java.util.Objects.requireNonNull;

/**
 * The symbol resolver providers available by id: discovered through {@link ServiceLoader} or registered
 * explicitly. Immutable and thread-safe.
 *
 * <pre>{@code
 * ResolverRegistry registry = ResolverRegistry.discover();
 * SymbolResolver libc = registry.create("libc", Map.of("profile", "pure"));
 * }</pre>
 *
 * <p>Every way of building a registry rejects two providers with the same id, naming both. Asking for an id that
 * no provider has fails with a message listing the ids there are.
 *
 * @since 0.1
 */
public final class ResolverRegistry {
    private static final Logger LOGGER = System.getLogger(ResolverRegistry.class.getName());
    private static final String SERVICE_FILE = "META-INF/services/" + SymbolResolverProvider.class.getName();
    private static final String MODULES = "io.predicator:predicator-resolver-naive, predicator-resolver-libc "
            + "or predicator-resolver-static";

    private final Map<String, SymbolResolverProvider> providers;
    private final String origin;

    private ResolverRegistry(List<SymbolResolverProvider> found, String origin) {
        Map<String, SymbolResolverProvider> byId = new TreeMap<>();
        for (SymbolResolverProvider provider : found) {
            String id = checkedId(provider);
            SymbolResolverProvider previous = byId.putIfAbsent(id, provider);
            if (previous != null) {
                throw new ConfigurationException("Two symbol resolver providers have the id '" + id + "': "
                        + describe(previous) + " and " + describe(provider) + " (" + origin + "); ids must be "
                        + "unique, so remove one of them");
            }
        }
        this.providers = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
        this.origin = origin;
    }

    /**
     * Discovers the providers registered in {@code META-INF/services/io.predicator.spi.SymbolResolverProvider}
     * through the thread's context class loader, or this class's loader if the thread has none.
     *
     * @return the providers found, possibly none
     * @throws ConfigurationException if a listed provider cannot be loaded or two providers have the same id
     */
    public static ResolverRegistry discover() {
        ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();
        return discover(contextLoader != null ? contextLoader : ResolverRegistry.class.getClassLoader());
    }

    /**
     * Discovers the providers that a class loader sees in
     * {@code META-INF/services/io.predicator.spi.SymbolResolverProvider}.
     *
     * @param classLoader the loader to search, with its parents
     * @return the providers found, possibly none
     * @throws ConfigurationException if a listed provider cannot be loaded or two providers have the same id
     */
    public static ResolverRegistry discover(ClassLoader classLoader) {
        requireNonNull(classLoader, "classLoader is null");
        String origin = "discovered through ServiceLoader in " + classLoader;
        List<SymbolResolverProvider> found = new ArrayList<>();
        try {
            for (SymbolResolverProvider provider : ServiceLoader.load(SymbolResolverProvider.class, classLoader)) {
                LOGGER.log(DEBUG, () -> "Found symbol resolver provider '" + provider.id() + "': "
                        + describe(provider));
                found.add(provider);
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigurationException("Cannot load a symbol resolver provider listed in " + SERVICE_FILE + " through "
                    + classLoader + ": " + e.getMessage() + "; fix or remove the jar that lists it", e);
        }
        ResolverRegistry registry = new ResolverRegistry(found, origin);
        LOGGER.log(DEBUG, () -> "Discovered " + registry.providers.size() + " symbol resolver provider"
                + (registry.providers.size() == 1 ? "" : "s") + " through ServiceLoader in " + classLoader + ": "
                + registry.providers.keySet());
        return registry;
    }

    /**
     * Registers providers explicitly, without {@link ServiceLoader}.
     *
     * @param providers the providers; none gives an empty registry
     * @return a registry of exactly these providers
     * @throws ConfigurationException if two providers have the same id
     */
    public static ResolverRegistry of(SymbolResolverProvider... providers) {
        requireNonNull(providers, "providers is null");
        List<SymbolResolverProvider> list = new ArrayList<>(providers.length);
        for (int i = 0; i < providers.length; i++) {
            list.add(requireNonNull(providers[i], "providers[" + i + "] is null"));
        }
        ResolverRegistry registry = new ResolverRegistry(list, "registered explicitly");
        LOGGER.log(DEBUG, () -> "Registered symbol resolver providers explicitly: " + registry.providers.keySet());
        return registry;
    }

    /**
     * Returns the ids of the providers.
     *
     * @return the ids, sorted
     */
    public List<String> ids() {
        return List.copyOf(providers.keySet());
    }

    /**
     * Returns the providers.
     *
     * @return the providers, sorted by id
     */
    public List<SymbolResolverProvider> providers() {
        return List.copyOf(providers.values());
    }

    /**
     * Returns the provider with an id.
     *
     * @param id the provider's id, such as {@code "libc"}
     * @return the provider
     * @throws ConfigurationException if no provider has the id; the message lists the ids there are
     */
    public SymbolResolverProvider provider(String id) {
        requireNonNull(id, "id is null");
        SymbolResolverProvider provider = providers.get(id);
        if (provider == null) {
            throw new ConfigurationException(unknown(id));
        }
        return provider;
    }

    /**
     * Creates a resolver with the provider that has an id.
     *
     * @param id the provider's id, such as {@code "libc"}
     * @param configuration settings whose keys the provider documents; empty for its defaults
     * @return a new resolver
     * @throws ConfigurationException if no provider has the id, or the provider returns null
     * @throws IllegalArgumentException if the provider rejects the configuration
     */
    public SymbolResolver create(String id, Map<String, String> configuration) {
        requireNonNull(configuration, "configuration is null");
        SymbolResolverProvider provider = provider(id);
        SymbolResolver resolver = provider.create(Map.copyOf(configuration));
        if (resolver == null) {
            throw new ConfigurationException("Symbol resolver provider '" + id + "' (" + describe(provider)
                    + ") returned null instead of a resolver");
        }
        LOGGER.log(DEBUG, () -> "Created symbol resolver '" + resolver.id() + "' with provider '" + id + "' and "
                + "configuration " + configuration);
        return resolver;
    }

    @Override
    public String toString() {
        return "ResolverRegistry" + providers.keySet();
    }

    private String unknown(String id) {
        if (providers.isEmpty()) {
            return "No symbol resolver provider with id '" + id + "': none were found (" + origin + "). Add "
                    + MODULES + " to the class path, or register a provider with ResolverRegistry.of(...)";
        }
        return "No symbol resolver provider with id '" + id + "'; found " + providers.values().stream()
                .map(ResolverRegistry::listing)
                .collect(Collectors.joining(", ")) + " (" + origin + ")";
    }

    private static String checkedId(SymbolResolverProvider provider) {
        String id = provider.id();
        if (id == null || id.isBlank()) {
            throw new ConfigurationException("Symbol resolver provider " + describe(provider) + " has a "
                    + (id == null ? "null" : "blank") + " id; SymbolResolverProvider.id() must return a non-blank id");
        }
        return id;
    }

    private static String listing(SymbolResolverProvider provider) {
        String description = provider.description();
        return description == null || description.equals(provider.id())
                ? "'" + provider.id() + "'"
                : "'" + provider.id() + "' (" + description + ")";
    }

    /** Names a provider's class and, where known, the jar or directory it came from. */
    static String describe(Object provider) {
        Class<?> type = provider.getClass();
        String location;
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            location = source == null || source.getLocation() == null ? null : source.getLocation().toString();
        } catch (SecurityException e) {
            location = null;
        }
        return type.getName() + (location == null ? "" : " from " + location);
    }
}
