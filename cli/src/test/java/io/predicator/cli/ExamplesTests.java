package io.predicator.cli;

import io.predicator.cli.Cli.Result;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.predicator.cli.Cli.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every example as examples/README.md shows it (paths relative to the cli module instead of the root).
 */
class ExamplesTests {
    private static final Path EXAMPLES = Path.of("..", "examples");

    private static String example(String path) {
        return EXAMPLES.resolve(path).toString();
    }

    private static void assertPrints(Result result, String expected) {
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(expected);
    }

    @Test
    void recordFilterInC() throws Exception {
        assertPrints(execute("run", example("record-filter-c/filter.c"), "sample_kept", "100"), "3\n");
        assertPrints(execute("run", example("record-filter-c/filter.c"), "sample_kept", "-100"), "6\n");

        Process java = javaSource("examples/record-filter-c/RecordFilter.java");
        assertThat(output(java)).isEqualTo("kept 99000 of 1000000 records; first: id 901, value 901\n");
        assertThat(java.exitValue()).isZero();
    }

    @Test
    void hostCallback() throws Exception {
        Process java = javaSource("examples/host-callback/HostCallback.java");

        assertThat(output(java)).isEqualTo("small order: 600\nlarge order: 1500\nhost log: [large order]\n");
        assertThat(java.exitValue()).isZero();

        Result withoutHost = execute("run", "--signature", "i64(ptr, i32)", example("host-callback/plugin.c"),
                "order_total", "null", "0");
        assertThat(withoutHost.exitCode()).isEqualTo(1);
        assertThat(withoutHost.err()).contains("references 2 undefined symbols that no resolver provides: host_log, "
                + "host_price");
    }

    @Test
    void binaryPlugin() {
        assertPrints(execute("run", example("binary_plugin/binary.c"), "binary_plugin", "9", "Wikipedia"), "300286872\n");
        assertPrints(execute("run", example("binary_plugin/binary.c"), "count_zero_bits", "2", "ab"), "10\n");
    }

    @Test
    void simplePluginInRust() {
        Cargo.assumeInstalled();
        assertPrints(execute("run", "--signature", "void()", example("simple_plugin"), "simple_plugin"), "");
        assertPrints(execute("run", "--signature", "i32()", example("simple_plugin"), "calls"), "0\n");
        assertThat(execute("run", "--signature", "ptr()", example("simple_plugin"), "sample_plugin").out())
                .matches("0x[0-9a-f]+\n");
    }

    @Test
    void noStdRustPlugin() throws Exception {
        Cargo.assumeInstalled();
        assertPrints(execute("run", "--signature", "i32(ptr, i64)", example("rust-nostd"), "crc32", "hello", "5"),
                "907060870\n");
        assertPrints(execute("run", "--signature", "i64(i64, i64, i64)", example("rust-nostd"), "mul_div",
                "1000000000000", "1000000000000", "1000000"), "1000000000000000000\n");

        Process panic = javaMain(Main.class.getName(), "run", "--signature", "i32(i32, i32)", "examples/rust-nostd",
                "percent", "1", "0");
        String out = output(panic);
        assertThat(panic.exitValue()).isEqualTo(ErrorReporter.FAULT_STATUS);
        assertThat(out).isEmpty();
        assertThat(Files.readString(errorFile(panic))).matches("predicator: Plugin '[^']+' faulted in function "
                + "'percent': panicked: panicked at src/lib.rs:57:9: percent: 1 of 0 is undefined \\(PANIC\\)\n");
    }

    @Test
    void sqliteAsOneTranslationUnitOfMoreThan260000Lines() throws IOException, InterruptedException {
        Path amalgamation = fetchSqlite();
        try (var lines = Files.lines(amalgamation.resolve("sqlite3.c"))) {
            assertThat(lines.count()).isGreaterThan(260_000);
        }
        String include = amalgamation.toString();
        assertPrints(execute("run", "--resolver", "libc:full", "-I", include, example("sqlite/query.c"), "sqlite_eval",
                "create table t(x); insert into t values (1), (2), (39); select sum(x) from t"), "42\n");
        assertPrints(execute("run", "--resolver", "libc:full", "-I", include, example("sqlite/query.c"), "sqlite_eval",
                "select 6 * 7"), "42\n");
        assertPrints(execute("run", "--resolver", "libc:full", "-I", include, example("sqlite/query.c"), "sqlite_eval",
                "select * from missing"), "-1001\n");
    }

    /**
     * Runs the example's own fetch, as its README says, and returns the directory it prints; skips, naming the
     * reason, only when the fetch cannot happen here (status 3: no npm, or no registry).
     */
    private static Path fetchSqlite() throws IOException, InterruptedException {
        Process fetch = new ProcessBuilder("bash", EXAMPLES.resolve("sqlite/fetch.sh").toString()).start();
        String out = new String(fetch.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(fetch.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int status = fetch.waitFor();
        Assumptions.assumeTrue(status != 3, () -> "SQLite's amalgamation cannot be fetched here: " + err);
        assertThat(status).as("examples/sqlite/fetch.sh failed: " + err).isZero();
        return Path.of(out.lines().reduce((first, last) -> last).orElseThrow());
    }

    @Test
    void helloStillRunsAsTheQuickStartShows() {
        assertPrints(execute("run", example("hello/add.ll"), "add", "2", "3"), "5\n");
    }

    private final List<Path> errorFiles = new ArrayList<>();

    private Process javaSource(String file) throws IOException {
        return java(List.of(file));
    }

    private Process javaMain(String mainClass, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(mainClass));
        command.addAll(List.of(arguments));
        return java(command);
    }

    private Process java(List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dpredicator.toolchain.cache="
                        + Path.of(System.getProperty("predicator.toolchain.cache", "target/toolchain-cache")).toAbsolutePath(),
                "-cp", System.getProperty("java.class.path")));
        command.addAll(arguments);
        Path err = Files.createTempFile("example", ".err");
        err.toFile().deleteOnExit();
        // From the repository root, as examples/README.md runs them.
        Process process = new ProcessBuilder(command).directory(EXAMPLES.toAbsolutePath().getParent().toFile())
                .redirectError(err.toFile()).start();
        errorFiles.add(err);
        processErrors.put(process, err);
        return process;
    }

    private final java.util.Map<Process, Path> processErrors = new java.util.HashMap<>();

    private Path errorFile(Process process) {
        return processErrors.get(process);
    }

    private String output(Process process) throws Exception {
        String out = new String(process.getInputStream().readAllBytes());
        boolean finished = process.waitFor(3, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        assertThat(finished).as("the example finished").isTrue();
        if (process.exitValue() != 0 && process.exitValue() != ErrorReporter.FAULT_STATUS) {
            throw new AssertionError("the example failed: " + Files.readString(errorFile(process)));
        }
        return out;
    }
}
