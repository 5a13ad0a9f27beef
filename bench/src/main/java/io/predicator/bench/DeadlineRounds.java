package io.predicator.bench;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Goals 2d and 3c: what a call timeout costs. The same plugins are loaded twice in one process, once with a call
 * timeout and once without, and every round runs a block of each subject on both (the order alternating with the
 * round), so each round's ratio compares the two milliseconds apart; the verdict is the median over the rounds.
 * Subjects: a trivial call ({@code add}, the call path of goal 2) and the compute kernels of goal 3 ({@code records},
 * {@code pixels}, {@code fnv1a} over 1 MiB, from {@code clang -O2} bitcode at O2).
 *
 * <p>Both sides run while a plugin with a timeout is loaded, so the process's one watchdog ticks every millisecond
 * for both; what differs is only whether the call has a deadline that the watchdog checks. A call stores the clock
 * and its deadline either way (goal 2 measures that against a raw downcall), and nothing is polled in plugin code:
 * a call is stopped by a signal, so kernels run the same machine code with and without a timeout.
 *
 * <p>Prints one JSON object: per subject, the median nanoseconds per block of each side and the median, 10th and 90th
 * percentile of the per-round ratios of with to without.
 *
 * <pre>
 * DeadlineRounds ROUNDS CALLS_PER_BLOCK
 * </pre>
 */
public final class DeadlineRounds {
    private static final List<String> SUBJECTS = List.of("call", "records", "pixels", "fnv1a");
    /** Passes over 1 MiB per block: a block of each kernel takes a few milliseconds. */
    private static final Map<String, Integer> PASSES = Map.of("records", 40, "pixels", 40, "fnv1a", 4);

    /** Read by nobody: only keeps the blocks' results alive. */
    @SuppressWarnings("unused")
    private static volatile long sink;

    private DeadlineRounds() {
    }

    /**
     * Runs the rounds.
     *
     * @param arguments the number of measured rounds and the calls per block of the call subject
     * @throws Exception if the two sides disagree
     */
    public static void main(String[] arguments) throws Exception {
        int rounds = Integer.parseInt(arguments[0]);
        int calls = Integer.parseInt(arguments[1]);
        int warmUp = Math.max(5, rounds / 5);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rounds", rounds);
        result.put("callsPerBlock", calls);
        try (JitContext jit = JitContext.builder().build(); Arena arena = Arena.ofShared()) {
            LoadOptions timed = LoadOptions.builder().callTimeout(Duration.ofMinutes(1)).build();
            Map<String, LongSupplier[]> sides = new LinkedHashMap<>();
            sides.put("call", new LongSupplier[] {
                    calls(jit.load(ModuleSource.bitcode("trivial.bc", Plugins.trivialBitcode())), calls),
                    calls(jit.load(ModuleSource.bitcode("trivial.bc", Plugins.trivialBitcode()), timed), calls)});
            Plugin computeOff = jit.load(ModuleSource.bitcode("compute.bc", Plugins.computeBitcode(false)));
            Plugin computeOn = jit.load(ModuleSource.bitcode("compute.bc", Plugins.computeBitcode(false)), timed);
            Kernels data = new Kernels(arena);
            for (String kernel : List.of("records", "pixels", "fnv1a")) {
                sides.put(kernel, new LongSupplier[] {data.kernel(computeOff, kernel), data.kernel(computeOn, kernel)});
            }
            long[][][] nanos = new long[SUBJECTS.size()][rounds][2];
            for (int round = -warmUp; round < rounds; round++) {
                for (int s = 0; s < SUBJECTS.size(); s++) {
                    LongSupplier[] pair = sides.get(SUBJECTS.get(s));
                    long[] results = new long[2];
                    for (int k = 0; k < 2; k++) {
                        int side = (round + k) & 1;
                        long start = System.nanoTime();
                        results[side] = pair[side].getAsLong();
                        long elapsed = System.nanoTime() - start;
                        if (round >= 0) {
                            nanos[s][round][side] = elapsed;
                        }
                    }
                    if (results[0] != results[1]) {
                        throw new IllegalStateException(SUBJECTS.get(s) + ": " + results[0] + " without a timeout, "
                                + results[1] + " with one");
                    }
                    sink = results[0];
                }
            }
            for (int s = 0; s < SUBJECTS.size(); s++) {
                result.put(SUBJECTS.get(s), summary(nanos[s]));
            }
        }
        System.out.println(Json.write(result).lines().map(String::strip).collect(Collectors.joining(" ")));
    }

    private static LongSupplier calls(Plugin plugin, int calls) {
        IntBinaryOperator add = plugin.function("add", IntBinaryOperator.class);
        return () -> {
            long sum = 0;
            for (int i = 0; i < calls; i++) {
                sum += add.applyAsInt(i, 7);
            }
            return sum;
        };
    }

    /** The kernels' inputs, shared by both sides: 1 MiB of records and 1 MiB of bytes. */
    private static final class Kernels {
        private final MemorySegment records;
        private final MemorySegment pixels;
        private final MemorySegment out;

        Kernels(Arena arena) {
            SplittableRandom random = new SplittableRandom(20250101);
            records = arena.allocate(ComputeBenchmark.BYTES, 64);
            for (int i = 0; i < ComputeBenchmark.RECORDS; i++) {
                int[] fields = {i, random.nextInt(8), random.nextInt(1000), 1 + random.nextInt(10)};
                for (int f = 0; f < 4; f++) {
                    records.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i * 4L + f, fields[f]);
                }
            }
            pixels = arena.allocate(ComputeBenchmark.BYTES, 64);
            byte[] bytes = new byte[ComputeBenchmark.BYTES];
            random.nextBytes(bytes);
            pixels.copyFrom(MemorySegment.ofArray(bytes));
            out = arena.allocate(ComputeBenchmark.BYTES, 64);
        }

        /** A block of one kernel's passes on a plugin; returns what the last pass computed. */
        LongSupplier kernel(Plugin plugin, String kernel) {
            int passes = PASSES.get(kernel);
            return switch (kernel) {
                case "records" -> {
                    ComputeBenchmark.RecordFilter filter = plugin.function("filter_records",
                            ComputeBenchmark.RecordFilter.class);
                    yield () -> {
                        long revenue = 0;
                        for (int i = 0; i < passes; i++) {
                            revenue = filter.apply(records, ComputeBenchmark.RECORDS, ComputeBenchmark.CATEGORY,
                                    ComputeBenchmark.LOW, ComputeBenchmark.HIGH);
                        }
                        return revenue;
                    };
                }
                case "pixels" -> {
                    ComputeBenchmark.PixelFilter filter = plugin.function("adjust_pixels",
                            ComputeBenchmark.PixelFilter.class);
                    yield () -> {
                        for (int i = 0; i < passes; i++) {
                            filter.apply(pixels, out, ComputeBenchmark.BYTES, ComputeBenchmark.GAIN,
                                    ComputeBenchmark.BIAS);
                        }
                        return out.get(ValueLayout.JAVA_LONG, 4096);
                    };
                }
                default -> {
                    ComputeBenchmark.Hash hash = plugin.function("fnv1a", ComputeBenchmark.Hash.class);
                    yield () -> {
                        long last = 0;
                        for (int i = 0; i < passes; i++) {
                            last = hash.apply(pixels, ComputeBenchmark.BYTES);
                        }
                        return last;
                    };
                }
            };
        }
    }

    /** Medians of each side's block time and percentiles of the per-round ratios of with to without. */
    private static Map<String, Object> summary(long[][] nanos) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("nanosWithout",
                CallRounds.percentile(Arrays.stream(nanos).mapToDouble(r -> r[0]).toArray(), 50));
        summary.put("nanosWith", CallRounds.percentile(Arrays.stream(nanos).mapToDouble(r -> r[1]).toArray(), 50));
        double[] ratio = Arrays.stream(nanos).mapToDouble(r -> (double) r[1] / r[0]).toArray();
        summary.put("median", CallRounds.percentile(ratio, 50));
        summary.put("p10", CallRounds.percentile(ratio, 10));
        summary.put("p90", CallRounds.percentile(ratio, 90));
        return summary;
    }
}
