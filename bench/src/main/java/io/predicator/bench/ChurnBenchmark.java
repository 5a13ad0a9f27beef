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

import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;

/**
 * Goal 4: churn, whole load/call/unload cycles of the small plugin per second, against the same cycle hand-coded
 * in LLVM-C. Memory per cycle is measured outside JMH by {@link ChurnMemory}, in a process of its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.NATIVE_ACCESS, Bench.STACK})
public class ChurnBenchmark {
    private static final LoadOptions TRUSTED = LoadOptions.builder().trustInput(true).build();
    private byte[] bitcode;
    private JitContext jit;
    private RawJit raw;

    @Setup(Level.Trial)
    public void setUp() {
        bitcode = Plugins.smallBitcode();
        jit = JitContext.builder().build();
        raw = new RawJit(2);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jit.close();
        raw.close();
    }

    @Benchmark
    public int predicator() {
        return cycle(jit, bitcode);
    }

    @Benchmark
    public int floor() throws Throwable {
        return cycle(raw, bitcode);
    }

    /**
     * Loads the small plugin through the public API, calls it once and unloads it. The input is trusted, as the
     * floor's is: churn measures what the JIT keeps per cycle, not the out-of-process check of untrusted bitcode.
     */
    static int cycle(JitContext jit, byte[] bitcode) {
        try (Plugin plugin = jit.load(ModuleSource.bitcode("small.bc", bitcode), TRUSTED)) {
            return plugin.function("score", IntBinaryOperator.class).applyAsInt(1234, 42);
        }
    }

    /** The same cycle in hand-coded LLVM-C. */
    static int cycle(RawJit raw, byte[] bitcode) throws Throwable {
        RawJit.Loaded loaded = raw.load(bitcode, "score", LoadLatencyBenchmark.INT_INT_INT, RawJit.Recipe.SAME_STEPS);
        try {
            return (int) loaded.function().invokeExact(1234, 42);
        } finally {
            raw.unload(loaded);
        }
    }
}
