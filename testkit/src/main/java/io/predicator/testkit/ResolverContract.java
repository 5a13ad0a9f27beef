package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.spi.SymbolResolver;

/**
 * The conformance tests every {@link SymbolResolver} must pass: implement this interface in one test class, supply
 * the resolver, declare its {@linkplain ResolverCapability capabilities} and a few {@linkplain SampleSymbol sample
 * symbols}, and JUnit Jupiter runs one test per {@linkplain ResolverRequirement requirement}. It is the sum of three
 * smaller contracts, which a resolver may adopt one at a time: {@link ResolverLookupContract},
 * {@link ResolverLinkingContract} and {@link ResolverProviderContract}.
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
public interface ResolverContract extends ResolverLookupContract, ResolverLinkingContract, ResolverProviderContract {
}
