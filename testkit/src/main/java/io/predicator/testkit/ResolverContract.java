package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.ResolverChecks;
import io.predicator.testkit.internal.Subject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The conformance tests every {@link SymbolResolver} must pass: implement this interface in one test class, supply
 * the resolver, declare its {@linkplain ResolverCapability capabilities} and a few {@linkplain SampleSymbol sample
 * symbols}, and JUnit Jupiter runs one test per {@linkplain ResolverRequirement requirement}.
 *
 * <pre>{@code
 * class MathResolverContractTests implements ResolverContract {
 *     public SymbolResolver createResolver() {
 *         return new MathResolver();
 *     }
 *
 *     public Set<ResolverCapability> capabilities() {
 *         return EnumSet.of(RESOLVES_FUNCTIONS, SERVICE_LOADER_REGISTERED);
 *     }
 *
 *     public List<SampleSymbol> samples() {
 *         return List.of(
 *                 SampleSymbol.function("sqrt", "double(double)").calledWith(2.0).returns(Math.sqrt(2.0)),
 *                 SampleSymbol.refused("getpid"));
 *     }
 *
 *     public Optional<String> providerId() {
 *         return Optional.of("math");
 *     }
 * }
 * }</pre>
 *
 * <p>The checks link real plugins (LLVM IR generated at test time) against the resolver, through the JIT backend
 * that {@link JitContext#builder()} finds: add {@code io.predicator:predicator-orc-backend} as a test dependency, and
 * run the tests with {@code --enable-native-access=ALL-UNNAMED}. Each check creates its own resolver with
 * {@link #createResolver()} and closes it afterwards if it is {@link AutoCloseable} (after the plugins linked against
 * it). Checks of capabilities that are not declared are skipped. Every failure starts with
 * {@code Requirement Rn '<the requirement in plain words>' broken:} and says what was observed.
 *
 * @since 0.1
 */
public interface ResolverContract {

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

    /** R0: the declared capabilities are backed by the samples. */
    @Test
    @DisplayName("R0 the declared capabilities are backed by the samples")
    default void declaredCapabilitiesAreBackedBySamples() {
        ResolverChecks.declarationIsConsistent(this);
    }

    /** R1: the id is non-blank and stable. */
    @Test
    @DisplayName("R1 the id is non-blank and stable")
    default void idIsNonBlankAndStable() {
        ResolverChecks.idIsNonBlankAndStable(this);
    }

    /** R2: null is rejected. */
    @Test
    @DisplayName("R2 null is rejected")
    default void nullIsRejected() {
        ResolverChecks.nullIsRejected(this);
    }

    /** R3: unknown names give empty, never an exception. */
    @Test
    @DisplayName("R3 unknown names give empty, never an exception")
    default void unknownNamesGiveEmpty() {
        ResolverChecks.unknownNamesGiveEmpty(this);
    }

    /**
     * R4: samples resolve or are refused as declared.
     *
     * @return one test per sample
     */
    @TestFactory
    @DisplayName("R4 samples resolve or are refused as declared")
    default Stream<DynamicTest> samplesResolveOrAreRefusedAsDeclared() {
        return ResolverChecks.samplesResolveAsDeclared(this);
    }

    /** R5: answers are deterministic. */
    @Test
    @DisplayName("R5 answers are deterministic")
    default void answersAreDeterministic() {
        ResolverChecks.answersAreDeterministic(this);
    }

    /**
     * R6: concurrent resolution is consistent.
     *
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    @Test
    @DisplayName("R6 concurrent resolution is consistent")
    default void concurrentResolutionIsConsistent() throws InterruptedException {
        ResolverChecks.concurrentResolutionIsConsistent(this);
    }

    /**
     * R7: resolved functions work in a JIT-linked plugin.
     *
     * @return one test per function sample that resolves
     */
    @TestFactory
    @DisplayName("R7 resolved functions work in a JIT-linked plugin")
    default Stream<DynamicTest> resolvedFunctionsWorkInALinkedPlugin() {
        return ResolverChecks.resolvedFunctionsWork(this);
    }

    /**
     * R8: resolved data works in a JIT-linked plugin.
     *
     * @return one test per data sample that resolves
     */
    @TestFactory
    @DisplayName("R8 resolved data works in a JIT-linked plugin")
    default Stream<DynamicTest> resolvedDataWorksInALinkedPlugin() {
        return ResolverChecks.resolvedDataWorks(this);
    }

    /**
     * R9: refused symbols keep a plugin from loading.
     *
     * @return one test per refused sample
     */
    @TestFactory
    @DisplayName("R9 refused symbols keep a plugin from loading")
    default Stream<DynamicTest> refusedSymbolsKeepAPluginFromLoading() {
        return ResolverChecks.refusedSymbolsKeepAPluginFromLoading(this);
    }

    /** R10: the compiler helpers resolve and work. */
    @Test
    @DisplayName("R10 the compiler helpers resolve and work")
    default void compilerHelpersResolveAndWork() {
        ResolverChecks.compilerHelpersWork(this);
    }

    /** R11: a throwing resolver is contained. */
    @Test
    @DisplayName("R11 a throwing resolver is contained")
    default void throwingResolverIsContained() {
        ResolverChecks.throwingResolverIsContained(this);
    }

    /** R12: the provider is discoverable. */
    @Test
    @DisplayName("R12 the provider is discoverable")
    default void providerIsDiscoverable() {
        ResolverChecks.providerIsDiscoverable(this);
    }

    /** R13: the provider rejects unknown configuration keys. */
    @Test
    @DisplayName("R13 the provider rejects unknown configuration keys")
    default void providerRejectsUnknownConfigurationKeys() {
        ResolverChecks.providerRejectsUnknownKeys(this);
    }
}
