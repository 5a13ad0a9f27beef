package io.predicator.orc.internal.runtime;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trampolines find the calling thread's record both ways: through the slot the runtime found in glibc's thread
 * record, and through {@code pthread_getspecific} where there is none; on a thread's first call (which attaches it)
 * and on later ones, on platform and virtual threads.
 */
class TrampolinesTests {
    private static final FunctionDescriptor INT_INT_INT = FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);

    @Test
    void theRuntimeFindsItsKeysSlotInGlibcsThreadRecord() throws Exception {
        Optional<ThreadSlot> slot = ThreadSlot.of(runtimeJit());
        assertThat(slot).as("glibc on x86-64, the backend's only platform").isPresent();
        assertThat(slot.orElseThrow().sequence() & 1).as("glibc marks a key in use with an odd sequence").isOne();
    }

    @Test
    void bothWaysOfFindingTheThreadRecordCallThroughOnEveryKindOfThread() throws Throwable {
        try (JitContext jit = JitContext.builder().build();
             Plugin plugin = jit.load(ModuleSource.ir("add", """
                     define i32 @add(i32 %a, i32 %b) {
                       %r = add i32 %a, %b
                       ret i32 %r
                     }
                     """))) {
            long target = plugin.address("add").orElseThrow().address();
            RuntimeJit runtime = runtimeJit();
            List<Trampolines> ways = List.of(new Trampolines(runtime, ThreadSlot.of(runtime)),
                    new Trampolines(runtime, Optional.empty()));
            for (Trampolines way : ways) {
                MethodHandle trampoline = Linker.nativeLinker().downcallHandle(
                        MemorySegment.ofAddress(way.address(INT_INT_INT)),
                        INT_INT_INT.insertArgumentLayouts(0, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                List<Thread> threads = new ArrayList<>();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Runnable calls = () -> {
                    FaultReport report = new FaultReport(Thread.currentThread());
                    try {
                        for (int i = 0; i < 1_000; i++) {
                            int sum = (int) trampoline.invokeExact(report.address(), target, i, 7);
                            assertThat(sum).isEqualTo(i + 7);
                        }
                        assertThat(report.faulted()).isFalse();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                };
                calls.run();
                threads.add(Thread.ofPlatform().start(calls));
                threads.add(Thread.ofVirtual().start(calls));
                for (Thread thread : threads) {
                    thread.join();
                }
                assertThat(failure.get()).isNull();
            }
        }
    }

    private static RuntimeJit runtimeJit() throws ReflectiveOperationException {
        var trampolines = Containment.class.getDeclaredField("trampolines");
        trampolines.setAccessible(true);
        var jit = Trampolines.class.getDeclaredField("jit");
        jit.setAccessible(true);
        return (RuntimeJit) jit.get(trampolines.get(Containment.get()));
    }
}
