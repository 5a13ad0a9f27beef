package io.predicator.testkit;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.BackendSupport.Compiled;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

import static io.predicator.testkit.BackendCapability.FORMAT_BITCODE;
import static io.predicator.testkit.BackendCapability.FORMAT_OBJECT;
import static io.predicator.testkit.BackendRequirement.B3;
import static io.predicator.testkit.BackendRequirement.B6;
import static io.predicator.testkit.BackendRequirement.B7;
import static io.predicator.testkit.BackendRequirement.B8;
import static io.predicator.testkit.BackendRequirement.B9;
import static io.predicator.testkit.internal.BackendSupport.CALL_START_SECONDS;
import static io.predicator.testkit.internal.BackendSupport.CLOSE_HELD_MILLIS;
import static io.predicator.testkit.internal.BackendSupport.INT_AT;
import static io.predicator.testkit.internal.BackendSupport.WAIT_FOR;
import static io.predicator.testkit.internal.BackendSupport.capabilities;
import static io.predicator.testkit.internal.BackendSupport.context;
import static io.predicator.testkit.internal.BackendSupport.outcome;
import static io.predicator.testkit.internal.BackendSupport.sleep;
import static io.predicator.testkit.internal.BackendSupport.thrown;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.check;
import static io.predicator.testkit.internal.Verdicts.require;
import static io.predicator.testkit.internal.Verdicts.step;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

/** The checks of {@link BackendLifecycleContract}: isolation, unloading, closing and concurrent loads. */
final class BackendLifecycleChecks {
    // ---- B3 ------------------------------------------------------------------------------------------------------

    /** Checks B3: plugins are isolated from each other. */
    static void pluginsAreIsolated(BackendUnderTest contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin one = step(B3, "loading one.ll", () -> context.load(ModuleSource.ir("one.ll", PluginSources.constant(1))));
            try (Plugin two = step(B3, "loading two.ll", () -> context.load(ModuleSource.ir("two.ll",
                    PluginSources.constant(2))))) {
                check(B3, "two plugins that both define value()", () -> {
                    assertThat(one.function("value", IntSupplier.class).getAsInt()).as("one.ll's value()").isEqualTo(1);
                    assertThat(two.function("value", IntSupplier.class).getAsInt()).as("two.ll's value()").isEqualTo(2);
                    assertThat(one.address("value").orElseThrow().address()).as("addresses of value()")
                            .isNotEqualTo(two.address("value").orElseThrow().address());
                });
                IntSupplier second = two.function("value", IntSupplier.class);
                one.close();
                check(B3, "two.ll after one.ll was closed", () -> {
                    assertThat(second.getAsInt()).isEqualTo(2);
                    assertThat(two.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
                    assertThat(context.plugins()).containsExactly(two);
                });
            }
            ModuleSource data = ModuleSource.ir("data.ll", PluginSources.data());
            try (Plugin first = step(B3, "loading data.ll", () -> context.load(data));
                 Plugin second = step(B3, "loading data.ll a second time", () -> context.load(data))) {
                check(B3, "the same module loaded twice has its own data in each plugin", () -> {
                    Runnable bump = first.function("bump", Runnable.class);
                    bump.run();
                    bump.run();
                    bump.run();
                    second.function("bump", Runnable.class).run();
                    assertThat(first.function("count", LongSupplier.class).getAsLong()).as("first counter").isEqualTo(3);
                    assertThat(second.function("count", LongSupplier.class).getAsLong()).as("second counter").isEqualTo(1);
                });
            }
        }
    }

    // ---- B6 ------------------------------------------------------------------------------------------------------

    /** Checks B6 for a plugin: close waits for a call in flight. */
    static void closeWaitsForACallInFlight(BackendUnderTest contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin plugin = step(B6, "loading wait.ll", () -> context.load(ModuleSource.ir("wait.ll",
                    PluginSources.waitFor())));
            MethodHandle waitFor = step(B6, "getting wait_for", () -> plugin.function("wait_for", WAIT_FOR));
            closeDuringCall(waitFor, "plugin.close()", plugin::close, plugin::isClosed);
            afterCloseTheFunctionIsRefused(plugin, waitFor);
        }
    }

    /** Checks B6 for a context: close waits for a call in flight. */
    static void contextCloseWaitsForACallInFlight(BackendUnderTest contract) {
        JitContext context = context(contract, SymbolResolver.compilerSupport());
        try {
            Plugin plugin = step(B6, "loading wait.ll", () -> context.load(ModuleSource.ir("wait.ll",
                    PluginSources.waitFor())));
            MethodHandle waitFor = step(B6, "getting wait_for", () -> plugin.function("wait_for", WAIT_FOR));
            closeDuringCall(waitFor, "context.close()", context::close, context::isClosed);
            require(B8, plugin.isClosed(), "after context.close() the plugin's isClosed() is false");
            afterCloseTheFunctionIsRefused(plugin, waitFor);
        } finally {
            context.close();
        }
    }

    /**
     * Calls {@code wait_for} on one thread, waits until the native code has entered, starts {@code close} on a
     * second thread, waits until {@code isClosed()} reports the close as started, checks that the close is still held
     * back a moment later, then releases the call: it must return 42 and the close must complete. Every wait is
     * bounded, and the call is always released, so a broken backend fails instead of hanging.
     */
    private static void closeDuringCall(MethodHandle waitFor, String closing, Runnable close, BooleanSupplier isClosed) {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Arena shared = Arena.ofShared();
        MemorySegment flag = shared.allocate(JAVA_INT);
        MemorySegment entered = shared.allocate(JAVA_INT);
        Future<Integer> call = threads.submit(() -> {
            try {
                return (int) waitFor.invokeExact(flag, entered);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable other) {
                throw new IllegalStateException(other);
            }
        });
        Future<?> closer = null;
        AssertionError verdict = null;
        boolean callReturned = false;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_START_SECONDS);
            while ((int) INT_AT.getAcquire(entered, 0L) == 0) {
                if (call.isDone()) {
                    throw broken(B6, "wait_for returned before its flag was set: " + outcome(call));
                }
                if (System.nanoTime() > deadline) {
                    throw broken(B6, "wait_for did not start running within " + CALL_START_SECONDS + " s");
                }
                Thread.onSpinWait();
            }
            closer = threads.submit(close);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!isClosed.getAsBoolean() && !closer.isDone()) {
                if (System.nanoTime() > deadline) {
                    throw broken(B6, closing + " was called while wait_for ran, but isClosed() stayed false for 5 s; "
                            + "it must report true once close has started");
                }
                Thread.onSpinWait();
            }
            sleep(CLOSE_HELD_MILLIS);
            if (closer.isDone()) {
                throw broken(B6, closing + " returned while a call of wait_for was still running ("
                        + outcome(closer) + "); it must wait for calls in flight, or the code is freed under them");
            }
        } catch (AssertionError failure) {
            verdict = failure;
        } finally {
            INT_AT.setRelease(flag, 0L, 1);
            try {
                int result = call.get(10, TimeUnit.SECONDS);
                callReturned = true;
                if (verdict == null && result != 42) {
                    verdict = broken(B6, "wait_for returned " + result + " instead of 42 after " + closing);
                }
            } catch (TimeoutException e) {
                verdict = verdict != null ? verdict : broken(B6, "wait_for did not return within 10 s of being released");
            } catch (ExecutionException e) {
                callReturned = true;
                verdict = verdict != null ? verdict : broken(B6, "the call in flight during " + closing + " failed",
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closer != null) {
                try {
                    closer.get(10, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    verdict = verdict != null ? verdict : broken(B6, closing + " did not complete within 10 s after the "
                            + "call in flight returned");
                } catch (ExecutionException e) {
                    verdict = verdict != null ? verdict : broken(B6, closing + " failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            threads.shutdownNow();
            if (callReturned) {
                shared.close();
            }
        }
        if (verdict != null) {
            throw verdict;
        }
    }

    private static void afterCloseTheFunctionIsRefused(Plugin plugin, MethodHandle waitFor) {
        require(B7, plugin.isClosed(), "isClosed() is false after close");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocateFrom(JAVA_INT, 1);
            MemorySegment entered = arena.allocate(JAVA_INT);
            Throwable thrown = thrown(() -> {
                int ignored = (int) waitFor.invokeExact(flag, entered);
            });
            check(B7, "calling wait_for through a handle obtained before close",
                    () -> assertThat(thrown).isInstanceOf(AlreadyClosedException.class));
            require(B7, entered.get(JAVA_INT, 0) == 0, "the closed plugin's wait_for ran after close");
        }
    }

    // ---- B7 ------------------------------------------------------------------------------------------------------

    /** Checks B7: a closed plugin refuses every use. */
    @SuppressWarnings("restricted")
    static void closedPluginRefusesEveryUse(BackendUnderTest contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin plugin = step(B7, "loading data.ll", () -> context.load(ModuleSource.ir("data.ll",
                    PluginSources.data())));
            IntUnaryOperator tableAt = plugin.function("table_at", IntUnaryOperator.class);
            MethodHandle handle = plugin.function("table_at", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MemorySegment table = plugin.address("table").orElseThrow(() -> broken(B7, "data.ll exports no 'table'"));
            check(B7, "using data.ll before close", () -> {
                assertThat(tableAt.applyAsInt(1)).isEqualTo(20);
                assertThat(table.reinterpret(16).get(JAVA_INT, 0)).isEqualTo(10);
            });

            plugin.close();

            check(B7, "using data.ll after close", () -> {
                assertThat(plugin.isClosed()).as("isClosed()").isTrue();
                assertThat(context.plugins()).as("the context's plugins()").doesNotContain(plugin);
                assertThat(thrown(() -> tableAt.applyAsInt(1))).as("a call through an interface obtained before close")
                        .isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> {
                    int ignored = (int) handle.invokeExact(1);
                })).as("a call through a method handle obtained before close").isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> plugin.function("table_at", IntUnaryOperator.class))).as("function() after close")
                        .isInstanceOf(AlreadyClosedException.class).hasMessageContaining("data.ll");
                assertThat(thrown(() -> plugin.address("table"))).as("address() after close")
                        .isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> table.get(JAVA_INT, 0))).as("reading a data segment obtained before close")
                        .isInstanceOf(IllegalStateException.class);
                assertThat(thrown(plugin::close)).as("a second close()").isNull();
            });
        }
    }

    // ---- B8 ------------------------------------------------------------------------------------------------------

    /** Checks B8: closing the context closes its plugins. */
    static void contextCloseClosesPlugins(BackendUnderTest contract) {
        JitContext context = context(contract, SymbolResolver.compilerSupport());
        try {
            Plugin first = step(B8, "loading one.ll", () -> context.load(ModuleSource.ir("one.ll", PluginSources.constant(1))));
            Plugin second = step(B8, "loading two.ll", () -> context.load(ModuleSource.ir("two.ll", PluginSources.constant(2))));
            IntSupplier firstValue = first.function("value", IntSupplier.class);
            IntSupplier secondValue = second.function("value", IntSupplier.class);

            context.close();

            check(B8, "the context and its plugins after context.close()", () -> {
                assertThat(context.isClosed()).as("context.isClosed()").isTrue();
                assertThat(first.isClosed()).as("first plugin's isClosed()").isTrue();
                assertThat(second.isClosed()).as("second plugin's isClosed()").isTrue();
                assertThat(context.plugins()).as("plugins()").isEmpty();
                assertThat(thrown(firstValue::getAsInt)).as("calling a function of a plugin of the closed context")
                        .isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(secondValue::getAsInt)).isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> context.load(ModuleSource.ir("late.ll", PluginSources.constant(3)))))
                        .as("load() after close").isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(context::close)).as("a second context.close()").isNull();
                assertThat(thrown(first::close)).as("closing a plugin of the closed context").isNull();
            });
        } finally {
            context.close();
        }
    }

    // ---- B9 ------------------------------------------------------------------------------------------------------

    /** Checks B9: concurrent loads work. */
    static void concurrentLoadsWork(BackendUnderTest contract) throws InterruptedException {
        Set<BackendCapability> capabilities = capabilities(contract);
        int loaders = 4;
        int perLoader = 6;
        List<byte[]> objects = new ArrayList<>();
        List<byte[]> bitcodes = new ArrayList<>();
        for (int t = 0; t < loaders; t++) {
            objects.add(capabilities.contains(FORMAT_OBJECT) ? FixtureCompiler.object(PluginSources.constant(t)) : null);
            bitcodes.add(capabilities.contains(FORMAT_BITCODE) ? FixtureCompiler.bitcode(PluginSources.constant(t)) : null);
        }
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin shared = step(B9, "loading the shared plugin", () -> context.load(ModuleSource.ir("shared.ll",
                    Compiled.ARITHMETIC)));
            IntBinaryOperator sharedAdd = shared.function("add", IntBinaryOperator.class);
            ExecutorService threads = Executors.newFixedThreadPool(loaders + 1);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean loadersDone = new AtomicBoolean();
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < loaders; t++) {
                    int thread = t;
                    results.add(threads.submit(() -> {
                        start.await();
                        for (int i = 0; i < perLoader; i++) {
                            ModuleSource source = switch (i % 3) {
                                case 1 -> objects.get(thread) != null
                                        ? ModuleSource.of("value-" + thread + "-" + i + ".o", objects.get(thread)) : null;
                                case 2 -> bitcodes.get(thread) != null
                                        ? ModuleSource.of("value-" + thread + "-" + i + ".bc", bitcodes.get(thread)) : null;
                                default -> null;
                            };
                            if (source == null) {
                                source = ModuleSource.ir("value-" + thread + "-" + i + ".ll", PluginSources.constant(thread));
                            }
                            try (Plugin plugin = context.load(source)) {
                                int value = plugin.function("value", IntSupplier.class).getAsInt();
                                if (value != thread) {
                                    throw broken(B9, source.name() + " loaded on thread " + thread + " returned "
                                            + value + " instead of " + thread);
                                }
                            }
                        }
                        return null;
                    }));
                }
                Future<Integer> caller = threads.submit(() -> {
                    start.await();
                    int calls = 0;
                    do {
                        int sum = sharedAdd.applyAsInt(calls, 7);
                        if (sum != calls + 7) {
                            throw broken(B9, "the shared plugin's add(" + calls + ", 7) returned " + sum
                                    + " while other threads were loading");
                        }
                        calls++;
                    } while (!loadersDone.get());
                    return calls;
                });
                start.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                try {
                    for (Future<?> result : results) {
                        await(result, deadline, loaders + " threads loading " + perLoader + " plugins each");
                    }
                } finally {
                    loadersDone.set(true);
                }
                await(caller, deadline, "the thread calling the shared plugin");
                check(B9, "the context after the concurrent loads", () -> {
                    assertThat(context.plugins()).containsExactly(shared);
                    assertThat(sharedAdd.applyAsInt(40, 2)).isEqualTo(42);
                });
            } finally {
                loadersDone.set(true);
                threads.shutdownNow();
                threads.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void await(Future<?> future, long deadline, String what) throws InterruptedException {
        try {
            future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw broken(B9, what + " did not finish within 60 s: a deadlock?");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError assertion) {
                throw assertion;
            }
            throw broken(B9, what + " failed", e.getCause());
        }
    }

    private BackendLifecycleChecks() {
    }
}
