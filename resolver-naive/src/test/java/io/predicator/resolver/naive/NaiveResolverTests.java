package io.predicator.resolver.naive;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.spi.SymbolResolverProvider;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NaiveResolverTests {
    private static final String PLUGIN = """
            declare i32 @getpid()
            declare i32 @JNI_GetDefaultJavaVMInitArgs(ptr)
            define i32 @pid() {
              %p = call i32 @getpid()
              ret i32 %p
            }
            define ptr @jvm_entry() {
              ret ptr @JNI_GetDefaultJavaVMInitArgs
            }
            """;

    interface Pid {
        int pid();
    }

    interface Address {
        MemorySegment get();
    }

    @Test
    void resolvesTheCLibraryAndTheJvmAlike() {
        try (JitContext jit = JitContext.builder().resolver(NaiveResolver.instance()).build();
             Plugin plugin = jit.load(ModuleSource.ir("naive", PLUGIN))) {
            assertThat(plugin.function("pid", Pid.class).pid()).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(plugin.function("jvm_entry", Address.class).get().address())
                    .isEqualTo(NaiveResolver.instance().resolve("JNI_GetDefaultJavaVMInitArgs").orElseThrow().address());
        }
    }

    @Test
    void answersMatchTheDynamicLinkersAndUnknownNamesAreEmpty() {
        assertThat(NaiveResolver.instance().resolve("strlen").orElseThrow().address())
                .isEqualTo(Linker.nativeLinker().defaultLookup().find("strlen").orElseThrow().address());
        assertThat(NaiveResolver.instance().resolve("no_such_symbol_anywhere")).isEmpty();
        assertThat(NaiveResolver.instance().resolve("")).isEmpty();
        assertThat(NaiveResolver.instance().resolve("str\0len")).isEmpty();
        assertThatThrownBy(() -> NaiveResolver.instance().resolve(null)).isInstanceOf(NullPointerException.class);
        assertThat(NaiveResolver.instance().id()).isEqualTo("naive");
    }

    @Test
    void concurrentResolutionIsConsistent() throws Exception {
        long expected = NaiveResolver.instance().resolve("getpid").orElseThrow().address();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    for (int j = 0; j < 2_000; j++) {
                        if (NaiveResolver.instance().resolve("getpid").orElseThrow().address() != expected) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void providerIsDiscoveredAndTakesNoConfiguration() {
        SymbolResolverProvider provider = ServiceLoader.load(SymbolResolverProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.id().equals("naive"))
                .findFirst().orElseThrow();
        assertThat(provider.create(Map.of())).isSameAs(NaiveResolver.instance());
        assertThatThrownBy(() -> provider.create(Map.of("profile", "pure")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("profile");
    }
}
