package io.predicator.resolver.libc;

import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.ResolverCapability;
import io.predicator.testkit.ResolverContract;
import io.predicator.testkit.SampleSymbol;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The libc resolver honours the resolver contract with the pure profile, an allow pattern and a deny pattern: pure
 * functions resolve and work, the allowed {@code environ} resolves as data, and process, I/O, allocation, JVM and
 * denied symbols are refused; the provider builds the same resolver from the equivalent configuration.
 */
class LibcResolverContractTests implements ResolverContract {

    @Override
    public SymbolResolver createResolver() {
        return LibcResolver.builder().profile(LibcProfile.PURE).allow("environ").deny("strcpy").build();
    }

    @Override
    public Map<String, String> providerConfiguration() {
        return Map.of("profile", "pure", "allow", "environ", "deny", "strcpy");
    }

    @Override
    public Set<ResolverCapability> capabilities() {
        return EnumSet.allOf(ResolverCapability.class);
    }

    @Override
    public List<SampleSymbol> samples() {
        return List.of(
                SampleSymbol.function("strlen", "i64(ptr)").calledWith("hello").returns(5L),
                SampleSymbol.function("sqrt", "double(double)").calledWith(2.0).returns(Math.sqrt(2.0)),
                SampleSymbol.function("toupper", "i32(i32)").calledWith((int) 'q').returns((int) 'Q'),
                SampleSymbol.function("strchr", "ptr(ptr, i32)").verifiedBy((strchr, arena) -> {
                    MemorySegment text = arena.allocateFrom("resolver");
                    MemorySegment found = (MemorySegment) strchr.invokeExact(text, (int) 'l');
                    assertThat(found.address() - text.address()).isEqualTo(4);
                }),
                SampleSymbol.function("memcpy", "ptr(ptr, ptr, i64)"),
                SampleSymbol.function("__udivti3"),
                SampleSymbol.data("environ").checkedBy(LibcResolverContractTests::isAnEnvironment),
                SampleSymbol.refused("getpid"),
                SampleSymbol.refused("puts"),
                SampleSymbol.refused("malloc"),
                SampleSymbol.refused("system"),
                SampleSymbol.refused("strcpy"),
                SampleSymbol.refused("JNI_GetDefaultJavaVMInitArgs"));
    }

    @Override
    public Optional<String> providerId() {
        return Optional.of(LibcResolver.ID);
    }

    /** {@code environ} points to a NULL-terminated array of "NAME=value" strings. */
    @SuppressWarnings("restricted")
    static void isAnEnvironment(MemorySegment address) {
        MemorySegment entries = address.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
        assertThat(entries.address()).as("environ").isNotZero();
    }
}
