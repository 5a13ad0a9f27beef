package io.predicator.bench;

import io.predicator.JitContext;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory per load/call/unload cycle of the small plugin, in a process of its own: after a warm-up, runs many cycles,
 * samples the C heap in use ({@code mallinfo2}, where LLVM allocates) and the resident set every tenth of them, and
 * prints the slope of each (bytes per cycle) and the growth from the first sample to the last as one JSON object.
 */
@SuppressWarnings("restricted") // mallinfo2 through FFM
public final class ChurnMemory {
    private static final MethodHandle MALLINFO2;
    /** {@code struct mallinfo2}: ten {@code size_t} fields. */
    private static final MemoryLayout MALLINFO2_LAYOUT = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("arena"), ValueLayout.JAVA_LONG.withName("ordblks"),
            ValueLayout.JAVA_LONG.withName("smblks"), ValueLayout.JAVA_LONG.withName("hblks"),
            ValueLayout.JAVA_LONG.withName("hblkhd"), ValueLayout.JAVA_LONG.withName("usmblks"),
            ValueLayout.JAVA_LONG.withName("fsmblks"), ValueLayout.JAVA_LONG.withName("uordblks"),
            ValueLayout.JAVA_LONG.withName("fordblks"), ValueLayout.JAVA_LONG.withName("keepcost"));

    static {
        Linker linker = Linker.nativeLinker();
        MALLINFO2 = linker.downcallHandle(linker.defaultLookup().findOrThrow("mallinfo2"),
                FunctionDescriptor.of(MALLINFO2_LAYOUT));
    }

    private ChurnMemory() {
    }

    /**
     * Measures one subject.
     *
     * @param arguments {@code predicator} or {@code floor}, then the warm-up and measured cycle counts
     * @throws Throwable if a cycle fails
     */
    public static void main(String[] arguments) throws Throwable {
        String subject = arguments[0];
        int warmup = Integer.parseInt(arguments[1]);
        int cycles = Integer.parseInt(arguments[2]);
        byte[] bitcode = Plugins.smallBitcode();
        try (JitContext jit = subject.equals("predicator") ? JitContext.builder().build() : null;
             RawJit raw = subject.equals("floor") ? new RawJit(2) : null) {
            Cycle cycle = jit != null ? () -> ChurnBenchmark.cycle(jit, bitcode) : () -> ChurnBenchmark.cycle(raw, bitcode);
            for (int i = 0; i < warmup; i++) {
                cycle.run();
            }
            // Sample memory every tenth of the run and fit a line: one-off drops (a cache trimmed, a GC) do not
            // masquerade as a trend, and the slope is the growth per cycle.
            int step = Math.max(1, cycles / 10);
            List<double[]> samples = new ArrayList<>();
            samples.add(new double[] {0, mallocInUse(), residentBytes()});
            long start = System.nanoTime();
            for (int i = 1; i <= cycles; i++) {
                cycle.run();
                if (i % step == 0) {
                    samples.add(new double[] {i, mallocInUse(), residentBytes()});
                }
            }
            long elapsed = System.nanoTime() - start;
            System.out.println("{\"subject\": \"" + subject + "\", \"cycles\": " + cycles
                    + ", \"cyclesPerSecond\": " + cycles * 1e9 / elapsed
                    + ", \"mallocBytesPerCycle\": " + slope(samples, 1)
                    + ", \"rssBytesPerCycle\": " + slope(samples, 2)
                    + ", \"mallocGrowthBytes\": " + (long) (samples.getLast()[1] - samples.getFirst()[1])
                    + ", \"rssGrowthBytes\": " + (long) (samples.getLast()[2] - samples.getFirst()[2])
                    + ", \"mallocInUseAfter\": " + (long) samples.getLast()[1]
                    + ", \"rssAfter\": " + (long) samples.getLast()[2] + "}");
        }
    }

    /** The least-squares slope of column {@code y} over column 0. */
    static double slope(List<double[]> samples, int y) {
        double n = samples.size();
        double sumX = 0;
        double sumY = 0;
        for (double[] sample : samples) {
            sumX += sample[0];
            sumY += sample[y];
        }
        double meanX = sumX / n;
        double meanY = sumY / n;
        double covariance = 0;
        double variance = 0;
        for (double[] sample : samples) {
            covariance += (sample[0] - meanX) * (sample[y] - meanY);
            variance += (sample[0] - meanX) * (sample[0] - meanX);
        }
        return variance == 0 ? 0 : covariance / variance;
    }

    @FunctionalInterface
    private interface Cycle {
        int run() throws Throwable;
    }

    /** Bytes the C heap has handed out and not taken back, over all arenas and in its own mappings. */
    private static long mallocInUse() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO2.invokeExact((java.lang.foreign.SegmentAllocator) arena);
            return info.getAtIndex(ValueLayout.JAVA_LONG, 7) // uordblks
                    + info.getAtIndex(ValueLayout.JAVA_LONG, 4); // hblkhd
        }
    }

    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
