package io.predicator.cli;

import io.predicator.cli.Cli.Result;
import org.junit.jupiter.api.Test;

import static io.predicator.cli.Cli.execute;
import static io.predicator.cli.RunCommandTests.assertFailsWith;
import static org.assertj.core.api.Assertions.assertThat;

class MainTests {

    @Test
    void printsHelp() {
        Result result = execute("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: predicator").contains("run", "inspect", "Exit status");
        assertThat(execute("run", "--help").out()).startsWith("Usage: predicator run")
                .contains("--signature", "--opt", "FILE", "FUNCTION", "[ARGS...]");
        assertThat(execute("inspect", "-h").out()).startsWith("Usage: predicator inspect");
    }

    @Test
    void printsTheVersion() {
        Result result = execute("--version");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("predicator ");
    }

    @Test
    void needsACommand() {
        assertFailsWith(execute(), 2, "predicator: missing command: use 'predicator run FILE FUNCTION [ARGS...]', "
                + "'predicator inspect FILE', 'predicator build SRC... -o OUT' or 'predicator new --lang rust|c NAME' "
                + "(see 'predicator --help')");
    }

    @Test
    void reportsBadUsageInOneLine() {
        assertFailsWith(execute("compile", "x.ll"), 2, "predicator: Unmatched arguments from index 0: 'compile', "
                + "'x.ll' (see 'predicator --help')");
        assertFailsWith(execute("run", "--bogus", "x.ll", "f"), 2, "predicator: Unknown option: '--bogus' "
                + "(see 'predicator run --help')");
        assertFailsWith(execute("run", "x.ll"), 2, "predicator: Missing required parameter: 'FUNCTION' "
                + "(see 'predicator run --help')");
    }
}
