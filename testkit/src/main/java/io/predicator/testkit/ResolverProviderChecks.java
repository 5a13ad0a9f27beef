package io.predicator.testkit;

import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;
import org.opentest4j.TestAbortedException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import static io.predicator.testkit.ResolverRequirement.R0;
import static io.predicator.testkit.ResolverRequirement.R12;
import static io.predicator.testkit.ResolverRequirement.R13;
import static io.predicator.testkit.internal.ResolverSupport.UNKNOWN_CONFIGURATION_KEY;
import static io.predicator.testkit.internal.ResolverSupport.assumeDeclared;
import static io.predicator.testkit.internal.ResolverSupport.configuration;
import static io.predicator.testkit.internal.ResolverSupport.providerId;
import static io.predicator.testkit.internal.ResolverSupport.setup;
import static io.predicator.testkit.internal.ResolverSupport.shortened;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.require;
import static io.predicator.testkit.internal.Verdicts.step;

/** The checks of {@link ResolverProviderContract}: discovery through {@code ServiceLoader} and configuration. */
final class ResolverProviderChecks {
    // ---- R12, R13 ------------------------------------------------------------------------------------------------

    /** Checks R12: the provider is discoverable. */
    static void providerIsDiscoverable(ResolverUnderTest contract) {
        assumeDeclared(contract, ResolverCapability.SERVICE_LOADER_REGISTERED);
        String id = requiredProviderId(contract);
        SymbolResolverProvider provider = discover(contract, id);
        String description = step(R12, "description() of provider '" + id + "'", provider::description);
        require(R12, description != null && !description.isBlank(), "provider '" + id + "' has a blank description");
        Map<String, String> configuration = configuration(contract);
        SymbolResolver created = step(R12, "create(" + configuration + ") of provider '" + id + "'",
                () -> provider.create(configuration));
        require(R12, created != null, "provider '" + id + "' created null from " + configuration);
        try {
            String createdId = step(R12, "id() of the resolver that provider '" + id + "' created", created::id);
            require(R12, id.equals(createdId), "provider '" + id + "' created a resolver whose id is \"" + createdId
                    + "\"; a provider's id is the id of the resolvers it creates");
            for (SampleSymbol sample : List.copyOf(setup("providerSamples()", contract::providerSamples))) {
                Optional<MemorySegment> answer = step(R12, "resolve(" + shortened(sample.name()) + ") of the resolver "
                        + "that provider '" + id + "' created", () -> created.resolve(sample.name()));
                require(R12, answer != null && answer.isPresent() == sample.resolves(), "the resolver that provider '"
                        + id + "' created with " + configuration + " " + (sample.resolves() ? "does not resolve"
                        : "resolves") + " sample " + sample.name() + ", unlike createResolver()'s; make "
                        + "providerConfiguration() match createResolver(), or leave the sample out of providerSamples()");
            }
        } finally {
            closeQuietly(created);
        }
    }

    /** Checks R13: the provider rejects unknown configuration keys. */
    static void providerRejectsUnknownKeys(ResolverUnderTest contract) {
        assumeDeclared(contract, ResolverCapability.SERVICE_LOADER_REGISTERED);
        String id = requiredProviderId(contract);
        SymbolResolverProvider provider;
        try {
            provider = discover(contract, id);
        } catch (AssertionError notFound) {
            throw new TestAbortedException("R13 needs the provider, which is not found (see R12): "
                    + notFound.getMessage());
        }
        Map<String, String> configuration = new HashMap<>(configuration(contract));
        configuration.put(UNKNOWN_CONFIGURATION_KEY, "1");
        SymbolResolver created;
        try {
            created = provider.create(Map.copyOf(configuration));
        } catch (IllegalArgumentException expected) {
            require(R13, Objects.toString(expected.getMessage(), "").contains(UNKNOWN_CONFIGURATION_KEY),
                    "provider '" + id + "' rejected the unknown key '" + UNKNOWN_CONFIGURATION_KEY + "' but its message "
                            + "does not name it: " + expected.getMessage());
            return;
        } catch (Throwable other) {
            throw broken(R13, "provider '" + id + "' should reject the unknown key '" + UNKNOWN_CONFIGURATION_KEY
                    + "' with IllegalArgumentException, but", other);
        }
        closeQuietly(created);
        throw broken(R13, "provider '" + id + "' accepted the unknown key '" + UNKNOWN_CONFIGURATION_KEY + "'; "
                + "reject keys it does not know with IllegalArgumentException naming the key, so typos are noticed");
    }

    private static void closeQuietly(SymbolResolver resolver) {
        if (resolver instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // a verdict is being given; closing a resolver the provider made is secondary
            }
        }
    }

    private static SymbolResolverProvider discover(ResolverUnderTest contract, String id) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = contract.getClass().getClassLoader();
        }
        Map<String, List<String>> found = new LinkedHashMap<>();
        List<SymbolResolverProvider> matching = new ArrayList<>();
        try {
            for (SymbolResolverProvider provider : ServiceLoader.load(SymbolResolverProvider.class, loader)) {
                String providerId = provider.id();
                found.computeIfAbsent(providerId, key -> new ArrayList<>()).add(provider.getClass().getName());
                if (id.equals(providerId)) {
                    matching.add(provider);
                }
            }
        } catch (ServiceConfigurationError e) {
            throw broken(R12, "ServiceLoader could not load the SymbolResolverProviders registered on the class path",
                    e);
        }
        require(R12, !matching.isEmpty(), "ServiceLoader finds no SymbolResolverProvider with id '" + id + "'; it finds "
                + (found.isEmpty() ? "none" : found) + ". Register the provider's class name in "
                + "META-INF/services/io.predicator.spi.SymbolResolverProvider (and 'provides' it in module-info.java "
                + "if there is one)");
        require(R12, matching.size() == 1, "ServiceLoader finds " + matching.size() + " providers with id '" + id
                + "': " + found.get(id) + "; provider ids must be unique");
        return matching.getFirst();
    }

    private static String requiredProviderId(ResolverUnderTest contract) {
        return providerId(contract).orElseThrow(() -> broken(R0, "SERVICE_LOADER_REGISTERED is declared but "
                + "providerId() is empty"));
    }

    private ResolverProviderChecks() {
    }
}
