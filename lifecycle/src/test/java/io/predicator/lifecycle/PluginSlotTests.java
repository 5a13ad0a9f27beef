package io.predicator.lifecycle;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;
import io.predicator.SignatureMismatchException;
import io.predicator.UnknownSymbolException;
import io.predicator.UnresolvedSymbolsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

import static io.predicator.lifecycle.Modules.taggedSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@link PluginSlot} against the real ORC backend: swaps change what callers reach, failed swaps change nothing, the
 * old version is unloaded only after its calls in flight finish, and concurrent swaps serialise.
 */
class PluginSlotTests {
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static final VarHandle INT_AT = ValueLayout.JAVA_INT.varHandle();

    private final JitContext context = JitContext.builder().build();

    /** Public, so the slot implements it with a hidden class. */
    public interface WaitFor {
        int waitFor(MemorySegment flag, MemorySegment entered);
    }

    /** Package-private, so the slot falls back to a dynamic proxy. */
    interface PrivateApply {
        int apply(int x);
    }

    @AfterEach
    void closeContext() {
        context.close();
    }

    @Test
    void functionCallsTheCurrentVersion() {
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1))) {
            IntUnaryOperator apply = slot.function();
            assertThat(apply.applyAsInt(10)).isEqualTo(31);

            SwapResult result = slot.swap(taggedSource(2));

            assertThat(apply.applyAsInt(10)).isEqualTo(32);
            assertThat(slot.function()).isSameAs(apply);
            assertThat(result.previous().generation()).isEqualTo(1);
            assertThat(result.current().generation()).isEqualTo(2);
            assertThat(result.current().sourceName()).isEqualTo("tagged-2.ll");
            assertThat(result.current().sha256()).isEqualTo(taggedSource(2).sha256());
            assertThat(slot.version()).isEqualTo(result.current());
            assertThat(context.plugins()).as("the old version is unloaded").hasSize(1);
        }
        assertThat(context.plugins()).isEmpty();
    }

    @Test
    void swapsAcrossFormats() {
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1))) {
            IntUnaryOperator apply = slot.function();

            slot.swap(ModuleSource.of("v2.bc", Modules.bitcode(Modules.tagged(2))));
            assertThat(apply.applyAsInt(1)).isEqualTo(5);
            slot.swap(ModuleSource.of("v3.o", Modules.object(Modules.tagged(3))));
            assertThat(apply.applyAsInt(1)).isEqualTo(6);
            SwapResult last = slot.swap(ModuleSource.of("v4.a",
                    Modules.archive("v4.o", Modules.object(Modules.tagged(4)))));
            assertThat(apply.applyAsInt(1)).isEqualTo(7);
            assertThat(last.current().format()).isEqualTo(ModuleFormat.ARCHIVE);
            assertThat(context.plugins()).hasSize(1);
        }
    }

    @Test
    void packagePrivateInterfacesWorkToo() {
        try (PluginSlot<PrivateApply> slot = PluginSlot.create(context, "apply", PrivateApply.class, taggedSource(1))) {
            PrivateApply apply = slot.function();
            assertThat(apply.apply(2)).isEqualTo(7);
            slot.swap(taggedSource(5));
            assertThat(apply.apply(2)).isEqualTo(11);
            assertThat(apply.toString()).contains("apply");
        }
    }

    @Test
    void currentIsBoundToItsVersion() {
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1))) {
            IntUnaryOperator first = slot.current();
            assertThat(first.applyAsInt(0)).isEqualTo(1);
            assertThat(slot.current()).isSameAs(first);

            slot.swap(taggedSource(2));

            assertThat(slot.current().applyAsInt(0)).isEqualTo(2);
            assertThatThrownBy(() -> first.applyAsInt(0)).isInstanceOf(AlreadyClosedException.class);
        }
    }

    @Test
    void malformedSwapKeepsTheOldVersion() {
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1))) {
            PluginVersion before = slot.version();

            assertThatThrownBy(() -> slot.swap(ModuleSource.ir("broken.ll", Modules.broken())))
                    .isInstanceOf(MalformedModuleException.class)
                    .hasMessageContaining("broken.ll");

            assertThat(slot.function().applyAsInt(1)).isEqualTo(4);
            assertThat(slot.version()).isEqualTo(before);
            assertThat(context.plugins()).hasSize(1);
        }
    }

    @Test
    void swapToAModuleWithoutTheFunctionIsRefusedBeforeSwitching() {
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1))) {
            assertThatThrownBy(() -> slot.swap(ModuleSource.ir("tag-only.ll", Modules.tagOnly(9))))
                    .isInstanceOfSatisfying(UnknownSymbolException.class,
                            e -> assertThat(e.symbol()).isEqualTo("apply"));

            assertThat(slot.function().applyAsInt(1)).isEqualTo(4);
            assertThat(slot.version().generation()).isEqualTo(1);
            assertThat(context.plugins()).as("the refused version is unloaded").hasSize(1);
        }
    }

    @Test
    void swapToAnotherSignatureIsRefused() {
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1))) {
            assertThatThrownBy(() -> slot.swap(ModuleSource.ir("wide.ll", Modules.wideApply())))
                    .isInstanceOf(SignatureMismatchException.class)
                    .hasMessageContaining("i64(i64)");

            assertThat(slot.function().applyAsInt(1)).isEqualTo(4);
            assertThat(context.plugins()).hasSize(1);
        }
    }

    @Test
    void swapWithUnresolvedSymbolsIsRefused() {
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1))) {
            assertThatThrownBy(() -> slot.swap(ModuleSource.ir("unresolved.ll", Modules.unresolved())))
                    .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                            e -> assertThat(e.symbols()).containsExactly("no_such_host_function"));

            assertThat(slot.function().applyAsInt(1)).isEqualTo(4);
        }
    }

    @Test
    void createFailsCleanly() {
        assertThatThrownBy(() -> PluginSlot.create(context, "apply", IntUnaryOperator.class,
                ModuleSource.ir("tag-only.ll", Modules.tagOnly(1))))
                .isInstanceOf(UnknownSymbolException.class);
        assertThatThrownBy(() -> PluginSlot.create(context, "apply", IntUnaryOperator.class,
                ModuleSource.ir("broken.ll", Modules.broken())))
                .isInstanceOf(MalformedModuleException.class);
        assertThatThrownBy(() -> PluginSlot.create(context, "apply", String.class, taggedSource(1)))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(context.plugins()).isEmpty();
    }

    @Test
    void swapUsesTheSlotsLoadOptionsUnlessGivenOthers() {
        LoadOptions named = LoadOptions.builder().name("filter").build();
        try (PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1), named)) {
            assertThat(slot.version().name()).isEqualTo("filter");
            assertThat(slot.swap(taggedSource(2)).current().name()).isEqualTo("filter");
            assertThat(slot.swap(taggedSource(3), LoadOptions.builder().name("other").build()).current().name())
                    .isEqualTo("other");
        }
    }

    @Test
    void closedSlotRefusesCallsAndSwaps() {
        PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1));
        IntUnaryOperator apply = slot.function();

        slot.close();
        slot.close();

        assertThat(slot.isClosed()).isTrue();
        assertThat(context.plugins()).isEmpty();
        assertThatThrownBy(() -> apply.applyAsInt(1))
                .isInstanceOf(AlreadyClosedException.class)
                .hasMessageContaining("plugin slot 'apply'");
        assertThatThrownBy(() -> slot.swap(taggedSource(2))).isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(slot::current).isInstanceOf(AlreadyClosedException.class);
        assertThat(slot.version().generation()).as("the last version stays visible").isEqualTo(1);
        assertThat(context.plugins()).isEmpty();
    }

    @Test
    void closingTheContextStopsTheSlotWithoutHanging() {
        PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                taggedSource(1));
        IntUnaryOperator apply = slot.function();

        context.close();

        assertTimeoutPreemptively(HANG_GUARD, () -> {
            assertThatThrownBy(() -> apply.applyAsInt(1)).isInstanceOf(AlreadyClosedException.class);
            assertThatThrownBy(() -> slot.swap(taggedSource(2))).isInstanceOf(AlreadyClosedException.class);
            slot.close();
        });
    }

    @Test
    void swapSwitchesAtOnceButUnloadsTheOldVersionOnlyAfterItsCallInFlight() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (PluginSlot<WaitFor> slot = PluginSlot.create(context, "wait_for", WaitFor.class, taggedSource(1));
             Arena arena = Arena.ofShared()) {
            WaitFor waitFor = slot.function();
            MemorySegment flag = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment entered = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment released = arena.allocate(ValueLayout.JAVA_INT);
            released.set(ValueLayout.JAVA_INT, 0, 1);
            MemorySegment scratch = arena.allocate(ValueLayout.JAVA_INT);

            assertTimeoutPreemptively(HANG_GUARD, () -> {
                Future<Integer> inFlight = threads.submit(() -> waitFor.waitFor(flag, entered));
                while ((int) INT_AT.getAcquire(entered, 0L) == 0) {
                    Thread.onSpinWait();
                }
                Future<SwapResult> swap = threads.submit(() -> slot.swap(taggedSource(2)));
                while (slot.version().generation() != 2) {
                    Thread.onSpinWait();
                }

                // New calls reach version 2 while version 1 still runs a call.
                assertThat(waitFor.waitFor(released, scratch)).isEqualTo(2);
                assertThat(inFlight.isDone()).isFalse();
                assertThat(swap.isDone()).as("the swap waits for the old version's call").isFalse();

                INT_AT.setRelease(flag, 0L, 1);

                assertThat(inFlight.get()).as("the call in flight finishes on version 1").isEqualTo(1);
                assertThat(swap.get().previous().generation()).isEqualTo(1);
                assertThat(context.plugins()).hasSize(1);
            });
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void concurrentSwapsSerialise() throws Exception {
        int swappers = 6;
        ExecutorService threads = Executors.newFixedThreadPool(swappers);
        CountDownLatch start = new CountDownLatch(1);
        try (PluginSlot<IntSupplier> slot = PluginSlot.create(context, "tag", IntSupplier.class, taggedSource(0))) {
            assertTimeoutPreemptively(HANG_GUARD, () -> {
                List<Future<SwapResult>> results = new ArrayList<>();
                for (int s = 1; s <= swappers; s++) {
                    int tag = s;
                    results.add(threads.submit(() -> {
                        start.await();
                        return slot.swap(taggedSource(tag));
                    }));
                }
                start.countDown();
                Set<Long> previous = new HashSet<>();
                Set<Long> current = new HashSet<>();
                for (Future<SwapResult> result : results) {
                    SwapResult swap = result.get();
                    assertThat(swap.current().generation()).isEqualTo(swap.previous().generation() + 1);
                    previous.add(swap.previous().generation());
                    current.add(swap.current().generation());
                }
                assertThat(previous).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L);
                assertThat(current).containsExactlyInAnyOrder(2L, 3L, 4L, 5L, 6L, 7L);
            });
            assertThat(slot.version().generation()).isEqualTo(swappers + 1);
            int last = slot.function().getAsInt();
            assertThat(slot.version().sourceName()).isEqualTo("tagged-" + last + ".ll");
            assertThat(context.plugins()).hasSize(1);
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void swapAsyncCompletesOnTheExecutor() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (PluginSlot<IntSupplier> slot = PluginSlot.create(context, "tag", IntSupplier.class, taggedSource(1))) {
            CompletableFuture<SwapResult> good = slot.swapAsync(taggedSource(2), executor);
            assertThat(good.get(60, TimeUnit.SECONDS).current().generation()).isEqualTo(2);
            assertThat(slot.function().getAsInt()).isEqualTo(2);

            CompletableFuture<SwapResult> bad = slot.swapAsync(ModuleSource.ir("broken.ll", Modules.broken()), executor);
            assertThat(bad).failsWithin(Duration.ofSeconds(60))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(MalformedModuleException.class);
            assertThat(slot.function().getAsInt()).isEqualTo(2);
        } finally {
            executor.shutdownNow();
        }
    }
}
