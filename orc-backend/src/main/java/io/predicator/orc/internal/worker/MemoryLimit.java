package io.predicator.orc.internal.worker;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * How much memory a compile worker may take: a hard limit the kernel enforces on the worker process
 * ({@code RLIMIT_DATA}: its heap and every private writable mapping, which is where LLVM's allocations and the
 * worker JVM's committed heap live). Input that makes LLVM allocate past it (a vector constant of billions of
 * elements, bitcode whose counts were damaged) fails in the worker, whose allocator then fails and LLVM reports
 * that it ran out of memory, instead of growing until the machine runs out. The limit is far above what compiling
 * a large plugin takes (SQLite's 270,000 lines peaked at about 340 MB of resident memory in a worker).
 */
public final class MemoryLimit {
    /** The limit, in bytes: 4 GiB. */
    public static final long BYTES = 4L << 30;
    /** The system property through which the worker's owner passes the limit. */
    static final String PROPERTY = "predicator.worker.memoryLimit";
    private static final int RLIMIT_DATA = 2;

    private MemoryLimit() {
    }

    /**
     * Applies the limit its owner passed to this process (a compile worker); does nothing if none was passed.
     *
     * @throws IllegalStateException if the kernel refuses it
     */
    public static void applyToThisProcess() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return;
        }
        long bytes = Long.parseLong(value);
        Linker linker = Linker.nativeLinker();
        MethodHandle setrlimit = linker.downcallHandle(linker.defaultLookup().findOrThrow("setrlimit"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(ValueLayout.JAVA_LONG, 2); // struct rlimit {cur, max}
            limit.setAtIndex(ValueLayout.JAVA_LONG, 0, bytes);
            limit.setAtIndex(ValueLayout.JAVA_LONG, 1, bytes);
            int status = (int) setrlimit.invokeExact(RLIMIT_DATA, limit);
            if (status != 0) {
                throw new IllegalStateException("setrlimit(RLIMIT_DATA, " + bytes + ") failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("setrlimit failed", e);
        }
    }
}
