package io.predicator.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Goal 3: compute throughput of realistic kernels over 1 MiB (compute.c), run by each engine a Java program could
 * use: the JIT (bitcode loaded through the public API at O2 and O3), the same C compiled ahead of time for generic
 * x86-64 into a shared library called through FFM, the same algorithm in plain Java, and the same C compiled to
 * WebAssembly and run by Chicory (compiled to JVM bytecode, and interpreted). Goal: at least parity with the
 * ahead-of-time code, and ahead of it on the vectorisable kernel.
 *
 * <p>Kernels: {@code records} filters 65,536 16-byte records (branchy); {@code pixels} applies gain and bias with
 * saturation to 1 MiB of bytes (vectorisable); {@code fnv1a} hashes 1 MiB (a serial dependency, never
 * vectorised). JIT engines: {@code jit-O2}/{@code jit-O3} load plain {@code clang -O2} bitcode, which clang has
 * already vectorised for generic x86-64; {@code jit-lto-O2}/{@code jit-lto-O3} load {@code clang -O2 -flto=thin}
 * bitcode, optimised but with vectorisation left to the JIT, which then vectorises for the host CPU. Every engine's
 * result is checked against plain Java at set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Bench.NATIVE_ACCESS, Bench.STACK})
@SuppressWarnings("restricted") // the ahead-of-time baseline is a shared library called through FFM
public class ComputeBenchmark {
    static final int BYTES = 1 << 20;
    static final int RECORDS = BYTES / 16;
    static final int CATEGORY = 3;
    static final int LOW = 100;
    static final int HIGH = 700;
    static final int GAIN = 300;
    static final int BIAS = -20;

    /** {@code int64_t filter_records(const struct record *, int32_t, int32_t, int32_t, int32_t)}. */
    public interface RecordFilter {
        long apply(MemorySegment records, int count, int category, int low, int high);
    }

    /** {@code void adjust_pixels(const uint8_t *, uint8_t *, int32_t, int32_t, int32_t)}. */
    public interface PixelFilter {
        void apply(MemorySegment in, MemorySegment out, int count, int gain, int bias);
    }

    /** {@code int32_t fnv1a(const uint8_t *, int32_t)}. */
    public interface Hash {
        int apply(MemorySegment data, int count);
    }

    @Param({"records", "pixels", "fnv1a"})
    public String kernel;

    @Param({"jit-O2", "jit-O3", "jit-lto-O2", "jit-lto-O3", "aot", "java", "chicory-compiler", "chicory-interpreter"})
    public String engine;

    private final Arena arena = Arena.ofShared();
    private byte[] recordBytes;
    private int[] recordInts;
    private byte[] pixels;
    private byte[] pixelsOut;
    private MemorySegment nativeRecords;
    private MemorySegment nativePixels;
    private MemorySegment nativePixelsOut;
    private JitContext jit;
    private Plugin plugin;
    private LongSupplier operation;
    private LongSupplier resultOfOutput;

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        data();
        operation = switch (engine) {
            case "jit-O2" -> jit(false, 2);
            case "jit-O3" -> jit(false, 3);
            case "jit-lto-O2" -> jit(true, 2);
            case "jit-lto-O3" -> jit(true, 3);
            case "aot" -> aot();
            case "java" -> java();
            case "chicory-compiler" -> chicory(true);
            case "chicory-interpreter" -> chicory(false);
            default -> throw new IllegalArgumentException("unknown engine " + engine);
        };
        long expected = switch (kernel) {
            case "records" -> JavaKernels.filterRecords(recordInts, RECORDS, CATEGORY, LOW, HIGH);
            case "pixels" -> {
                byte[] out = new byte[BYTES];
                JavaKernels.adjustPixels(pixels, out, BYTES, GAIN, BIAS);
                yield JavaKernels.fnv1a(out, BYTES);
            }
            default -> JavaKernels.fnv1a(pixels, BYTES);
        };
        long actual = operation.getAsLong();
        if (resultOfOutput != null) {
            actual = resultOfOutput.getAsLong();
        }
        if (actual != expected) {
            throw new IllegalStateException(engine + " computed " + actual + " for " + kernel + ", plain Java " + expected);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (jit != null) {
            jit.close();
        }
        arena.close();
    }

    @Benchmark
    public long run() {
        return operation.getAsLong();
    }

    private void data() {
        SplittableRandom random = new SplittableRandom(20250101);
        ByteBuffer records = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        recordInts = new int[RECORDS * 4];
        for (int i = 0; i < RECORDS; i++) {
            int[] fields = {i, random.nextInt(8), random.nextInt(1000), 1 + random.nextInt(10)};
            for (int f = 0; f < 4; f++) {
                recordInts[i * 4 + f] = fields[f];
                records.putInt(fields[f]);
            }
        }
        recordBytes = records.array();
        pixels = new byte[BYTES];
        random.nextBytes(pixels);
        pixelsOut = new byte[BYTES];
        nativeRecords = arena.allocate(BYTES, 64).copyFrom(MemorySegment.ofArray(recordBytes));
        nativePixels = arena.allocate(BYTES, 64).copyFrom(MemorySegment.ofArray(pixels));
        nativePixelsOut = arena.allocate(BYTES, 64);
    }

    private LongSupplier jit(boolean deferVectorisation, int level) {
        jit = JitContext.builder().build();
        plugin = jit.load(ModuleSource.bitcode("compute.bc", Plugins.computeBitcode(deferVectorisation)),
                LoadOptions.builder().optimizationLevel(level).build());
        return nativeKernel(
                plugin.function("filter_records", RecordFilter.class),
                plugin.function("adjust_pixels", PixelFilter.class),
                plugin.function("fnv1a", Hash.class));
    }

    private LongSupplier aot() {
        SymbolLookup library = SymbolLookup.libraryLookup(Plugins.computeSharedLibrary(), arena);
        Linker linker = Linker.nativeLinker();
        MethodHandle records = linker.downcallHandle(library.findOrThrow("filter_records"), FunctionDescriptor.of(
                ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle pixels = linker.downcallHandle(library.findOrThrow("adjust_pixels"), FunctionDescriptor.ofVoid(
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle hash = linker.downcallHandle(library.findOrThrow("fnv1a"), FunctionDescriptor.of(
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        return nativeKernel(
                (segment, count, category, low, high) -> {
                    try {
                        return (long) records.invokeExact(segment, count, category, low, high);
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                },
                (in, out, count, gain, bias) -> {
                    try {
                        pixels.invokeExact(in, out, count, gain, bias);
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                },
                (segment, count) -> {
                    try {
                        return (int) hash.invokeExact(segment, count);
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private LongSupplier nativeKernel(RecordFilter records, PixelFilter pixelFilter, Hash hash) {
        MemorySegment in = nativeRecords;
        MemorySegment pixelsIn = nativePixels;
        MemorySegment out = nativePixelsOut;
        return switch (kernel) {
            case "records" -> () -> records.apply(in, RECORDS, CATEGORY, LOW, HIGH);
            case "pixels" -> {
                resultOfOutput = () -> hash.apply(out, BYTES);
                yield () -> {
                    pixelFilter.apply(pixelsIn, out, BYTES, GAIN, BIAS);
                    return 0;
                };
            }
            default -> () -> hash.apply(pixelsIn, BYTES);
        };
    }

    private LongSupplier java() {
        int[] records = recordInts;
        byte[] in = pixels;
        byte[] out = pixelsOut;
        return switch (kernel) {
            case "records" -> () -> JavaKernels.filterRecords(records, RECORDS, CATEGORY, LOW, HIGH);
            case "pixels" -> {
                resultOfOutput = () -> JavaKernels.fnv1a(out, BYTES);
                yield () -> {
                    JavaKernels.adjustPixels(in, out, BYTES, GAIN, BIAS);
                    return 0;
                };
            }
            default -> () -> JavaKernels.fnv1a(in, BYTES);
        };
    }

    private LongSupplier chicory(boolean compiled) {
        WasmModule module = Parser.parse(Plugins.computeWasm());
        Instance.Builder builder = Instance.builder(module);
        if (compiled) {
            builder.withMachineFactory(MachineFactoryCompiler.compile(module));
        }
        Instance instance = builder.build();
        int input = (int) instance.export("input_buffer").apply()[0];
        int output = (int) instance.export("output_buffer").apply()[0];
        instance.memory().write(input, kernel.equals("records") ? recordBytes : pixels);
        ExportFunction records = instance.export("filter_records");
        ExportFunction pixelFilter = instance.export("adjust_pixels");
        ExportFunction hash = instance.export("fnv1a");
        return switch (kernel) {
            case "records" -> () -> records.apply(input, RECORDS, CATEGORY, LOW, HIGH)[0];
            case "pixels" -> {
                resultOfOutput = () -> (int) hash.apply(output, BYTES)[0];
                yield () -> {
                    pixelFilter.apply(input, output, BYTES, GAIN, BIAS);
                    return 0;
                };
            }
            default -> () -> (int) hash.apply(input, BYTES)[0];
        };
    }

    /** The kernels of compute.c in plain Java, over arrays. */
    static final class JavaKernels {
        private JavaKernels() {
        }

        static long filterRecords(int[] records, int count, int category, int low, int high) {
            long revenue = 0;
            for (int i = 0; i < count; i++) {
                int base = i * 4;
                int price = records[base + 2];
                if (records[base + 1] == category && price >= low && price <= high) {
                    revenue += (long) price * records[base + 3];
                }
            }
            return revenue;
        }

        static void adjustPixels(byte[] in, byte[] out, int count, int gain, int bias) {
            for (int i = 0; i < count; i++) {
                int value = (((in[i] & 0xFF) * gain) >> 8) + bias;
                out[i] = (byte) (value < 0 ? 0 : Math.min(value, 255));
            }
        }

        static int fnv1a(byte[] data, int count) {
            int hash = 0x811C9DC5;
            for (int i = 0; i < count; i++) {
                hash = (hash ^ (data[i] & 0xFF)) * 16777619;
            }
            return hash;
        }
    }
}
