package io.predicator.bench;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;

/**
 * Goal 1: the time from a small plugin's bitcode (small.c, ~30 lines, -O2) to the result of its first call,
 * through the public API, against the same LLVM-C steps hand-coded ({@link RawJit}). Unloading happens after the
 * measurement, outside it. Goal: at most 10 % over the floor. The goal's loads trust their input
 * ({@code LoadOptions.trustInput(true)}), as the floor does; {@link #predicatorUntrusted()} measures the default,
 * which compiles in a compile worker, so that the report can state what the safe default costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {Bench.NATIVE_ACCESS, Bench.STACK})
public class LoadLatencyBenchmark {
    static final FunctionDescriptor INT_INT_INT = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT);

    /** The floor reads the bitcode in this process: so does the goal's path. */
    private static final LoadOptions TRUSTED = LoadOptions.builder().trustInput(true).build();

    private byte[] bitcode;
    private JitContext jit;
    private RawJit raw;
    private Plugin plugin;
    private RawJit.Loaded loaded;

    @Setup(Level.Trial)
    public void setUp() {
        bitcode = Plugins.smallBitcode();
        jit = JitContext.builder().build();
        raw = new RawJit(2);
    }

    @TearDown(Level.Invocation)
    public void unload() {
        if (plugin != null) {
            plugin.close();
            plugin = null;
        }
        if (loaded != null) {
            raw.unload(loaded);
            loaded = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jit.close();
        raw.close();
    }

    /** Load trusted input through the public API, then the first call through the safe interface. */
    @Benchmark
    public int predicator() {
        plugin = jit.load(ModuleSource.bitcode("small.bc", bitcode), TRUSTED);
        return plugin.function("score", IntBinaryOperator.class).applyAsInt(1234, 42);
    }

    /** The cost of the safe default: the same as {@link #predicator()} with untrusted input (the default). */
    @Benchmark
    public int predicatorUntrusted() {
        plugin = jit.load(ModuleSource.bitcode("small.bc", bitcode));
        return plugin.function("score", IntBinaryOperator.class).applyAsInt(1234, 42);
    }

    /** For information: the load alone, without {@code plugin.function(...)} and the call. */
    @Benchmark
    public Plugin predicatorLoadOnly() {
        plugin = jit.load(ModuleSource.bitcode("small.bc", bitcode), TRUSTED);
        return plugin;
    }

    /** The floor: the same LLVM-C steps, then a raw downcall. */
    @Benchmark
    public int floorSameSteps() throws Throwable {
        loaded = raw.load(bitcode, "score", INT_INT_INT, RawJit.Recipe.SAME_STEPS);
        return (int) loaded.function().invokeExact(1234, 42);
    }

    /** For information: a floor without verification and retargeting. */
    @Benchmark
    public int floorMinimal() throws Throwable {
        loaded = raw.load(bitcode, "score", INT_INT_INT, RawJit.Recipe.MINIMAL);
        return (int) loaded.function().invokeExact(1234, 42);
    }
}
