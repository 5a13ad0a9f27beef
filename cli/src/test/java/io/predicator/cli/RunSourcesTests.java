package io.predicator.cli;

import io.predicator.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.predicator.cli.Cli.execute;
import static org.assertj.core.api.Assertions.assertThat;

class RunSourcesTests {
    @TempDir
    Path directory;

    @Test
    void compilesLoadsAndCallsACSourceWithTheResolverChosen() throws IOException {
        Path source = Files.writeString(directory.resolve("pid.c"),
                "#include <unistd.h>\nint positive_pid(void) { return getpid() > 0; }\n");

        Result byDefault = execute("run", source.toString(), "positive_pid");
        assertThat(byDefault.exitCode()).isEqualTo(1);
        assertThat(byDefault.err()).startsWith("predicator: Plugin 'pid.c' references 1 undefined symbol that no "
                + "resolver provides: getpid (resolvers consulted: compiler-support)");

        assertThat(execute("run", "--resolver", "libc", source.toString(), "positive_pid").exitCode()).isEqualTo(1);
        assertThat(execute("run", "--resolver", "libc:full", source.toString(), "positive_pid").out()).isEqualTo("1\n");
        assertThat(execute("run", "--resolver", "naive", source.toString(), "positive_pid").out()).isEqualTo("1\n");

        Result none = execute("run", "--resolver", "none", source.toString(), "positive_pid");
        assertThat(none.err()).contains("resolvers consulted: none");

        Result bogus = execute("run", "--resolver", "everything", source.toString(), "positive_pid");
        assertThat(bogus.exitCode()).isEqualTo(2);
        assertThat(bogus.err()).startsWith("predicator: Invalid value for option '--resolver': 'everything' is not a "
                + "resolver: use default, none, libc, libc:full or naive");
    }

    @Test
    void linksExtraSourcesAndInspectsSources() throws IOException {
        Path main = Files.writeString(directory.resolve("main.c"), "int helper(int);\nint entry(int x) { return helper(x) + 1; }\n");
        Path helper = Files.writeString(directory.resolve("helper.c"), "int helper(int x) { return x * 3; }\n");

        assertThat(execute("run", main.toString(), "--source", helper.toString(), "entry", "4").out()).isEqualTo("13\n");

        Result inspected = execute("inspect", main.toString());
        assertThat(inspected.exitCode()).as(inspected.err()).isZero();
        assertThat(inspected.out()).startsWith("module: main.c\nformat: LLVM bitcode\nfunctions (1):\n  i32 entry(i32)\n")
                .contains("imports (1):\n  helper\n");
    }

    @Test
    void printsCompilerErrorsWithFileAndLine() throws IOException {
        Path source = Files.writeString(directory.resolve("typo.c"), "int typo(int x) { return y; }\n");

        Result result = execute("run", source.toString(), "typo", "1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).startsWith("predicator: clang failed to compile " + source + " (exit status 1)\n"
                + source + ":1:26: error: use of undeclared identifier 'y'");
    }
}
