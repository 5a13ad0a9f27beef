package io.predicator.orc;

import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.UnsupportedModuleException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Large modules are split and compiled on several threads; the parts must link into one plugin that behaves
 * exactly like the module compiled whole: calls across parts, internal functions and data, constant strings.
 */
class ParallelCompilationTests {
    private static final int FUNCTIONS = 120;

    @BeforeEach
    void splitSmallModules() {
        System.setProperty("predicator.orc.splitBlocks", "50");
    }

    @AfterEach
    void restoreDefault() {
        System.clearProperty("predicator.orc.splitBlocks");
    }

    /**
     * Level, whether the IR is pre-optimised (code generation only), and whether the text is padded past a MiB, where
     * the compile threads parse speculatively while the loading thread parses.
     */
    @ParameterizedTest
    @CsvSource({"0, false, false", "2, false, false", "2, true, false", "2, false, true"})
    void splitModuleBehavesLikeTheWholeModule(int level, boolean preOptimized, boolean padded) throws Exception {
        ModuleSource source = ModuleSource.ir("large", padded ? padded(largeModule()) : largeModule());
        LoadOptions options = LoadOptions.builder().preOptimized(preOptimized).build();
        long split;
        long whole;
        try (Recording recording = new Recording();
             JitContext jit = JitContext.builder().optimizationLevel(level).compileThreads(3).build()) {
            recording.enable("io.predicator.PluginLoad").withoutThreshold();
            recording.start();
            Plugin plugin = jit.load(source, options);
            recording.stop();
            Path file = Files.createTempFile("parallel", ".jfr");
            recording.dump(file);
            List<RecordedEvent> loads = RecordingFile.readAllEvents(file);
            Files.delete(file);
            assertThat(loads).singleElement().satisfies(load -> assertThat(load.getInt("objects"))
                    .as("the module was compiled in three parts").isEqualTo(3));
            split = plugin.function("checksum", LongSupplier.class).getAsLong();
            assertThat(plugin.function("f_7", IntUnaryOperator.class).applyAsInt(10)).isEqualTo(expectedF(7, 10));
            assertThat(plugin.exports()).extracting(function -> function.name())
                    .contains("checksum", "f_0", "f_" + (FUNCTIONS - 1))
                    .noneMatch(name -> name.startsWith("__predicator_local") || name.startsWith("helper_"));
            assertThat(plugin.address("table")).isPresent();
            assertThat(plugin.address("counter")).as("internal data stays internal").isEmpty();
            assertThat(jit.stats().plugins().getFirst().codeBytes()).isPositive();
            plugin.close();
        }
        try (JitContext jit = JitContext.builder().optimizationLevel(level).compileThreads(1).build();
             Plugin plugin = jit.load(source, options)) {
            whole = plugin.function("checksum", LongSupplier.class).getAsLong();
        }
        assertThat(split).isEqualTo(whole).isEqualTo(expectedChecksum());
    }

    @Test
    void largeModulesThatAreNotSplitOrAreInvalidLeaveTheCompileThreadsReady() {
        System.clearProperty("predicator.orc.splitBlocks"); // a handful of blocks: never split at the default
        try (JitContext jit = JitContext.builder().compileThreads(2).build()) {
            Plugin small = jit.load(ModuleSource.ir("padded", padded(TestModules.valueIr(5))));
            assertThat(small.function("value", IntSupplier.class).getAsInt()).isEqualTo(5);
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("broken", padded(TestModules.valueIr(6)) + "garbage")))
                    .isInstanceOf(MalformedModuleException.class);
            System.setProperty("predicator.orc.splitBlocks", "50");
            Plugin large = jit.load(ModuleSource.ir("large", padded(largeModule())));
            assertThat(large.function("checksum", LongSupplier.class).getAsLong()).isEqualTo(expectedChecksum());
        }
    }

    /**
     * Invalid IR in a large module is refused with the verifier's message for the whole module, wherever it sits,
     * before any split, and the context stays usable.
     */
    @Test
    void invalidLargeModulesAreRefusedWhicheverPartHoldsTheFault() {
        String broken = """
                define i32 @broken(i1 %c) {
                entry:
                  br i1 %c, label %a, label %b
                a:
                  %v = add i32 1, 2
                  br label %b
                b:
                  ret i32 %v
                }
                """;
        String appending = "@llvm.global_ctors = appending global [1 x i32] [i32 0]\n";
        try (JitContext jit = JitContext.builder().compileThreads(3).build()) {
            for (String module : List.of(broken + largeModule(), largeModule() + broken, appending + largeModule())) {
                assertThatThrownBy(() -> jit.load(ModuleSource.ir("invalid", module)))
                        .isInstanceOf(MalformedModuleException.class)
                        .hasMessageContaining("the IR is invalid")
                        .hasMessageNotContaining("part")
                        .message().containsAnyOf("Instruction does not dominate all uses", "wrong type for intrinsic global");
            }
            Plugin large = jit.load(ModuleSource.ir("large", largeModule()));
            assertThat(large.function("checksum", LongSupplier.class).getAsLong()).isEqualTo(expectedChecksum());
        }
    }

    /**
     * Arrays of appending linkage are deleted from the parts other than part 0 (they cannot be declared), so code
     * that uses one keeps the module whole: splitting an array in section {@code llvm.metadata} that code reads
     * (valid IR) left the use dangling and crashed the verifier of a part. {@code llvm.used} read by code is invalid
     * and refused with the verifier's message. An appending array of the plugin's own is refused before any thread compiles anything: LLVM's code
     * generator would end the process.
     */
    @Test
    void appendingArraysThatCodeUsesAreNeverSplit() {
        String usedReader = """
                @marker = global i32 1
                @llvm.used = appending global [1 x ptr] [ptr @marker], section "llvm.metadata"
                define ptr @peek() {
                  %p = load ptr, ptr @llvm.used
                  ret ptr %p
                }
                """;
        String metadataReader = """
                @notes = appending global [1 x i32] [i32 5], section "llvm.metadata"
                define i32 @note() {
                  %v = load i32, ptr @notes
                  ret i32 %v
                }
                """;
        try (JitContext jit = JitContext.builder().compileThreads(3).build()) {
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("notes", metadataReader + largeModule())))
                    .as("valid IR, compiled whole; the code generator never emits llvm.metadata, so it is missing")
                    .isInstanceOf(UnresolvedSymbolsException.class)
                    .hasMessageContaining("notes");
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("used", largeModule() + usedReader)))
                    .isInstanceOf(MalformedModuleException.class)
                    .hasMessageContaining("invalid uses of intrinsic global variable");
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("used-not-appending", largeModule()
                    + usedReader.replace("appending global", "global"))))
                    .isInstanceOf(MalformedModuleException.class)
                    .hasMessageContaining("the IR is invalid");
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("own", largeModule() + TestModules.APPENDING_ARRAY)))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("'listed' has appending linkage");
            Plugin large = jit.load(ModuleSource.ir("large", largeModule()));
            assertThat(large.function("checksum", LongSupplier.class).getAsLong()).isEqualTo(expectedChecksum());
        }
    }

    /**
     * C++ inline functions and templates are {@code linkonce_odr}, and unnamed globals ({@code @0}) have no name to
     * link by: neither may get lost when the part that defines it is not the part that uses it. An unused
     * {@code linkonce_odr} function is still dropped, as when the module compiles whole.
     */
    @Test
    void discardableAndUnnamedDefinitionsSurviveTheSplit() {
        StringBuilder ir = new StringBuilder(largeModule()).append("@0 = global i32 40\n");
        for (int i = 0; i < 30; i++) {
            ir.append("""
                    define linkonce_odr i32 @inline_%1$d(i32 %%x) {
                      %%y = add i32 %%x, %1$d
                      ret i32 %%y
                    }
                    define i32 @user_%1$d(i32 %%x) {
                      %%y = call i32 @inline_%2$d(i32 %%x)
                      %%z = load i32, ptr @0
                      %%r = add i32 %%y, %%z
                      ret i32 %%r
                    }
                    """.formatted(i, (i + 1) % 30)); // the plan deals pairs out alike: call the next pair's
        }
        // Unused and discardable: optimising the whole module drops it, and with it the import nobody provides.
        String unused = """
                declare void @nobody_provides_this()
                define linkonce_odr void @unused_inline() {
                  call void @nobody_provides_this()
                  ret void
                }
                """;
        for (boolean preOptimized : List.of(false, true)) {
            try (JitContext jit = JitContext.builder().compileThreads(3).build();
                 Plugin plugin = jit.load(ModuleSource.ir("linkonce", preOptimized ? ir.toString() : ir + unused),
                         LoadOptions.builder().preOptimized(preOptimized).build())) {
                assertThat(plugin.exports()).extracting(ExportedFunction::name).doesNotContain("unused_inline");
                for (int i = 0; i < 30; i++) {
                    assertThat(plugin.function("user_" + i, IntUnaryOperator.class).applyAsInt(2))
                            .isEqualTo(42 + (i + 1) % 30);
                }
            }
        }
    }

    /**
     * A computed-goto table (a global initialised with block addresses) must stay with its function: such a module
     * compiles whole, however large, and jumps where it should.
     */
    /**
     * Block addresses must stay with their function, whether a table's initialiser (a computed goto) or another
     * function's code takes them, and module-level assembly would define its symbols in every part: such modules
     * compile whole.
     */
    @ParameterizedTest
    @CsvSource({"table", "code", "assembly"})
    void modulesWithBlockAddressesOrModuleAssemblyAreNotSplit(String shape) throws Exception {
        String dispatch = """
                define i32 @dispatch(i32 %i) {
                entry:
                  %slot = getelementptr [2 x ptr], ptr @targets, i64 0, i32 %i
                  %target = load ptr, ptr %slot
                  indirectbr ptr %target, [label %one, label %two]
                one:
                  ret i32 11
                two:
                  ret i32 22
                }
                """;
        String extra = switch (shape) {
            case "table" -> "@targets = internal constant [2 x ptr] [ptr blockaddress(@dispatch, %one), "
                    + "ptr blockaddress(@dispatch, %two)]\n" + dispatch;
            case "code" -> "@targets = internal global [2 x ptr] zeroinitializer\n" + dispatch + """
                    define void @fill() {
                      store ptr blockaddress(@dispatch, %one), ptr @targets
                      %second = getelementptr [2 x ptr], ptr @targets, i64 0, i64 1
                      store ptr blockaddress(@dispatch, %two), ptr %second
                      ret void
                    }
                    """;
            default -> """
                    module asm ".globl asm_eleven"
                    module asm "asm_eleven: movl $11, %eax; ret"
                    declare i32 @asm_eleven()
                    define i32 @dispatch(i32 %i) {
                      %v = call i32 @asm_eleven()
                      %r = mul i32 %v, %i
                      %s = add i32 %r, 11
                      ret i32 %s
                    }
                    define void @fill() {
                      ret void
                    }
                    """;
        };
        LoadOptions options = LoadOptions.builder().trustInlineAssembly(true).build();
        try (Recording recording = new Recording();
             JitContext jit = JitContext.builder().compileThreads(3).build()) {
            recording.enable("io.predicator.PluginLoad").withoutThreshold();
            recording.start();
            Plugin plugin = jit.load(ModuleSource.ir("not-split", largeModule() + extra), options);
            recording.stop();
            Path file = Files.createTempFile("not-split", ".jfr");
            recording.dump(file);
            List<RecordedEvent> loads = RecordingFile.readAllEvents(file);
            Files.delete(file);
            assertThat(loads).singleElement().satisfies(load -> assertThat(load.getInt("objects")).isEqualTo(1));
            if (!shape.equals("table")) {
                plugin.function("fill", Runnable.class).run();
            }
            IntUnaryOperator jump = plugin.function("dispatch", IntUnaryOperator.class);
            assertThat(jump.applyAsInt(0)).isEqualTo(11);
            assertThat(jump.applyAsInt(1)).isEqualTo(22);
            assertThat(plugin.function("checksum", LongSupplier.class).getAsLong()).isEqualTo(expectedChecksum());
        }
    }

    /**
     * Text nested too deep for LLVM's recursive parser is refused before any parse, including the compile threads'
     * speculative parses of large modules (before the fix, this killed the JVM from a compile thread).
     */
    @Test
    void largeModulesNestedTooDeepAreRefusedBeforeAnyThreadParsesThem() {
        String nested = "@deep = global " + "[1 x ".repeat(220_000) + "i8" + "]".repeat(220_000) + " zeroinitializer\n";
        try (JitContext jit = JitContext.builder().compileThreads(2).build()) {
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("deep", padded(nested))))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("nests brackets");
            Plugin small = jit.load(ModuleSource.ir("after", TestModules.valueIr(9)));
            assertThat(small.function("value", IntSupplier.class).getAsInt()).isEqualTo(9);
        }
    }

    /** Pads IR text past a MiB with a comment. */
    private static String padded(String ir) {
        return "; " + "padding ".repeat(140_000) + "\n" + ir;
    }

    /** f_i(x) = helper_i(x) + table[i % 4] + strlen-like count of the private string, chained through f_{i-1}. */
    static String largeModule() {
        StringBuilder ir = new StringBuilder("""
                @table = global [4 x i32] [i32 1, i32 2, i32 3, i32 4]
                @counter = internal global i64 0
                @greeting = private unnamed_addr constant [6 x i8] c"hello\\00"

                define internal i64 @count_chars(ptr %s) {
                entry:
                  br label %loop
                loop:
                  %i = phi i64 [0, %entry], [%next, %loop]
                  %p = getelementptr i8, ptr %s, i64 %i
                  %c = load i8, ptr %p
                  %next = add i64 %i, 1
                  %more = icmp ne i8 %c, 0
                  br i1 %more, label %loop, label %done
                done:
                  ret i64 %i
                }
                """);
        for (int i = 0; i < FUNCTIONS; i++) {
            ir.append("""
                    define internal i32 @helper_%1$d(i32 %%x) {
                      %%a = mul i32 %%x, %2$d
                      %%b = add i32 %%a, %1$d
                      ret i32 %%b
                    }
                    define i32 @f_%1$d(i32 %%x) {
                      %%h = call i32 @helper_%1$d(i32 %%x)
                      %%slot = getelementptr [4 x i32], ptr @table, i64 0, i64 %3$d
                      %%t = load i32, ptr %%slot
                      %%len = call i64 @count_chars(ptr @greeting)
                      %%l = trunc i64 %%len to i32
                      %%c = load i64, ptr @counter
                      %%c1 = add i64 %%c, 1
                      store i64 %%c1, ptr @counter
                      %%s = add i32 %%h, %%t
                      %%r = add i32 %%s, %%l
                      ret i32 %%r
                    }
                    """.formatted(i, i % 7 + 1, i % 4));
        }
        ir.append("""
                define i64 @checksum() {
                entry:
                  br label %loop
                loop:
                  %i = phi i32 [0, %entry], [%next, %loop]
                  %acc = phi i64 [0, %entry], [%acc2, %loop]
                """);
        // a call chain across every function, so every part is linked and exercised
        ir.append("  %v0 = call i32 @f_0(i32 %i)\n");
        for (int i = 1; i < FUNCTIONS; i++) {
            ir.append("  %%v%d = call i32 @f_%d(i32 %%v%d)\n".formatted(i, i, i - 1));
        }
        ir.append("""
                  %%w = zext i32 %%v%d to i64
                  %%acc2 = add i64 %%acc, %%w
                  %%next = add i32 %%i, 1
                  %%more = icmp ult i32 %%next, 3
                  br i1 %%more, label %%loop, label %%done
                done:
                  %%calls = load i64, ptr @counter
                  %%result = add i64 %%acc2, %%calls
                  ret i64 %%result
                }
                """.formatted(FUNCTIONS - 1));
        return ir.toString();
    }

    static int expectedF(int i, int x) {
        return x * (i % 7 + 1) + i + (i % 4 + 1) + 5;
    }

    static long expectedChecksum() {
        long acc = 0;
        for (int i = 0; i < 3; i++) {
            int v = expectedF(0, i);
            for (int f = 1; f < FUNCTIONS; f++) {
                v = expectedF(f, v);
            }
            acc += Integer.toUnsignedLong(v);
        }
        return acc + 3L * FUNCTIONS;
    }
}
