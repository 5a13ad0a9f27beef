package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.Signature;
import io.predicator.spi.SymbolResolver;
import io.predicator.fixtures.ArchiveMember;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.fixtures.PluginSources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.IntBinaryOperator;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fixtures are what they claim: the generated IR imports what the contracts rely on it to import. */
class FixturesTests {
    private final JitContext context = JitContext.builder().resolver(SymbolResolver.none()).build();

    @AfterEach
    void closeContext() {
        context.close();
    }

    @Test
    void compilerHelperFixtureNeedsEveryHelperTheCapabilityPromises() {
        ModuleInfo info = context.inspect(ModuleSource.ir("compiler-helpers.ll", PluginSources.compilerHelpers()));

        assertThat(info.imports()).containsExactlyInAnyOrder("memcpy", "memmove", "memset", "memcmp", "bcmp",
                "__udivti3", "__umodti3");
    }

    @Test
    void importersImportExactlyTheSymbolEvenWithAnAwkwardName() {
        String awkward = "odd \"name\"\\with\tbytes";
        ModuleInfo function = context.inspect(ModuleSource.ir("f.ll", PluginSources.functionImporter(awkward,
                Signature.parse("i64(ptr, ...)"))));
        ModuleInfo data = context.inspect(ModuleSource.ir("d.ll", PluginSources.dataImporter(awkward)));

        assertThat(function.imports()).containsExactly(awkward);
        assertThat(data.imports()).containsExactly(awkward);
        assertThat(function.functions()).extracting(f -> f.name())
                .containsExactly(PluginSources.ADDRESS_OF_IMPORT, PluginSources.CALL_IMPORT);
    }

    @Test
    void callImporterPassesItsArgumentsThrough() throws Throwable {
        SymbolResolver libc = new SymbolResolver() {
            @Override
            public String id() {
                return "strlen-only";
            }

            @Override
            public java.util.Optional<MemorySegment> resolve(String symbol) {
                return symbol.equals("strlen")
                        ? java.lang.foreign.Linker.nativeLinker().defaultLookup().find("strlen")
                        : java.util.Optional.empty();
            }
        };
        try (JitContext withLibc = JitContext.builder().resolver(libc).build();
             Plugin plugin = withLibc.load(ModuleSource.ir("strlen.ll",
                     PluginSources.functionImporter("strlen", Signature.parse("i64(ptr)"))));
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            long length = (long) plugin.function(PluginSources.CALL_IMPORT, FunctionDescriptor.of(JAVA_LONG, ADDRESS))
                    .invokeExact(arena.allocateFrom("predicator"));
            assertThat(length).isEqualTo(10);
        }
    }

    @Test
    void compilesEveryFormatTheBackendContractNeeds() {
        String ir = PluginSources.arithmetic();
        byte[] bitcode = FixtureCompiler.bitcode(ir);
        byte[] object = FixtureCompiler.object(ir);

        assertThat(bitcode).startsWith('B', 'C', 0xC0, 0xDE);
        assertThat(FixtureCompiler.wrapBitcode(bitcode)).startsWith(0xDE, 0xC0, 0x17, 0x0B);
        assertThat(object).startsWith(0x7F, 'E', 'L', 'F');
        assertThat(FixtureCompiler.aarch64Object(ir)).startsWith(0x7F, 'E', 'L', 'F');
        byte[] archive = FixtureCompiler.archive(true, new ArchiveMember("arith.o", object, List.of("add", "mul", "sub")));
        assertThat(ModuleSource.of("a.a", archive).format()).isEqualTo(ModuleFormat.ARCHIVE);
        try (Plugin plugin = context.load(ModuleSource.of("arith.a", archive))) {
            assertThat(plugin.function("mul", IntBinaryOperator.class).applyAsInt(6, 7)).isEqualTo(42);
        }
    }

    @Test
    void badFixtureIrIsReportedNotCrashed() {
        assertThatThrownBy(() -> FixtureCompiler.bitcode(PluginSources.syntaxError()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not parse");
        assertThatThrownBy(() -> FixtureCompiler.object(PluginSources.notVerifying()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not verify");
        assertThat(FixtureCompiler.bitcode(PluginSources.notVerifying())).startsWith('B', 'C', 0xC0, 0xDE);
    }
}
