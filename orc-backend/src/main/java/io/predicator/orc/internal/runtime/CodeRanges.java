package io.predicator.orc.internal.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plugin code of the process: the address ranges in which the runtime may stop a call. A call is stopped (past
 * its deadline, on an interrupt, when its plugin closes) only while its thread runs code of one of these ranges;
 * anywhere else (the C library, the JVM, the runtime's trampolines) a jump out could leave a lock held or state
 * half-updated, so the runtime waits until the thread is back in plugin code.
 *
 * <p>Each plugin's code registers its ranges under an {@linkplain #newOwner() owner} id once it is linked, and
 * removes them after its calls have ended and before its code is freed. The runtime keeps them in one sorted table
 * that the stop signal's handler searches without a lock; a change publishes a new table.
 */
public final class CodeRanges {
    private static final AtomicLong OWNERS = new AtomicLong();
    private final MethodHandle add;
    private final MethodHandle remove;
    private final MethodHandle closing;

    CodeRanges(RuntimeJit jit) {
        this.add = RuntimeJit.downcall(jit, "predicator_code_add", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        this.remove = RuntimeJit.downcall(jit, "predicator_code_remove",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        this.closing = RuntimeJit.downcall(jit, "predicator_code_closing",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    /** Returns a new owner id, never 0 and never reused. */
    public static long newOwner() {
        return OWNERS.incrementAndGet();
    }

    /**
     * Registers code of an owner.
     *
     * @param owner the owner's id
     * @param pairs {@code [start, end)} pairs, flattened
     */
    public void add(long owner, long[] pairs) {
        if (pairs.length == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativePairs = arena.allocateFrom(ValueLayout.JAVA_LONG, pairs);
            call("predicator_code_add", "registering",
                    () -> (int) add.invokeExact(owner, nativePairs, (long) pairs.length / 2));
        }
    }

    /**
     * Forgets an owner's code; call once its calls have ended, before the code is freed.
     *
     * @param owner the owner's id
     */
    public void remove(long owner) {
        call("predicator_code_remove", "removing", () -> (int) remove.invokeExact(owner));
    }

    /**
     * Marks an owner's code as closing: calls running it stop at the watchdog's next tick, whatever their
     * deadlines.
     *
     * @param owner the owner's id
     */
    public void stopCalls(long owner) {
        call("predicator_code_closing", "marking", () -> (int) closing.invokeExact(owner, 1));
    }

    /** Makes a downcall; a status other than 0 means the runtime found no memory for the new table. */
    private static void call(String function, String what, RuntimeJit.Downcall<Integer> downcall) {
        if (RuntimeJit.call(function, downcall) != 0) {
            throw new OutOfMemoryError("no native memory left for " + what + " plugin code ranges");
        }
    }
}
