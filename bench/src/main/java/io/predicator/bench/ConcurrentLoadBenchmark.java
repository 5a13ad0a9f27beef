package io.predicator.bench;

import io.predicator.JitContext;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Goal 5: loads per second of the small plugin (load, first call, unload) from one thread and from two threads
 * sharing one context. Goal: two threads reach at least 1.7 times the throughput of one. The hand-coded floor gives
 * each thread an LLJIT of its own, so its threads share nothing but the process: it shows what the machine allows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.NATIVE_ACCESS, Bench.STACK})
public class ConcurrentLoadBenchmark {
    private byte[] bitcode;
    private JitContext jit;

    /** The floor's JIT, one per thread. */
    @State(Scope.Thread)
    public static class OwnJit {
        RawJit raw;

        @Setup(Level.Trial)
        public void setUp() {
            raw = new RawJit(2);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            raw.close();
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        bitcode = Plugins.smallBitcode();
        jit = JitContext.builder().build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jit.close();
    }

    @Benchmark
    @Threads(1)
    public int predicator1() {
        return ChurnBenchmark.cycle(jit, bitcode);
    }

    @Benchmark
    @Threads(2)
    public int predicator2() {
        return ChurnBenchmark.cycle(jit, bitcode);
    }

    @Benchmark
    @Threads(1)
    public int floor1(OwnJit own) throws Throwable {
        return ChurnBenchmark.cycle(own.raw, bitcode);
    }

    @Benchmark
    @Threads(2)
    public int floor2(OwnJit own) throws Throwable {
        return ChurnBenchmark.cycle(own.raw, bitcode);
    }
}
