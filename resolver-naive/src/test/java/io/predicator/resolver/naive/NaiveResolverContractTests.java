package io.predicator.resolver.naive;

import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.ResolverCapability;
import io.predicator.testkit.ResolverContract;
import io.predicator.testkit.SampleSymbol;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The naive resolver honours the resolver contract: it resolves functions and data of the C library and of the JVM
 * alike, and its provider is found by id {@code naive}. It refuses nothing that the process's global scope defines,
 * so the refusal check (R9) has no sample and is skipped. The 128-bit arithmetic helpers live in
 * {@code libgcc_s.so.1}, outside the JVM's global scope; the resolver falls back to that library, so it promises
 * {@link ResolverCapability#RESOLVES_COMPILER_HELPERS} too.
 */
class NaiveResolverContractTests implements ResolverContract {

    @Override
    public SymbolResolver createResolver() {
        return NaiveResolver.instance();
    }

    @Override
    public Set<ResolverCapability> capabilities() {
        return EnumSet.of(ResolverCapability.RESOLVES_FUNCTIONS, ResolverCapability.RESOLVES_DATA,
                ResolverCapability.RESOLVES_COMPILER_HELPERS, ResolverCapability.SERVICE_LOADER_REGISTERED);
    }

    @Override
    public List<SampleSymbol> samples() {
        return List.of(
                SampleSymbol.function("strlen", "i64(ptr)").calledWith("hello, world").returns(12L),
                SampleSymbol.function("sqrt", "double(double)").calledWith(2.0).returns(Math.sqrt(2.0)),
                SampleSymbol.function("getpid", "i32()").verifiedBy((getpid, arena) ->
                        assertThat((int) getpid.invokeExact()).isEqualTo((int) ProcessHandle.current().pid())),
                SampleSymbol.function("snprintf", "i32(ptr, i64, ptr, ...)").verifiedBy((snprintf, arena) -> {
                    MemorySegment buffer = arena.allocate(16);
                    assertThat((int) snprintf.invokeExact(buffer, 16L, arena.allocateFrom("naive"))).isEqualTo(5);
                    assertThat(buffer.getString(0)).isEqualTo("naive");
                }),
                SampleSymbol.function("JNI_GetDefaultJavaVMInitArgs"),
                SampleSymbol.data("environ").checkedBy(NaiveResolverContractTests::isAnEnvironment));
    }

    @Override
    public Optional<String> providerId() {
        return Optional.of(NaiveResolver.ID);
    }

    /** {@code environ} points to a NULL-terminated array of "NAME=value" strings. */
    @SuppressWarnings("restricted")
    static void isAnEnvironment(MemorySegment address) {
        MemorySegment entries = address.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
        assertThat(entries.address()).as("environ").isNotZero();
        MemorySegment first = entries.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
        if (first.address() != 0) {
            assertThat(first.reinterpret(Long.MAX_VALUE).getString(0)).as("the first environment entry").contains("=");
        }
    }
}
