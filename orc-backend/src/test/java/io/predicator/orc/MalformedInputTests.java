package io.predicator.orc;

import io.predicator.fixtures.ArchiveMember;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.UnsupportedModuleException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

import static io.predicator.orc.TestModules.ARITH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Damaged or unsupported input fails with the documented exception type, never crashes the JVM, and leaves the
 * context able to load a good plugin right afterwards. One context serves the whole class, so every failure below
 * happens in the context that later tests still use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedInputTests {
    private static final byte[] BITCODE_MAGIC = {'B', 'C', (byte) 0xC0, (byte) 0xDE};
    private static final byte[] WRAPPER_MAGIC = {(byte) 0xDE, (byte) 0xC0, 0x17, 0x0B};
    private static final byte[] ELF_MAGIC = {0x7F, 'E', 'L', 'F'};
    private static final byte[] ARCHIVE_MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);

    private JitContext context;
    private byte[] arithBitcode;
    private byte[] arithObject;

    @BeforeAll
    void createContext() {
        context = JitContext.builder().build();
        arithBitcode = TestModules.bitcode(TestModules.irText(ARITH));
        arithObject = TestModules.object(TestModules.irText(ARITH));
    }

    @AfterAll
    void closeContext() {
        context.close();
    }

    @AfterEach
    void contextStillLoadsAGoodPlugin() {
        assertThat(context.isClosed()).isFalse();
        assertThat(context.plugins()).as("failed loads leave no plugin behind").isEmpty();
        try (Plugin good = context.load(TestModules.ir(ARITH));
             Plugin goodObject = context.load(ModuleSource.of("arith.o", arithObject))) {
            assertThat(good.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
            assertThat(goodObject.function("mul", IntBinaryOperator.class).applyAsInt(6, 7)).isEqualTo(42);
        }
        assertThat(context.plugins()).isEmpty();
    }

    @Test
    void emptyContentIsMalformed() {
        assertThatThrownBy(() -> ModuleSource.of("empty.bin", new byte[0]))
                .isInstanceOfSatisfying(MalformedModuleException.class,
                        e -> assertThat(e.sourceName()).isEqualTo("empty.bin"))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> ModuleSource.ir("empty.ll", "")).isInstanceOf(MalformedModuleException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 64, 1000, 65_536})
    void randomBytesAreMalformed(int size) {
        Random random = new Random(0x5EED + size);
        for (int attempt = 0; attempt < 5; attempt++) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            String name = "random-" + size + "-" + attempt + ".bin";

            assertThatThrownBy(() -> loadAndClose(ModuleSource.of(name, bytes)))
                    .isInstanceOfSatisfying(MalformedModuleException.class,
                            e -> assertThat(e.sourceName()).isEqualTo(name));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 16, 60, 61, 300, 4096})
    void randomBytesBehindEachMagicNumberAreMalformed(int size) {
        Random random = new Random(0xBAD + size);
        for (byte[] magic : List.of(BITCODE_MAGIC, WRAPPER_MAGIC, ELF_MAGIC, ARCHIVE_MAGIC)) {
            byte[] bytes = Arrays.copyOf(magic, magic.length + size);
            byte[] tail = new byte[size];
            random.nextBytes(tail);
            System.arraycopy(tail, 0, bytes, magic.length, size);
            ModuleSource source = ModuleSource.of("magic-" + (magic[0] & 0xFF) + "-" + size, bytes);

            assertThatThrownBy(() -> loadAndClose(source))
                    .as("%s", source)
                    .isInstanceOf(MalformedModuleException.class)
                    .hasMessageContaining(source.name());
        }
    }

    @Test
    void truncatedBitcodeIsMalformed() {
        int size = arithBitcode.length;
        int[] lengths = {4, 5, 8, 12, 21, 32, size / 4, (size / 2) & ~3, size / 2 + 1, (size * 3 / 4) | 1, size - 1};
        for (int length : lengths) {
            ModuleSource source = ModuleSource.of("arith-" + length + ".bc", TestModules.truncate(arithBitcode, length));

            assertThatThrownBy(() -> loadAndClose(source))
                    .as("bitcode cut to %d of %d bytes", length, size)
                    .isInstanceOf(MalformedModuleException.class)
                    .hasMessageContaining(source.name());
        }
    }

    @Test
    void truncatedWrappedBitcodeIsMalformed() {
        byte[] wrapped = TestModules.wrapBitcode(arithBitcode);
        for (int length : new int[] {4, 12, 20, 24, wrapped.length / 2, wrapped.length - 4}) {
            ModuleSource source = ModuleSource.of("wrapped-" + length + ".bc", TestModules.truncate(wrapped, length));

            assertThatThrownBy(() -> loadAndClose(source))
                    .as("wrapped bitcode cut to %d of %d bytes", length, wrapped.length)
                    .isInstanceOf(MalformedModuleException.class);
        }
    }

    @Test
    void wrapperHeaderPointingOutsideTheFileIsMalformed() {
        byte[] wrapped = TestModules.wrapBitcode(arithBitcode);
        ByteBuffer.wrap(wrapped).order(ByteOrder.LITTLE_ENDIAN).putInt(12, wrapped.length * 2);

        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("lying-wrapper.bc", wrapped)))
                .isInstanceOf(MalformedModuleException.class);
    }

    @Test
    void bitFlippedBitcodeFailsCleanlyOrLoads() {
        byte[] original = TestModules.bitcode(TestModules.irText("types.ll"));
        Random random = new Random(0xF11);
        int loaded = 0;
        for (int variant = 0; variant < 40; variant++) {
            byte[] damaged = original.clone();
            int flips = 1 + variant % 4;
            for (int flip = 0; flip < flips; flip++) {
                int position = original.length / 4 + random.nextInt(original.length / 2);
                damaged[position] ^= (byte) (1 << random.nextInt(8));
            }
            ModuleSource source = ModuleSource.of("flipped-" + variant + ".bc", damaged);

            Throwable thrown = catchThrowable(() -> loadAndClose(source));

            if (thrown == null) {
                loaded++;
            } else {
                assertThat(thrown).as("%s", source).isInstanceOf(JitException.class);
            }
        }
        assertThat(loaded).as("most damaged modules are refused").isLessThan(40);
    }

    @Test
    void irSyntaxErrorNamesTheSourceAndLine() {
        ModuleSource source = TestModules.ir("syntax_error.ll");

        assertThatThrownBy(() -> loadAndClose(source))
                .isInstanceOfSatisfying(MalformedModuleException.class,
                        e -> assertThat(e.sourceName()).isEqualTo("syntax_error.ll"))
                .hasMessageContaining("syntax_error.ll")
                .hasMessageContaining(":3:")
                .hasMessageContaining("expected");
    }

    @Test
    void irSyntaxErrorIsReportedByInspectToo() {
        assertThatThrownBy(() -> context.inspect(TestModules.ir("syntax_error.ll")))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining(":3:");
    }

    @Test
    void blockWithoutTerminatorIsMalformed() {
        assertThatThrownBy(() -> loadAndClose(TestModules.ir("no_terminator.ll")))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("no_terminator.ll");
    }

    @Test
    void returnOfTheWrongTypeIsMalformed() {
        assertThatThrownBy(() -> loadAndClose(TestModules.ir("wrong_return.ll")))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("wrong_return.ll");
    }

    @Test
    void irThatParsesButDoesNotVerifyIsMalformed() {
        assertThatThrownBy(() -> loadAndClose(TestModules.ir("not_dominating.ll")))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("not_dominating.ll")
                .hasMessageContaining("dominate");
    }

    @Test
    void bitcodeThatDoesNotVerifyIsMalformed() {
        // LLVM reads IR and bitcode without verifying (the fixture writer does not verify either).
        byte[] bitcode = TestModules.bitcode(TestModules.irText("not_dominating.ll"));

        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("not_dominating.bc", bitcode)))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("dominate");
    }

    @Test
    void objectForAnotherArchitectureIsMalformed() {
        byte[] object = TestModules.aarch64Object(TestModules.irText(ARITH));
        ModuleSource source = ModuleSource.of("arith-arm.o", object);
        assertThat(source.format()).isEqualTo(ModuleFormat.OBJECT);

        assertThatThrownBy(() -> loadAndClose(source))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("arith-arm.o")
                .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("aarch64"));
    }

    @Test
    void archiveWithAnObjectForAnotherArchitectureIsMalformed() {
        byte[] archive = TestModules.archive(false,
                new ArchiveMember("arith.o", arithObject),
                new ArchiveMember("arm.o", TestModules.aarch64Object(TestModules.valueIr(1))));

        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("mixed.a", archive)))
                .isInstanceOf(MalformedModuleException.class)
                .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("aarch64"));
    }

    @Test
    void truncatedObjectIsMalformed() {
        for (int length : new int[] {4, 16, 63, 64, arithObject.length / 2, arithObject.length - 1}) {
            ModuleSource source = ModuleSource.of("arith-" + length + ".o", TestModules.truncate(arithObject, length));

            assertThatThrownBy(() -> loadAndClose(source))
                    .as("object cut to %d of %d bytes", length, arithObject.length)
                    .isInstanceOf(MalformedModuleException.class)
                    .hasMessageContaining(source.name());
        }
    }

    @Test
    void archiveWithAGarbageMemberIsMalformed() {
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);
        byte[] archive = TestModules.archive(false, new ArchiveMember("arith.o", arithObject), new ArchiveMember("junk.o", garbage));

        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("junk.a", archive)))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("junk.a");
    }

    @Test
    void archiveWithATextMemberIsMalformed() {
        byte[] archive = TestModules.archive(false, new ArchiveMember("arith.o", arithObject),
                new ArchiveMember("README", "not an object\n".getBytes(StandardCharsets.US_ASCII)));

        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("readme.a", archive)))
                .isInstanceOf(MalformedModuleException.class);
    }

    @Test
    void truncatedArchiveIsMalformed() {
        byte[] archive = TestModules.archive(true, new ArchiveMember("arith.o", arithObject, List.of("add", "mul", "sub")));
        for (int length : new int[] {9, 30, 8 + 60 + 10, archive.length / 2, archive.length - 2}) {
            ModuleSource source = ModuleSource.of("arith-" + length + ".a", TestModules.truncate(archive, length));

            assertThatThrownBy(() -> loadAndClose(source))
                    .as("archive cut to %d of %d bytes", length, archive.length)
                    .isInstanceOf(MalformedModuleException.class);
        }
    }

    @Test
    void archiveMemberHeaderWithBadSizeIsMalformed() {
        byte[] archive = TestModules.archive(false, new ArchiveMember("arith.o", arithObject));
        byte[] badSize = "12x4      ".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(badSize, 0, archive, 8 + 48, badSize.length);

        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("bad-size.a", archive)))
                .isInstanceOf(MalformedModuleException.class);
    }

    @Test
    void threadLocalVariablesAreUnsupported() {
        assertThatThrownBy(() -> loadAndClose(TestModules.ir("thread_local.ll")))
                .isInstanceOfSatisfying(UnsupportedModuleException.class,
                        e -> assertThat(e.sourceName()).isEqualTo("thread_local.ll"))
                .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("thread"));
        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("thread_local.bc",
                TestModules.bitcode(TestModules.irText("thread_local.ll")))))
                .isInstanceOf(UnsupportedModuleException.class);
        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("thread_local.o",
                TestModules.object(TestModules.irText("thread_local.ll")))))
                .isInstanceOf(UnsupportedModuleException.class)
                .hasMessageContaining("thread_local.o");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void staticConstructorsAreUnsupported(int optimizationLevel) {
        LoadOptions options = LoadOptions.builder().optimizationLevel(optimizationLevel).build();

        assertThatThrownBy(() -> loadAndClose(TestModules.ir("global_ctors.ll"), options))
                .isInstanceOf(UnsupportedModuleException.class)
                .hasMessageContaining("global_ctors.ll")
                .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("constructor", "global_ctors"));
    }

    @Test
    void staticConstructorsInObjectsAreUnsupported() {
        byte[] object = TestModules.object(TestModules.irText("global_ctors.ll"));

        assertThatThrownBy(() -> loadAndClose(ModuleSource.of("global_ctors.o", object)))
                .isInstanceOf(UnsupportedModuleException.class)
                .hasMessageContaining("global_ctors.o");
    }

    @Test
    void goodPluginStillWorksWhileBadOnesFail() {
        try (Plugin good = context.load(ModuleSource.ir("steady.ll", TestModules.valueIr(99)))) {
            IntSupplier value = good.function("value", IntSupplier.class);
            for (String bad : List.of("syntax_error.ll", "not_dominating.ll", "thread_local.ll", "global_ctors.ll")) {
                assertThatThrownBy(() -> loadAndClose(TestModules.ir(bad))).isInstanceOf(JitException.class);
                assertThat(value.getAsInt()).isEqualTo(99);
            }
            assertThat(context.plugins()).containsExactly(good);
        }
    }

    private void loadAndClose(ModuleSource source) {
        loadAndClose(source, LoadOptions.defaults());
    }

    private void loadAndClose(ModuleSource source, LoadOptions options) {
        try (Plugin plugin = context.load(source, options)) {
            assertThat(plugin.isClosed()).isFalse();
        }
    }
}
