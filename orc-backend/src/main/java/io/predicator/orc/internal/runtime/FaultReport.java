package io.predicator.orc.internal.runtime;

import io.predicator.PluginFaultException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Where the runtime reports a fault of a plugin call to the Java thread that made it: native memory, one per Java
 * thread, whose address every contained call passes to its trampoline. The runtime writes it only when the call
 * faults, last of all its kind; the Java side reads the kind after every call (one load) and, when it is set,
 * {@linkplain #take() takes} the report.
 *
 * <p>The layout is {@code struct report} of {@code predicator_runtime.c}.
 */
public final class FaultReport {
    private static final int KIND = 0;
    private static final int SIGNAL = 4;
    private static final int CODE = 8;
    private static final int LENGTH = 12;
    private static final int ADDRESS = 16;
    private static final int PC = 24;
    private static final int MESSAGE = 32;
    private static final int CAPACITY = 1024;
    private static final PluginFaultException.Kind[] KINDS = PluginFaultException.Kind.values();

    private final MemorySegment memory;

    /** A fault as the runtime reported it. */
    public record Fault(PluginFaultException.Kind kind, int signal, int code, long address, long pc, String message) {
    }

    /** Allocates a report, freed when it is no longer reachable (its thread's frames are gone). */
    public FaultReport() {
        this.memory = Arena.ofAuto().allocate(MESSAGE + CAPACITY, 16);
    }

    /** Returns the address the trampolines write to. */
    public long address() {
        return memory.address();
    }

    /** Returns whether the last call on this thread faulted; a single load. */
    public boolean faulted() {
        return memory.get(ValueLayout.JAVA_INT, KIND) != 0;
    }

    /**
     * Returns the fault and clears the report for the next call.
     *
     * @return what the runtime wrote
     */
    public Fault take() {
        int kind = memory.get(ValueLayout.JAVA_INT, KIND);
        int length = Math.clamp(memory.get(ValueLayout.JAVA_INT, LENGTH), 0, CAPACITY);
        byte[] message = memory.asSlice(MESSAGE, length).toArray(ValueLayout.JAVA_BYTE);
        Fault fault = new Fault(KINDS[kind - 1], memory.get(ValueLayout.JAVA_INT, SIGNAL),
                memory.get(ValueLayout.JAVA_INT, CODE), memory.get(ValueLayout.JAVA_LONG, ADDRESS),
                memory.get(ValueLayout.JAVA_LONG, PC), new String(message, StandardCharsets.UTF_8));
        memory.set(ValueLayout.JAVA_INT, KIND, 0);
        return fault;
    }
}
