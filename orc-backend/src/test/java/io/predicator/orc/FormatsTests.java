package io.predicator.orc;

import io.predicator.fixtures.ArchiveMember;
import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.Signature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

import static io.predicator.orc.TestModules.ARITH;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every input format loads through {@link ModuleSource#of(String, byte[])} and runs: IR text, plain and wrapped
 * bitcode, ELF objects and {@code ar} archives; plus what {@code exports()} and {@code inspect()} report for each.
 */
class FormatsTests {
    private final JitContext context = JitContext.builder().build();

    @AfterEach
    void closeContext() {
        context.close();
    }

    @Test
    void detectsEveryFormatFromContent() {
        String ir = TestModules.irText(ARITH);
        byte[] bitcode = TestModules.bitcode(ir);
        byte[] object = TestModules.object(ir);

        assertThat(ModuleSource.of("a.ll", ir.getBytes(StandardCharsets.UTF_8)).format())
                .isEqualTo(ModuleFormat.IR_TEXT);
        assertThat(ModuleSource.of("a.bc", bitcode).format()).isEqualTo(ModuleFormat.BITCODE);
        assertThat(ModuleSource.of("a.wrapped.bc", TestModules.wrapBitcode(bitcode)).format())
                .isEqualTo(ModuleFormat.BITCODE);
        assertThat(ModuleSource.of("a.o", object).format()).isEqualTo(ModuleFormat.OBJECT);
        assertThat(ModuleSource.of("a.a", TestModules.archive(false, new ArchiveMember("a.o", object))).format())
                .isEqualTo(ModuleFormat.ARCHIVE);
    }

    @Test
    void loadsIrText() {
        try (Plugin plugin = context.load(ModuleSource.of("arith.ll", TestModules.irText(ARITH).getBytes(StandardCharsets.UTF_8)))) {
            assertThat(plugin.format()).isEqualTo(ModuleFormat.IR_TEXT);
            assertThat(plugin.name()).isEqualTo("arith.ll");
            assertArithmeticWorks(plugin);
        }
    }

    @Test
    void loadsPlainBitcode() {
        byte[] bitcode = TestModules.bitcode(TestModules.irText(ARITH));
        assertThat(bitcode).startsWith('B', 'C', 0xC0, 0xDE);

        try (Plugin plugin = context.load(ModuleSource.of("arith.bc", bitcode))) {
            assertThat(plugin.format()).isEqualTo(ModuleFormat.BITCODE);
            assertArithmeticWorks(plugin);
        }
    }

    @Test
    void loadsBitcodeWithWrapperHeader() {
        byte[] wrapped = TestModules.wrapBitcode(TestModules.bitcode(TestModules.irText(ARITH)));
        assertThat(wrapped).startsWith(0xDE, 0xC0, 0x17, 0x0B);

        try (Plugin plugin = context.load(ModuleSource.of("arith.wrapped.bc", wrapped))) {
            assertThat(plugin.format()).isEqualTo(ModuleFormat.BITCODE);
            assertArithmeticWorks(plugin);
            assertThat(plugin.exports()).extracting(ExportedFunction::signature)
                    .containsOnly(Optional.of(Signature.of("i32", "i32", "i32")));
        }
    }

    @Test
    void loadsElfObject() {
        byte[] object = TestModules.object(TestModules.irText(ARITH));
        assertThat(object).startsWith(0x7F, 'E', 'L', 'F');

        try (Plugin plugin = context.load(ModuleSource.of("arith.o", object))) {
            assertThat(plugin.format()).isEqualTo(ModuleFormat.OBJECT);
            assertArithmeticWorks(plugin);
        }
    }

    @Test
    void loadsArchiveWithoutSymbolTable() {
        assertArchiveLoads(false);
    }

    @Test
    void loadsArchiveWithGnuSymbolTable() {
        assertArchiveLoads(true);
    }

    @Test
    void linksCallsBetweenArchiveMembers() {
        byte[] caller = TestModules.object("""
                declare i32 @square(i32)

                define i32 @sum_of_squares(i32 %a, i32 %b) {
                  %aa = call i32 @square(i32 %a)
                  %bb = call i32 @square(i32 %b)
                  %sum = add i32 %aa, %bb
                  ret i32 %sum
                }
                """);
        byte[] callee = TestModules.object("""
                define i32 @square(i32 %x) {
                  %r = mul i32 %x, %x
                  ret i32 %r
                }
                """);
        byte[] archive = TestModules.archive(true,
                new ArchiveMember("caller.o", caller, List.of("sum_of_squares")),
                new ArchiveMember("callee.o", callee, List.of("square")));

        try (Plugin plugin = context.load(ModuleSource.of("squares.a", archive))) {
            assertThat(plugin.function("sum_of_squares", IntBinaryOperator.class).applyAsInt(3, 4)).isEqualTo(25);
            assertThat(plugin.function("square", IntUnaryOperator.class).applyAsInt(9)).isEqualTo(81);
        }
    }

    @Test
    void exportsOfIrListDefinedFunctionsSortedWithSignatures() {
        try (Plugin plugin = context.load(TestModules.ir(ARITH))) {
            assertThat(plugin.exports()).containsExactly(
                    new ExportedFunction("add", Optional.of(Signature.of("i32", "i32", "i32"))),
                    new ExportedFunction("mul", Optional.of(Signature.of("i32", "i32", "i32"))),
                    new ExportedFunction("sub", Optional.of(Signature.of("i32", "i32", "i32"))));
            assertThat(plugin.exports().getFirst().signature().orElseThrow()).hasToString("i32(i32, i32)");
        }
    }

    @Test
    void exportsOfIrShowEveryCallableType() {
        try (Plugin plugin = context.load(TestModules.ir("types.ll"))) {
            assertThat(plugin.exports()).extracting(ExportedFunction::name).isSorted();
            assertThat(plugin.exports()).contains(
                    new ExportedFunction("add_long", Optional.of(Signature.of("i64", "i64", "i64"))),
                    new ExportedFunction("halve", Optional.of(Signature.of("float", "float"))),
                    new ExportedFunction("is_even", Optional.of(Signature.of("i1", "i32"))),
                    new ExportedFunction("store_sum", Optional.of(Signature.of("void", "ptr", "i32", "i32"))),
                    new ExportedFunction("mix", Optional.of(
                            Signature.of("double", "i8", "i16", "i32", "i64", "float", "double"))));
        }
    }

    @Test
    void exportsOfBitcodeCarrySignatures() {
        byte[] bitcode = TestModules.bitcode(TestModules.irText(ARITH));
        try (Plugin plugin = context.load(ModuleSource.of("arith.bc", bitcode))) {
            assertThat(plugin.exports()).extracting(ExportedFunction::name).containsExactly("add", "mul", "sub");
            assertThat(plugin.exports()).extracting(ExportedFunction::signature)
                    .containsOnly(Optional.of(Signature.parse("i32(i32, i32)")));
        }
    }

    @Test
    void exportsOfObjectsAndArchivesHaveNoSignatures() {
        byte[] object = TestModules.object(TestModules.irText(ARITH));
        try (Plugin fromObject = context.load(ModuleSource.of("arith.o", object));
             Plugin fromArchive = context.load(ModuleSource.of("arith.a",
                     TestModules.archive(true, new ArchiveMember("arith.o", object, List.of("add", "mul", "sub")))))) {
            for (Plugin plugin : List.of(fromObject, fromArchive)) {
                assertThat(plugin.exports()).containsExactly(
                        new ExportedFunction("add", Optional.empty()),
                        new ExportedFunction("mul", Optional.empty()),
                        new ExportedFunction("sub", Optional.empty()));
            }
        }
    }

    @Test
    void inspectsIrWithoutLoadingIt() {
        ModuleInfo info = context.inspect(TestModules.ir("imports.ll"));

        assertThat(info.name()).isEqualTo("imports.ll");
        assertThat(info.format()).isEqualTo(ModuleFormat.IR_TEXT);
        assertThat(info.functions()).containsExactly(
                new ExportedFunction("call_ext", Optional.of(Signature.of("i32", "i32"))));
        assertThat(info.data()).containsExactly("offset");
        assertThat(info.imports()).contains("ext_fn").doesNotContain("call_ext", "offset");
        assertThat(context.plugins()).isEmpty();
    }

    @Test
    void inspectsBitcode() {
        ModuleInfo info = context.inspect(ModuleSource.of("data.bc", TestModules.bitcode(TestModules.irText("data.ll"))));

        assertThat(info.format()).isEqualTo(ModuleFormat.BITCODE);
        assertThat(info.functions()).containsExactly(
                new ExportedFunction("bump", Optional.of(Signature.of("void"))),
                new ExportedFunction("count", Optional.of(Signature.of("i64"))),
                new ExportedFunction("table_at", Optional.of(Signature.of("i32", "i32"))));
        assertThat(info.data()).containsExactly("counter", "greeting", "table");
        assertThat(info.imports()).isEmpty();
    }

    @Test
    void inspectsObjectsAndArchives() {
        byte[] object = TestModules.object(TestModules.irText("imports.ll"));
        ModuleInfo fromObject = context.inspect(ModuleSource.of("imports.o", object));
        ModuleInfo fromArchive = context.inspect(ModuleSource.of("imports.a",
                TestModules.archive(false, new ArchiveMember("imports.o", object))));

        assertThat(fromObject.format()).isEqualTo(ModuleFormat.OBJECT);
        assertThat(fromArchive.format()).isEqualTo(ModuleFormat.ARCHIVE);
        for (ModuleInfo info : List.of(fromObject, fromArchive)) {
            assertThat(info.functions()).containsExactly(new ExportedFunction("call_ext", Optional.empty()));
            assertThat(info.data()).containsExactly("offset");
            assertThat(info.imports()).contains("ext_fn").doesNotContain("call_ext", "offset");
        }
    }

    @Test
    void inspectionDoesNotNeedTheImportsResolved() {
        // Loading the same module fails (ext_fn is provided by no one), but inspecting it must not.
        ModuleSource source = TestModules.ir("two_missing.ll");

        ModuleInfo info = context.inspect(source);

        assertThat(info.imports()).contains("missing_one", "missing_two");
    }

    @Test
    void objectDataSymbolsHaveTheirSize() {
        byte[] object = TestModules.object(TestModules.irText("data.ll"));
        try (Plugin plugin = context.load(ModuleSource.of("data.o", object))) {
            MemorySegment table = plugin.address("table").orElseThrow();

            assertThat(table.byteSize()).isEqualTo(16);
            assertThat(table.toArray(JAVA_INT)).containsExactly(10, 20, 30, 40);
        }
    }

    private void assertArchiveLoads(boolean withSymbolTable) {
        String ir = TestModules.irText(ARITH);
        byte[] arith = TestModules.object(ir);
        byte[] data = TestModules.object(TestModules.irText("data.ll"));
        byte[] archive = TestModules.archive(withSymbolTable,
                new ArchiveMember("arith.o", arith, List.of("add", "mul", "sub")),
                new ArchiveMember("data.o", data, List.of("bump", "count", "counter", "greeting", "table", "table_at")));
        assertThat(archive).startsWith('!', '<', 'a', 'r', 'c', 'h', '>', '\n');

        try (Plugin plugin = context.load(ModuleSource.of("lib.a", archive))) {
            assertThat(plugin.format()).isEqualTo(ModuleFormat.ARCHIVE);
            assertArithmeticWorks(plugin);
            assertThat(plugin.function("table_at", IntUnaryOperator.class).applyAsInt(2)).isEqualTo(30);
            assertThat(plugin.exports()).extracting(ExportedFunction::name)
                    .containsExactly("add", "bump", "count", "mul", "sub", "table_at");
        }
    }

    private static void assertArithmeticWorks(Plugin plugin) {
        assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
        assertThat(plugin.function("sub", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(-1);
        assertThat(plugin.function("mul", IntBinaryOperator.class).applyAsInt(-7, 6)).isEqualTo(-42);
    }
}
