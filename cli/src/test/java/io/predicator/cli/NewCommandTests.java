package io.predicator.cli;

import io.predicator.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.predicator.cli.Cli.execute;
import static org.assertj.core.api.Assertions.assertThat;

class NewCommandTests {
    @TempDir
    Path directory;

    @Test
    void createsACPluginThatRunsAsGenerated() throws Exception {
        Result created = execute("new", "--lang", "c", "--dir", directory.toString(), "my-filter");

        assertThat(created.exitCode()).as(created.err()).isZero();
        Path project = directory.resolve("my-filter");
        assertThat(created.out()).isEqualTo("created c plugin 'my-filter' in " + project + ":\n"
                + "  README.md\n  plugin.c\n  test.sh\n"
                + "next: predicator run " + project.resolve("plugin.c") + " add 2 3\n");
        assertThat(Files.isExecutable(project.resolve("test.sh"))).isTrue();
        assertThat(new ProcessBuilder("sh", "-n", project.resolve("test.sh").toString()).start().waitFor()).isZero();

        String plugin = project.resolve("plugin.c").toString();
        assertThat(execute("run", plugin, "add", "2", "3").out()).isEqualTo("5\n");
        assertThat(execute("run", plugin, "add", "2147483647", "1").out()).isEqualTo("-2147483648\n");
        assertThat(execute("run", plugin, "count_byte", "banana", "0x61").out()).isEqualTo("3\n");
        assertThat(execute("run", plugin, "count_byte", "null", "0x61").out()).isEqualTo("0\n");
    }

    @Test
    void createsARustPluginThatBuildsAndRuns() throws Exception {
        Cargo.assumeInstalled();
        Result created = execute("new", "--lang", "rust", "--dir", directory.toString(), "adder");

        assertThat(created.exitCode()).as(created.err()).isZero();
        Path project = directory.resolve("adder");
        assertThat(created.out()).contains("  Cargo.toml\n", "  src/lib.rs\n", "  .gitignore\n");
        assertThat(Files.readString(project.resolve("Cargo.toml")))
                .contains("name = \"adder\"", "crate-type = [\"staticlib\"]", "panic = \"abort\"", "lto = true",
                        "codegen-units = 1", "opt-level = 2");
        assertThat(execute("run", "--signature", "i32(i32, i32)", project.toString(), "add", "2", "3").out())
                .isEqualTo("5\n");
        Process test = new ProcessBuilder("cargo", "test", "--quiet").directory(project.toFile())
                .redirectErrorStream(true).start();
        String output = new String(test.getInputStream().readAllBytes());
        assertThat(test.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(output).contains("test result: ok. 4 passed; 0 failed");
    }

    @Test
    void refusesExistingProjectsAndBadNames() throws IOException {
        Files.createDirectories(directory.resolve("taken"));
        Files.writeString(directory.resolve("taken/file"), "x");

        Result taken = execute("new", "--lang", "c", "--dir", directory.toString(), "taken");
        assertThat(taken.exitCode()).isEqualTo(1);
        assertThat(taken.err()).isEqualTo("predicator: " + directory.resolve("taken") + " is not empty: choose a new directory\n");

        Result badName = execute("new", "--lang", "rust", "--dir", directory.toString(), "9lives");
        assertThat(badName.exitCode()).isEqualTo(1);
        assertThat(badName.err()).startsWith("predicator: '9lives' is not a plugin name");

        Result noLanguage = execute("new", "thing");
        assertThat(noLanguage.exitCode()).isEqualTo(2);
        assertThat(noLanguage.err()).startsWith("predicator: Missing required option: '--lang=LANG'");
    }
}
