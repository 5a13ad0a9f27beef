package io.predicator.testkit;

import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.Signature;
import io.predicator.SignatureMismatchException;
import io.predicator.UnknownSymbolException;
import io.predicator.fixtures.ArchiveMember;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.BackendSupport.Compiled;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.predicator.testkit.BackendCapability.FORMAT_ARCHIVE;
import static io.predicator.testkit.BackendCapability.FORMAT_BITCODE;
import static io.predicator.testkit.BackendCapability.FORMAT_IR_TEXT;
import static io.predicator.testkit.BackendCapability.FORMAT_OBJECT;
import static io.predicator.testkit.BackendCapability.SIGNATURE_CHECKS;
import static io.predicator.testkit.BackendRequirement.B1;
import static io.predicator.testkit.BackendRequirement.B2;
import static io.predicator.testkit.BackendRequirement.B4;
import static io.predicator.testkit.BackendRequirement.B5;
import static io.predicator.testkit.internal.BackendSupport.BINARY_INT;
import static io.predicator.testkit.internal.BackendSupport.arithmeticWorks;
import static io.predicator.testkit.internal.BackendSupport.capabilities;
import static io.predicator.testkit.internal.BackendSupport.context;
import static io.predicator.testkit.internal.BackendSupport.thrown;
import static io.predicator.testkit.internal.Verdicts.check;
import static io.predicator.testkit.internal.Verdicts.step;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/** The checks of {@link BackendFormatsContract}: formats, exports, signatures, unknown symbols. */
final class BackendFormatsChecks {
    // ---- B1 ------------------------------------------------------------------------------------------------------

    /** Checks B1, one dynamic test per declared format: every declared format loads and its functions run. */
    static Stream<DynamicTest> everyDeclaredFormatLoads(BackendUnderTest contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        List<DynamicTest> tests = new ArrayList<>();
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(loads(contract, "IR text", ModuleFormat.IR_TEXT, () -> ModuleSource.of("arith.ll",
                    Compiled.ARITHMETIC.getBytes(StandardCharsets.UTF_8))));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(loads(contract, "plain bitcode", ModuleFormat.BITCODE,
                    () -> ModuleSource.of("arith.bc", Compiled.ARITHMETIC_BITCODE)));
            tests.add(loads(contract, "bitcode with the wrapper header", ModuleFormat.BITCODE,
                    () -> ModuleSource.of("arith.wrapped.bc", FixtureCompiler.wrapBitcode(Compiled.ARITHMETIC_BITCODE))));
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            tests.add(loads(contract, "ELF object", ModuleFormat.OBJECT,
                    () -> ModuleSource.of("arith.o", Compiled.ARITHMETIC_OBJECT)));
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            for (boolean withSymbolTable : new boolean[] {false, true}) {
                String name = withSymbolTable ? "archive with a GNU symbol table" : "archive without a symbol table";
                tests.add(DynamicTest.dynamicTest(name, () -> archiveLoads(contract, withSymbolTable)));
            }
            tests.add(DynamicTest.dynamicTest("archive whose members call each other",
                    () -> archiveMembersLink(contract)));
        }
        Assumptions.assumeFalse(tests.isEmpty(), "the contract declares no FORMAT_ capability");
        return tests.stream();
    }

    private static DynamicTest loads(BackendUnderTest contract, String what, ModuleFormat format,
                                     Supplier<ModuleSource> source) {
        return DynamicTest.dynamicTest(what, () -> {
            ModuleSource module = source.get();
            try (JitContext context = context(contract, SymbolResolver.compilerSupport());
                 Plugin plugin = step(B1, "loading " + what + " (" + module.name() + ")", () -> context.load(module))) {
                check(B1, "the plugin loaded from " + what, () -> {
                    assertThat(plugin.format()).as("format()").isEqualTo(format);
                    assertThat(plugin.name()).as("name()").isEqualTo(module.name());
                    assertThat(plugin.isClosed()).as("isClosed()").isFalse();
                    assertThat(context.plugins()).as("the context's plugins()").containsExactly(plugin);
                });
                arithmeticWorks(B1, plugin);
            }
        });
    }

    private static void archiveLoads(BackendUnderTest contract, boolean withSymbolTable) {
        byte[] archive = FixtureCompiler.archive(withSymbolTable,
                new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT, List.of("add", "mul", "sub")),
                new ArchiveMember("data.o", Compiled.DATA_OBJECT,
                        List.of("bump", "count", "counter", "greeting", "table", "table_at")));
        ModuleSource source = ModuleSource.of("lib.a", archive);
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin plugin = step(B1, "loading archive lib.a", () -> context.load(source))) {
            check(B1, "the plugin loaded from lib.a", () -> assertThat(plugin.format()).isEqualTo(ModuleFormat.ARCHIVE));
            arithmeticWorks(B1, plugin);
            check(B1, "calling table_at(2) of the archive's second member",
                    () -> assertThat(plugin.function("table_at", IntUnaryOperator.class).applyAsInt(2)).isEqualTo(30));
        }
    }

    private static void archiveMembersLink(BackendUnderTest contract) {
        byte[] caller = FixtureCompiler.object("""
                declare i32 @square(i32)

                define i32 @sum_of_squares(i32 %a, i32 %b) {
                  %aa = call i32 @square(i32 %a)
                  %bb = call i32 @square(i32 %b)
                  %sum = add i32 %aa, %bb
                  ret i32 %sum
                }
                """);
        byte[] callee = FixtureCompiler.object("""
                define i32 @square(i32 %x) {
                  %r = mul i32 %x, %x
                  ret i32 %r
                }
                """);
        ModuleSource source = ModuleSource.of("squares.a", FixtureCompiler.archive(true,
                new ArchiveMember("caller.o", caller, List.of("sum_of_squares")),
                new ArchiveMember("callee.o", callee, List.of("square"))));
        try (JitContext context = context(contract, SymbolResolver.none());
             Plugin plugin = step(B1, "loading squares.a, whose first member calls the second",
                     () -> context.load(source))) {
            check(B1, "calling across archive members", () -> {
                assertThat(plugin.function("sum_of_squares", IntBinaryOperator.class).applyAsInt(3, 4)).isEqualTo(25);
                assertThat(plugin.function("square", IntUnaryOperator.class).applyAsInt(9)).isEqualTo(81);
            });
        }
    }

    // ---- B2 ------------------------------------------------------------------------------------------------------

    /** Checks B2: exports are listed, with signatures where the format carries types. */
    static Stream<DynamicTest> exportsAreListed(BackendUnderTest contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        List<DynamicTest> tests = new ArrayList<>();
        List<ExportedFunction> typed = List.of(
                new ExportedFunction("add", Optional.of(BINARY_INT)),
                new ExportedFunction("mul", Optional.of(BINARY_INT)),
                new ExportedFunction("sub", Optional.of(BINARY_INT)));
        List<ExportedFunction> untyped = List.of(
                new ExportedFunction("add", Optional.empty()),
                new ExportedFunction("mul", Optional.empty()),
                new ExportedFunction("sub", Optional.empty()));
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(exports(contract, () -> ModuleSource.ir("arith.ll", Compiled.ARITHMETIC), typed));
            tests.add(DynamicTest.dynamicTest("inspect() of IR text", () -> inspects(contract)));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(exports(contract, () -> ModuleSource.of("arith.bc", Compiled.ARITHMETIC_BITCODE), typed));
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            tests.add(exports(contract, () -> ModuleSource.of("arith.o", Compiled.ARITHMETIC_OBJECT), untyped));
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            tests.add(exports(contract, () -> ModuleSource.of("arith.a", FixtureCompiler.archive(true,
                    new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT, List.of("add", "mul", "sub")))), untyped));
        }
        Assumptions.assumeFalse(tests.isEmpty(), "the contract declares no FORMAT_ capability");
        return tests.stream();
    }

    private static DynamicTest exports(BackendUnderTest contract, Supplier<ModuleSource> source,
                                       List<ExportedFunction> expected) {
        return DynamicTest.dynamicTest("exports() of " + source.get().format(), () -> {
            ModuleSource module = source.get();
            try (JitContext context = context(contract, SymbolResolver.compilerSupport());
                 Plugin plugin = step(B2, "loading " + module.name(), () -> context.load(module))) {
                check(B2, "exports() of " + module.name() + " (" + module.format() + ", "
                                + (module.format().carriesTypes() ? "typed" : "untyped") + "; the internal helper is not "
                                + "exported)",
                        () -> assertThat(plugin.exports()).containsExactlyElementsOf(expected));
            }
        });
    }

    private static void inspects(BackendUnderTest contract) {
        ModuleSource source = ModuleSource.ir("imports.ll", PluginSources.importing("ext_one", "ext_two"));
        try (JitContext context = context(contract, SymbolResolver.none())) {
            ModuleInfo info = step(B2, "inspect() of a module whose imports nobody provides",
                    () -> context.inspect(source));
            check(B2, "what inspect() reports for imports.ll", () -> {
                assertThat(info.name()).as("name").isEqualTo("imports.ll");
                assertThat(info.format()).as("format").isEqualTo(ModuleFormat.IR_TEXT);
                assertThat(info.functions()).as("functions")
                        .containsExactly(new ExportedFunction("use_imports", Optional.of(Signature.of("i32", "i32"))));
                assertThat(info.imports()).as("imports").contains("ext_one", "ext_two").doesNotContain("use_imports");
                assertThat(context.plugins()).as("plugins() after inspect()").isEmpty();
            });
        }
    }

    // ---- B4 ------------------------------------------------------------------------------------------------------

    /** Checks B4: a mismatched signature is refused, showing both signatures. */
    static Stream<DynamicTest> mismatchedSignaturesAreRefused(BackendUnderTest contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        Assumptions.assumeTrue(capabilities.contains(SIGNATURE_CHECKS), "the contract does not declare SIGNATURE_CHECKS");
        List<DynamicTest> tests = new ArrayList<>();
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(DynamicTest.dynamicTest("IR text", () -> signaturesChecked(contract,
                    ModuleSource.ir("arith.ll", Compiled.ARITHMETIC))));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(DynamicTest.dynamicTest("bitcode", () -> signaturesChecked(contract,
                    ModuleSource.of("arith.bc", Compiled.ARITHMETIC_BITCODE))));
        }
        Assumptions.assumeFalse(tests.isEmpty(), "SIGNATURE_CHECKS needs a typed format: FORMAT_IR_TEXT or FORMAT_BITCODE");
        return tests.stream();
    }

    private static void signaturesChecked(BackendUnderTest contract, ModuleSource source) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin plugin = step(B4, "loading " + source.name(), () -> context.load(source))) {
            Throwable wrongTypes = thrown(() -> plugin.function("add", LongBinaryOperator.class));
            check(B4, "asking for i32 add(i32, i32) of " + source.name() + " as a LongBinaryOperator", () ->
                    assertThat(wrongTypes).isInstanceOfSatisfying(SignatureMismatchException.class, e -> {
                        assertThat(e.declared()).as("declared()").isEqualTo(BINARY_INT);
                        assertThat(e.requested()).as("requested()").isEqualTo(Signature.of("i64", "i64", "i64"));
                        assertThat(e.getMessage()).contains("i32(i32, i32)", "i64(i64, i64)", "add");
                    }));
            Throwable wrongArity = thrown(() -> plugin.function("add", IntUnaryOperator.class));
            check(B4, "asking for add as an IntUnaryOperator", () -> assertThat(wrongArity)
                    .isInstanceOf(SignatureMismatchException.class).hasMessageContaining("i32(i32)"));
            Throwable wrongDescriptor = thrown(() -> plugin.function("add",
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT)));
            check(B4, "asking for add with the descriptor i64(ptr, i32)", () -> assertThat(wrongDescriptor)
                    .isInstanceOf(SignatureMismatchException.class).hasMessageContaining("i64(ptr, i32)"));
            check(B4, "asking for add with the right signature after the refusals", () -> {
                assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
                MethodHandle add = plugin.function("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
                assertThat((int) add.invokeExact(2, 3)).isEqualTo(5);
            });
        }
    }

    // ---- B5 ------------------------------------------------------------------------------------------------------

    /** Checks B5: unknown symbols are reported, not guessed. */
    static void unknownSymbolsAreReported(BackendUnderTest contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin plugin = step(B5, "loading arith.ll", () -> context.load(ModuleSource.ir("arith.ll",
                     Compiled.ARITHMETIC)))) {
            Throwable missing = thrown(() -> plugin.function("subtract", IntBinaryOperator.class));
            check(B5, "asking arith.ll for a function 'subtract' it does not export", () -> assertThat(missing)
                    .isInstanceOfSatisfying(UnknownSymbolException.class,
                            e -> assertThat(e.symbol()).isEqualTo("subtract"))
                    .hasMessageContaining("subtract")
                    .hasMessageContaining("arith.ll"));
            Throwable missingHandle = thrown(() -> plugin.function("subtract",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)));
            check(B5, "asking for a method handle of 'subtract'",
                    () -> assertThat(missingHandle).isInstanceOf(UnknownSymbolException.class));
            check(B5, "address() of a symbol it does not export, and of its internal helper", () -> {
                assertThat(plugin.address("subtract")).isEmpty();
                assertThat(plugin.address("multiply_helper")).isEmpty();
            });
        }
    }

    private BackendFormatsChecks() {
    }
}
