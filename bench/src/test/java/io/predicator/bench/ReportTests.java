package io.predicator.bench;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report renderer, on made-up results: no benchmark runs in the build. */
class ReportTests {

    @Test
    void everyGoalWithoutResultsIsNotMeasured() {
        String report = Report.render(Map.of());

        assertThat(report).contains("## Summary", "## Machine").doesNotContain("PASS", "FAIL");
        assertThat(report.lines().filter(line -> line.matches("\\| (\\d[a-d]?|–) \\|.*"))).hasSize(16)
                .allMatch(line -> line.contains("not measured"));
    }

    @Test
    void ratiosAreJudgedAgainstTheirGoals() {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("jmh", List.of(
                result("CallOverheadBenchmark.raw1", 10, "ns/op"),
                result("CallOverheadBenchmark.safe1", 12, "ns/op"),
                result("CallOverheadBenchmark.raw2", 10, "ns/op"),
                result("CallOverheadBenchmark.safe2", 40, "ns/op"),
                result("LoadLatencyBenchmark.predicator", 1050, "us/op"),
                result("LoadLatencyBenchmark.predicatorUntrusted", 1365, "us/op"),
                result("LoadLatencyBenchmark.floorSameSteps", 1000, "us/op")));
        results.put("callRounds", Map.of("rounds", 100.0, "callsPerBlock", 1000.0,
                "threads1", paired(1.3, 1.1, 1.6), "threads2", paired(1.6, 1.4, 1.7)));
        results.put("notMeasured", Map.of("large", "no npm"));

        String report = Report.render(results);

        assertThat(report)
                .contains("| 2a | Call overhead, contained safe path vs raw FFM, 1 thread | 1.30× paired in one process "
                        + "(1.10–1.60); JMH forks 1.20× | ≤ 1.5× | **PASS** |")
                .contains("| 2b | Call overhead, contained safe path vs raw FFM, 2 threads | 1.60× paired in one process "
                        + "(1.40–1.70); JMH forks 4.00× | ≤ 1.5× | **FAIL** |")
                .contains("| **Safe: functional interface** | 6.5 ns | 1.30× (1.10–1.60) | 8.0 ns | 1.60× (1.40–1.70) |")
                .contains("| 1 | Load latency, small plugin: overhead over the hand-coded floor | +5.0 % | ≤ +10 % | **PASS** |")
                .contains("| 7a | Compile worker, small plugin: time to first call, default (worker) vs trusted "
                        + "(in-process) | 1.30× | ≤ 1.2× | **FAIL** |")
                .contains("| 7b | Compile worker, large plugin: cold load, default (worker) vs trusted (in-process) | "
                        + "not measured: no npm")
                .contains("not measured: no npm");
    }

    @Test
    void callOverheadIsJudgedOnThePairedRoundsNotOnJmhForks() {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("jmh", List.of(result("CallOverheadBenchmark.raw1", 10, "ns/op"),
                result("CallOverheadBenchmark.safe1", 20, "ns/op")));

        assertThat(Report.render(results)).contains("| 2a | Call overhead, contained safe path vs raw FFM, 1 thread | not measured");
    }

    @Test
    void aFaultIsJudgedOnItsTimeToTheExceptionAndComparedWithANormalCall() {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("faults", Map.of("rounds", 20.0, "pluginsPerRound", 64.0, "callNanos", 50.0,
                "faultNanos", 8_000.0, "faultAndUnloadNanos", 90_000.0, "faultsPerSecond", 125_000.0));

        assertThat(Report.render(results))
                .contains("| 50.0 ns | 8.0 µs | 160× | 125,000 | 90.0 µs |")
                .contains("| 2c | A contained fault: from the faulting call to the caller's exception | 8.0 µs, 125,000 "
                        + "faults per second | microseconds, not milliseconds (< 100 µs) | **PASS** |");
        results.put("faults", Map.of("faultNanos", 2_000_000.0));
        assertThat(Report.render(results)).contains("| 2c | A contained fault: from the faulting call to the caller's "
                + "exception | 2.0 ms, 500 faults per second | microseconds, not milliseconds (< 100 µs) | **FAIL** |");
    }

    @Test
    void aCallTimeoutIsJudgedOnTheCallAndOnTheWorstKernel() {
        Map<String, Object> deadlines = new LinkedHashMap<>();
        deadlines.put("rounds", 500.0);
        deadlines.put("callsPerBlock", 100_000.0);
        deadlines.put("call", deadline(1.01));
        deadlines.put("records", deadline(1.00));
        deadlines.put("pixels", deadline(1.04));
        deadlines.put("fnv1a", deadline(0.99));

        String report = Report.render(Map.of("deadlines", deadlines));
        assertThat(report)
                .contains("| `add`, 100000 calls | 1.0 ms | 1.0 ms | 1.01× (0.98×–1.05×) |")
                .contains("| 2d | A call with a call timeout vs without (one timer for the process: nothing per call) "
                        + "| 1.01× | ≤ 1.05× | **PASS** |")
                .contains("| 3c | Compute kernels with a call timeout vs without, worst kernel | 1.04× | ≤ 1.03× | "
                        + "**FAIL** |");
        deadlines.remove("fnv1a");
        assertThat(Report.render(Map.of("deadlines", deadlines)))
                .contains("| 3c | Compute kernels with a call timeout vs without, worst kernel | not measured");
    }

    /** One subject of {@link DeadlineRounds}: a millisecond block, and the ratio's median with a spread around it. */
    private static Map<String, Object> deadline(double median) {
        return Map.of("nanosWithout", 1e6, "nanosWith", 1e6 * median, "median", median, "p10", median - 0.03,
                "p90", median + 0.04);
    }

    /** A thread count's summary as {@link CallRounds} prints it, with raw at 5 ns per call. */
    private static Map<String, Object> paired(double median, double p10, double p90) {
        Map<String, Object> ratio = Map.of("median", median, "p10", p10, "p90", p90);
        return Map.of("nanosPerCall", Map.of("raw", 5.0, "safe", 5 * median, "safeHandle", 5 * median),
                "ratioToRaw", Map.of("safe", ratio, "safeHandle", ratio));
    }

    @Test
    void startUpReportsEveryModeWithItsMedian() {
        Map<String, Object> startup = new LinkedHashMap<>();
        startup.put("empty", List.of(Map.of("wallMillis", 40.0), Map.of("wallMillis", 30.0), Map.of("wallMillis", 50.0)));
        startup.put("cold", List.of(sample(600), sample(500), sample(700)));
        startup.put("cached", List.of(sample(480)));
        startup.put("aot", List.of(sample(380), sample(360)));

        assertThat(Report.render(Map.of("startup", startup)))
                .contains("| Cold, with a JDK AOT cache | 370 ms (360 ms) | 37 ms | 19 ms | 9 ms | 2 |")
                .contains("| – | Time to first call in a fresh JVM (cold / object cache hit / cold with a JDK AOT "
                        + "cache) | 600 ms / 480 ms / 370 ms (empty JVM 40 ms) | measure and report | reported |");
    }

    /** A fresh-JVM sample whose phases are a tenth, a twentieth and a fortieth of its wall time. */
    private static Map<String, Object> sample(double wallMillis) {
        return Map.of("wallMillis", wallMillis, "contextMicros", wallMillis * 100, "loadMicros", wallMillis * 50,
                "callMicros", wallMillis * 25);
    }

    @Test
    void churnGrowthIsJudgedOnlyOverTheFullRun() {
        assertThat(Report.render(churn(100_000, 4.2e6)))
                .contains("| 4b | Churn (issue 6): resident set growth over 100,000 load/call/unload cycles | 4.2 MB "
                        + "| < 10 MB | **PASS** |");
        assertThat(Report.render(churn(100_000, 12e6))).contains("| 12.0 MB | < 10 MB | **FAIL** |");
        assertThat(Report.render(churn(500, 1e6))).contains("| 1.0 MB (only 500 cycles run) | < 10 MB | **FAIL** |");
    }

    private static Map<String, Object> churn(double cycles, double growth) {
        Map<String, Object> predicator = new LinkedHashMap<>();
        predicator.put("cycles", cycles);
        predicator.put("rssGrowthBytes", growth);
        return Map.of("churnMemory", Map.of("predicator", predicator, "floor", Map.of()));
    }

    @Test
    void jsonRoundTrips() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "a \"quoted\" line\n");
        value.put("number", 1.5);
        value.put("list", List.of(1.0, "two", true));

        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
    }

    private static Map<String, Object> result(String benchmark, double score, String unit) {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("score", score);
        metric.put("scoreError", Double.NaN);
        metric.put("scoreUnit", unit);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "io.predicator.bench." + benchmark);
        result.put("params", Map.of());
        result.put("primaryMetric", metric);
        return result;
    }
}
