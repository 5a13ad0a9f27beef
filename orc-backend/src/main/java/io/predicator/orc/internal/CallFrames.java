package io.predicator.orc.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The plugin calls in progress on one thread, kept so that unloading can wait for them without making every call
 * pay for an atomic operation.
 *
 * <p>A call pushes its plugin with plain stores, then reads the plugin's open flag, then calls native code; it
 * pops when the native code returns. Unloading clears the flag, then closes the plugin's shared {@code Arena},
 * which makes the JVM handshake every thread: after the handshake, every push that preceded a read of the flag
 * as open is visible, and every later read sees it cleared. Unloading then waits until no thread's frames hold
 * the plugin. This is the asymmetric scheme the JDK itself uses to close shared arenas safely; it replaces two
 * atomic read-modify-writes per call (acquiring and releasing a shared arena) with two plain stores.
 */
final class CallFrames {
    private static final ThreadLocal<CallFrames> CURRENT = ThreadLocal.withInitial(CallFrames::register);
    private static final ConcurrentLinkedQueue<CallFrames> ALL = new ConcurrentLinkedQueue<>();
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

    private final WeakReference<Thread> owner;
    private volatile Object[] plugins = new Object[8];
    private Throwable[] savedExceptions = new Throwable[8];
    private int depth;

    private CallFrames(Thread owner) {
        this.owner = new WeakReference<>(owner);
    }

    private static CallFrames register() {
        CallFrames frames = new CallFrames(Thread.currentThread());
        ALL.add(frames);
        return frames;
    }

    /** Returns the calling thread's frames. */
    static CallFrames current() {
        return CURRENT.get();
    }

    /** Records that this thread enters a call into the plugin, keeping an exception pending from an outer call. */
    void push(Object plugin, Throwable savedException) {
        Object[] slots = plugins;
        if (depth == slots.length) {
            slots = Arrays.copyOf(slots, depth * 2);
            savedExceptions = Arrays.copyOf(savedExceptions, depth * 2);
            plugins = slots;
        }
        slots[depth] = plugin;
        savedExceptions[depth] = savedException;
        depth++;
    }

    /** Records that the innermost call returned; returns the exception kept when it was entered. */
    Throwable pop() {
        depth--;
        plugins[depth] = null;
        Throwable saved = savedExceptions[depth];
        savedExceptions[depth] = null;
        return saved;
    }

    /** Returns whether this thread is inside a call into the plugin. */
    boolean contains(Object plugin) {
        Object[] slots = plugins;
        for (int i = 0; i < depth; i++) {
            if (slots[i] == plugin) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until no thread is inside a call into the plugin. The caller must already have made new calls fail and
     * handshaken all threads (by closing a shared arena).
     */
    static void awaitNoCalls(Object plugin) {
        long pause = 1_000;
        while (inCall(plugin)) {
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 1_000_000);
        }
    }

    private static boolean inCall(Object plugin) {
        for (Iterator<CallFrames> iterator = ALL.iterator(); iterator.hasNext(); ) {
            CallFrames frames = iterator.next();
            Thread thread = frames.owner.get();
            if (thread == null || !thread.isAlive()) {
                iterator.remove();
                continue;
            }
            Object[] slots = frames.plugins;
            for (int i = 0; i < slots.length; i++) {
                if (SLOTS.getOpaque(slots, i) == plugin) {
                    return true;
                }
            }
        }
        return false;
    }
}
