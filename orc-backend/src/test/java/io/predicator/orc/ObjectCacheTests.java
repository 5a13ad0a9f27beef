package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.PolicyViolationException;
import io.predicator.Plugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectCacheTests {
    private static final String INLINE_ASM = """
            define i32 @f() {
              %r = call i32 asm "movl $$7, $0", "=r"()
              ret i32 %r
            }
            """;

    @Test
    void secondLoadInAnotherContextComesFromTheCacheAndBehavesTheSame(@TempDir Path cache) {
        ModuleSource source = TestModules.ir(TestModules.ARITH);
        try (JitContext first = JitContext.builder().objectCache(cache).build();
             Plugin plugin = first.load(source)) {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
            assertThat(first.stats().objectCacheHits()).isZero();
        }
        assertThat(entries(cache)).hasSize(1);
        try (JitContext second = JitContext.builder().objectCache(cache).build();
             Plugin plugin = second.load(source)) {
            assertThat(second.stats().objectCacheHits()).isEqualTo(1);
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(20, 3)).isEqualTo(23);
            assertThat(plugin.exports()).isEqualTo(second.inspect(source).functions());
        }
    }

    @Test
    void optimisationLevelIsPartOfTheKey(@TempDir Path cache) {
        try (JitContext jit = JitContext.builder().objectCache(cache).build()) {
            jit.load(TestModules.ir(TestModules.ARITH), LoadOptions.builder().optimizationLevel(0).build()).close();
            jit.load(TestModules.ir(TestModules.ARITH), LoadOptions.builder().optimizationLevel(3).build()).close();
            assertThat(jit.stats().objectCacheHits()).isZero();
        }
        assertThat(entries(cache)).hasSize(2);
    }

    @Test
    void skippingIrOptimisationIsPartOfTheKey(@TempDir Path cache) {
        try (JitContext jit = JitContext.builder().objectCache(cache).build()) {
            jit.load(TestModules.ir(TestModules.ARITH)).close();
            jit.load(TestModules.ir(TestModules.ARITH), LoadOptions.builder().preOptimized(true).build()).close();
            assertThat(jit.stats().objectCacheHits()).isZero();
            jit.load(TestModules.ir(TestModules.ARITH), LoadOptions.builder().preOptimized(true).build()).close();
            assertThat(jit.stats().objectCacheHits()).isEqualTo(1);
        }
        assertThat(entries(cache)).hasSize(2);
    }

    @Test
    void damagedEntriesAreDiscardedNotLoaded(@TempDir Path cache) throws IOException {
        ModuleSource source = TestModules.ir(TestModules.ARITH);
        try (JitContext jit = JitContext.builder().objectCache(cache).build()) {
            jit.load(source).close();
        }
        Path entry = entries(cache).getFirst();
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(entry, bytes);
        try (JitContext jit = JitContext.builder().objectCache(cache).build();
             Plugin plugin = jit.load(source)) {
            assertThat(jit.stats().objectCacheHits()).isZero();
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 2)).isEqualTo(4);
        }
        Files.write(entry, new byte[] {1, 2, 3});
        try (JitContext jit = JitContext.builder().objectCache(cache).build();
             Plugin plugin = jit.load(source)) {
            assertThat(jit.stats().objectCacheHits()).isZero();
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(1, 2)).isEqualTo(3);
        }
        try (JitContext jit = JitContext.builder().objectCache(cache).build()) {
            jit.load(source).close();
            assertThat(jit.stats().objectCacheHits()).as("the rewritten entry is whole again").isEqualTo(1);
        }
    }

    @Test
    void cachedModulesStillObeyTheInlineAssemblyPolicy(@TempDir Path cache) {
        ModuleSource source = ModuleSource.ir("asm", INLINE_ASM);
        try (JitContext jit = JitContext.builder().objectCache(cache).build()) {
            LoadOptions trusted = LoadOptions.builder().trustInlineAssembly(true).build();
            jit.load(source, trusted).close();
            assertThat(entries(cache)).as("the compiled module is cached").hasSize(1);
            assertThatThrownBy(() -> jit.load(source)).isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("inline assembly");
            assertThat(jit.stats().failedLoads()).isEqualTo(1);
            jit.load(source, trusted).close();
            assertThat(jit.stats().objectCacheHits()).isEqualTo(1);
        }
    }

    @Test
    void concurrentContextsShareOneDirectory(@TempDir Path cache) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int value = i % 2;
                results.add(pool.submit(() -> {
                    try (JitContext jit = JitContext.builder().objectCache(cache).build();
                         Plugin plugin = jit.load(ModuleSource.ir("value", TestModules.valueIr(value)))) {
                        return plugin.function("value", java.util.function.IntSupplier.class).getAsInt();
                    }
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i % 2);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(entries(cache)).hasSize(2);
    }

    private static List<Path> entries(Path cache) {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".o.cache")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
