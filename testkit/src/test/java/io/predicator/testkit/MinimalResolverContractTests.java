package io.predicator.testkit;

import io.predicator.spi.SymbolResolver;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.predicator.testkit.ResolverCapability.RESOLVES_COMPILER_HELPERS;
import static io.predicator.testkit.ResolverCapability.RESOLVES_DATA;
import static io.predicator.testkit.ResolverCapability.RESOLVES_FUNCTIONS;
import static io.predicator.testkit.ResolverCapability.SERVICE_LOADER_REGISTERED;
import static org.assertj.core.api.Assertions.assertThat;

/** A resolver that honours the contract passes every check, the optional ones included. */
class MinimalResolverContractTests implements ResolverContract {

    @Override
    public SymbolResolver createResolver() {
        return new MinimalResolver();
    }

    @Override
    public Set<ResolverCapability> capabilities() {
        return EnumSet.of(RESOLVES_FUNCTIONS, RESOLVES_DATA, RESOLVES_COMPILER_HELPERS, SERVICE_LOADER_REGISTERED);
    }

    @Override
    public List<SampleSymbol> samples() {
        return List.of(
                SampleSymbol.function("strlen", "i64(ptr)").calledWith("hello").returns(5L),
                SampleSymbol.function("sqrt", "double(double)").calledWith(2.0).returns(Math.sqrt(2.0)),
                SampleSymbol.function("toupper", "i32(i32)").verifiedBy((toupper, arena) ->
                        assertThat((int) toupper.invokeExact((int) 'q')).isEqualTo('Q')),
                SampleSymbol.function("__udivti3"),
                SampleSymbol.data(MinimalResolver.ANSWER).containing("42\0"),
                SampleSymbol.refused("getpid"),
                SampleSymbol.refused("system"));
    }

    @Override
    public Optional<String> providerId() {
        return Optional.of(MinimalResolver.ID);
    }
}
