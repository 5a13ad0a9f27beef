package io.predicator.orc.internal.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one timer of the process that stops plugin calls: a platform daemon thread that ticks, never a thread or a
 * timer task per call. Each tick it writes the runtime's clock and asks the runtime to signal every thread whose
 * call has passed its deadline, whose Java thread was interrupted, or that runs while a plugin is closing; the
 * signal's handler then stops the call if the thread is in plugin code (see {@link CodeRanges}). Between ticks a
 * call costs the timer nothing: its trampoline reads the clock and stores the call's start and deadline in the
 * thread's {@link FaultReport}.
 *
 * <p>The tick is {@value #FAST_TICK_MICROS} µs while a plugin with a call timeout is loaded or a close is waiting
 * for calls, so that a call stops at most about two ticks after its deadline; else it is 10 ms, which bounds how
 * late an interrupt is seen; with no plugin loaded the thread sleeps.
 */
public final class Watchdog {
    /** The tick while deadlines are in force, in microseconds. */
    public static final long FAST_TICK_MICROS = 1_000;
    private static final long SLOW_TICK_MICROS = 10_000;
    /** Clock values start here, so that no clock value is 0 or a deadline sentinel. */
    private static final long EPOCH = 1_000_000;
    private static final int CAPACITY = 4_096;
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");

    private final MethodHandle scan;
    private final MemorySegment clock;
    private final MemorySegment reports = Arena.global().allocate(ValueLayout.JAVA_LONG, CAPACITY);
    private final long origin = System.nanoTime();
    private final boolean canStop;
    private final AtomicInteger plugins = new AtomicInteger();
    private final AtomicInteger timed = new AtomicInteger();
    private final AtomicInteger drains = new AtomicInteger();
    private final AtomicLong ticks = new AtomicLong();
    private final Thread thread;

    Watchdog(RuntimeJit jit) {
        this.scan = RuntimeJit.downcall(jit, "predicator_scan", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        this.clock = MemorySegment.ofAddress(jit.lookup("predicator_clock")).reinterpret(Long.BYTES);
        MethodHandle stopSignal = RuntimeJit.downcall(jit, "predicator_stop_signal",
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        this.canStop = RuntimeJit.call("predicator_stop_signal", () -> (int) stopSignal.invokeExact()) != 0;
        clock.set(ValueLayout.JAVA_LONG, 0, micros());
        this.thread = Thread.ofPlatform().daemon().name("predicator-watchdog").unstarted(this::run);
        thread.start();
    }

    /**
     * Returns the runtime's clock: microseconds, as of the last tick.
     *
     * @return the clock; one load
     */
    public long now() {
        return clock.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * Returns what a call's trampoline adds to the clock for the call's deadline: one tick more than the timeout,
     * since the clock may be up to a tick old when the call starts.
     *
     * @param timeoutMicros the call timeout, positive
     * @return the timeout a {@link FaultReport} holds
     */
    public static long callTimeout(long timeoutMicros) {
        return timeoutMicros + FAST_TICK_MICROS;
    }

    /**
     * Returns whether calls can be stopped in this process: false only if every real-time signal already had a
     * handler when the runtime was installed.
     *
     * @return whether deadlines, interrupts and forced closes work
     */
    public boolean canStop() {
        return canStop;
    }

    /**
     * Notes a plugin that was loaded. If it has a call timeout, returns only after a tick at the fast rate, so that
     * its first call reads a fresh clock.
     *
     * @param withTimeout whether the plugin's calls have a timeout
     */
    public void pluginLoaded(boolean withTimeout) {
        plugins.incrementAndGet();
        if (withTimeout) {
            timed.incrementAndGet();
            awaitTick();
        } else {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Notes a plugin that was unloaded.
     *
     * @param withTimeout what was given to {@link #pluginLoaded(boolean)}
     */
    public void pluginUnloaded(boolean withTimeout) {
        if (withTimeout) {
            timed.decrementAndGet();
        }
        plugins.decrementAndGet();
    }

    /** Notes that a close waits for calls, so that ticks come at the fast rate until {@link #drainEnded()}. */
    public void drainStarted() {
        drains.incrementAndGet();
        LockSupport.unpark(thread);
    }

    /** Ends what {@link #drainStarted()} began. */
    public void drainEnded() {
        drains.decrementAndGet();
    }

    private void awaitTick() {
        long seen = ticks.get();
        LockSupport.unpark(thread);
        while (ticks.get() == seen) {
            LockSupport.parkNanos(20_000);
        }
    }

    private long micros() {
        return (System.nanoTime() - origin) / 1_000 + EPOCH;
    }

    private void run() {
        while (true) {
            if (plugins.get() <= 0 && drains.get() <= 0) {
                LockSupport.park(this);
            }
            try {
                tick();
            } catch (Throwable e) {
                LOGGER.log(System.Logger.Level.ERROR, "The plugin watchdog's tick failed; it goes on", e);
            }
            ticks.incrementAndGet();
            boolean fast = timed.get() > 0 || drains.get() > 0;
            LockSupport.parkNanos(this, (fast ? FAST_TICK_MICROS : SLOW_TICK_MICROS) * 1_000);
        }
    }

    /** One tick: the clock, the signals, and the interrupts of Java threads in a call. */
    private void tick() throws Throwable {
        int inCall = (int) scan.invokeExact(micros(), reports, CAPACITY);
        for (int i = 0; i < inCall; i++) {
            FaultReport report = FaultReport.at(reports.getAtIndex(ValueLayout.JAVA_LONG, i));
            Thread owner = report == null ? null : report.owner();
            if (owner != null && owner.isInterrupted()) {
                report.interrupt(); // the next tick signals the thread
            }
        }
    }
}
