package io.predicator.resolver.statics;

import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.ResolverCapability;
import io.predicator.testkit.ResolverContract;
import io.predicator.testkit.SampleSymbol;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The static resolver honours the resolver contract: a Java host function, a native function and a data symbol
 * from its table link into JIT-compiled plugins and work there, and names outside the table are refused. Its
 * provider, found by id {@code static}, can only express native symbols, so the discovery check uses those.
 */
class StaticResolverContractTests implements ResolverContract {
    private static final MemorySegment ANSWER = Arena.global().allocateFrom("42");

    @Override
    public SymbolResolver createResolver() {
        return StaticResolver.builder()
                .hostFunction("host_mul", IntBinaryOperator.class, (a, b) -> a * b)
                .function("c_strlen", Linker.nativeLinker().defaultLookup().find("strlen").orElseThrow())
                .data("answer", ANSWER)
                .build();
    }

    @Override
    public Set<ResolverCapability> capabilities() {
        return EnumSet.of(ResolverCapability.RESOLVES_FUNCTIONS, ResolverCapability.RESOLVES_DATA,
                ResolverCapability.SERVICE_LOADER_REGISTERED);
    }

    @Override
    public List<SampleSymbol> samples() {
        return List.of(
                SampleSymbol.function("host_mul", "i32(i32, i32)").calledWith(6, 7).returns(42),
                SampleSymbol.function("c_strlen", "i64(ptr)").calledWith("static").returns(6L),
                SampleSymbol.data("answer").checkedBy(address ->
                        assertThat(address.reinterpret(3).getString(0)).isEqualTo("42")),
                SampleSymbol.refused("strlen"),
                SampleSymbol.refused("getpid"));
    }

    @Override
    public Optional<String> providerId() {
        return Optional.of(StaticResolver.ID);
    }

    @Override
    public Map<String, String> providerConfiguration() {
        return Map.of("c_strlen", "strlen");
    }

    @Override
    public List<SampleSymbol> providerSamples() {
        return samples().stream()
                .filter(sample -> sample.name().equals("c_strlen") || sample.name().equals("strlen")
                        || sample.name().equals("getpid"))
                .toList();
    }
}
