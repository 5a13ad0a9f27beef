package io.predicator.orc.internal.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Gates that stand in for the functions a plugin imports, so that a call which spends its time in host functions
 * (a loop that calls one) can still be stopped: a signal rarely lands while such a thread runs plugin code. A gate
 * is a few instructions in executable memory of the runtime's own, through which the plugin's call goes on to the
 * function unchanged; only while some call of the process is due to stop (past its deadline, interrupted, or in a
 * closing plugin) does it first check whether its own thread's call is, and stop that call at the gate.
 *
 * <p>Only functions the plugin calls and never takes the address of get a gate ({@code ElfObject.Reference}), so
 * a function pointer the plugin hands to the host is still the host's own. Each set of gates belongs to one
 * plugin's code, which frees it with its code, once its calls have ended.
 */
public final class ImportGates {
    /** The bytes of one gate; {@code GATE_SIZE} in the runtime. */
    private static final long GATE_SIZE = 40;
    private final MethodHandle create;
    private final MethodHandle free;

    ImportGates(RuntimeJit jit) {
        this.create = RuntimeJit.downcall(jit, "predicator_gates_new", FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        this.free = RuntimeJit.downcall(jit, "predicator_gates_free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG));
    }

    /**
     * Creates a gate for each function; the caller owns them and frees them with {@link #free(long, int)}.
     *
     * @param functions the functions' addresses, at least one
     * @return the address of the first gate; gate {@code i} is at {@link #gate(long, int)}
     * @throws OutOfMemoryError if the runtime could not map the gates' memory
     */
    public long create(long[] functions) {
        MemorySegment gates;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addresses = arena.allocateFrom(ValueLayout.JAVA_LONG, functions);
            gates = RuntimeJit.call("predicator_gates_new",
                    () -> (MemorySegment) create.invokeExact(addresses, (long) functions.length));
        }
        if (gates.address() == 0) {
            throw new OutOfMemoryError("no memory left to map " + functions.length + " import gates");
        }
        return gates.address();
    }

    /**
     * Returns where one gate of a set is.
     *
     * @param gates what {@link #create(long[])} returned
     * @param index the function's index in what it was given
     * @return the gate's address
     */
    public static long gate(long gates, int index) {
        return gates + GATE_SIZE * index;
    }

    /**
     * Frees a set of gates; only once no call can be running through them.
     *
     * @param gates what {@link #create(long[])} returned
     * @param count how many functions it was given
     */
    public void free(long gates, int count) {
        RuntimeJit.call("predicator_gates_free", () -> {
            free.invokeExact(MemorySegment.ofAddress(gates), (long) count);
            return null;
        });
    }
}
