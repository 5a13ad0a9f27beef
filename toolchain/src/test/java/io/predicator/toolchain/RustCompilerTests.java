package io.predicator.toolchain;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleFormat;
import io.predicator.Plugin;
import io.predicator.fixtures.ChildJvm;
import io.predicator.spi.SymbolResolver;
import io.predicator.toolchain.internal.RustCompiler;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.LongBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RustCompilerTests {
    private static final LoadOptions WITH_RUNTIME = LoadOptions.builder()
            .resolver(SymbolResolver.compilerSupport()).build();

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
        Toolchain toolchain = Toolchain.builder().cacheDirectory(directory.resolve("cache")).build();
        Cargo.assumeInstalled(toolchain);
        return toolchain;
    }

    @Test
    void buildsASingleNoStdFileIntoOneSelfContainedObject() throws IOException {
        Toolchain toolchain = toolchain();
        Path source = Files.writeString(directory.resolve("wide.rs"), """
                #![no_std]

                /// 128-bit division needs compiler_builtins' __udivti3, which the toolchain links in.
                #[no_mangle]
                pub extern "C" fn wide_quotient(high: u64, divisor: u64) -> u64 {
                    (((high as u128) << 64) / (divisor as u128 | 1)) as u64
                }

                #[panic_handler]
                fn panic(_: &core::panic::PanicInfo) -> ! {
                    extern "C" { fn predicator_panic(message: *const u8, length: usize) -> !; }
                    unsafe { predicator_panic(b"wide".as_ptr(), 4) }
                }
                """);

        CompiledPlugin compiled = toolchain.compile(source);

        assertThat(compiled.format()).isEqualTo(ModuleFormat.OBJECT);
        assertThat(compiled.compilerId()).isEqualTo("rust");
        assertThat(jit.inspect(compiled.source()).imports()).isSubsetOf("predicator_panic", "memset", "memcpy");
        try (Plugin plugin = jit.load(compiled.source(), WITH_RUNTIME)) {
            assertThat(plugin.function("wide_quotient", LongBinaryOperator.class).applyAsLong(1, 3))
                    .isEqualTo(Long.divideUnsigned(-1L, 3) + 0);
        }
        assertThat(toolchain.compile(source).cacheHit()).isTrue();
    }

    @Test
    void buildsAGeneratedCargoProjectWhoseTestsPass() throws Throwable {
        Toolchain toolchain = toolchain();
        Path project = directory.resolve("checksums");
        PluginProject.create("rust", "checksums", project);

        CompiledPlugin compiled = toolchain.compile(project);

        assertThat(compiled.source().name()).isEqualTo("checksums");
        assertThat(compiled.format()).isEqualTo(ModuleFormat.OBJECT);
        assertThat(project.resolve("target/predicator")).isDirectory();
        try (Plugin plugin = jit.load(compiled.source(), WITH_RUNTIME);
             Arena arena = Arena.ofConfined()) {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
            assertThat(plugin.function("divide", IntBinaryOperator.class).applyAsInt(7, 2)).isEqualTo(3);
            MethodHandle checksum = plugin.function("checksum", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1, (byte) 2, (byte) 250);
            assertThat((long) checksum.invokeExact(bytes, 3L)).isEqualTo(253L);
        }
        assertThat(cargoTest(project)).contains("test result: ok. 4 passed; 0 failed");

        Files.writeString(project.resolve("src/lib.rs"), Files.readString(project.resolve("src/lib.rs"))
                .replace("a.wrapping_add(b)", "a.wrapping_add(b).wrapping_add(1)"));
        CompiledPlugin changed = toolchain.compile(project);
        assertThat(changed.cacheHit()).isFalse();
        try (Plugin plugin = jit.load(changed.source(), WITH_RUNTIME)) {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(6);
        }
        assertThat(cargoTest(project)).as("the generated test can fail").contains("test result: FAILED. 3 passed; 1 failed");
    }

    private static String cargoTest(Path project) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("cargo", "test", "--quiet", "--color", "never")
                .directory(project.toFile()).redirectErrorStream(true);
        builder.environment().put("RUST_BACKTRACE", "0");
        Process test = builder.start();
        String output = new String(test.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(test.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return output;
    }

    @Test
    void aPanicBecomesAnExceptionWithItsMessageAndTheProcessGoesOn() throws Exception {
        Toolchain toolchain = toolchain();
        Path project = directory.resolve("panics");
        PluginProject.create("rust", "panics", project);
        Path object = toolchain.compile(project).artifact();

        ChildJvm.Result quotient = probe(object, "7", "2");
        assertThat(quotient.exitCode()).as(quotient.err()).isZero();
        assertThat(quotient.out()).isEqualTo("returned 3\n");

        ChildJvm.Result panic = probe(object, "7", "0");
        assertThat(panic.exitCode()).as(panic.err()).isZero();
        assertThat(panic.out()).startsWith("PANIC: Plugin '").contains("' faulted in function 'divide': panicked: "
                + "panicked at src/lib.rs:").contains("divide: 7 / 0").endsWith("(PANIC)\nclosed\n");
    }

    private ChildJvm.Result probe(Path plugin, String a, String b) throws Exception {
        return ChildJvm.run(FaultProbe.class, plugin.toString(), "default", "i32(i32, i32)", "divide", a, b);
    }

    @Test
    void reportsRustcsDiagnosticsVerbatim() throws IOException {
        Toolchain toolchain = toolchain();
        Path project = directory.resolve("broken");
        PluginProject.create("rust", "broken", project);
        Files.writeString(project.resolve("src/lib.rs"), Files.readString(project.resolve("src/lib.rs"))
                .replace("a.wrapping_add(b)", "a.wrapping_add(b) + undefined_name"));

        assertThatThrownBy(() -> toolchain.compile(project))
                .isInstanceOfSatisfying(CompilationFailedException.class, e -> {
                    assertThat(e.summary()).startsWith("cargo failed to build " + project.toAbsolutePath());
                    assertThat(e.diagnostics()).contains("error[E0425]: cannot find value `undefined_name`")
                            .contains("--> src/lib.rs:16:25");
                });
    }

    @Test
    void handsOverBitcodeOnlyWhenRustcsLlvmIsNotNewerThanPredicators() throws IOException {
        Toolchain toolchain = toolchain();
        RustCompiler rust = (RustCompiler) Cargo.assumeInstalled(toolchain);
        Path source = Files.writeString(directory.resolve("tiny.rs"), """
                #![no_std]
                #[no_mangle]
                pub extern "C" fn one() -> i32 { 1 }
                #[panic_handler]
                fn panic(_: &core::panic::PanicInfo) -> ! { loop {} }
                """);
        CompileRequest bitcode = CompileRequest.builder(source).output(OutputKind.BITCODE).build();

        if (rust.llvmMajorVersion() > 20) {
            assertThatThrownBy(() -> toolchain.compile(bitcode))
                    .isInstanceOf(CompilationFailedException.class)
                    .hasMessageContaining("uses LLVM " + rust.llvmMajorVersion() + ", newer than Predicator's LLVM 20.")
                    .hasMessageContaining("Build an object instead");
        } else {
            assertThat(toolchain.compile(bitcode).format()).isEqualTo(ModuleFormat.BITCODE);
        }
    }
}
