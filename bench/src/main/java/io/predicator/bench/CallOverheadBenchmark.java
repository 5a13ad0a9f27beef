package io.predicator.bench;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;

/**
 * Goal 2: the cost of calling a trivial {@code int add(int, int)} through the safe, unload-guarded path of the
 * public API, against a raw FFM downcall to the same address; one thread, and two threads calling the same
 * function at once (the guard acquires the plugin's shared arena, an atomic). Goal: at most 1.5 times raw.
 *
 * <p>Every handle sits in a {@code static final} field, as a program that keeps its plugin functions in constants
 * would have them, so the JIT compiler sees through all of them alike.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {Bench.NATIVE_ACCESS, Bench.STACK})
public class CallOverheadBenchmark {
    /** The plugin and its handles, loaded once per fork when the class initialises. */
    @SuppressWarnings("restricted") // raw downcalls are the baseline
    static final class Loaded {
        static final JitContext JIT = JitContext.builder().build();
        static final Plugin PLUGIN = JIT.load(ModuleSource.bitcode("trivial.bc", Plugins.trivialBitcode()));
        /** The safe path: a functional interface implemented by the plugin. */
        static final IntBinaryOperator SAFE = PLUGIN.function("add", IntBinaryOperator.class);
        /**
         * The safe path through an interface of a class loader that Predicator's cannot see, called as that
         * loader's code calls it (see {@link ForeignInterface}).
         */
        static final MethodHandle SAFE_FOREIGN_LOADER = foreign();
        /** The safe path as a method handle. */
        static final MethodHandle SAFE_HANDLE = PLUGIN.function("add", LoadLatencyBenchmark.INT_INT_INT);
        private static final MemorySegment ADDRESS = MemorySegment.ofAddress(PLUGIN.address("add").orElseThrow().address());
        /** Raw: a downcall bound to the address, no guard. */
        static final MethodHandle RAW = Linker.nativeLinker().downcallHandle(ADDRESS, LoadLatencyBenchmark.INT_INT_INT);
        /** Raw without the thread-state transition, for information. */
        static final MethodHandle RAW_CRITICAL = Linker.nativeLinker().downcallHandle(ADDRESS,
                LoadLatencyBenchmark.INT_INT_INT, Linker.Option.critical(false));
        /** For information: the arena guard alone, an unbound downcall whose target belongs to a shared arena. */
        static final MethodHandle RAW_SHARED_ARENA = MethodHandles.insertArguments(
                Linker.nativeLinker().downcallHandle(LoadLatencyBenchmark.INT_INT_INT), 0,
                ADDRESS.reinterpret(Arena.ofShared(), null));

        private Loaded() {
        }

        private static MethodHandle foreign() {
            Class<?> type = ForeignInterface.define();
            return ForeignInterface.applyAsInt(type, PLUGIN.function("add", type));
        }
    }

    private int a = 17;
    private int b = 25;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        if (Loaded.SAFE.applyAsInt(2, 3) != 5 || (int) Loaded.RAW.invokeExact(2, 3) != 5) {
            throw new IllegalStateException("add(2, 3) is not 5");
        }
    }

    @Benchmark
    @Threads(1)
    public int raw1() throws Throwable {
        return (int) Loaded.RAW.invokeExact(a, b);
    }

    @Benchmark
    @Threads(1)
    public int safe1() {
        return Loaded.SAFE.applyAsInt(a, b);
    }

    @Benchmark
    @Threads(1)
    public int safeForeignLoader1() throws Throwable {
        return (int) Loaded.SAFE_FOREIGN_LOADER.invokeExact(a, b);
    }

    @Benchmark
    @Threads(2)
    public int safeForeignLoader2() throws Throwable {
        return (int) Loaded.SAFE_FOREIGN_LOADER.invokeExact(a, b);
    }

    @Benchmark
    @Threads(1)
    public int safeHandle1() throws Throwable {
        return (int) Loaded.SAFE_HANDLE.invokeExact(a, b);
    }

    @Benchmark
    @Threads(1)
    public int rawCritical1() throws Throwable {
        return (int) Loaded.RAW_CRITICAL.invokeExact(a, b);
    }

    @Benchmark
    @Threads(1)
    public int rawSharedArena1() throws Throwable {
        return (int) Loaded.RAW_SHARED_ARENA.invokeExact(a, b);
    }

    @Benchmark
    @Threads(2)
    public int rawSharedArena2() throws Throwable {
        return (int) Loaded.RAW_SHARED_ARENA.invokeExact(a, b);
    }

    @Benchmark
    @Threads(2)
    public int raw2() throws Throwable {
        return (int) Loaded.RAW.invokeExact(a, b);
    }

    @Benchmark
    @Threads(2)
    public int safe2() {
        return Loaded.SAFE.applyAsInt(a, b);
    }

    @Benchmark
    @Threads(2)
    public int safeHandle2() throws Throwable {
        return (int) Loaded.SAFE_HANDLE.invokeExact(a, b);
    }
}
