package io.predicator.cli;

import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;
import io.predicator.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.predicator.cli.Cli.execute;
import static org.assertj.core.api.Assertions.assertThat;

class BuildCommandTests {
    @TempDir
    Path directory;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(directory.resolve(name), text);
    }

    @Test
    void buildsCSourcesIntoOneBitcodeModule() throws IOException {
        Path main = write("main.c", "int twice(int x);\nint quadruple(int x) { return twice(twice(x)); }\n");
        Path helper = write("helper.c", "int twice(int x) { return 2 * x; }\n");
        Path output = directory.resolve("out/plugin.bc");

        Result result = execute("build", main.toString(), helper.toString(), "-o", output.toString());

        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).matches("\\Q" + output + "\\E: LLVM bitcode, \\d+ bytes\n");
        assertThat(ModuleSource.of(output).format()).isEqualTo(ModuleFormat.BITCODE);
        assertThat(execute("run", output.toString(), "quadruple", "5").out()).isEqualTo("20\n");

        Result again = execute("build", main.toString(), helper.toString(), "-o", output.toString());
        assertThat(again.out()).endsWith(" bytes (cached)\n");
    }

    @Test
    void buildsAnObjectWhenAskedAndAppliesDefinesAndIncludes() throws IOException {
        Files.createDirectories(directory.resolve("include"));
        Files.writeString(directory.resolve("include/limits_here.h"), "#define LIMIT 7\n");
        Path source = write("clamp.c", "#include \"limits_here.h\"\nint clamp(int x) { return x > LIMIT ? LIMIT + BONUS : x; }\n");
        Path output = directory.resolve("clamp.o");

        Result result = execute("build", "--emit", "object", "-I", directory.resolve("include").toString(),
                "-DBONUS=100", "-O1", source.toString(), "-o", output.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("ELF object");
        assertThat(execute("run", "--signature", "i32(i32)", output.toString(), "clamp", "9").out()).isEqualTo("107\n");
    }

    @Test
    void printsOneLineThenTheCompilersDiagnosticsVerbatim() throws IOException {
        Path source = write("broken.c", "int broken(int x) {\n    return x +;\n}\n");

        Result result = execute("build", source.toString(), "-o", directory.resolve("broken.bc").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        String[] lines = result.err().split("\n");
        assertThat(lines[0]).isEqualTo("predicator: clang failed to compile " + source + " (exit status 1)");
        assertThat(lines[1]).isEqualTo(source + ":2:15: error: expected expression");
        assertThat(result.err()).contains("    2 |     return x +;").endsWith("1 error generated.\n");
        assertThat(directory.resolve("broken.bc")).doesNotExist();
    }

    @Test
    void printsWarningsAndStillBuilds() throws IOException {
        Path source = write("shadow.c", "int shadow(int x) { int y; return x; }\n");

        Result result = execute("build", "-DUNUSED", source.toString(), "-o", directory.resolve("shadow.bc").toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).isEmpty();
        Path warned = write("warned.c", "#warning \"check me\"\nint warned(void) { return 1; }\n");
        Result warning = execute("build", warned.toString(), "-o", directory.resolve("warned.bc").toString());
        assertThat(warning.exitCode()).isZero();
        assertThat(warning.err()).startsWith(warned + ":1:2: warning: \"check me\" [-W#warnings]");
    }

    @Test
    void reportsBadUsage() throws IOException {
        Path source = write("ok.c", "int ok(void) { return 1; }\n");

        Result noOutput = execute("build", source.toString());
        assertThat(noOutput.exitCode()).isEqualTo(2);
        assertThat(noOutput.err()).startsWith("predicator: Missing required option: '--output=OUT'");

        Result language = execute("build", "--lang", "cobol", source.toString(), "-o", "x.bc");
        assertThat(language.exitCode()).isEqualTo(2);
        assertThat(language.err()).startsWith("predicator: Invalid value for option '--lang': 'cobol' is not a language: use c or rust");

        Result missing = execute("build", directory.resolve("absent.c").toString(), "-o", "x.bc");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("predicator: no such file: " + directory.resolve("absent.c") + "\n");

        Path text = write("notes.txt", "not code\n");
        Result unknown = execute("build", text.toString(), "-o", "x.bc");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("predicator: no plugin compiler handles " + text + "; known: c (");
    }
}
