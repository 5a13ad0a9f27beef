package io.predicator.orc.internal.runtime;

import io.predicator.PluginFaultException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the runtime reports how a plugin call of one Java thread ended early, and where that thread's call in
 * progress keeps its deadline: native memory owned by the runtime, one per Java thread, whose address every
 * contained call passes to its trampoline, which writes the call's start and deadline. The runtime writes the fault fields only when the call faults or is
 * stopped, last of all its kind; the Java side reads the kind after every call (one load) and, when it is set,
 * {@linkplain #take() takes} the report.
 *
 * <p>The memory comes from {@code predicator_report_new} and goes back through {@code predicator_report_free}
 * once this object is unreachable, which also clears the runtime's thread records that still point at it, so that
 * the {@link Watchdog}'s scan never reads freed memory. The layout is {@code struct report} of
 * {@code predicator_runtime.c}.
 */
public final class FaultReport {
    private static final int KIND = 0;
    private static final int SIGNAL = 4;
    private static final int CODE = 8;
    private static final int LENGTH = 12;
    private static final int ADDRESS = 16;
    private static final int PC = 24;
    private static final int DEADLINE = 32;
    private static final int STARTED = 40;
    private static final int TIMEOUT = 48;
    private static final int MESSAGE = 56;
    private static final int CAPACITY = 1024;
    /** The deadline that says the Java thread was interrupted; {@code DEADLINE_INTERRUPTED} in the runtime. */
    private static final long INTERRUPTED = 1;
    private static final PluginFaultException.Kind[] KINDS = PluginFaultException.Kind.values();
    private static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread thread = new Thread(runnable, "predicator-report-cleaner");
        thread.setDaemon(true);
        return thread;
    });
    /** The live reports by address, for the watchdog, which sees addresses. */
    private static final Map<Long, WeakReference<FaultReport>> LIVE = new ConcurrentHashMap<>();

    private final MemorySegment memory;
    private final WeakReference<Thread> owner;

    /**
     * Why the runtime stopped a call: the {@code code} of a {@link PluginFaultException.Kind#TIMEOUT} or
     * {@link PluginFaultException.Kind#INTERRUPTED} fault, {@code enum stop_reason} in the runtime.
     */
    public enum StopReason {
        /** Not a stop. */
        NONE,
        /** The call ran past its deadline. */
        DEADLINE,
        /** The calling Java thread was interrupted. */
        INTERRUPT,
        /** The plugin was closed and its drain ran out. */
        CLOSING
    }

    /** A fault as the runtime reported it; {@code started} is the runtime clock (µs) when the call started. */
    public record Fault(PluginFaultException.Kind kind, int signal, int code, long address, long pc, String message,
                        long started) {
        /** Returns why the call was stopped, for the kinds {@code TIMEOUT} and {@code INTERRUPTED}. */
        public StopReason stopReason() {
            boolean stopped = kind == PluginFaultException.Kind.TIMEOUT || kind == PluginFaultException.Kind.INTERRUPTED;
            return stopped && code > 0 && code < StopReason.values().length ? StopReason.values()[code] : StopReason.NONE;
        }
    }

    /**
     * Allocates the report of a Java thread in the runtime's memory, freed once this object is unreachable.
     *
     * @param owner the Java thread whose calls it reports
     */
    public FaultReport(Thread owner) {
        this.owner = new WeakReference<>(owner);
        long address = Containment.get().newReport();
        this.memory = MemorySegment.ofAddress(address).reinterpret(MESSAGE + CAPACITY);
        LIVE.put(address, new WeakReference<>(this));
        CLEANER.register(this, () -> {
            LIVE.remove(address);
            Containment.get().freeReport(address);
        });
    }

    /** Returns the live report at an address the runtime gave the watchdog, or null if it is gone. */
    static FaultReport at(long address) {
        WeakReference<FaultReport> reference = LIVE.get(address);
        return reference == null ? null : reference.get();
    }

    /** Returns the address the trampolines write to. */
    public long address() {
        return memory.address();
    }

    /** Returns the Java thread whose calls this report is for, or null once it is gone. */
    Thread owner() {
        return owner.get();
    }

    /**
     * Sets the timeout of the calls that follow, from which each call's trampoline computes the call's deadline;
     * written only when the thread calls a plugin with another timeout than the last one's.
     *
     * @param timeout {@link Watchdog#callTimeout(long)}, or 0 for none
     */
    public void timeout(long timeout) {
        memory.set(ValueLayout.JAVA_LONG, TIMEOUT, timeout);
    }

    /** Returns the deadline of the call in progress: 0 for none, else a clock value or a sentinel. */
    public long deadline() {
        return memory.get(ValueLayout.JAVA_LONG, DEADLINE);
    }

    /** Sets the deadline again when a nested call returns to the outer one. */
    public void restoreDeadline(long deadline) {
        memory.set(ValueLayout.JAVA_LONG, DEADLINE, deadline);
    }

    /** Asks the runtime to stop the call in progress, as the owner's interrupt does, at the watchdog's next tick. */
    void interrupt() {
        memory.set(ValueLayout.JAVA_LONG, DEADLINE, INTERRUPTED);
    }

    /** Returns whether the last call on this thread faulted or was stopped; a single load. */
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
                memory.get(ValueLayout.JAVA_LONG, PC), new String(message, StandardCharsets.UTF_8),
                memory.get(ValueLayout.JAVA_LONG, STARTED));
        memory.set(ValueLayout.JAVA_INT, KIND, 0);
        return fault;
    }
}
