package io.predicator.cli;

import io.predicator.ExportedFunction;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.Signature;
import io.predicator.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static io.predicator.cli.Cli.execute;
import static io.predicator.cli.Cli.plugin;
import static io.predicator.cli.RunCommandTests.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

class InspectCommandTests {

    @Test
    void listsTheExampleModule() {
        Result result = execute("inspect", Path.of("..", "examples", "hello", "add.ll").toString());
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                module: add.ll
                format: LLVM IR text
                functions (4):
                  i32 add(i32, i32)
                  i64 count_char(ptr, i8)
                  i64 fib(i32)
                  double mean(double, double)
                data (1):
                  plugin_version
                imports: none
                """);
    }

    @Test
    void refusesDamagedBitcodeThatWouldCrashLlvmByDefault() {
        assertFailsWith(execute("inspect", plugin("damaged.bc")), 1,
                "predicator: Malformed module 'damaged.bc': "); // a crash in the compile worker, or its reader's error
    }

    @Test
    void listsImportsWithoutLinkingThem() {
        Result result = execute("inspect", plugin("imports.ll"));
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                module: imports.ll
                format: LLVM IR text
                functions (2):
                  i32 greet()
                  i32 pid()
                data: none
                imports (2):
                  getpid
                  puts
                """);
    }

    @Test
    void listsObjectsWithoutSignatures() {
        Result result = execute("inspect", plugin("object.o"));
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                module: object.o
                format: ELF object (no types: run needs --signature)
                functions (2):
                  add (signature unknown)
                  square (signature unknown)
                data: none
                imports: none
                """);
    }

    @Test
    void describesEverySection() {
        ModuleInfo info = new ModuleInfo("lib.a", ModuleFormat.ARCHIVE,
                List.of(new ExportedFunction("f", Optional.empty()),
                        new ExportedFunction("g", Optional.of(Signature.parse("void(ptr, ...)")))),
                List.of("table"), List.of("memcpy"), true);
        assertThat(InspectCommand.describe(info)).isEqualTo("""
                module: lib.a
                format: ar archive of ELF objects (no types: run needs --signature)
                functions (2):
                  f (signature unknown)
                  void g(ptr, ...)
                data (1):
                  table
                imports (1):
                  memcpy
                inline assembly: yes (loading needs it allowed explicitly)
                """);
        assertThat(InspectCommand.describe(new ModuleInfo("empty.bc", ModuleFormat.BITCODE, List.of(), List.of(),
                List.of(), false))).isEqualTo("""
                module: empty.bc
                format: LLVM bitcode
                functions: none
                data: none
                imports: none
                """);
    }

    @Test
    void reportsMalformedAndMissingFiles(@TempDir Path directory) throws IOException {
        Path broken = Files.writeString(directory.resolve("broken.ll"), "this is not IR\n");
        assertFailsWith(execute("inspect", broken.toString()), 1, "predicator: Malformed module 'broken.ll'");
        assertFailsWith(execute("inspect", directory.resolve("missing.o").toString()), 1,
                "predicator: no such file: " + directory.resolve("missing.o"));
    }

    @Test
    void needsAFile() {
        assertFailsWith(execute("inspect"), 2, "predicator: Missing required parameter: 'FILE' "
                + "(see 'predicator inspect --help')");
    }
}
