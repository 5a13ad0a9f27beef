package io.predicator.bench;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the benchmarks and writes {@code docs/BENCHMARKS.md}: {@code ./bench/run} calls this after building.
 *
 * <p>Groups run in order of importance — call, load, concurrent, compute, churn, large, startup — and results are
 * merged into {@code bench/target/results/results.json} after each group, with the report re-rendered, so an
 * interrupted or partial run ({@code --only}) still leaves every number measured so far.
 *
 * <pre>
 * RunAll [--only call,load,...] [--quick] [--results FILE] [--output FILE]
 * </pre>
 */
public final class RunAll {
    /** Cycles of the churn memory run: the 100,000 load/call/unload cycles issue 6 asks to stay under 10 MB. */
    static final int CHURN_CYCLES = 100_000;
    /**
     * Rounds of the large plugin. Its ratios come from single loads of 5 to 18 s on a VM whose speed drifts: within a
     * round the pre-optimised ratio ranged from 0.59 to 0.72 in one run, so the median needs five rounds, not three.
     */
    static final int LARGE_ROUNDS = 5;
    /**
     * Rounds of {@link CallRounds} per thread count, each a block of {@link #CALL_BLOCK} calls per path (about a
     * millisecond): about ten seconds in all, and a median over enough rounds that its last digit holds still.
     */
    static final int CALL_ROUNDS = 1_500;
    /** Rounds of {@link FaultRounds}, 64 plugins each: about 1,300 loads, a few seconds. */
    static final int FAULT_ROUNDS = 20;
    static final int CALL_BLOCK = 100_000;
    static final int DEADLINE_ROUNDS = 500;
    /** The groups, in the order they run. */
    static final List<String> GROUPS = List.of("call", "load", "concurrent", "compute", "churn", "large", "startup");

    private static final Map<String, String> JMH_CLASSES = Map.of(
            "call", "CallOverheadBenchmark",
            "load", "LoadLatencyBenchmark",
            "concurrent", "ConcurrentLoadBenchmark",
            "compute", "ComputeBenchmark",
            "churn", "ChurnBenchmark");

    private final boolean quick;
    private final Path resultsFile;
    private final Path output;
    private final Map<String, Object> results;

    private RunAll(boolean quick, Path resultsFile, Path output) {
        this.quick = quick;
        this.resultsFile = resultsFile;
        this.output = output;
        this.results = load(resultsFile);
    }

    /**
     * Runs the chosen groups and renders the report.
     *
     * @param arguments see the class comment
     * @throws Exception if a benchmark fails
     */
    public static void main(String[] arguments) throws Exception {
        List<String> groups = GROUPS;
        boolean quick = false;
        boolean renderOnly = false;
        Path resultsFile = Workspace.root().resolveSibling("results").resolve("results.json");
        Path output = Path.of("docs", "BENCHMARKS.md");
        for (int i = 0; i < arguments.length; i++) {
            switch (arguments[i]) {
                case "--only" -> groups = Arrays.stream(arguments[++i].split(",")).map(String::strip).toList();
                case "--quick" -> quick = true;
                case "--render" -> renderOnly = true;
                case "--results" -> resultsFile = Path.of(arguments[++i]);
                case "--output" -> output = Path.of(arguments[++i]);
                default -> throw new IllegalArgumentException("Unknown argument " + arguments[i]
                        + "; usage: RunAll [--only " + String.join(",", GROUPS) + "] [--quick] [--render] "
                        + "[--results FILE] [--output FILE]");
            }
        }
        for (String group : groups) {
            if (!GROUPS.contains(group)) {
                throw new IllegalArgumentException("Unknown group '" + group + "'; groups: " + GROUPS);
            }
        }
        RunAll run = new RunAll(quick, resultsFile, output);
        List<String> failed = new ArrayList<>();
        if (!renderOnly) {
            run.machine();
            for (String group : GROUPS) {
                if (groups.contains(group) && !run.group(group)) {
                    failed.add(group);
                }
            }
        }
        run.render();
        if (!failed.isEmpty()) {
            System.err.println("Groups that failed (see above; the report says 'not measured' for them): " + failed);
            System.exit(1);
        }
    }

    /** Runs one group; returns false if it failed, after recording why. */
    private boolean group(String group) throws IOException {
        System.out.println("=== " + group + " ===");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("group", group);
        record.put("started", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        record.put("loadBefore", loadAverage());
        record.put("quick", quick);
        long start = System.nanoTime();
        notMeasured().remove(group);
        // A group that fails now must not leave its last verdict standing (JMH results are replaced one by one).
        results.remove(switch (group) {
            case "call" -> "callRounds";
            case "churn" -> "churnMemory";
            default -> group;
        });
        if (group.equals("call")) {
            results.remove("faults");
            results.remove("deadlines");
        }
        try {
            switch (group) {
                case "churn" -> {
                    jmh(group);
                    churnMemory();
                }
                case "large" -> {
                    if (!Plugins.largePluginAvailable()) {
                        notMeasured().put(group, "the large plugin's source could not be fetched "
                                + "(examples/sqlite/fetch.sh needs npm and the npm registry)");
                        return true;
                    }
                    Plugins.largeBitcode(); // compile once, before the timed rounds
                    largePlugin();
                }
                case "startup" -> startup();
                case "call" -> {
                    precompile(group);
                    jmh(group);
                    callRounds();
                    faultRounds();
                    deadlineRounds();
                }
                default -> {
                    precompile(group);
                    jmh(group);
                }
            }
            return true;
        } catch (Exception | Error e) {
            e.printStackTrace();
            notMeasured().put(group, "the run failed: " + e);
            return false;
        } finally {
            record.put("seconds", Math.round((System.nanoTime() - start) / 1e9));
            record.put("loadAfter", loadAverage());
            runs().removeIf(run -> group.equals(((Map<?, ?>) run).get("group")));
            runs().add(record);
            save();
            render();
        }
    }

    private static void precompile(String group) {
        switch (group) {
            case "call" -> Plugins.trivialBitcode();
            case "compute" -> {
                Plugins.computeBitcode(false);
                Plugins.computeBitcode(true);
                Plugins.computeSharedLibrary();
                Plugins.computeWasm();
            }
            default -> Plugins.smallBitcode();
        }
    }

    private void jmh(String group) throws Exception {
        Path json = resultsFile.resolveSibling("jmh-" + group + ".json");
        Files.createDirectories(json.getParent());
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("io\\.predicator\\.bench\\." + JMH_CLASSES.get(group) + "\\.")
                .jvmArgsAppend(Bench.NATIVE_ACCESS, Bench.STACK, "-D" + Workspace.PROPERTY + "=" + Workspace.root())
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .shouldFailOnError(true);
        if (quick) {
            options.warmupIterations(1).measurementIterations(1)
                    .warmupTime(TimeValue.milliseconds(500)).measurementTime(TimeValue.milliseconds(500));
        }
        new Runner(options.build()).run();
        @SuppressWarnings("unchecked")
        List<Object> entries = (List<Object>) Json.parse(Files.readString(json));
        List<Object> merged = jmhResults();
        for (Object entry : entries) {
            String key = key(entry);
            merged.removeIf(existing -> key(existing).equals(key));
            cast(entry).put("quick", quick);
            merged.add(entry);
        }
    }

    /** Goal 2's paired rounds of raw and safe calls, in a JVM of their own. */
    private void callRounds() throws IOException, InterruptedException {
        Process process = java(CallRounds.class, String.valueOf(quick ? 50 : CALL_ROUNDS),
                String.valueOf(quick ? 10_000 : CALL_BLOCK));
        results.put("callRounds", Json.parse(lastLine(process, "{")));
    }

    /** Goal 2c's contained faults, in a JVM of their own. */
    private void faultRounds() throws IOException, InterruptedException {
        Process process = java(FaultRounds.class, String.valueOf(quick ? 3 : FAULT_ROUNDS), "64");
        results.put("faults", Json.parse(lastLine(process, "{")));
    }

    /** Goals 2d and 3c: calls and kernels with a call timeout against without, paired, in a JVM of their own. */
    private void deadlineRounds() throws IOException, InterruptedException {
        Process process = java(DeadlineRounds.class, String.valueOf(quick ? 20 : DEADLINE_ROUNDS),
                String.valueOf(quick ? 10_000 : CALL_BLOCK));
        results.put("deadlines", Json.parse(lastLine(process, "{")));
    }

    /** The large plugin's interleaved rounds, in a JVM of their own. */
    private void largePlugin() throws IOException, InterruptedException {
        Process process = java(LargePluginRounds.class, String.valueOf(quick ? 1 : LARGE_ROUNDS));
        results.put("large", Json.parse(lastLine(process, "{")));
    }

    /** Memory per load/call/unload cycle, each subject in a JVM of its own. */
    private void churnMemory() throws IOException, InterruptedException {
        Map<String, Object> memory = new LinkedHashMap<>();
        int warmup = quick ? 100 : 1_000;
        for (String subject : List.of("predicator", "floor")) {
            // Issue 6's figure: 100,000 cycles of ours (about a quarter of an hour); the floor's slope for comparison.
            int cycles = quick ? 500 : subject.equals("predicator") ? CHURN_CYCLES : 5_000;
            Process process = java(List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"), ChurnMemory.class, subject,
                    String.valueOf(warmup), String.valueOf(cycles));
            String line = lastLine(process, "{");
            memory.put(subject, Json.parse(line));
        }
        results.put("churnMemory", memory);
    }

    /** Time to first call in fresh JVMs, alternating the modes so noise spreads over all of them. */
    private void startup() throws IOException, InterruptedException {
        Path directory = Workspace.directory("startup");
        Path bitcode = directory.resolve("small.bc");
        Files.write(bitcode, Plugins.smallBitcode());
        Path cache = directory.resolve("object-cache");
        deleteTree(cache);
        // One cached run that fills the cache, not counted.
        Process fill = java(FirstCall.class, "cached", bitcode.toString(), cache.toString());
        lastLine(fill, "ready");
        // One cold run that trains the JDK's AOT cache (JEP 483/514), not counted; the cache needs a class path of
        // jars only, which ./bench/run gives.
        Path aot = directory.resolve("first-call.aot");
        Files.deleteIfExists(aot);
        Process training = java(List.of("-XX:AOTCacheOutput=" + aot, "-Xlog:aot=error"), FirstCall.class, "cold",
                bitcode.toString(), cache.toString());
        lastLine(training, "ready");
        List<String> modes = new ArrayList<>(List.of("empty", "cold", "cached"));
        if (Files.isRegularFile(aot)) {
            modes.add("aot");
        } else {
            System.err.println("No AOT cache was written (is a directory on the class path?): not measuring it");
        }
        int runs = quick ? 2 : 7;
        Map<String, List<Map<String, Object>>> samples = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            for (String mode : modes) {
                long start = System.nanoTime();
                Process process = mode.equals("aot")
                        ? java(List.of("-XX:AOTCache=" + aot), FirstCall.class, "cold", bitcode.toString(),
                        cache.toString())
                        : java(FirstCall.class, mode, bitcode.toString(), cache.toString());
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null && !line.startsWith("ready")) {
                        System.out.println(line);
                    }
                    long ready = System.nanoTime();
                    if (line == null) {
                        throw new IllegalStateException("FirstCall " + mode + " printed no result");
                    }
                    Map<String, Object> sample = new LinkedHashMap<>();
                    sample.put("wallMillis", (ready - start) / 1e6);
                    for (String part : line.split(" ")) {
                        int equals = part.indexOf('=');
                        if (equals > 0) {
                            sample.put(part.substring(0, equals) + "Micros", Double.parseDouble(part.substring(equals + 1)));
                        }
                    }
                    samples.computeIfAbsent(mode, key -> new ArrayList<>()).add(sample);
                    reader.transferTo(java.io.Writer.nullWriter());
                }
                if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                    throw new IllegalStateException("FirstCall " + mode + " failed");
                }
            }
        }
        results.put("startup", samples);
    }

    private static Process java(Class<?> main, String... arguments) throws IOException {
        return java(List.of(), main, arguments);
    }

    private static Process java(List<String> options, Class<?> main, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(options);
        command.add(Bench.NATIVE_ACCESS);
        command.add(Bench.STACK);
        command.add("-D" + Workspace.PROPERTY + "=" + Workspace.root());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String lastLine(Process process, String prefix) throws IOException, InterruptedException {
        String found = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    found = line;
                } else {
                    System.out.println(line);
                }
            }
        }
        if (process.waitFor() != 0 || found == null) {
            throw new IllegalStateException(process.info().commandLine().orElse("child JVM") + " failed (exit "
                    + process.exitValue() + ")");
        }
        return found;
    }

    private void machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        String cpuinfo = read(Path.of("/proc/cpuinfo"));
        machine.put("cpu", field(cpuinfo, "model name"));
        machine.put("llvmHostCpu", RawJit.hostCpu());
        String flags = " " + field(cpuinfo, "flags") + " ";
        machine.put("vectorExtensions", flags.contains(" avx512f ") ? "AVX-512" : flags.contains(" avx2 ") ? "AVX2"
                : flags.contains(" avx ") ? "AVX" : "SSE only");
        machine.put("logicalCores", Runtime.getRuntime().availableProcessors());
        String meminfo = read(Path.of("/proc/meminfo"));
        String total = field(meminfo, "MemTotal").replaceAll("[^0-9]", "");
        machine.put("memoryGiB", total.isEmpty() ? "unknown" : String.format("%.1f", Long.parseLong(total) / 1048576.0));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("llvm", RawJit.llvmVersion());
        machine.put("clang", Clang.version());
        machine.put("jmh", jarVersion("jmh-core"));
        machine.put("chicory", jarVersion("runtime"));
        machine.put("commit", git("rev-parse", "--short", "HEAD"));
        String dirty = git("status", "--porcelain", "--", "api", "orc-backend", "resolver-libc", "bench");
        machine.put("uncommittedChanges", dirty.isBlank() ? "none" : dirty.lines().map(String::strip).toList().toString());
        machine.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        results.put("machine", machine);
    }

    private static String jarVersion(String artifact) {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith(artifact + "-") && name.endsWith(".jar")) {
                return name.substring(artifact.length() + 1, name.length() - 4);
            }
        }
        return "unknown";
    }

    private static String git(String... arguments) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.waitFor() == 0 ? text : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String loadAverage() {
        String text = read(Path.of("/proc/loadavg"));
        String[] parts = text.split(" ");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : "unknown";
    }

    private static String field(String text, String name) {
        return text.lines().filter(line -> line.startsWith(name)).findFirst()
                .map(line -> line.substring(line.indexOf(':') + 1).strip()).orElse("unknown");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private void render() throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(output, Report.render(results));
        System.out.println("Wrote " + output);
    }

    private void save() throws IOException {
        Files.createDirectories(resultsFile.toAbsolutePath().getParent());
        Files.writeString(resultsFile, Json.write(results));
    }

    private static Map<String, Object> load(Path file) {
        if (!Files.isRegularFile(file)) {
            return new LinkedHashMap<>();
        }
        try {
            return cast(Json.parse(Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Object> jmhResults() {
        return castList(results.computeIfAbsent("jmh", key -> new ArrayList<>()));
    }

    private List<Object> runs() {
        return castList(results.computeIfAbsent("runs", key -> new ArrayList<>()));
    }

    private Map<String, Object> notMeasured() {
        return cast(results.computeIfAbsent("notMeasured", key -> new LinkedHashMap<>()));
    }

    /** Identifies a JMH result by its benchmark method and parameters. */
    private static String key(Object entry) {
        Map<String, Object> map = cast(entry);
        return map.get("benchmark") + " " + map.getOrDefault("params", Map.of());
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var files = Files.walk(directory)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> castList(Object value) {
        return (List<Object>) value;
    }
}
