package io.predicator.testkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** A Java host function that plugins call as {@code i32 host_add(i32, i32)}, through an FFM upcall stub. */
public final class HostFunctions {
    private static final AtomicInteger CALLS = new AtomicInteger();

    private HostFunctions() {
    }

    /** Adds; counts its calls. Never throws: an exception leaving an upcall would end the JVM. */
    public static int hostAdd(int a, int b) {
        CALLS.incrementAndGet();
        return a + b;
    }

    /** Returns how many times {@link #hostAdd} has run in this JVM. */
    public static int calls() {
        return CALLS.get();
    }

    /** Creates an upcall stub of {@link #hostAdd} in the arena; the stub lives until the arena closes. */
    @SuppressWarnings("restricted")
    public static MemorySegment hostAdd(Arena arena) {
        try {
            return Linker.nativeLinker().upcallStub(
                    MethodHandles.lookup().findStatic(HostFunctions.class, "hostAdd",
                            MethodType.methodType(int.class, int.class, int.class)),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("hostAdd must be a public static int(int, int)", e);
        }
    }
}
