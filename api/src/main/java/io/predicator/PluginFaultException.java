package io.predicator;

import java.io.Serial;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * Thrown to the Java caller of a plugin function when the plugin's code faulted: it crashed, overflowed its stack,
 * called {@code abort} or {@code exit}, or panicked. The JVM and every other plugin are untouched; the faulted
 * plugin closes itself, because its memory may be corrupt, and its later calls throw {@link AlreadyClosedException}
 * with this exception as the cause.
 *
 * <p>The message names the plugin, the exported function that was called and, for a hardware fault, the faulting
 * address and the plugin function (and offset) that faulted.
 *
 * @since 0.2
 */
public class PluginFaultException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** What went wrong in the plugin. */
    public enum Kind {
        /** An access to memory that is not mapped or not accessible (SIGSEGV). */
        SEGMENTATION_FAULT,
        /** An access the hardware could not perform, such as a truncated memory-mapped file (SIGBUS). */
        BUS_ERROR,
        /** An integer division by zero or overflow (SIGFPE). */
        ARITHMETIC_ERROR,
        /** An instruction the CPU refused, including {@code ud2} and {@code __builtin_trap()} (SIGILL). */
        ILLEGAL_INSTRUCTION,
        /** The plugin's code ran past the end of the thread's stack. */
        STACK_OVERFLOW,
        /** {@code abort()}, a failed {@code assert}, a stack-protector or fortify failure. */
        ABORT,
        /** {@code exit}, {@code _exit}, {@code quick_exit} or {@code pthread_exit}; the status is in the message. */
        EXIT,
        /** A Rust panic, reported through {@code predicator_panic}; the panic's message is in the message. */
        PANIC,
        /** The call ran past its deadline. */
        TIMEOUT,
        /** The calling thread was interrupted during the call. */
        INTERRUPTED,
        /** The plugin's heap reached its limit. */
        HEAP_EXHAUSTED
    }

    private final Kind kind;
    private final String plugin;
    private final String function;
    private final long address;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the plugin and the function
     * @param kind what went wrong
     * @param plugin the plugin's name
     * @param function the exported function that was called
     * @param address the faulting address of a hardware fault, or -1 if there is none
     */
    public PluginFaultException(String message, Kind kind, String plugin, String function, long address) {
        super(message);
        this.kind = requireNonNull(kind, "kind is null");
        this.plugin = requireNonNull(plugin, "plugin is null");
        this.function = requireNonNull(function, "function is null");
        this.address = address;
    }

    /**
     * Returns what went wrong.
     *
     * @return the kind of fault
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the name of the plugin that faulted.
     *
     * @return the plugin's name
     */
    public String plugin() {
        return plugin;
    }

    /**
     * Returns the exported function the Java caller called.
     *
     * @return the function's symbol
     */
    public String function() {
        return function;
    }

    /**
     * Returns the faulting address of a hardware fault (for a segmentation fault, the address accessed).
     *
     * @return the address, or empty for faults that have none (an abort, an exit, a panic)
     */
    public OptionalLong address() {
        return address < 0 ? OptionalLong.empty() : OptionalLong.of(address);
    }
}
