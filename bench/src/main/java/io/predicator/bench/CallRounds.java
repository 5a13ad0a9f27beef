package io.predicator.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Collectors;

/**
 * Goal 2's verdict: the safe call path against the raw downcall, paired within one process. The handles are
 * {@link CallOverheadBenchmark}'s; JMH measures each path in a fork of its own, a minute or more apart, and on this
 * VM the raw downcall alone drifted from 4.5 to 7.9 ns between such forks, which moved the ratio across 1.5 either
 * way. Here every round runs a block of calls on each path back to back (the order rotating with the round), so each
 * round's ratio compares paths measured milliseconds apart, and the verdict is the median over many rounds.
 *
 * <p>A block is a plain counted loop calling {@code add(i, 7)} and summing the results, the same shape for every path;
 * the sum is published so the calls cannot be dropped (a downcall is opaque to the JIT compiler anyway). With two
 * threads, both run the same path at the same time (a barrier before each block), as JMH's two-thread benchmarks do,
 * and a round's time per call is the mean over both threads.
 *
 * <p>Prints one JSON object: per thread count, the median time per call of each path and the median, 10th and 90th
 * percentile of the per-round ratios to raw.
 *
 * <pre>
 * CallRounds ROUNDS CALLS_PER_BLOCK [THREADS]
 * </pre>
 * Without {@code THREADS}, one thread and then two.
 */
public final class CallRounds {
    /** The paths, in the order of their index. */
    static final List<String> PATHS = List.of("raw", "safe", "safeHandle", "safeForeignLoader");
    /** Short blocks per path that each thread runs first, so that C2 compiles the block methods. */
    private static final int COMPILE_BLOCKS = 3_000;
    private static final int COMPILE_CALLS = 1_000;
    /** Full rounds run, untimed, before measuring (after {@link #COMPILE_BLOCKS}): a fifth of the rounds. */
    private static final int WARM_UP_SHARE = 5;
    private static final int ADDEND = 7;

    /** Read by nobody: only keeps the blocks' results alive. */
    @SuppressWarnings("unused")
    private static volatile int sink;

    private CallRounds() {
    }

    /**
     * Runs the rounds with one thread, then with two.
     *
     * @param arguments the number of measured rounds, the calls per block, and optionally one thread count
     * @throws Exception if a thread fails
     */
    public static void main(String[] arguments) throws Exception {
        int rounds = Integer.parseInt(arguments[0]);
        int calls = Integer.parseInt(arguments[1]);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rounds", rounds);
        result.put("callsPerBlock", calls);
        for (int threads : arguments.length > 2 ? new int[] {Integer.parseInt(arguments[2])} : new int[] {1, 2}) {
            result.put("threads" + threads, summary(run(threads, rounds, calls), (double) calls * threads));
        }
        // One line: the parent reads the last line that starts with '{'.
        System.out.println(Json.write(result).lines().map(String::strip).collect(Collectors.joining(" ")));
    }

    /** Returns, per measured round and path, the nanoseconds of the block summed over the threads. */
    private static long[][] run(int threads, int rounds, int calls) throws Exception {
        int warmUp = Math.max(1, rounds / WARM_UP_SHARE);
        long[][] total = new long[rounds][PATHS.size()];
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().name("call-rounds-" + t).unstarted(() -> {
                try {
                    compile();
                    long[][] own = new long[rounds][PATHS.size()];
                    for (int round = -warmUp; round < rounds; round++) {
                        for (int k = 0; k < PATHS.size(); k++) {
                            int path = Math.floorMod(round + k, PATHS.size());
                            barrier.await();
                            long nanos = block(path, calls);
                            if (round >= 0) {
                                own[round][path] = nanos;
                            }
                        }
                    }
                    synchronized (total) {
                        for (int round = 0; round < rounds; round++) {
                            for (int path = 0; path < PATHS.size(); path++) {
                                total[round][path] += own[round][path];
                            }
                        }
                    }
                } catch (Throwable failure) {
                    synchronized (failures) {
                        failures.add(failure);
                    }
                    // Breaks the barrier for good, wherever the other thread is: reset() would only break it for a
                    // thread already waiting, and one still inside its block would then wait forever.
                    workers.forEach(Thread::interrupt);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
        if (!failures.isEmpty()) {
            Exception failure = new IllegalStateException("A call-rounds thread failed", failures.getFirst());
            failures.stream().skip(1)
                    .filter(f -> !(f instanceof BrokenBarrierException) && !(f instanceof InterruptedException))
                    .forEach(failure::addSuppressed);
            throw failure;
        }
        return total;
    }

    /**
     * Calls every block method often enough, in short blocks, that C2 has compiled each of them and
     * {@link #block} before the first timed round: a few hundred full rounds would not reach its thresholds, and the
     * code under measurement would change during the measured rounds.
     */
    private static void compile() throws Throwable {
        for (int i = 0; i < COMPILE_BLOCKS; i++) {
            for (int path = 0; path < PATHS.size(); path++) {
                block(path, COMPILE_CALLS);
            }
        }
    }

    /** Runs one block of calls on a path; returns its nanoseconds. */
    private static long block(int path, int calls) throws Throwable {
        long start = System.nanoTime();
        int sum = switch (path) {
            case 0 -> raw(calls);
            case 1 -> safe(calls);
            case 2 -> safeHandle(calls);
            default -> safeForeignLoader(calls);
        };
        long nanos = System.nanoTime() - start;
        if (sum != expectedSum(calls)) {
            throw new IllegalStateException(PATHS.get(path) + ": the sum of add(i, " + ADDEND + ") is " + sum);
        }
        sink = sum;
        return nanos;
    }

    private static int raw(int calls) throws Throwable {
        int sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += (int) CallOverheadBenchmark.Loaded.RAW.invokeExact(i, ADDEND);
        }
        return sum;
    }

    private static int safe(int calls) {
        int sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += CallOverheadBenchmark.Loaded.SAFE.applyAsInt(i, ADDEND);
        }
        return sum;
    }

    private static int safeHandle(int calls) throws Throwable {
        int sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += (int) CallOverheadBenchmark.Loaded.SAFE_HANDLE.invokeExact(i, ADDEND);
        }
        return sum;
    }

    private static int safeForeignLoader(int calls) throws Throwable {
        int sum = 0;
        for (int i = 0; i < calls; i++) {
            sum += (int) CallOverheadBenchmark.Loaded.SAFE_FOREIGN_LOADER.invokeExact(i, ADDEND);
        }
        return sum;
    }

    /** The sum of {@code i + ADDEND} for i below calls, wrapping as int arithmetic does. */
    private static int expectedSum(int calls) {
        long n = calls;
        return (int) (n * (n - 1) / 2 + n * ADDEND);
    }

    /**
     * Medians of the time per call and percentiles of the per-round ratios to raw.
     *
     * @param nanos per round and path, the block's nanoseconds summed over the threads
     * @param calls the calls those nanoseconds cover: calls per block times threads
     */
    private static Map<String, Object> summary(long[][] nanos, double calls) {
        Map<String, Object> summary = new LinkedHashMap<>();
        Map<String, Object> perCall = new LinkedHashMap<>();
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (int path = 0; path < PATHS.size(); path++) {
            int p = path;
            perCall.put(PATHS.get(path), percentile(Arrays.stream(nanos).mapToDouble(r -> r[p]).toArray(), 50)
                    / calls);
            if (path > 0) {
                double[] ratio = Arrays.stream(nanos).mapToDouble(r -> (double) r[p] / r[0]).toArray();
                ratios.put(PATHS.get(path), Map.of("median", percentile(ratio, 50), "p10", percentile(ratio, 10),
                        "p90", percentile(ratio, 90)));
            }
        }
        summary.put("nanosPerCall", perCall);
        summary.put("ratioToRaw", ratios);
        return summary;
    }

    /** Returns the value below which {@code percent} percent of the values lie (the nearest rank). */
    static double percentile(double[] values, int percent) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
    }
}
