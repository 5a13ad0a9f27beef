package io.predicator.orc;

import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.UnsupportedModuleException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Absurd sizes and shapes: enormous globals, alignments, integers, aggregates, nesting depths and damaged tables.
 * Each must load or fail with a {@link JitException}, and the context must keep working.
 *
 * <p>Each test is a minimal reproducer, found by {@link FuzzTests} and by hand, of an input that killed the JVM,
 * hung it or exhausted its memory inside LLVM before the backend guarded it: checks before LLVM sees the module, or
 * for what LLVM cannot survive, compiling it in a compile worker unless the load trusts it. Measurements: 2-core machine, JDK 25, LLVM 20.1.7, surefire's 4 MiB thread stacks unless stated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathologicalInputTests {
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);

    private JitContext context;

    @BeforeAll
    void createContext() {
        context = JitContext.builder().build();
    }

    @AfterAll
    void closeContext() {
        context.close();
    }

    @AfterEach
    void contextStillWorks() {
        assertThat(context.plugins()).isEmpty();
        try (Plugin good = context.load(TestModules.ir(TestModules.ARITH))) {
            assertThat(good.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
        }
    }

    @Test
    void zeroFilledGlobalOfATerabyteIsUnsupported() {
        String ir = """
                @g = global [1000000000000 x i8] zeroinitializer
                define ptr @get() {
                  ret ptr @g
                }
                """;

        assertThatThrownBy(() -> loadAndClose("terabyte.ll", ir))
                .isInstanceOf(UnsupportedModuleException.class)
                .hasMessageContaining("terabyte.ll");
    }

    /**
     * {@code inalloca} is part of 32-bit Windows' C++ ABI; the verifier accepts it anywhere, but the code generated
     * for x86-64 crashed the process when called.
     */
    @Test
    void inallocaArgumentsAreUnsupported() {
        String ir = """
                %A = type { i64, i64 }
                declare ptr @llvm.stacksave.p0()
                declare void @llvm.stackrestore.p0(ptr)
                define internal i64 @callee(ptr inalloca(%A) %p) noinline {
                  %q = getelementptr %A, ptr %p, i32 0, i32 1
                  %v = load i64, ptr %q
                  ret i64 %v
                }
                define i64 @caller() {
                  %m = call ptr @llvm.stacksave.p0()
                  %x = alloca inalloca %A
                  %f = getelementptr %A, ptr %x, i32 0, i32 1
                  store i64 11, ptr %f
                  %r = call i64 @callee(ptr inalloca(%A) %x)
                  call void @llvm.stackrestore.p0(ptr %m)
                  ret i64 %r
                }
                """;
        for (int level : new int[] {0, 2}) {
            assertThatThrownBy(() -> {
                try (Plugin plugin = context.load(ModuleSource.ir("inalloca.ll", ir),
                        LoadOptions.builder().optimizationLevel(level).build())) {
                    plugin.function("caller", LongSupplier.class).getAsLong();
                }
            }).isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("inalloca.ll")
                    .hasMessageContaining("'callee'")
                    .hasMessageContaining("inalloca");
        }
        String indirect = """
                %A = type { i64, i64 }
                define i64 @call_through(ptr %callee) {
                  %x = alloca inalloca %A
                  %r = call i64 %callee(ptr inalloca(%A) %x)
                  ret i64 %r
                }
                """;
        assertThatThrownBy(() -> context.load(ModuleSource.ir("indirect.ll", indirect)))
                .as("an indirect call declares inalloca only at the call")
                .isInstanceOf(UnsupportedModuleException.class)
                .hasMessageContaining("function 'call_through' passes an inalloca argument");
    }

    /** The verifier accepts appending linkage on any array; the code generator aborted the process on this one. */
    @Test
    void appendingArraysOfThePluginsOwnAreUnsupported() {
        assertThatThrownBy(() -> loadAndClose("appending.ll", TestModules.APPENDING_ARRAY))
                .isInstanceOf(UnsupportedModuleException.class)
                .hasMessageContaining("appending.ll")
                .hasMessageContaining("'listed' has appending linkage");
        try (Plugin plugin = context.load(ModuleSource.ir("fine.ll", "define i32 @seven() {\n  ret i32 7\n}\n"))) {
            assertThat(plugin.function("seven", IntSupplier.class).getAsInt()).as("the context stays usable")
                    .isEqualTo(7);
        }
    }

    @Test
    void zeroFilledGlobalOf64MebibytesLoads() {
        String ir = """
                @g = global [67108864 x i8] zeroinitializer
                define ptr @get() {
                  ret ptr @g
                }
                """;
        try (Plugin plugin = context.load(ModuleSource.ir("big-bss.ll", ir))) {
            assertThat(plugin.address("g")).hasValueSatisfying(segment ->
                    assertThat(segment.byteSize()).isEqualTo(64L << 20));
        }
    }

    @Test
    void alignmentBeyondWhatLlvmSupportsIsMalformed() {
        String ir = """
                @g = global i8 1, align 8589934592
                """;

        assertThatThrownBy(() -> loadAndClose("align.ll", ir))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("align");
    }

    @Test
    void terabyteStackFrameCompilesWithoutBeingCalled() {
        String ir = """
                define i32 @f(i64 %i) {
                  %p = alloca [1000000000000 x i8]
                  %q = getelementptr [1000000000000 x i8], ptr %p, i64 0, i64 %i
                  store i8 1, ptr %q
                  %v = load i8, ptr %q
                  %r = zext i8 %v to i32
                  ret i32 %r
                }
                """;
        try (Plugin plugin = context.load(ModuleSource.ir("stack.ll", ir))) {
            assertThat(plugin.address("f")).isPresent();
        }
    }

    @Test
    void megabyteSymbolNameLoadsAndIsCallable() {
        String name = "f".repeat(1 << 20);
        try (Plugin plugin = context.load(ModuleSource.ir("long-name.ll",
                "define i32 @" + name + "() {\n  ret i32 7\n}\n"))) {
            assertThat(plugin.function(name, IntSupplier.class).getAsInt()).isEqualTo(7);
        }
    }

    @Test
    void moderatelyNestedTypesAndConstantsLoad() {
        Throwable thrown = catchThrowable(() -> loadAndClose("nested-200.ll", nestedTypes(200)));
        assertThat(thrown).isNull();
        thrown = catchThrowable(() -> loadAndClose("constants-200.ll", nestedConstants(200)));
        assertThat(thrown).isNull();
    }

    @Test
    void deeplyNestedConstantExpressionsInIrText() {
        assertLoadsOrIsRefused("constants-20000.ll", nestedConstants(20_000));
    }

    @Test
    void deeplyNestedTypesInIrText() {
        assertLoadsOrIsRefused("types-100000.ll", nestedTypes(100_000));
    }

    @Test
    void deeplyNestedTypesInBitcode() throws Exception {
        byte[] bitcode = onBigStack(() -> TestModules.bitcode(nestedTypes(100_000)));
        assertLoadsOrIsRefused(ModuleSource.bitcode("types-100000.bc", bitcode));
    }

    @Test
    void aggregateOf65536ElementsAsAValue() {
        assertLoadsOrIsRefused("aggregate.ll", """
                define [65536 x i8] @f(ptr %p) {
                  %v = load [65536 x i8], ptr %p
                  ret [65536 x i8] %v
                }
                """);
    }

    /*
     * Damaged bitcode that crashes LLVM's bitcode reader itself, found by FuzzTests' bit flips (about 3 native crashes
     * per 1,000 random 1-8 bit flips of the fixtures). In-process, each kills the JVM; untrusted (the default), the
     * bitcode is compiled in a compile worker, whose death refuses it. Measured on LLVM 20.1.7.
     */

    /** Parameter-attribute group index 0xDFFFFFFF (memops.ll, one bit flipped): the reader aborts, out of memory. */
    @Test
    void untrustedBitcodeWithAHugeAttributeGroupIndexIsRefused() {
        assertRefusedAsUntrusted("attribute-group-index-oom.bc", "out of memory");
    }

    /** Attribute index 0xFFFFFFFE wraps to an empty array written out of bounds (SIGSEGV in AttributeList::get). */
    @Test
    void untrustedBitcodeWithAnAttributeIndexThatWrapsIsRefused() {
        assertRefusedAsUntrusted("attribute-group-index-segv.bc", "SIGSEGV");
    }

    /**
     * data.ll's bitcode with a bit flipped in a BLOCKINFO abbreviation (byte 76): in-process, constants are read with
     * the wrong layout (SIGSEGV in ArrayType::get).
     */
    @Test
    void untrustedBitcodeWithAFlippedAbbreviationBitIsRefused() {
        assertRefusedAsUntrusted("abbreviation-array-type-segv.bc", "SIGSEGV");
    }

    /**
     * wait.ll's bitcode with byte 1272 flipped: an unknown block becomes a use-list block (SIGSEGV). Whether LLVM
     * crashes on it or reports an invalid record depends on the worker's memory layout; either way the refusal is
     * typed and this JVM never parsed the bitcode.
     */
    @Test
    void untrustedBitcodeWithAFlippedUseListBlockBitIsRefused() {
        assertThatThrownBy(() -> context.load(ModuleSource.bitcode("use-list-segv.bc", resource("use-list-segv.bc")),
                LoadOptions.defaults()))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("use-list-segv.bc")
                .hasMessageMatching("(?s).*(crashed on it: the compile worker ended.*SIGSEGV.*this JVM never read it"
                        + "|LLVM cannot parse it: .*Invalid record).*");
    }

    @Test
    void untrustedBitcodeThatIsIntactLoads() {
        LoadOptions untrusted = LoadOptions.defaults(); // input is untrusted unless trustInput(true)
        byte[] bitcode = TestModules.bitcode(TestModules.irText(TestModules.ARITH));
        try (Plugin plugin = context.load(ModuleSource.bitcode("arith.bc", bitcode), untrusted)) {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(40, 2)).isEqualTo(42);
        }
    }

    @Test
    void inspectingUntrustedBitcodeChecksItToo() {
        LoadOptions untrusted = LoadOptions.defaults(); // input is untrusted unless trustInput(true)
        assertThatThrownBy(() -> context.inspect(ModuleSource.bitcode("use-list-segv.bc", resource("use-list-segv.bc")),
                untrusted)).isInstanceOf(MalformedModuleException.class).hasMessageContaining("use-list-segv.bc")
                // Whether LLVM crashes on this input or reports it depends on the worker's memory layout; either
                // way this JVM gets a typed refusal and never read the bitcode itself.
                .hasMessageMatching("(?s).*(crashed|cannot parse it).*");
        byte[] bitcode = TestModules.bitcode(TestModules.irText(TestModules.ARITH));
        assertThat(context.inspect(ModuleSource.bitcode("arith.bc", bitcode), untrusted).functions())
                .extracting(ExportedFunction::name).contains("add");
    }

    private void assertRefusedAsUntrusted(String resource, String detail) {
        LoadOptions untrusted = LoadOptions.defaults(); // input is untrusted unless trustInput(true)
        assertThatThrownBy(() -> context.load(ModuleSource.bitcode(resource, resource(resource)), untrusted))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining(resource)
                .hasMessageContaining("compile worker")
                .hasMessageContaining("this JVM never read it")
                .hasMessageContaining(detail);
    }

    /**
     * The outside fuzz run's ELF reproducer: a relocation against symbol 0 while the string table's first byte is
     * not NUL crashed libLLVM while it formatted the error. Both break ELF's rules, and the Java reader now refuses
     * each.
     */
    @Test
    void aStringTableThatDoesNotStartWithNulIsRefused() {
        byte[] object = TestModules.object(TestModules.irText("wait.ll"));
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        long strtab = sectionOffset(elf, 3 /* SHT_STRTAB */, ".strtab");
        object[(int) strtab] = 'x';
        assertThatThrownBy(() -> loadAndClose(ModuleSource.object("strtab.o", object)))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("does not start with a NUL byte");
    }

    @Test
    void aSymbolZeroWithANameIsRefused() {
        byte[] object = TestModules.object(TestModules.irText("wait.ll"));
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        long symtab = sectionOffset(elf, 2 /* SHT_SYMTAB */, null);
        elf.putInt((int) symtab, 1); // st_name of symbol 0
        assertThatThrownBy(() -> loadAndClose(ModuleSource.object("symbol-zero.o", object)))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("symbol 0 of the symbol table is not all zeros");
        try (Plugin intact = context.load(ModuleSource.object("intact.o",
                TestModules.object(TestModules.irText("wait.ll"))))) {
            assertThat(intact.exports()).isNotEmpty();
        }
    }

    /** The file offset of the first section of a type (and name, if given). */
    private static long sectionOffset(ByteBuffer elf, int type, String name) {
        int table = Math.toIntExact(elf.getLong(40));
        int count = elf.getShort(60) & 0xFFFF;
        int names = table + 64 * (elf.getShort(62) & 0xFFFF);
        long namesOffset = elf.getLong(names + 24);
        for (int section = 1; section < count; section++) {
            int header = table + 64 * section;
            if (elf.getInt(header + 4) != type) {
                continue;
            }
            StringBuilder sectionName = new StringBuilder();
            for (int at = (int) namesOffset + elf.getInt(header); elf.get(at) != 0; at++) {
                sectionName.append((char) elf.get(at));
            }
            if (name == null || sectionName.toString().equals(name)) {
                return elf.getLong(header + 24);
            }
        }
        throw new IllegalStateException("the object has no section of type " + type + " named " + name);
    }

    /** A global that lands in .bss and a function whose relocations in .text patch loads and stores of it. */
    private static final String COUNTER = """
            @counter = global i32 0
            define i32 @bump(i32 %x) {
              %v = load i32, ptr @counter
              %s = add i32 %v, %x
              store i32 %s, ptr @counter
              ret i32 %s
            }
            """;

    @Test
    void relocationsRetargetedAtAZeroFillSectionAreRefusedBeforeJitLinkSeesThem() {
        // Found by hand: .rela.text pointed at .bss with a fixup 100 MB in crashed JITLink in-process (SIGSEGV in
        // optimizeGOTAndStubAccesses, reading the instruction bytes a zero-fill block does not have).
        byte[] object = TestModules.object(COUNTER);
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int relocations = sectionHeader(elf, 4 /* SHT_RELA */, ".rela.text");
        elf.putInt(relocations + 44, sectionIndex(elf, 8 /* SHT_NOBITS */, ".bss")); // sh_info
        elf.putLong(Math.toIntExact(elf.getLong(relocations + 24)), 100_000_000L); // r_offset of the first

        assertThatThrownBy(() -> loadAndClose(ModuleSource.object("bss-fixup.o", object)))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("relocation section .rela.text applies to section .bss, which has no contents");
    }

    @Test
    void aFixupThatReachesPastTheEndOfItsSectionIsMalformed() {
        byte[] object = TestModules.object(COUNTER);
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int relocations = sectionHeader(elf, 4 /* SHT_RELA */, ".rela.text");
        long textSize = elf.getLong(sectionHeader(elf, 1 /* SHT_PROGBITS */, ".text") + 32);
        elf.putLong(Math.toIntExact(elf.getLong(relocations + 24)), textSize - 2); // a 4-byte fixup, 2 bytes left

        assertThatThrownBy(() -> loadAndClose(ModuleSource.object("past-the-end.o", object)))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("bytes at offset " + (textSize - 2) + ", outside section .text");
    }

    @Test
    void aCommonSymbolWhoseSizeWrapsJitLinksLayoutIsRefused() {
        // Found by a search of mutated objects: a common symbol of 2^64 - 2048 bytes wrapped JITLink's segment sizes
        // to an empty allocation, which it then wrote .data into (SIGSEGV in memcpy). In-process that ended the JVM;
        // the default path's trial link in a compile worker contained it; the reader now refuses it by name.
        byte[] object = TestModules.object("@d = global [4 x i32] [i32 1, i32 2, i32 3, i32 4]\n"
                + "@cm = common global i32 0\n");
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int symbols = sectionHeader(elf, 2 /* SHT_SYMTAB */, ".symtab");
        int table = Math.toIntExact(elf.getLong(symbols + 24));
        long count = elf.getLong(symbols + 32) / 24;
        boolean patched = false;
        for (int symbol = 1; symbol < count && !patched; symbol++) {
            int entry = table + 24 * symbol;
            if ((elf.getShort(entry + 6) & 0xFFFF) == 0xFFF2) { // SHN_COMMON
                elf.putLong(entry + 16, -2048L);                 // st_size
                patched = true;
            }
        }
        assertThat(patched).as("the object has a common symbol").isTrue();

        assertThatThrownBy(() -> loadAndClose(ModuleSource.object("common.o", object)))
                .isInstanceOf(MalformedModuleException.class)
                .hasMessageContaining("common symbol")
                .hasMessageContaining("('cm') asks for 18446744073709549568 bytes of zeroed memory");
    }

    /** The index of the first section of a type and name. */
    private static int sectionIndex(ByteBuffer elf, int type, String name) {
        return (sectionHeader(elf, type, name) - Math.toIntExact(elf.getLong(40))) / 64;
    }

    /** The file offset of the header of the first section of a type and name. */
    private static int sectionHeader(ByteBuffer elf, int type, String name) {
        int table = Math.toIntExact(elf.getLong(40));
        int count = elf.getShort(60) & 0xFFFF;
        long namesOffset = elf.getLong(table + 64 * (elf.getShort(62) & 0xFFFF) + 24);
        for (int section = 1; section < count; section++) {
            int header = table + 64 * section;
            StringBuilder sectionName = new StringBuilder();
            for (int at = (int) namesOffset + elf.getInt(header); elf.get(at) != 0; at++) {
                sectionName.append((char) elf.get(at));
            }
            if (elf.getInt(header + 4) == type && sectionName.toString().equals(name)) {
                return header;
            }
        }
        throw new IllegalStateException("the object has no section of type " + type + " named " + name);
    }

    @Test
    void sectionAddressThatWrapsAround() {
        byte[] object = TestModules.object(TestModules.irText("wait.ll"));
        setSectionField(object, 1 /* SHT_PROGBITS */, 0x4 /* SHF_EXECINSTR */, 16 /* sh_addr */, -1L);
        assertLoadsOrIsRefused(ModuleSource.object("text-address.o", object));
    }

    @Test
    void zeroFilledSectionWithoutTheAllocFlag() {
        byte[] object = TestModules.object("""
                @counter = global i64 0
                define i64 @count() {
                  %v = load i64, ptr @counter
                  ret i64 %v
                }
                """);
        setSectionFlags(object, 8 /* SHT_NOBITS */, 0);
        assertLoadsOrIsRefused(ModuleSource.object("bss-not-alloc.o", object));
    }

    @Test
    void sectionNameTableWithoutATypeAndAnOffsetOutsideTheFile() {
        byte[] object = TestModules.object(TestModules.irText(TestModules.ARITH));
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int header = Math.toIntExact(elf.getLong(40)) + 64 * (elf.getShort(62) & 0xFFFF);
        elf.putInt(header + 4, 0);                 // sh_type = SHT_NULL
        elf.putLong(header + 24, 0x7FFF_FFF0L);    // sh_offset far outside the file

        assertThatThrownBy(() -> loadAndClose(ModuleSource.object("strtab.o", object)))
                .isInstanceOf(MalformedModuleException.class);
    }

    @Test
    void hugeIntegerMultiplication() {
        assertLoadsOrIsRefused("mul.ll", hugeIntegerOperation("mul", 65536));
    }

    @Test
    void hugeIntegerDivision() {
        assertLoadsOrIsRefused("udiv.ll", hugeIntegerOperation("udiv", 65536));
    }

    @Test
    void globalAlignedTo4Gibibytes() {
        assertLoadsOrIsRefused("align-4g.ll", """
                @g = global i8 1, align 4294967296
                define ptr @get() {
                  ret ptr @g
                }
                """);
    }

    /** {@code @g} of type {@code [1 x [1 x ... i8]]}, {@code depth} levels deep. */
    private static String nestedTypes(int depth) {
        return "@g = global " + "[1 x ".repeat(depth) + "i8" + "]".repeat(depth) + " zeroinitializer\n"
                + "define ptr @get() {\n  ret ptr @g\n}\n";
    }

    /** {@code @h} initialised with {@code depth} nested {@code add} constant expressions. */
    private static String nestedConstants(int depth) {
        StringBuilder expression = new StringBuilder("i64 ptrtoint (ptr @g to i64)");
        for (int i = 0; i < depth; i++) {
            expression.insert(0, "i64 add (").append(", i64 1)");
        }
        return "@g = global i8 0\n@h = global " + expression + "\ndefine ptr @get() {\n  ret ptr @h\n}\n";
    }

    private static String hugeIntegerOperation(String operation, int bits) {
        String operand = operation.equals("udiv") ? "7" : "%a";
        return """
                define void @f(ptr %%p) {
                  %%a = load i%d, ptr %%p
                  %%r = %s i%d %%a, %s
                  store i%d %%r, ptr %%p
                  ret void
                }
                """.formatted(bits, operation, bits, operand, bits);
    }

    /** Sets a 64-bit field of the first section of a type whose flags include {@code flag}. */
    private static void setSectionField(byte[] object, int type, long flag, int field, long value) {
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int table = Math.toIntExact(elf.getLong(40));
        int count = elf.getShort(60) & 0xFFFF;
        for (int section = 1; section < count; section++) {
            int header = table + 64 * section;
            if (elf.getInt(header + 4) == type && (elf.getLong(header + 8) & flag) != 0) {
                elf.putLong(header + field, value);
                return;
            }
        }
        throw new IllegalStateException("the object has no section of type " + type + " with flag " + flag);
    }

    /** Sets {@code sh_flags} of the first section of a type. */
    private static void setSectionFlags(byte[] object, int type, long flags) {
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int table = Math.toIntExact(elf.getLong(40));
        int count = elf.getShort(60) & 0xFFFF;
        for (int section = 1; section < count; section++) {
            if (elf.getInt(table + 64 * section + 4) == type) {
                elf.putLong(table + 64 * section + 8, flags);
                return;
            }
        }
        throw new IllegalStateException("the object has no section of type " + type);
    }

    private void assertLoadsOrIsRefused(String name, String ir) {
        assertLoadsOrIsRefused(ModuleSource.ir(name, ir));
    }

    private void assertLoadsOrIsRefused(ModuleSource source) {
        Throwable thrown = assertTimeoutPreemptively(HANG_GUARD, () -> catchThrowable(() -> loadAndClose(source)));
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(JitException.class);
        }
    }

    private void loadAndClose(String name, String ir) {
        loadAndClose(ModuleSource.ir(name, ir));
    }

    private void loadAndClose(ModuleSource source) {
        try (Plugin plugin = context.load(source)) {
            plugin.exports();
        }
    }

    /** A reproducer file of {@code /pathological/}; {@link CompileWorkerTests} loads them too. */
    static byte[] resource(String name) {
        try (InputStream in = PathologicalInputTests.class.getResourceAsStream("/pathological/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource /pathological/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs LLVM work that recurses per nesting level on a thread with a 1 GiB stack. */
    private static <T> T onBigStack(java.util.concurrent.Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread thread = new Thread(null, () -> {
            try {
                result.set(work.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }, "big-stack", 1L << 30);
        thread.start();
        thread.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }
}
