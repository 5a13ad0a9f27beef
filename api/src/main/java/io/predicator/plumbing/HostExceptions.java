package io.predicator.plumbing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries an exception thrown by a Java host function across the native plugin code that called it.
 *
 * <p>An exception must never unwind out of an FFM upcall: the JVM would terminate. A host function's upcall
 * wrapper therefore {@linkplain #capture(Throwable) captures} the exception and returns a failure value to the
 * plugin; when the plugin's function returns to Java, the backend {@linkplain #takePending() takes} the exception
 * and throws it to the Java caller. The check costs one volatile read while no exception is pending anywhere.
 *
 * <p>A backend takes whatever is pending before each plugin call and {@linkplain #capture(Throwable) puts it back}
 * afterwards, so that an exception captured earlier in an outer call is not blamed on a nested one. A host
 * function running on a thread with no plugin call of a backend in progress (a thread the plugin started itself,
 * or a raw downcall to a plugin's address) leaves its exception pending for the next plugin call on that thread.
 *
 * @since 0.1
 */
public final class HostExceptions {
    private static final ThreadLocal<Throwable> PENDING = new ThreadLocal<>();
    private static final AtomicInteger PENDING_COUNT = new AtomicInteger();

    private HostExceptions() {
    }

    /**
     * Records an exception thrown by a host function on this thread; a second one before it is taken is added to
     * the first as suppressed.
     *
     * @param exception what the host function threw
     */
    public static void capture(Throwable exception) {
        Throwable pending = PENDING.get();
        if (pending == null) {
            PENDING.set(exception);
            PENDING_COUNT.incrementAndGet();
        } else if (pending != exception) {
            pending.addSuppressed(exception);
        }
    }

    /**
     * Returns and clears the exception pending on this thread.
     *
     * @return the captured exception, or null if none is pending
     */
    public static Throwable takePending() {
        if (PENDING_COUNT.get() == 0) {
            return null;
        }
        Throwable pending = PENDING.get();
        if (pending != null) {
            PENDING.remove();
            PENDING_COUNT.decrementAndGet();
        }
        return pending;
    }
}
