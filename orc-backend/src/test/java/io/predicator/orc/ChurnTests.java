package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Thousands of load → call → unload cycles in one context must not grow the process's resident memory: a context
 * lives for months in a JVM whose plugins come and go. Memory is measured, never time.
 *
 * <p>The cycles run in a child JVM whose Java heap is small, fixed and touched up front ({@code -Xms64m -Xmx64m
 * -XX:+AlwaysPreTouch}), so that VmRSS moves only with native memory: in the test JVM itself, Java garbage filling
 * fresh eden pages moved VmRSS by ±20 MB between runs, as much as the bound. Before each reading the child runs two
 * full collections. It does not trim the C heap itself: giving LLVM's freed memory back (glibc keeps it, and the
 * resident set crept up by ~1.5 KB per cycle before) is the backend's job, so this test checks that too.
 *
 * <p>The loads trust their input, so that the JIT's own retention is what is measured: on the default path the
 * compile worker's round trip moved this JVM's resident set by 1 to 2 KB per cycle in some runs, which is not yet
 * explained and is tracked apart from this bound. The warm-up is long: about 5,700 loads into a run, the resident
 * set steps up once by about 20 MB (then holds still over the next 13,000 loads), and a warm-up shorter than that
 * put the step inside the measurement.
 *
 * <p>Observed on the 2-core CI machine (JDK 25, LLVM 20.1.7): see {@code target/surefire-reports/
 * io.predicator.orc.ChurnTests-output.txt}; the README of the lifecycle module records a run.
 */
class ChurnTests {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final int WARM_UP_CYCLES = 8_000;
    private static final int CYCLES = Integer.getInteger("predicator.churn.cycles", 5_000);
    private static final long BOUND_BYTES = 20L << 20;

    @Test
    void loadCallUnloadCyclesDoNotGrowResidentMemory() throws Exception {
        assumeTrue(Files.isReadable(STATUS), "resident memory is read from /proc/self/status (Linux)");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xss4m",
                "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                Churn.class.getName(), Integer.toString(WARM_UP_CYCLES), Integer.toString(CYCLES))
                .redirectErrorStream(true)
                .start();
        child.getOutputStream().close();
        String output;
        try (var in = child.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("the churn child ends (hang guard)").isTrue();
        System.out.print(output);
        assertThat(child.exitValue()).as("churn child output:%n%s", output).isZero();

        List<long[]> readings = output.lines()
                .filter(line -> line.startsWith("VmRSS "))
                .map(line -> new long[] {Long.parseLong(line.split(" ")[1]), Long.parseLong(line.split(" ")[2])})
                .toList();
        assertThat(readings).as("readings in:%n%s", output).hasSizeGreaterThanOrEqualTo(3);
        long raw = readings.getLast()[1] - readings.getFirst()[1];
        long fitted = Math.round(slope(readings) * CYCLES);
        System.out.printf("ChurnTests: %d cycles after %d warm-up: VmRSS %,d kB -> %,d kB (raw growth %,d kB); "
                        + "growth fitted over %d readings %,d kB (%.1f bytes per cycle); bound %,d kB%n", CYCLES,
                WARM_UP_CYCLES, readings.getFirst()[1] >> 10, readings.getLast()[1] >> 10, raw >> 10, readings.size(),
                fitted >> 10, (double) fitted / CYCLES, BOUND_BYTES >> 10);
        assertThat(fitted).as("resident memory growth over %d cycles (least-squares fit of %d readings), in bytes",
                CYCLES, readings.size()).isLessThan(BOUND_BYTES);
    }

    /**
     * Bytes per cycle, fitted by least squares: single readings move by several megabytes either way (metaspace,
     * code cache, allocator arenas), a leak moves all of them.
     */
    private static double slope(List<long[]> readings) {
        double meanX = readings.stream().mapToLong(r -> r[0]).average().orElseThrow();
        double meanY = readings.stream().mapToLong(r -> r[1]).average().orElseThrow();
        double covariance = 0;
        double variance = 0;
        for (long[] reading : readings) {
            covariance += (reading[0] - meanX) * (reading[1] - meanY);
            variance += (reading[0] - meanX) * (reading[0] - meanX);
        }
        return covariance / variance;
    }

    /** The child JVM: warm up, then print VmRSS every 500 cycles. */
    static final class Churn {
        private static final LoadOptions TRUSTED = LoadOptions.builder().trustInput(true).build();

        private Churn() {
        }

        public static void main(String[] arguments) throws Throwable {
            int warmUp = Integer.parseInt(arguments[0]);
            int cycles = Integer.parseInt(arguments[1]);
            try (JitContext context = JitContext.builder().optimizationLevel(0).build()) {
                // Level 0 keeps a cycle short; what is loaded and unloaded (an object, its symbols, a dylib) is the same.
                run(context, 0, warmUp);
                residentBytes(); // the first collection and trim release what start-up left; measure from the second
                long started = System.nanoTime();
                System.out.println("VmRSS 0 " + residentBytes());
                for (int done = 0; done < cycles; done += 500) {
                    int count = Math.min(500, cycles - done);
                    run(context, warmUp + done, count);
                    System.out.println("VmRSS " + (done + count) + " " + residentBytes());
                }
                System.out.printf("%d cycles in %.1f s; plugins left: %d%n", cycles,
                        (System.nanoTime() - started) / 1e9, context.plugins().size());
                if (!context.plugins().isEmpty()) {
                    throw new AssertionError("plugins left behind: " + context.plugins());
                }
            }
        }

        /** Loads a distinct tiny plugin per cycle (so no cache can serve it), calls both functions, unloads it. */
        private static void run(JitContext context, int first, int count) {
            for (int i = first; i < first + count; i++) {
                try (Plugin plugin = context.load(ModuleSource.ir("churn-" + i + ".ll", TestModules.valueIr(i)),
                        TRUSTED)) {
                    int value = plugin.function("value", IntSupplier.class).getAsInt();
                    int sum = plugin.function("add", IntBinaryOperator.class).applyAsInt(i, 1);
                    if (value != i || sum != i + 1) {
                        throw new AssertionError("cycle " + i + ": value() = " + value + ", add(i, 1) = " + sum);
                    }
                }
            }
        }

        private static long residentBytes() throws IOException {
            System.gc();
            System.gc();
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring("VmRSS:".length()).strip().split("\\s+");
                    if (!parts[1].equals("kB")) {
                        throw new IOException("unexpected unit in " + line);
                    }
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
            throw new IOException("no VmRSS line in " + STATUS);
        }
    }
}
