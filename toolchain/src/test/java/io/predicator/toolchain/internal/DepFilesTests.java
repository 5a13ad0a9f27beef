package io.predicator.toolchain.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DepFilesTests {
    @TempDir
    Path directory;

    @Test
    void readsClangAndRustcDependencyFiles() throws IOException {
        Path clang = Files.writeString(directory.resolve("unit.d"),
                "out/unit.bc: src/main.c /usr/include/stdio.h \\\n  include/with\\ space.h \\\n  /abs/x.h\n");
        Path rustc = Files.writeString(directory.resolve("crate.d"),
                "/t/libplugin.a: src/lib.rs src/util.rs\n\nsrc/lib.rs:\nsrc/util.rs:\n");

        assertThat(DepFiles.prerequisites(clang, directory)).containsExactly(directory.resolve("src/main.c"),
                Path.of("/usr/include/stdio.h"), directory.resolve("include/with space.h"), Path.of("/abs/x.h"));
        assertThat(DepFiles.prerequisites(rustc, directory)).containsExactly(directory.resolve("src/lib.rs"),
                directory.resolve("src/util.rs"));
    }

    @Test
    void findsTheStaticLibraryInCargosJsonMessages() {
        String json = """
                {"reason":"compiler-artifact","target":{"kind":["staticlib"]},"filenames":["/p/target/predicator/release/libdemo.a"]}
                {"reason":"build-finished","success":true}
                """;

        assertThat(RustCompiler.staticLibrary(json)).contains(Path.of("/p/target/predicator/release/libdemo.a"));
        assertThat(RustCompiler.staticLibrary("{\"reason\":\"build-finished\"}")).isEmpty();
    }
}
