package io.predicator.orc.internal;

import io.predicator.orc.internal.runtime.FaultReport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The plugin calls in progress on one thread, kept so that unloading can wait for them without making every call
 * pay for an atomic operation.
 *
 * <p>A call records its plugin's {@linkplain #newPluginId() id} with a plain store, then reads the plugin's open flag,
 * then calls native code; it pops when the native code returns. Unloading clears the flag, then closes the plugin's
 * shared {@code Arena}, which makes the JVM handshake every thread: after the handshake, every push that preceded a
 * read of the flag as open is visible, and every later read sees it cleared. Unloading then waits until no thread's
 * frames hold the plugin. This is the asymmetric scheme the JDK itself uses to close shared arenas safely; it
 * replaces two atomic read-modify-writes per call (acquiring and releasing a shared arena) with two plain stores.
 *
 * <p>The outermost call's plugin sits in one field; calls nested inside it (a plugin calls Java, which calls a
 * plugin) take fixed slots of an array. No id moves while its call is in progress, so a scan that reads the field
 * and then the array cannot miss one.
 *
 * <p>The frames hold ids, not references, so that a push and a pop store no reference (no GC write barriers), and a
 * thread finds its frames through a table indexed by thread id rather than a {@code ThreadLocal}: together these
 * cut the guard's cost from about twice that of the downcall to a fraction of it.
 */
final class CallFrames extends CallFramesPadding {
    private static final AtomicLong PLUGIN_IDS = new AtomicLong();
    private static final ThreadLocal<CallFrames> CURRENT = ThreadLocal.withInitial(CallFrames::register);
    /**
     * The frames of recent threads by thread id modulo the length: a field load instead of a {@code ThreadLocal}
     * lookup (which costs as much as the rest of the guard). A thread whose slot another live thread holds uses
     * {@link #CURRENT}.
     */
    private static final CallFrames[] BY_THREAD_ID = new CallFrames[4096];
    private static final ConcurrentLinkedQueue<CallFrames> ALL = new ConcurrentLinkedQueue<>();
    private static final AtomicLong REGISTERED = new AtomicLong();
    /** Dead threads' frames leave {@link #ALL} on every unload, and every this many new threads. */
    private static final int PURGE_EVERY = 1_024;
    private static final VarHandle IDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle ACTIVE;
    private static final VarHandle NESTED;

    static {
        try {
            ACTIVE = MethodHandles.lookup().findVarHandle(CallFrames.class, "active", long.class);
            NESTED = MethodHandles.lookup().findVarHandle(CallFrames.class, "nested", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final WeakReference<Thread> owner;
    private final long threadId;
    /** Where the runtime reports a fault of this thread's plugin calls; its address is a plain field for the calls. */
    private final FaultReport report;
    private final long reportAddress;
    /** The timeout last written to the report: a plain field, so that calls of one plugin store nothing. */
    private long timeoutNoted;
    /** The plugin of the outermost call in progress, 0 if none; padded on both sides against false sharing. */
    private long active;
    @SuppressWarnings("unused")
    private long q0;
    @SuppressWarnings("unused")
    private long q1;
    @SuppressWarnings("unused")
    private long q2;
    @SuppressWarnings("unused")
    private long q3;
    @SuppressWarnings("unused")
    private long q4;
    @SuppressWarnings("unused")
    private long q5;
    @SuppressWarnings("unused")
    private long q6;
    @SuppressWarnings("unused")
    private long q7;
    /** The exception pending when the outermost call started, restored when it returns; usually null. */
    private Throwable outermostSaved;
    /** The plugins of nested calls (a plugin called Java, which called a plugin), innermost last. */
    private long[] nested = new long[4];
    private Throwable[] nestedSaved = new Throwable[4];
    /** The deadlines of the calls that nested calls interrupted, restored in the report when those return. */
    private long[] nestedDeadlines = new long[4];
    private int nestedDepth;

    private CallFrames(Thread owner) {
        this.owner = new WeakReference<>(owner);
        this.threadId = owner.threadId();
        this.report = new FaultReport(owner);
        this.reportAddress = report.address();
    }

    private static CallFrames register() {
        CallFrames frames = new CallFrames(Thread.currentThread());
        ALL.add(frames);
        if (REGISTERED.incrementAndGet() % PURGE_EVERY == 0) {
            ALL.removeIf(CallFrames::ownerIsGone); // servers that start threads forever and never unload
        }
        return frames;
    }

    private boolean ownerIsGone() {
        Thread thread = owner.get();
        return thread == null || !thread.isAlive();
    }

    /** Returns the address of this thread's fault report, which every contained call passes to its trampoline. */
    long reportAddress() {
        return reportAddress;
    }

    /** Returns this thread's fault report. */
    FaultReport report() {
        return report;
    }

    /** Returns a new id for a plugin, never 0 (an empty frame) and never reused. */
    static long newPluginId() {
        return PLUGIN_IDS.incrementAndGet();
    }

    /** Returns the calling thread's frames. */
    static CallFrames current() {
        long id = Thread.currentThread().threadId();
        CallFrames frames = BY_THREAD_ID[(int) id & (BY_THREAD_ID.length - 1)];
        if (frames != null && frames.threadId == id) {
            return frames;
        }
        return lookUp(id);
    }

    /** Finds the thread's frames the slow way and takes its slot in the table if the slot is free or stale. */
    private static CallFrames lookUp(long id) {
        CallFrames frames = CURRENT.get();
        int slot = (int) id & (BY_THREAD_ID.length - 1);
        CallFrames holder = BY_THREAD_ID[slot];
        if (holder == null || holder.ownerIsGone()) {
            BY_THREAD_ID[slot] = frames; // racy on purpose: readers check the final threadId
        }
        return frames;
    }

    /**
     * Records that this thread enters a call into the plugin, keeping an exception pending from an outer call.
     * An id stays where it was stored until its call returns: the outermost call's in {@link #active}, a nested
     * call's in its own slot of {@link #nested}, so that a scan never misses a call whose id is being moved.
     *
     * @param plugin the plugin's id
     * @param savedException the exception to restore when the call returns, usually null
     */
    void push(long plugin, Throwable savedException) {
        if (active != 0) {
            pushNested(plugin, savedException);
            return;
        }
        if (savedException != null) {
            outermostSaved = savedException;
        }
        active = plugin;
    }

    private void pushNested(long plugin, Throwable savedException) {
        if (nestedDepth == nested.length) {
            nestedSaved = Arrays.copyOf(nestedSaved, nestedDepth * 2);
            nestedDeadlines = Arrays.copyOf(nestedDeadlines, nestedDepth * 2);
            NESTED.setRelease(this, Arrays.copyOf(nested, nestedDepth * 2));
        }
        nestedSaved[nestedDepth] = savedException;
        nestedDeadlines[nestedDepth] = report.deadline();
        IDS.setRelease(nested, nestedDepth, plugin);
        nestedDepth++;
    }

    /** Records that the innermost call returned; returns the exception kept when it was entered, usually null. */
    Throwable pop() {
        if (nestedDepth == 0) {
            active = 0;
            Throwable saved = outermostSaved;
            if (saved != null) {
                outermostSaved = null;
            }
            return saved;
        }
        int top = --nestedDepth;
        IDS.setRelease(nested, top, 0L);
        report.restoreDeadline(nestedDeadlines[top]);
        Throwable saved = nestedSaved[top];
        nestedSaved[top] = null;
        return saved;
    }

    /** Returns whether this thread is inside a call into the plugin. */
    boolean contains(long plugin) {
        if (active == plugin) {
            return true;
        }
        for (int i = 0; i < nestedDepth; i++) {
            if (nested[i] == plugin) {
                return true;
            }
        }
        return false;
    }

    /**
     * Notes the timeout of the plugin this thread calls next in the report, where the call's trampoline reads it to
     * set the call's deadline (a nested call keeps its outer call's deadline if that is earlier); a store only when
     * it differs from the last one noted.
     *
     * @param timeout {@code Watchdog.callTimeout} of the plugin's timeout, or 0 for none
     */
    void noteTimeout(long timeout) {
        if (timeout != timeoutNoted) {
            timeoutNoted = timeout;
            report.timeout(timeout);
        }
    }

    /**
     * Waits until no thread is inside a call into the plugin. The caller must already have made new calls fail and
     * handshaken all threads (by closing a shared arena).
     *
     * @param plugin the plugin's id
     * @param drain paces the wait and stops the calls once the drain ends
     */
    static void awaitNoCalls(long plugin, Drain drain) {
        while (inCall(plugin)) {
            drain.pause();
        }
    }

    static boolean inCall(long plugin) {
        for (Iterator<CallFrames> iterator = ALL.iterator(); iterator.hasNext(); ) {
            CallFrames frames = iterator.next();
            if (frames.ownerIsGone()) {
                iterator.remove();
                continue;
            }
            if ((long) ACTIVE.getOpaque(frames) == plugin) {
                return true;
            }
            long[] slots = (long[]) NESTED.getAcquire(frames);
            for (int i = 0; i < slots.length; i++) {
                if ((long) IDS.getAcquire(slots, i) == plugin) {
                    return true;
                }
            }
        }
        return false;
    }
}
