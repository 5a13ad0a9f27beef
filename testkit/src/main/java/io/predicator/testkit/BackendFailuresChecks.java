package io.predicator.testkit;

import io.predicator.ConfigurationException;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PolicyViolationException;
import io.predicator.UnsupportedModuleException;
import io.predicator.fixtures.ArchiveMember;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.BackendSupport.Compiled;
import org.junit.jupiter.api.DynamicTest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.predicator.testkit.BackendCapability.FORMAT_ARCHIVE;
import static io.predicator.testkit.BackendCapability.FORMAT_BITCODE;
import static io.predicator.testkit.BackendCapability.FORMAT_IR_TEXT;
import static io.predicator.testkit.BackendCapability.FORMAT_OBJECT;
import static io.predicator.testkit.BackendRequirement.B10;
import static io.predicator.testkit.BackendRequirement.B12;
import static io.predicator.testkit.BackendRequirement.B15;
import static io.predicator.testkit.BackendRequirement.B16;
import static io.predicator.testkit.internal.BackendSupport.capabilities;
import static io.predicator.testkit.internal.BackendSupport.context;
import static io.predicator.testkit.internal.BackendSupport.stillUsable;
import static io.predicator.testkit.internal.BackendSupport.thrown;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.check;
import static io.predicator.testkit.internal.Verdicts.step;
import static org.assertj.core.api.Assertions.assertThat;

/** The checks of {@link BackendFailuresContract}: bad input, refused content and a context that stays usable. */
final class BackendFailuresChecks {
    // ---- B10, B12 ------------------------------------------------------------------------------------------------

    private static final byte[] BITCODE_MAGIC = {'B', 'C', (byte) 0xC0, (byte) 0xDE};
    private static final byte[] WRAPPER_MAGIC = {(byte) 0xDE, (byte) 0xC0, 0x17, 0x0B};
    private static final byte[] ELF_MAGIC = {0x7F, 'E', 'L', 'F'};
    private static final byte[] ARCHIVE_MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);

    /** Checks B10 and B12, one dynamic test per kind of bad input. */
    static Stream<DynamicTest> badInputGivesTypedException(BackendUnderTest contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(malformed(contract, "random bytes", () -> {
            Random random = new Random(0x5EED);
            List<Supplier<ModuleSource>> sources = new ArrayList<>();
            for (int size : new int[] {1, 17, 1000, 65_536}) {
                byte[] bytes = new byte[size];
                random.nextBytes(bytes);
                sources.add(() -> ModuleSource.of("random-" + size + ".bin", bytes));
            }
            return sources;
        }));
        List<byte[]> magics = new ArrayList<>();
        if (capabilities.contains(FORMAT_BITCODE)) {
            magics.add(BITCODE_MAGIC);
            magics.add(WRAPPER_MAGIC);
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            magics.add(ELF_MAGIC);
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            magics.add(ARCHIVE_MAGIC);
        }
        if (!magics.isEmpty()) {
            tests.add(malformed(contract, "random bytes behind a magic number", () -> {
                Random random = new Random(0xBAD);
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                for (byte[] magic : magics) {
                    for (int size : new int[] {0, 16, 61, 4096}) {
                        byte[] bytes = Arrays.copyOf(magic, magic.length + size);
                        byte[] tail = new byte[size];
                        random.nextBytes(tail);
                        System.arraycopy(tail, 0, bytes, magic.length, size);
                        sources.add(() -> ModuleSource.of("magic-" + (magic[0] & 0xFF) + "-" + size, bytes));
                    }
                }
                return sources;
            }));
        }
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(DynamicTest.dynamicTest("IR with a syntax error", () -> refusesOne(contract,
                    ModuleSource.ir("syntax_error.ll", PluginSources.syntaxError()), ":3:")));
            tests.add(DynamicTest.dynamicTest("IR that does not verify", () -> refusesOne(contract,
                    ModuleSource.ir("not_dominating.ll", PluginSources.notVerifying()), null)));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(malformed(contract, "truncated bitcode", () -> {
                byte[] bitcode = Compiled.ARITHMETIC_BITCODE;
                byte[] wrapped = FixtureCompiler.wrapBitcode(bitcode);
                int size = bitcode.length;
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                for (int length : new int[] {4, 5, 12, 32, size / 2 + 1, size - 1}) {
                    sources.add(() -> ModuleSource.of("arith-" + length + ".bc", Arrays.copyOf(bitcode, length)));
                }
                for (int length : new int[] {12, 24, wrapped.length - 4}) {
                    sources.add(() -> ModuleSource.of("wrapped-" + length + ".bc", Arrays.copyOf(wrapped, length)));
                }
                byte[] lying = wrapped.clone();
                ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(12, lying.length * 2);
                sources.add(() -> ModuleSource.of("lying-wrapper.bc", lying));
                return sources;
            }));
            tests.add(DynamicTest.dynamicTest("bitcode that does not verify", () -> refusesOne(contract,
                    ModuleSource.of("not_dominating.bc", FixtureCompiler.bitcode(PluginSources.notVerifying())), null)));
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            tests.add(DynamicTest.dynamicTest("an object for aarch64", () -> refusesOne(contract,
                    ModuleSource.of("arith-arm.o", FixtureCompiler.aarch64Object(Compiled.ARITHMETIC)), null)));
            tests.add(malformed(contract, "truncated objects", () -> {
                byte[] object = Compiled.ARITHMETIC_OBJECT;
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                for (int length : new int[] {4, 16, 63, 64, object.length / 2, object.length - 1}) {
                    sources.add(() -> ModuleSource.of("arith-" + length + ".o", Arrays.copyOf(object, length)));
                }
                return sources;
            }));
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            tests.add(malformed(contract, "damaged archives", () -> {
                byte[] garbage = new byte[200];
                new Random(7).nextBytes(garbage);
                byte[] junk = FixtureCompiler.archive(false, new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT),
                        new ArchiveMember("junk.o", garbage));
                byte[] archive = FixtureCompiler.archive(true, new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT,
                        List.of("add", "mul", "sub")));
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                sources.add(() -> ModuleSource.of("junk.a", junk));
                for (int length : new int[] {9, 8 + 60 + 10, archive.length / 2, archive.length - 2}) {
                    sources.add(() -> ModuleSource.of("arith-" + length + ".a", Arrays.copyOf(archive, length)));
                }
                return sources;
            }));
        }
        return tests.stream();
    }

    private static DynamicTest malformed(BackendUnderTest contract, String what,
                                         Supplier<List<Supplier<ModuleSource>>> sources) {
        return DynamicTest.dynamicTest(what, () -> {
            try (JitContext context = context(contract, SymbolResolver.compilerSupport());
                 Plugin steady = step(B12, "loading a good plugin before the bad input",
                         () -> context.load(ModuleSource.ir("steady.ll", PluginSources.constant(99))))) {
                for (Supplier<ModuleSource> source : sources.get()) {
                    refuses(context, source, null);
                    stillUsable(context, steady);
                }
            }
        });
    }

    private static void refusesOne(BackendUnderTest contract, ModuleSource source, String messagePart) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin steady = step(B12, "loading a good plugin before the bad input",
                     () -> context.load(ModuleSource.ir("steady.ll", PluginSources.constant(99))))) {
            refuses(context, () -> source, messagePart);
            stillUsable(context, steady);
        }
    }

    /** Creates the source (detection may already refuse it) and loads it: either must throw a typed exception. */
    private static void refuses(JitContext context, Supplier<ModuleSource> source, String messagePart) {
        String[] name = {"?"};
        Plugin[] loaded = {null};
        Throwable thrown = thrown(() -> {
            ModuleSource module = source.get();
            name[0] = module.name();
            loaded[0] = context.load(module);
        });
        if (loaded[0] != null) {
            loaded[0].close();
            throw broken(B10, "bad input " + name[0] + " loaded as a plugin");
        }
        check(B10, "loading bad input " + name[0], () -> {
            assertThat(thrown).isInstanceOf(MalformedModuleException.class);
            if (!name[0].equals("?")) {
                assertThat(thrown.getMessage()).as("the message names the source").contains(name[0]);
            }
            if (messagePart != null) {
                assertThat(thrown.getMessage()).contains(messagePart);
            }
        });
    }

    // ---- B15, B16 -----------------------------------------------------------------------------------------------

    /** Inline assembly that does nothing, so that it runs on any target once allowed. */
    private static final String INLINE_ASSEMBLY = """
            define i32 @value() {
              call void asm sideeffect "", ""()
              ret i32 7
            }
            """;

    /** A global aligned to a gibibyte: valid IR, but no JIT can place it without reserving that much. */
    private static final String OVER_ALIGNED = """
            @aligned = global i32 7, align 1073741824
            define i32 @value() {
              %v = load i32, ptr @aligned
              ret i32 %v
            }
            """;

    /** Checks B15 (and B12): inline assembly is refused by default and loads when trusted, or the option is refused. */
    static void policyViolationsAreTyped(BackendUnderTest contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin steady = step(B12, "loading a good plugin before the refused one",
                     () -> context.load(ModuleSource.ir("steady.ll", PluginSources.constant(99))))) {
            refusedAs(B15, context, ModuleSource.ir("inline_asm.ll", INLINE_ASSEMBLY), PolicyViolationException.class);
            stillUsable(context, steady);
            Plugin allowed;
            try {
                allowed = context.load(ModuleSource.ir("inline_asm.ll", INLINE_ASSEMBLY),
                        LoadOptions.builder().trustInlineAssembly(true).build());
            } catch (ConfigurationException refused) {
                check(B15, "refusing the option trustInlineAssembly", () -> assertThat(refused.getMessage())
                        .as("the refusal names the option").contains("trustInlineAssembly"));
                return;
            } catch (RuntimeException | Error e) {
                throw broken(B15, "loading inline_asm.ll with trustInlineAssembly(true) threw " + e, e);
            }
            try (Plugin trusted = allowed) {
                check(B15, "calling value() of inline_asm.ll loaded with trustInlineAssembly(true)",
                        () -> assertThat(trusted.function("value", IntSupplier.class).getAsInt()).isEqualTo(7));
            }
        }
    }

    /** Checks B16 (and B12): a module whose shape the backend cannot support is refused with its own type. */
    static void unsupportedModulesAreTyped(BackendUnderTest contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin steady = step(B12, "loading a good plugin before the refused one",
                     () -> context.load(ModuleSource.ir("steady.ll", PluginSources.constant(99))))) {
            refusedAs(B16, context, ModuleSource.ir("over_aligned.ll", OVER_ALIGNED), UnsupportedModuleException.class);
            stillUsable(context, steady);
        }
    }

    /** Loads the source, which must fail with the type, naming the source, and leave no plugin behind. */
    private static void refusedAs(Requirement requirement, JitContext context, ModuleSource source,
                                  Class<? extends JitException> type) {
        Plugin[] loaded = {null};
        Throwable thrown = thrown(() -> loaded[0] = context.load(source));
        if (loaded[0] != null) {
            loaded[0].close();
            throw broken(requirement, source.name() + " loaded as a plugin");
        }
        check(requirement, "loading " + source.name(), () -> {
            assertThat(thrown).isInstanceOf(type);
            assertThat(thrown.getMessage()).as("the message names the source").contains(source.name());
        });
    }

    private BackendFailuresChecks() {
    }
}
