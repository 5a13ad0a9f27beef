package io.predicator.orc;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

import static io.predicator.orc.TestModules.ARITH;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Closing plugins and contexts: handles obtained earlier fail with {@link AlreadyClosedException} instead of
 * jumping into freed code, a call in flight holds the close back until it returns, and close is idempotent.
 */
class UnloadTests {
    private static final VarHandle INT_AT = JAVA_INT.varHandle();

    private final JitContext context = JitContext.builder().build();

    /** {@code i32(ptr, ptr)}. */
    public interface WaitFor {
        int waitFor(MemorySegment flag, MemorySegment entered);
    }

    @AfterEach
    void closeContext() {
        context.close();
    }

    @Test
    void handlesObtainedBeforeCloseThrowAfterIt() {
        Plugin plugin = context.load(TestModules.ir(ARITH));
        IntBinaryOperator add = plugin.function("add", IntBinaryOperator.class);
        MethodHandle handle = plugin.function("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        assertThat(add.applyAsInt(2, 3)).isEqualTo(5);

        plugin.close();

        assertThat(plugin.isClosed()).isTrue();
        assertThatThrownBy(() -> add.applyAsInt(2, 3)).isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(() -> {
            int ignored = (int) handle.invokeExact(2, 3);
        }).isInstanceOf(AlreadyClosedException.class);
    }

    @Test
    void lookupsAfterCloseThrow() {
        Plugin plugin = context.load(TestModules.ir(ARITH));

        plugin.close();

        assertThatThrownBy(() -> plugin.function("add", IntBinaryOperator.class))
                .isInstanceOf(AlreadyClosedException.class)
                .hasMessageContaining(plugin.name());
        assertThatThrownBy(() -> plugin.function("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)))
                .isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(() -> plugin.address("add")).isInstanceOf(AlreadyClosedException.class);
    }

    @Test
    void dataSegmentIsInaccessibleAfterClose() {
        Plugin plugin = context.load(TestModules.ir("data.ll"));
        MemorySegment table = plugin.address("table").orElseThrow();
        assertThat(table.get(JAVA_INT, 0)).isEqualTo(10);

        plugin.close();

        assertThatThrownBy(() -> table.get(JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeTwiceIsHarmless() {
        Plugin plugin = context.load(TestModules.ir(ARITH));
        assertThat(plugin.isClosed()).isFalse();

        plugin.close();
        assertThatCode(plugin::close).doesNotThrowAnyException();

        assertThat(plugin.isClosed()).isTrue();
        assertThat(context.plugins()).doesNotContain(plugin);
    }

    @Test
    void pluginsListsOnlyOpenPlugins() {
        Plugin first = context.load(ModuleSource.ir("first.ll", TestModules.valueIr(1)));
        Plugin second = context.load(ModuleSource.ir("second.ll", TestModules.valueIr(2)));
        assertThat(context.plugins()).containsExactlyInAnyOrder(first, second);

        first.close();

        assertThat(context.plugins()).containsExactly(second);
        second.close();
        assertThat(context.plugins()).isEmpty();
    }

    @Test
    void closingTheContextClosesEveryPlugin() {
        Plugin first = context.load(TestModules.ir(ARITH));
        Plugin second = context.load(ModuleSource.of("arith.o", TestModules.object(TestModules.irText(ARITH))));
        IntBinaryOperator firstAdd = first.function("add", IntBinaryOperator.class);
        IntBinaryOperator secondAdd = second.function("add", IntBinaryOperator.class);

        context.close();

        assertThat(context.isClosed()).isTrue();
        assertThat(first.isClosed()).isTrue();
        assertThat(second.isClosed()).isTrue();
        assertThat(context.plugins()).isEmpty();
        assertThatThrownBy(() -> firstAdd.applyAsInt(1, 2)).isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(() -> secondAdd.applyAsInt(1, 2)).isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(() -> first.function("add", IntBinaryOperator.class))
                .isInstanceOf(AlreadyClosedException.class);
        assertThatCode(first::close).doesNotThrowAnyException();
    }

    @Test
    void loadAfterContextCloseThrows() {
        context.close();

        assertThatThrownBy(() -> context.load(TestModules.ir(ARITH))).isInstanceOf(AlreadyClosedException.class);
        assertThatCode(context::close).doesNotThrowAnyException();
    }

    @Test
    void closeWaitsForACallInFlight() throws Exception {
        Plugin plugin = context.load(TestModules.ir("wait.ll"));
        WaitFor waitFor = plugin.function("wait_for", WaitFor.class);

        closeDuringCall(waitFor, plugin::close, plugin::isClosed);

        assertThat(plugin.isClosed()).isTrue();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocateFrom(JAVA_INT, 1);
            MemorySegment entered = arena.allocate(JAVA_INT);
            assertThatThrownBy(() -> waitFor.waitFor(flag, entered)).isInstanceOf(AlreadyClosedException.class);
            assertThat(entered.get(JAVA_INT, 0)).as("the unloaded function must not run").isZero();
        }
        assertThatThrownBy(() -> plugin.function("wait_for", WaitFor.class))
                .isInstanceOf(AlreadyClosedException.class);
    }

    @Test
    void contextCloseWaitsForACallInFlight() throws Exception {
        Plugin plugin = context.load(TestModules.ir("wait.ll"));
        WaitFor waitFor = plugin.function("wait_for", WaitFor.class);

        closeDuringCall(waitFor, context::close, context::isClosed);

        assertThat(plugin.isClosed()).isTrue();
        assertThatThrownBy(() -> plugin.function("add", IntBinaryOperator.class))
                .isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(() -> context.load(TestModules.ir(ARITH))).isInstanceOf(AlreadyClosedException.class);
    }

    /**
     * Calls are found by thread id in a table of 4,096 slots, falling back to a {@code ThreadLocal} for a thread
     * whose slot a live thread holds: two threads whose ids collide are both inside a call, and the close must
     * wait for each of them.
     */
    @Test
    void closeWaitsForCallsOfThreadsWhoseIdsCollide() throws Exception {
        Plugin plugin = context.load(TestModules.ir("wait.ll"));
        WaitFor waitFor = plugin.function("wait_for", WaitFor.class);
        try (Arena shared = Arena.ofShared()) {
            MemorySegment flags = shared.allocate(JAVA_INT, 2);
            MemorySegment entered = shared.allocate(JAVA_INT, 2);
            List<Integer> results = new CopyOnWriteArrayList<>();
            Thread first = Thread.ofPlatform().unstarted(() -> results.add(
                    waitFor.waitFor(flags.asSlice(0, 4), entered.asSlice(0, 4))));
            Thread second;
            do {
                second = Thread.ofPlatform().unstarted(() -> results.add(
                        waitFor.waitFor(flags.asSlice(4, 4), entered.asSlice(4, 4))));
            } while ((second.threadId() - first.threadId()) % 4096 != 0);
            Thread colliding = second;
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    first.start();
                    awaitEntered(entered, 0);
                    colliding.start();
                    awaitEntered(entered, 4);
                    Thread closing = Thread.ofPlatform().start(plugin::close);

                    INT_AT.setRelease(flags, 0L, 1);
                    first.join();
                    closing.join(200);
                    assertThat(closing.isAlive()).as("close completed while the second call was in flight").isTrue();

                    INT_AT.setRelease(flags, 4L, 1);
                    colliding.join();
                    closing.join();
                    assertThat(results).containsExactly(42, 42);
                    assertThat(plugin.isClosed()).isTrue();
                });
            } finally {
                INT_AT.setRelease(flags, 0L, 1);
                INT_AT.setRelease(flags, 4L, 1);
                first.join(10_000);
                colliding.join(10_000);
            }
        }
    }

    private static void awaitEntered(MemorySegment entered, long offset) {
        while ((int) INT_AT.getAcquire(entered, offset) == 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Calls {@code wait_for} on one thread, waits until the native code has entered, starts {@code close} on a
     * second thread, waits until {@code isClosed()} reports the close as started, checks that the close is still
     * held back 200 ms later, then releases the call: it must return 42 and the close must complete.
     */
    private static void closeDuringCall(WaitFor waitFor, Runnable close, BooleanSupplier isClosed) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Arena shared = Arena.ofShared();
        MemorySegment flag = shared.allocate(JAVA_INT);
        MemorySegment entered = shared.allocate(JAVA_INT);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                Future<Integer> call = threads.submit(() -> waitFor.waitFor(flag, entered));
                while ((int) INT_AT.getAcquire(entered, 0L) == 0) {
                    if (call.isDone()) {
                        throw new AssertionError("wait_for returned before its flag was set: " + call.get());
                    }
                    Thread.onSpinWait();
                }

                Future<?> closing = threads.submit(close);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!isClosed.getAsBoolean()) {
                    if (closing.isDone()) {
                        throw new AssertionError("close completed while a call was in flight");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("isClosed() still false 5 s after close() started");
                    }
                    Thread.sleep(1);
                }
                Thread.sleep(200);

                assertThat(closing.isDone()).as("close completed while a call was in flight").isFalse();
                assertThat(call.isDone()).isFalse();

                INT_AT.setRelease(flag, 0L, 1);

                assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(42);
                closing.get(10, TimeUnit.SECONDS);
            });
        } finally {
            // Whatever happened, release the spinning native call so that no thread is left burning a core.
            INT_AT.setRelease(flag, 0L, 1);
            threads.shutdown();
            boolean terminated = threads.awaitTermination(10, TimeUnit.SECONDS);
            if (terminated) {
                shared.close();
            }
            assertThat(terminated).as("the calling threads finished").isTrue();
        }
    }

    @Test
    void callsRacingWithCloseEitherSucceedOrThrowAlreadyClosed() throws Exception {
        Plugin plugin = context.load(ModuleSource.ir("racy.ll", TestModules.valueIr(77)));
        IntSupplier value = plugin.function("value", IntSupplier.class);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                CountDownLatch calling = new CountDownLatch(2);
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    results.add(callers.submit(() -> {
                        int successes = 0;
                        while (true) {
                            int result;
                            try {
                                result = value.getAsInt();
                            } catch (AlreadyClosedException closed) {
                                return successes;
                            }
                            if (result != 77) {
                                throw new AssertionError("value() returned " + result);
                            }
                            if (successes++ == 0) {
                                calling.countDown();
                            }
                        }
                    }));
                }
                calling.await();
                Thread.sleep(20);

                plugin.close();

                for (Future<Integer> result : results) {
                    assertThat(result.get(10, TimeUnit.SECONDS)).isPositive();
                }
            });
        } finally {
            callers.shutdownNow();
            assertThat(callers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThatThrownBy(value::getAsInt).isInstanceOf(AlreadyClosedException.class);
    }
}
