package io.predicator.cli;

import io.predicator.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.predicator.cli.Cli.execute;
import static io.predicator.cli.Cli.plugin;
import static org.assertj.core.api.Assertions.assertThat;

class RunCommandTests {
    private static final String EXAMPLE = Path.of("..", "examples", "hello", "add.ll").toString();

    @Test
    void runsTheQuickStartExample() {
        assertSucceeds(execute("run", EXAMPLE, "add", "2", "3"), "5");
        assertSucceeds(execute("run", EXAMPLE, "fib", "50"), "12586269025");
        assertSucceeds(execute("run", EXAMPLE, "count_char", "banana", "0x61"), "3");
        assertSucceeds(execute("run", EXAMPLE, "count_char", "null", "97"), "0");
        assertSucceeds(execute("run", EXAMPLE, "mean", "1.5", "2"), "1.75");
    }

    @Test
    void takesTheSignatureFromTheModule() {
        String types = plugin("types.ll");
        assertSucceeds(execute("run", types, "negate", "true"), "false");
        assertSucceeds(execute("run", types, "next_byte", "127"), "-128");
        assertSucceeds(execute("run", types, "twice_short", "-300"), "-600");
        assertSucceeds(execute("run", types, "sub", "-2", "-3"), "1");
        assertSucceeds(execute("run", types, "widen", "0xFFFFFFFF"), "-1");
        assertSucceeds(execute("run", types, "half", "3"), "1.5");
        assertSucceeds(execute("run", types, "scale", "0.5", "3"), "1.5");
        assertSucceeds(execute("run", types, "length", "grüß"), "6");
    }

    @Test
    void printsPointersInHexadecimalAndNothingForVoid() {
        String types = plugin("types.ll");
        assertSucceeds(execute("run", types, "identity", "null"), "0x0");
        assertThat(execute("run", types, "identity", "text").out()).matches("0x[0-9a-f]+\n");
        Result result = execute("run", types, "bump");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEmpty();
    }

    @Test
    void usesTheSignatureGivenOnTheCommandLine() {
        assertSucceeds(execute("run", "--signature", "i32(i32,i32)", EXAMPLE, "add", "2", "3"), "5");
        assertSucceeds(execute("run", "--signature=i32 (i32, i32)", "-O0", EXAMPLE, "add", "40", "2"), "42");
    }

    @Test
    void needsTheSignatureForObjectsWhichCarryNoTypes() {
        String object = plugin("object.o");
        Result result = execute("run", object, "add", "2", "3");
        assertFailsWith(result, 2, "predicator: the signature of 'add' is unknown because ELF objects carry no "
                + "types: pass it with --signature, e.g. --signature 'i32(i32, i32)' (see 'predicator run --help')");

        assertSucceeds(execute("run", "--signature", "i32(i32, i32)", object, "add", "2", "3"), "5");
        assertSucceeds(execute("run", "--signature", "i64(i64)", object, "square", "-9"), "81");
    }

    @Test
    void refusesASignatureThatDiffersFromTheModules() {
        Result result = execute("run", "--signature", "i64(i64, i64)", EXAMPLE, "add", "2", "3");
        assertFailsWith(result, 1, "predicator: Function 'add' of plugin 'add.ll' is declared as i32(i32, i32) but "
                + "was requested as i64(i64, i64)");
    }

    @Test
    void refusesSignaturesJavaCannotCall() {
        Result given = execute("run", "--signature", "i128(i128)", plugin("wide.ll"), "wide", "1");
        assertFailsWith(given, 2, "predicator: Invalid value for option '--signature': Java cannot call i128(i128)");

        Result malformed = execute("run", "--signature", "i32", EXAMPLE, "add", "1", "2");
        assertFailsWith(malformed, 2, "predicator: Invalid value for option '--signature': not a signature");
    }

    @Test
    void reportsArgumentsThatDoNotConvert() {
        assertFailsWith(execute("run", EXAMPLE, "add", "2", "three"), 2,
                "predicator: argument 2 of 'add' (i32): 'three' is not an integer: use decimal or 0x hexadecimal "
                        + "(see 'predicator run --help')");
        assertFailsWith(execute("run", EXAMPLE, "add", "4294967296", "1"), 2,
                "predicator: argument 1 of 'add' (i32): '4294967296' does not fit in 32 bits: use -2147483648 to "
                        + "4294967295 (see 'predicator run --help')");
        assertFailsWith(execute("run", EXAMPLE, "mean", "1,5", "2"), 2,
                "predicator: argument 1 of 'mean' (double): '1,5' is not a number");
        assertFailsWith(execute("run", plugin("types.ll"), "negate", "yes"), 2,
                "predicator: argument 1 of 'negate' (i1): 'yes' is not a boolean: use true, false, 1 or 0");
    }

    @Test
    void reportsTheWrongNumberOfArguments() {
        assertFailsWith(execute("run", EXAMPLE, "add", "2"), 2,
                "predicator: 'add' takes 2 arguments, i32(i32, i32), but 1 was given (see 'predicator run --help')");
        assertFailsWith(execute("run", EXAMPLE, "fib", "1", "2"), 2,
                "predicator: 'fib' takes 1 argument, i64(i32), but 2 were given");
        assertFailsWith(execute("run", "--signature", "i32(i32, i32)", EXAMPLE, "add"), 2,
                "predicator: 'add' takes 2 arguments, i32(i32, i32), but 0 were given");
    }

    @Test
    void reportsAFunctionThePluginDoesNotExport() {
        assertFailsWith(execute("run", EXAMPLE, "sub", "2", "3"), 1,
                "predicator: Plugin 'add.ll' does not export 'sub'; it exports [add, count_char, fib, mean]");
        assertFailsWith(execute("run", "--signature", "i32(i32, i32)", EXAMPLE, "sub", "2", "3"), 1,
                "predicator: Plugin 'add.ll' does not export 'sub'");
        assertFailsWith(execute("run", EXAMPLE, "plugin_version"), 1,
                "predicator: 'plugin_version' of plugin 'add.ll' is data, not a function");
    }

    @Test
    void reportsFunctionsWithTypesJavaCannotPass() {
        assertFailsWith(execute("run", plugin("wide.ll"), "wide", "1"), 1,
                "predicator: 'wide' of plugin 'wide.ll' is declared as i128(i128), which Java cannot call");
    }

    @Test
    void reportsMalformedAndMissingFiles(@TempDir Path directory) throws IOException {
        Path broken = Files.writeString(directory.resolve("broken.ll"), "define i32 @broken( {\n");
        assertFailsWith(execute("run", broken.toString(), "broken"), 1, "predicator: Malformed module 'broken.ll'");

        Path binary = Files.write(directory.resolve("garbage.bin"), new byte[] {1, 2, 3, 0, (byte) 0xff});
        assertFailsWith(execute("run", binary.toString(), "f"), 1, "predicator: Malformed module 'garbage.bin': not "
                + "LLVM IR text, bitcode, an ELF object or an ar archive");

        Path empty = Files.createFile(directory.resolve("empty.ll"));
        assertFailsWith(execute("run", empty.toString(), "f"), 1,
                "predicator: Malformed module 'empty.ll': the content is empty");

        assertFailsWith(execute("run", directory.resolve("missing.ll").toString(), "f"), 1,
                "predicator: no such file: " + directory.resolve("missing.ll"));
        assertFailsWith(execute("run", directory.toString(), "f"), 1,
                "predicator: " + directory + " is a directory, not a plugin file");
    }

    @Test
    void reportsPluginsThatDoNotLink() {
        assertFailsWith(execute("run", plugin("imports.ll"), "pid"), 1, "predicator: Plugin 'imports.ll' references 2 "
                + "undefined symbols that no resolver provides: getpid, puts");
    }

    @Test
    void refusesDamagedBitcodeThatWouldCrashLlvmByDefault() {
        // One flipped bit of a small module's bitcode that crashes LLVM's reader (see PathologicalInputTests).
        assertFailsWith(execute("run", plugin("damaged.bc"), "wait_for"), 1,
                "predicator: Malformed module 'damaged.bc': "); // a crash in the compile worker, or its reader's error
    }

    @Test
    void compilesTrustedFilesInThisProcess() {
        assertSucceeds(execute("run", "--trusted", EXAMPLE, "fib", "50"), "12586269025");
    }

    @Test
    void compilesPreOptimizedModulesWithoutTheIrPipeline() {
        assertSucceeds(execute("run", "--pre-optimized", EXAMPLE, "fib", "50"), "12586269025");
    }

    @Test
    void compilesOnFirstUseWhenAsked() {
        assertSucceeds(execute("run", "--on-first-use", EXAMPLE, "fib", "50"), "12586269025");
        assertFailsWith(execute("run", "--on-first-use", EXAMPLE, "sub", "2", "3"), 1,
                "predicator: Plugin 'add.ll' does not export 'sub'");
    }

    @Test
    void printsTheStackTraceWhenVerbose() {
        Result result = execute("run", "--verbose", EXAMPLE, "sub", "2", "3");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err().lines().toList())
                .first().asString().startsWith("predicator: Plugin 'add.ll' does not export 'sub'");
        assertThat(result.err()).contains("io.predicator.UnknownSymbolException", "\tat ");

        assertThat(execute("--verbose", "run", EXAMPLE, "sub", "2", "3").err()).contains("\tat ");
        assertThat(execute("run", EXAMPLE, "add", "1", "--verbose").err()).contains("\tat ");
    }

    @Test
    void rejectsAnOptimizationLevelOutOfRange() {
        assertFailsWith(execute("run", "--opt", "4", EXAMPLE, "add", "1", "2"), 2,
                "predicator: Invalid value for option '--opt': '4' is not an optimization level: use 0, 1, 2 or 3");
        assertSucceeds(execute("run", "--opt", "3", EXAMPLE, "fib", "10"), "55");
    }

    private static void assertSucceeds(Result result, String expectedOutput) {
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(expectedOutput + "\n");
    }

    /** Checks that the command failed with one line on standard error, starting as expected, and no output. */
    static void assertFailsWith(Result result, int exitCode, String expectedStart) {
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith(expectedStart).endsWith("\n");
        assertThat(result.err().lines()).hasSize(1);
        assertThat(result.exitCode()).isEqualTo(exitCode);
    }
}
