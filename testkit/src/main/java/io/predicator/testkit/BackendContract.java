package io.predicator.testkit;

/**
 * The conformance tests every {@link io.predicator.JitContext} implementation must pass: implement this interface in
 * one test class, supply contexts and declare the backend's {@linkplain BackendCapability capabilities}, and JUnit
 * Jupiter runs one test per {@linkplain BackendRequirement requirement}. It is the sum of five smaller contracts,
 * which a backend may adopt one at a time: {@link BackendFormatsContract}, {@link BackendLifecycleContract},
 * {@link BackendFailuresContract}, {@link BackendResolutionContract} and {@link BackendOptionsContract}.
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
public interface BackendContract extends BackendFormatsContract, BackendLifecycleContract, BackendFailuresContract,
        BackendResolutionContract, BackendOptionsContract {
}
