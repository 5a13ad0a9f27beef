package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.Subject;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resolver under test, as every resolver contract sees it: how to create it, what it promises, and the samples
 * that show it.
 *
 * @since 0.1
 */
public interface ResolverUnderTest {

    /**
     * Creates the resolver under test; called once or more per check.
     *
     * @return a new resolver (or a shared, stateless one)
     */
    SymbolResolver createResolver();

    /**
     * Declares what the resolver promises beyond the requirements all resolvers meet.
     *
     * @return the capabilities
     */
    Set<ResolverCapability> capabilities();

    /**
     * Lists symbols the resolver must resolve, with what a plugin should observe, and symbols it must refuse.
     *
     * @return at least one sample; names unique
     */
    List<SampleSymbol> samples();

    /**
     * Names the id of the resolver's {@link io.predicator.spi.SymbolResolverProvider}, if it has one; required with
     * {@link ResolverCapability#SERVICE_LOADER_REGISTERED}.
     *
     * @return the provider id; empty by default
     */
    default Optional<String> providerId() {
        return Optional.empty();
    }

    /**
     * Returns the configuration that makes the provider create a resolver equivalent to {@link #createResolver()}.
     *
     * @return the configuration; empty by default
     */
    default Map<String, String> providerConfiguration() {
        return Map.of();
    }

    /**
     * Lists the samples that a resolver created by the provider from {@link #providerConfiguration()} must resolve
     * or refuse as declared (R12). Override when the provider cannot express everything {@link #createResolver()}
     * builds, such as host functions written in Java.
     *
     * @return by default, all of {@link #samples()}
     */
    default List<SampleSymbol> providerSamples() {
        return samples();
    }

    /**
     * Creates the context that the checks load plugins into; by default with the backend found through
     * {@link java.util.ServiceLoader} (a setup failure names the dependency to add if there is none).
     *
     * @param resolver the context's default resolver
     * @return a new context, closed by the check
     */
    default JitContext createContext(SymbolResolver resolver) {
        return Subject.discoveredContext(resolver);
    }
}
