package io.predicator.guice.internal;

import io.predicator.ConfigurationException;
import io.predicator.JitException;
import io.predicator.resolvers.ResolverRegistry;
import io.predicator.resolvers.Resolvers;
import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Chooses the resolver of the injected context among the contributed and discovered ones; not part of the API.
 */
public final class ResolverChoice {
    private static final String MODULES = "io.predicator:predicator-resolver-naive, predicator-resolver-libc or "
            + "predicator-resolver-static";
    private static final String CONTRIBUTE = "PredicatorModule.resolverBinder(binder()).addBinding().toInstance(resolver)";

    private ResolverChoice() {
    }

    /**
     * Chooses: the configured ids in order (a contributed resolver before a provider of the same id), chained if
     * several; without ids, the only candidate there is.
     *
     * @param ids the configured ids; empty to choose the only candidate
     * @param configurations provider configurations by id
     * @param contributed the resolvers contributed through the module's Multibinder
     * @param registry the providers
     * @return the resolver for the context
     * @throws ConfigurationException if an id is unknown, or without ids if there is no candidate or more than one
     */
    public static SymbolResolver choose(List<String> ids, Map<String, Map<String, String>> configurations,
                                        Set<SymbolResolver> contributed, ResolverRegistry registry) {
        requireNonNull(ids, "ids is null");
        requireNonNull(configurations, "configurations is null");
        requireNonNull(contributed, "contributed is null");
        requireNonNull(registry, "registry is null");
        Map<String, SymbolResolver> contributedById = byId(contributed);
        List<String> chosenIds = ids.isEmpty() ? List.of(onlyCandidate(contributedById, registry)) : ids;
        checkConfigurations(chosenIds, configurations, contributedById);
        List<SymbolResolver> chosen = new ArrayList<>();
        for (String id : chosenIds) {
            SymbolResolver resolver = contributedById.get(id);
            if (resolver == null) {
                if (!registry.ids().contains(id)) {
                    throw new ConfigurationException(unknown(id, contributedById.keySet(), registry));
                }
                resolver = registry.create(id, configurations.getOrDefault(id, Map.of()));
            }
            chosen.add(resolver);
        }
        return chosen.size() == 1 ? chosen.getFirst() : Resolvers.chain(chosen);
    }

    private static Map<String, SymbolResolver> byId(Set<SymbolResolver> contributed) {
        Map<String, SymbolResolver> byId = new TreeMap<>();
        for (SymbolResolver resolver : contributed) {
            String id = resolver.id();
            if (id == null || id.isBlank()) {
                throw new ConfigurationException("The resolver " + resolver.getClass().getName() + " contributed through "
                        + "PredicatorModule.resolverBinder(binder()) has a " + (id == null ? "null" : "blank")
                        + " id; SymbolResolver.id() must return a non-blank id");
            }
            SymbolResolver previous = byId.putIfAbsent(id, resolver);
            if (previous != null) {
                throw new ConfigurationException("Two resolvers contributed through PredicatorModule.resolverBinder(binder()) "
                        + "have the id '" + id + "': " + previous + " (" + previous.getClass().getName() + ") and "
                        + resolver + " (" + resolver.getClass().getName() + "); ids must be unique");
            }
        }
        return byId;
    }

    private static String onlyCandidate(Map<String, SymbolResolver> contributed, ResolverRegistry registry) {
        Set<String> candidates = new LinkedHashSet<>();
        List<String> listing = new ArrayList<>();
        contributed.forEach((id, resolver) -> {
            candidates.add(id);
            listing.add("'" + id + "' (contributed: " + resolver.getClass().getName() + ")");
        });
        for (SymbolResolverProvider provider : registry.providers()) {
            candidates.add(provider.id());
            listing.add("'" + provider.id() + "' (discovered: " + provider.getClass().getName() + ")");
        }
        if (listing.isEmpty()) {
            throw new ConfigurationException("No symbol resolver for the JitContext of PredicatorModule: none was contributed "
                    + "and no resolver provider was found. Add " + MODULES + " to the class path, or contribute "
                    + "one with " + CONTRIBUTE);
        }
        if (listing.size() > 1) {
            String quoted = candidates.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(", "));
            throw new ConfigurationException("Several symbol resolvers could serve the JitContext of PredicatorModule: "
                    + String.join(", ", listing) + ". Choose one with PredicatorModule.builder().resolver(id), or "
                    + "chain them in order with PredicatorModule.builder().resolvers(" + quoted + ")");
        }
        return candidates.iterator().next();
    }

    private static void checkConfigurations(List<String> chosenIds, Map<String, Map<String, String>> configurations,
                                            Map<String, SymbolResolver> contributed) {
        for (String id : configurations.keySet()) {
            if (!chosenIds.contains(id)) {
                throw new ConfigurationException("PredicatorModule has a resolverConfig for '" + id + "', which is not among "
                        + "the chosen resolvers " + chosenIds + "; choose it with resolver(\"" + id + "\") or "
                        + "resolvers(...), or remove its configuration");
            }
            if (contributed.containsKey(id)) {
                throw new ConfigurationException("PredicatorModule has a resolverConfig for '" + id + "', but '" + id
                        + "' is a resolver contributed through PredicatorModule.resolverBinder(binder()), which "
                        + "takes no configuration; configure it where you create it");
            }
        }
    }

    private static String unknown(String id, Collection<String> contributed, ResolverRegistry registry) {
        String message = "No symbol resolver with id '" + id + "' for the JitContext of PredicatorModule; contributed: "
                + contributed + ", discovered: " + registry.ids();
        return contributed.isEmpty() && registry.ids().isEmpty()
                ? message + ". Add " + MODULES + " to the class path, or contribute one with " + CONTRIBUTE
                : message;
    }
}
