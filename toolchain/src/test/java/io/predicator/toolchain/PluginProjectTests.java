package io.predicator.toolchain;

import io.predicator.JitContext;
import io.predicator.Plugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PluginProjectTests {
    @TempDir
    Path directory;

    @Test
    void createsACProjectThatCompilesAndLoadsWithTheDefaultResolver() {
        Path project = directory.resolve("sample");

        assertThat(PluginProject.create("c", "sample", project)).containsExactly(project.resolve("README.md"),
                project.resolve("plugin.c"), project.resolve("test.sh"));

        assertThat(Files.isExecutable(project.resolve("test.sh"))).isTrue();
        CompiledPlugin compiled = Toolchain.builder().cacheDirectory(directory.resolve("cache")).build()
                .compile(project.resolve("plugin.c"));
        try (JitContext jit = JitContext.builder().build(); Plugin plugin = jit.load(compiled.source())) {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
        }
    }

    @Test
    void createsARustProjectWithTheSettingsAPluginNeeds() throws IOException {
        Path project = directory.resolve("my-plugin");

        PluginProject.create("rust", "my-plugin", project);

        assertThat(Files.readString(project.resolve("Cargo.toml"))).contains("name = \"my-plugin\"",
                "crate-type = [\"staticlib\"]", "[profile.dev]\npanic = \"abort\"", "lto = true", "codegen-units = 1");
        assertThat(Files.readString(project.resolve("src/lib.rs"))).contains("#![cfg_attr(not(test), no_std)]",
                "#[panic_handler]", "predicator_panic", "#[cfg(test)]").doesNotContainPattern("(?m)^\\s*loop \\{");
        assertThat(Files.readString(project.resolve("README.md"))).contains("my_plugin.o");
        assertThat(Files.readString(project.resolve(".gitignore"))).isEqualTo("/target\n");
    }

    @Test
    void refusesUnknownLanguagesBadNamesAndNonEmptyDirectories() throws IOException {
        assertThatThrownBy(() -> PluginProject.create("go", "x", directory.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no project template for 'go': use one of [c, rust]");
        assertThatThrownBy(() -> PluginProject.create("c", "../escape", directory.resolve("x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("'../escape' is not a plugin name");
        Files.writeString(directory.resolve("occupied"), "");
        assertThatThrownBy(() -> PluginProject.create("c", "x", directory))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(directory + " is not empty: choose a new directory");
    }
}
