package com.example.mathresolver;

import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.ResolverCapability;
import io.predicator.testkit.ResolverContract;
import io.predicator.testkit.SampleSymbol;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Step 2 of the testkit README: one class that gets the full verdict on the math-only resolver. It promises functions
 * and a registered provider; not data, and not the compiler helpers (it refuses memcpy on purpose), so those checks
 * are skipped.
 */
class MathOnlyResolverContractTests implements ResolverContract {

    @Override
    public SymbolResolver createResolver() {
        return new MathOnlyResolver();
    }

    @Override
    public Set<ResolverCapability> capabilities() {
        return EnumSet.of(ResolverCapability.RESOLVES_FUNCTIONS, ResolverCapability.SERVICE_LOADER_REGISTERED);
    }

    @Override
    public List<SampleSymbol> samples() {
        return List.of(
                SampleSymbol.function("sqrt", "double(double)").calledWith(2.0).returns(Math.sqrt(2.0)),
                SampleSymbol.function("pow", "double(double, double)").calledWith(2.0, 10.0).returns(1024.0),
                SampleSymbol.function("hypot", "double(double, double)").calledWith(3.0, 4.0).returns(5.0),
                SampleSymbol.function("cos", "double(double)").verifiedBy((cos, arena) ->
                        assertThat((double) cos.invokeExact(Math.PI)).isCloseTo(-1.0,
                                org.assertj.core.data.Offset.offset(1e-15))),
                SampleSymbol.refused("memcpy"),
                SampleSymbol.refused("strlen"),
                SampleSymbol.refused("getpid"),
                SampleSymbol.refused("system"));
    }

    @Override
    public Optional<String> providerId() {
        return Optional.of(MathOnlyResolver.ID);
    }
}
