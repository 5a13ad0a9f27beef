package io.predicator.bench;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;

/**
 * Goal 2c: what a contained fault costs. Each round loads a batch of plugins untimed, then times the calls that
 * fault, each a NULL read that the signal handler turns into a {@link PluginFaultException} the caller catches
 * ({@code fault}), and then the time until every faulted plugin has closed itself and freed its code
 * ({@code faultAndUnload}, from the first call). The baseline, in the same rounds, is a normal call of the same
 * plugins' other function through the same path.
 *
 * <p>Prints one JSON object: the median per-fault nanoseconds of each measure over the rounds, and faults per second.
 *
 * <pre>
 * FaultRounds ROUNDS PLUGINS_PER_ROUND
 * </pre>
 */
public final class FaultRounds {
    private static final String PLUGIN = """
            define i32 @crash(i32 %x) {
              %p = inttoptr i32 %x to ptr
              %v = load volatile i32, ptr %p
              ret i32 %v
            }
            define i32 @twice(i32 %x) {
              %v = mul i32 %x, 2
              ret i32 %v
            }
            """;

    /** Read by nobody: only keeps the calls' results alive. */
    @SuppressWarnings("unused")
    private static volatile long sink;

    private FaultRounds() {
    }

    /**
     * Runs the rounds.
     *
     * @param arguments the number of measured rounds and the plugins per round
     * @throws Exception if a fault is not contained as expected
     */
    public static void main(String[] arguments) throws Exception {
        int rounds = Integer.parseInt(arguments[0]);
        int batch = Integer.parseInt(arguments[1]);
        int warmUp = Math.max(2, rounds / 5);
        double[] fault = new double[rounds];
        double[] unload = new double[rounds];
        double[] call = new double[rounds];
        try (JitContext jit = JitContext.builder().build()) {
            LoadOptions trusted = LoadOptions.builder().trustInput(true).build();
            for (int round = -warmUp; round < rounds; round++) {
                        List<IntUnaryOperator> crash = new ArrayList<>(batch);
                List<IntUnaryOperator> twice = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    Plugin plugin = jit.load(ModuleSource.ir("fault-" + round + "-" + i, PLUGIN), trusted);
                    crash.add(plugin.function("crash", IntUnaryOperator.class));
                    twice.add(plugin.function("twice", IntUnaryOperator.class));
                }
                long unloadsBefore = jit.stats().unloads();
                long sum = 0;
                long started = System.nanoTime();
                for (IntUnaryOperator function : twice) {
                    sum += function.applyAsInt(21);
                }
                long called = System.nanoTime();
                for (IntUnaryOperator function : crash) {
                    try {
                        sum += function.applyAsInt(0);
                        throw new IllegalStateException("the call did not fault");
                    } catch (PluginFaultException expected) {
                        sum += expected.kind().ordinal();
                    }
                }
                long faulted = System.nanoTime();
                awaitUnloads(jit, unloadsBefore + batch);
                long unloaded = System.nanoTime();
                sink = sum;
                if (round >= 0) {
                    call[round] = (double) (called - started) / batch;
                    fault[round] = (double) (faulted - called) / batch;
                    unload[round] = (double) (unloaded - called) / batch;
                }
            }
            if (jit.stats().faults() != (long) (rounds + warmUp) * batch) {
                throw new IllegalStateException("faults counted: " + jit.stats().faults());
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rounds", rounds);
        result.put("pluginsPerRound", batch);
        result.put("callNanos", median(call));
        result.put("faultNanos", median(fault));
        result.put("faultAndUnloadNanos", median(unload));
        result.put("faultsPerSecond", 1e9 / median(fault));
        System.out.println(Json.write(result).lines().map(String::strip).collect(Collectors.joining(" ")));
    }

    /** Waits until the faulted plugins' own unloads, started on other threads, have finished. */
    private static void awaitUnloads(JitContext jit, long expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (jit.stats().unloads() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the faulted plugins did not unload: " + jit.stats());
            }
            Thread.yield();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
