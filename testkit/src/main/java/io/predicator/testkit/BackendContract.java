package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.BackendChecks;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Set;
import java.util.stream.Stream;

/**
 * The conformance tests every {@link JitContext} implementation must pass: implement this interface in one test
 * class, supply contexts and declare the backend's {@linkplain BackendCapability capabilities}, and JUnit Jupiter
 * runs one test per {@linkplain BackendRequirement requirement}.
 *
 * <pre>{@code
 * class OrcBackendContractTests implements BackendContract {
 *     public JitContext createContext(SymbolResolver resolver) {
 *         return JitContext.builder().resolver(resolver).build(new OrcBackend());
 *     }
 *
 *     public Set<BackendCapability> capabilities() {
 *         return EnumSet.allOf(BackendCapability.class);
 *     }
 * }
 * }</pre>
 *
 * <p>The fixture plugins are LLVM IR generated at test time and compiled to bitcode, objects and archives by
 * {@link io.predicator.fixtures.FixtureCompiler}; most checks use IR text, so a backend should load it.
 * Every wait is bounded: a backend that deadlocks fails instead of hanging. Run with
 * {@code --enable-native-access=ALL-UNNAMED}. Every failure starts with
 * {@code Requirement Bn '<the requirement in plain words>' broken:} and says what was observed.
 *
 * @since 0.1
 */
public interface BackendContract {

    /**
     * Creates a context of the backend under test; every check closes the contexts it creates.
     *
     * @param resolver the context's default resolver
     * @return a new, open context
     */
    JitContext createContext(SymbolResolver resolver);

    /**
     * Declares what the backend supports.
     *
     * @return the capabilities
     */
    Set<BackendCapability> capabilities();

    /**
     * B1: every declared format loads and its functions run.
     *
     * @return one test per declared format variant
     */
    @TestFactory
    @DisplayName("B1 every declared format loads and its functions run")
    default Stream<DynamicTest> everyDeclaredFormatLoadsAndRuns() {
        return BackendChecks.everyDeclaredFormatLoads(this);
    }

    /**
     * B2: exports are listed, with signatures where the format carries types.
     *
     * @return one test per declared format, and one for {@code inspect()}
     */
    @TestFactory
    @DisplayName("B2 exports are listed, with signatures where the format carries types")
    default Stream<DynamicTest> exportsAreListedWithSignaturesWhereTheFormatCarriesTypes() {
        return BackendChecks.exportsAreListed(this);
    }

    /** B3: plugins are isolated from each other. */
    @Test
    @DisplayName("B3 plugins are isolated from each other")
    default void pluginsAreIsolatedFromEachOther() {
        BackendChecks.pluginsAreIsolated(this);
    }

    /**
     * B4: a mismatched signature is refused, showing both signatures.
     *
     * @return one test per typed format
     */
    @TestFactory
    @DisplayName("B4 a mismatched signature is refused, showing both signatures")
    default Stream<DynamicTest> mismatchedSignatureIsRefused() {
        return BackendChecks.mismatchedSignaturesAreRefused(this);
    }

    /** B5: unknown symbols are reported, not guessed. */
    @Test
    @DisplayName("B5 unknown symbols are reported, not guessed")
    default void unknownSymbolsAreReported() {
        BackendChecks.unknownSymbolsAreReported(this);
    }

    /** B6: closing a plugin waits for a call in flight. */
    @Test
    @DisplayName("B6 close waits for a call in flight (plugin)")
    default void pluginCloseWaitsForACallInFlight() {
        BackendChecks.closeWaitsForACallInFlight(this);
    }

    /** B6: closing the context waits for a call in flight. */
    @Test
    @DisplayName("B6 close waits for a call in flight (context)")
    default void contextCloseWaitsForACallInFlight() {
        BackendChecks.contextCloseWaitsForACallInFlight(this);
    }

    /** B7: a closed plugin refuses every use. */
    @Test
    @DisplayName("B7 a closed plugin refuses every use")
    default void closedPluginRefusesEveryUse() {
        BackendChecks.closedPluginRefusesEveryUse(this);
    }

    /** B8: closing the context closes its plugins. */
    @Test
    @DisplayName("B8 closing the context closes its plugins")
    default void closingTheContextClosesItsPlugins() {
        BackendChecks.contextCloseClosesPlugins(this);
    }

    /**
     * B9: concurrent loads work.
     *
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    @Test
    @DisplayName("B9 concurrent loads work")
    default void concurrentLoadsWork() throws InterruptedException {
        BackendChecks.concurrentLoadsWork(this);
    }

    /**
     * B10 and B12: bad input gives a typed exception naming the source, and the context stays usable.
     *
     * @return one test per kind of bad input
     */
    @TestFactory
    @DisplayName("B10 bad input gives a typed exception naming the source")
    default Stream<DynamicTest> badInputGivesATypedException() {
        return BackendChecks.badInputGivesTypedException(this);
    }

    /** B11 and B12: unresolved symbols are all listed at once, and the context stays usable. */
    @Test
    @DisplayName("B11 unresolved symbols are all listed at once")
    default void unresolvedSymbolsAreAllListedAtOnce() {
        BackendChecks.unresolvedSymbolsAreAllListed(this);
    }

    /** B13 and B12: resolver failures are contained, and the context stays usable. */
    @Test
    @DisplayName("B13 resolver failures are contained")
    default void resolverFailuresAreContained() {
        BackendChecks.resolverFailuresAreContained(this);
    }

    /** B14: the resolver supplies the imports. */
    @Test
    @DisplayName("B14 the resolver supplies the imports")
    default void resolverSuppliesTheImports() {
        BackendChecks.resolverSuppliesImports(this);
    }
}
