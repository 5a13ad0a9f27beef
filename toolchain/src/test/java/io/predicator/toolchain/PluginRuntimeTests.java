package io.predicator.toolchain;

import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("deprecation") // kept for backends without the runtime
class PluginRuntimeTests {
    @Test
    void providesThePanicHookAndNothingElse() {
        SymbolResolver runtime = PluginRuntime.resolver();

        assertThat(runtime.id()).isEqualTo("plugin-runtime");
        assertThat(runtime.resolve("predicator_panic")).get().extracting(MemorySegment::address).isNotEqualTo(0L);
        assertThat(runtime.resolve("memcpy")).isEmpty();
    }

    @Test
    void addsThePanicHookToAnotherResolver() {
        SymbolResolver combined = PluginRuntime.withRuntime(SymbolResolver.compilerSupport());

        assertThat(combined.id()).isEqualTo("compiler-support");
        assertThat(combined.consultedIds()).containsExactly("plugin-runtime", "compiler-support");
        assertThat(combined.resolve("predicator_panic")).isEqualTo(PluginRuntime.resolver().resolve("predicator_panic"));
        assertThat(combined.resolve("memcpy")).isEqualTo(SymbolResolver.compilerSupport().resolve("memcpy"));
        assertThat(combined.resolve("getpid")).isEmpty();
    }
}
