package io.predicator.toolchain;

import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.ModuleFormat;
import io.predicator.Plugin;
import io.predicator.Signature;
import io.predicator.fixtures.ChildJvm;
import io.predicator.resolver.libc.LibcProfile;
import io.predicator.resolver.libc.LibcResolver;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClangCompilerTests {
    private static JitContext jit;

    @TempDir
    Path directory;

    @BeforeAll
    static void createContext() {
        jit = JitContext.builder().build();
    }

    @AfterAll
    static void closeContext() {
        jit.close();
    }

    private Toolchain toolchain() {
        return Toolchain.builder().cacheDirectory(directory.resolve("cache")).build();
    }

    private Path write(String name, String text) throws IOException {
        Path file = directory.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    @Test
    void compilesCIntoBitcodeThatLoadsWithItsSignatures() throws IOException {
        Path source = write("add.c", "int add(int a, int b) { return a + b; }\n");

        CompiledPlugin compiled = toolchain().compile(source);

        assertThat(compiled.format()).isEqualTo(ModuleFormat.BITCODE);
        assertThat(compiled.compilerId()).isEqualTo("c");
        assertThat(compiled.cacheHit()).isFalse();
        assertThat(compiled.source().name()).isEqualTo("add.c");
        assertThat(compiled.artifact()).exists().startsWith(directory.resolve("cache"));
        try (Plugin plugin = jit.load(compiled.source())) {
            assertThat(plugin.exports()).extracting(ExportedFunction::name).containsExactly("add");
            assertThat(plugin.exports().getFirst().signature()).contains(Signature.of("i32", "i32", "i32"));
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(40, 2)).isEqualTo(42);
        }
    }

    @Test
    void includesLibcHeadersAndCallsLibcThroughTheResolver() throws Throwable {
        Path source = write("format.c", """
                #include <stdio.h>
                #include <string.h>
                #include <math.h>
                #include <stddef.h>

                /* Writes "<n>:<sqrt(n)>" into out and returns its length. */
                int describe(char *out, size_t size, int n) {
                    snprintf(out, size, "%d:%.1f", n, sqrt((double) n));
                    return (int) strlen(out);
                }
                """);

        CompiledPlugin compiled = toolchain().compile(source);

        try (Plugin plugin = jit.load(compiled.source(), io.predicator.LoadOptions.builder()
                .resolver(LibcResolver.of(LibcProfile.PURE)).build());
             Arena arena = Arena.ofConfined()) {
            MethodHandle describe = plugin.function("describe", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            MemorySegment out = arena.allocate(32);
            int length = (int) describe.invokeExact(out, 32L, 81);
            assertThat(out.getString(0)).isEqualTo("81:9.0");
            assertThat(length).isEqualTo(6);
        }
    }

    @Test
    void compilesFreestandingCThatNeedsNothingFromTheHost() throws IOException {
        Path source = write("fold.c", """
                #include <stddef.h>
                #include <stdint.h>

                uint64_t fold(const uint8_t *data, size_t length) {
                    uint64_t hash = 0xcbf29ce484222325u;
                    for (size_t i = 0; i < length; i++) {
                        hash = (hash ^ data[i]) * 1099511628211u;
                    }
                    return hash;
                }
                """);

        CompiledPlugin compiled = toolchain().compile(CompileRequest.builder(source)
                .compilerArguments("-ffreestanding", "-fno-builtin").build());

        try (Plugin plugin = jit.load(compiled.source(), io.predicator.LoadOptions.builder()
                .resolver(SymbolResolver.none()).build());
             Arena arena = Arena.ofConfined()) {
            MethodHandle fold = plugin.function("fold", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            assertThat((long) fold.invokeExact(arena.allocateFrom("a"), 1L)).isEqualTo(0xaf63dc4c8601ec8cL);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void linksSeveralTranslationUnitsIntoOneModule() throws IOException {
        Path header = write("include/scale.h", "int scale(int x);\n#define OFFSET 1\n");
        Path first = write("main.c", """
                #include "scale.h"
                static int helper(int x) { return x + OFFSET; }
                int entry(int x, int y) { return scale(helper(x)) + y * FACTOR; }
                """);
        Path second = write("scale.c", """
                static int helper(int x) { return x * 10; }
                int scale(int x) { return helper(x); }
                """);

        CompiledPlugin compiled = toolchain().compile(CompileRequest.builder(first, second)
                .includeDirectory(header.getParent())
                .define("FACTOR", "100")
                .build());

        try (Plugin plugin = jit.load(compiled.source())) {
            assertThat(plugin.exports()).extracting(ExportedFunction::name).containsExactly("entry", "scale");
            assertThat(plugin.function("entry", IntBinaryOperator.class).applyAsInt(1, 2)).isEqualTo(220);
        }
    }

    @Test
    void producesAnObjectWhenAsked() throws IOException {
        Path source = write("sub.cpp", """
                template <typename T> T difference(T a, T b) { return a - b; }
                extern "C" int sub(int a, int b) { return difference(a, b); }
                """);

        CompiledPlugin compiled = toolchain().compile(CompileRequest.builder(source).output(OutputKind.OBJECT).build());

        assertThat(compiled.format()).isEqualTo(ModuleFormat.OBJECT);
        assertThat(compiled.artifact().getFileName().toString()).endsWith(".o");
        try (Plugin plugin = jit.load(compiled.source())) {
            assertThat(plugin.function("sub", IntBinaryOperator.class).applyAsInt(5, 7)).isEqualTo(-2);
        }
    }

    @Test
    void reportsTheCompilersDiagnosticsVerbatim() throws IOException {
        Path source = write("broken.c", "int ok(void) { return 1; }\nint broken(int x) { return x +; }\n");

        assertThatThrownBy(() -> toolchain().compile(source))
                .isInstanceOfSatisfying(CompilationFailedException.class, e -> {
                    assertThat(e.compilerId()).isEqualTo("c");
                    assertThat(e.summary()).isEqualTo("clang failed to compile " + source + " (exit status 1)");
                    assertThat(e.diagnostics()).contains(source + ":2:31: error: expected expression")
                            .contains("1 error generated.");
                    assertThat(e.getMessage()).startsWith(e.summary() + "\n" + source + ":2:31: error");
                });
    }

    @Test
    void keepsWarningsOfASuccessfulCompilation() throws IOException {
        Path source = write("warn.c", "int warn(int x) { int unused; return x; }\n");

        CompiledPlugin compiled = toolchain().compile(CompileRequest.builder(source)
                .compilerArguments("-Wunused-variable").build());

        assertThat(compiled.diagnostics()).contains(source + ":1:23: warning: unused variable 'unused'");
    }

    @Test
    void reusesCachedResultsUntilASourceOrHeaderChanges() throws IOException {
        Path header = write("value.h", "#define VALUE 1\n");
        Path source = write("value.c", "#include \"value.h\"\nint value(void) { return VALUE; }\n");
        Toolchain toolchain = toolchain();

        CompiledPlugin first = toolchain.compile(source);
        CompiledPlugin second = toolchain.compile(source);
        assertThat(first.cacheHit()).isFalse();
        assertThat(second.cacheHit()).isTrue();
        assertThat(second.artifact()).isEqualTo(first.artifact());
        assertThat(second.source().sha256()).isEqualTo(first.source().sha256());

        assertThat(toolchain.compile(CompileRequest.builder(source).optimizationLevel(0).build()).cacheHit())
                .as("another optimisation level").isFalse();

        Files.writeString(header, "#define VALUE 2\n");
        CompiledPlugin changed = toolchain.compile(source);
        assertThat(changed.cacheHit()).as("after the header changed").isFalse();
        try (Plugin plugin = jit.load(changed.source())) {
            interface IntSupplier { int get(); }
            assertThat(plugin.function("value", IntSupplier.class).get()).isEqualTo(2);
        }

        Toolchain elsewhere = Toolchain.builder().cacheDirectory(toolchain.cacheDirectory()).build();
        assertThat(elsewhere.compile(source).cacheHit()).as("another toolchain on the same cache").isTrue();
    }

    @Test
    void stopsACompilerThatRunsOutOfTime() throws IOException {
        Path source = write("slow.c", "int slow(void) { return 0; }\n");
        Toolchain impatient = Toolchain.builder().cacheDirectory(directory.resolve("cache"))
                .timeout(Duration.ofNanos(1)).build();

        assertThatThrownBy(() -> impatient.compile(source))
                .isInstanceOf(CompilationFailedException.class)
                .hasMessageContaining("clang did not finish in time and was stopped");
    }

    @Test
    void refusesSourcesItCannotCompile() throws IOException {
        Path text = write("notes.txt", "hello\n");
        Path c = write("a.c", "int a;\n");
        Path rust = write("b.rs", "\n");

        assertThatThrownBy(() -> toolchain().compile(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no plugin compiler handles " + text + "; known: c (.c, .c++, .cc, .cpp, .cxx), rust (.rs)");
        assertThatThrownBy(() -> toolchain().compile(c, rust))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sources need different compilers ('c' and 'rust'): build each plugin on its own");
        assertThatThrownBy(() -> toolchain().compile(directory.resolve("missing.c")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no such file: " + directory.resolve("missing.c"));
        assertThatThrownBy(() -> toolchain().compile(CompileRequest.builder(c).compiler("fortran").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no plugin compiler 'fortran'; known: [c, rust]");
    }

    @Test
    void hardensCSoThatASmashedStackOrAnOverflowingCopyEndsOnlyTheCall() throws Exception {
        Path source = write("hardened.c", """
                #include <string.h>
                int smash(const char *text) { char buffer[8]; strcpy(buffer, text); return buffer[0]; }
                """);
        Path copy = write("copy.c", """
                #include <string.h>
                int overflow(int length) {
                    char buffer[8];
                    char zeros[64] = {0};
                    memcpy(buffer, zeros, length);
                    return buffer[0];
                }
                """);
        Path unoptimised = toolchain().compile(CompileRequest.builder(source).optimizationLevel(0).build()).artifact();
        Path optimised = toolchain().compile(CompileRequest.builder(source).optimizationLevel(2).build()).artifact();
        Path copying = toolchain().compile(CompileRequest.builder(copy).optimizationLevel(2).build()).artifact();
        String tooLong = "a string of forty bytes, five times eight";

        // Without optimisation, the stack protector's canary catches the strcpy on return.
        assertAborted(ChildJvm.run(FaultProbe.class, unoptimised.toString(), "libc", "i32(ptr)", "smash",
                tooLong), "stack smashing detected");
        // Optimised, _FORTIFY_SOURCE checks the copies before they write: the C library's strcpy check aborts, and
        // the runtime's memcpy check, served whatever the resolver, names the sizes.
        assertAborted(ChildJvm.run(FaultProbe.class, optimised.toString(), "libc", "i32(ptr)", "smash",
                tooLong), "the C library aborted");
        assertAborted(ChildJvm.run(FaultProbe.class, copying.toString(), "default", "i32(i32)",
                "overflow", "20"), "buffer overflow detected: memcpy of 20 bytes into an object of 8");
        assertThat(ChildJvm.run(FaultProbe.class, copying.toString(), "default", "i32(i32)", "overflow",
                "8").out()).isEqualTo("returned 0\n");
    }

    private static void assertAborted(ChildJvm.Result result, String detail) {
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.crashed()).isFalse();
        assertThat(result.out()).startsWith("ABORT: Plugin '").contains(detail).endsWith("closed\n");
    }
}
