package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

import static io.predicator.orc.TestModules.ARITH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Many threads loading, calling and closing plugins of one context at the same time, while others keep calling a
 * shared plugin: every result is right and nothing crashes or hangs.
 */
class ConcurrencyTests {
    private static final int LOADERS = 8;
    private static final int ITERATIONS = 25;
    private static final int CALLERS = 2;

    private final JitContext context = JitContext.builder().build();

    @AfterEach
    void closeContext() {
        context.close();
    }

    @Test
    void concurrentLoadCallCloseWhileOthersCallASharedPlugin() throws Exception {
        Plugin shared = context.load(TestModules.ir(ARITH));
        IntBinaryOperator sharedAdd = shared.function("add", IntBinaryOperator.class);
        ExecutorService threads = Executors.newFixedThreadPool(LOADERS + CALLERS);
        AtomicBoolean loadersDone = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                List<Future<Integer>> loaders = new ArrayList<>();
                for (int t = 0; t < LOADERS; t++) {
                    int thread = t;
                    loaders.add(threads.submit(() -> {
                        start.await();
                        int loaded = 0;
                        for (int i = 0; i < ITERATIONS; i++) {
                            int expected = thread * 1_000 + i;
                            ModuleSource source = ModuleSource.ir("value-" + thread + "-" + i + ".ll",
                                    TestModules.valueIr(expected));
                            try (Plugin plugin = context.load(source)) {
                                int actual = plugin.function("value", IntSupplier.class).getAsInt();
                                if (actual != expected) {
                                    throw new AssertionError(source.name() + " returned " + actual);
                                }
                                int sum = plugin.function("add", IntBinaryOperator.class).applyAsInt(expected, i);
                                if (sum != expected + i) {
                                    throw new AssertionError(source.name() + " add returned " + sum);
                                }
                            }
                            loaded++;
                        }
                        return loaded;
                    }));
                }
                List<Future<Integer>> callers = new ArrayList<>();
                for (int c = 0; c < CALLERS; c++) {
                    int caller = c;
                    callers.add(threads.submit(() -> {
                        start.await();
                        int calls = 0;
                        do {
                            int a = caller * 100_000 + calls;
                            int sum = sharedAdd.applyAsInt(a, 7);
                            if (sum != a + 7) {
                                throw new AssertionError("shared add(" + a + ", 7) returned " + sum);
                            }
                            calls++;
                        } while (!loadersDone.get());
                        return calls;
                    }));
                }

                start.countDown();
                try {
                    for (Future<Integer> loader : loaders) {
                        assertThat(loader.get()).isEqualTo(ITERATIONS);
                    }
                } finally {
                    loadersDone.set(true);
                }
                for (Future<Integer> caller : callers) {
                    assertThat(caller.get()).isPositive();
                }
            });
        } finally {
            loadersDone.set(true);
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(context.plugins()).containsExactly(shared);
        assertThat(sharedAdd.applyAsInt(40, 2)).isEqualTo(42);
    }

    @Test
    void concurrentLoadsOfObjectsAndBitcode() throws Exception {
        int threadCount = 4;
        int perThread = 10;
        List<byte[]> objects = new ArrayList<>();
        List<byte[]> bitcodes = new ArrayList<>();
        for (int t = 0; t < threadCount; t++) {
            objects.add(TestModules.object(TestModules.valueIr(t)));
            bitcodes.add(TestModules.bitcode(TestModules.valueIr(-t)));
        }
        ExecutorService threads = Executors.newFixedThreadPool(threadCount);
        CountDownLatch start = new CountDownLatch(1);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < threadCount; t++) {
                    int thread = t;
                    results.add(threads.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            boolean object = (i + thread) % 2 == 0;
                            ModuleSource source = object
                                    ? ModuleSource.of("value-" + thread + ".o", objects.get(thread))
                                    : ModuleSource.of("value-" + thread + ".bc", bitcodes.get(thread));
                            int expected = object ? thread : -thread;
                            try (Plugin plugin = context.load(source)) {
                                int actual = plugin.function("value", IntSupplier.class).getAsInt();
                                if (actual != expected) {
                                    throw new AssertionError(source.name() + " returned " + actual);
                                }
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> result : results) {
                    result.get();
                }
            });
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(context.plugins()).isEmpty();
    }
}
