package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.Signature;
import io.predicator.SignatureMismatchException;
import io.predicator.UnsupportedModuleException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;

import static io.predicator.orc.TestModules.ARITH;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Functions of IR and bitcode plugins can only be obtained with the signature the module declares; the mismatch
 * message shows both signatures. A function with more parameters than a call from Java can pass is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignatureTests {
    private static final Signature DECLARED = Signature.of("i32", "i32", "i32");

    private JitContext context;
    private Plugin fromIr;
    private Plugin fromBitcode;

    /** Three ints, one more than {@code add} takes. */
    public interface IntTernaryOperator {
        int apply(int a, int b, int c);
    }

    /** Right parameters, no return value. */
    public interface IntBiConsumer {
        void accept(int a, int b);
    }

    /** A pointer where {@code add} takes an int. */
    public interface PointerAndInt {
        int apply(MemorySegment a, int b);
    }

    @BeforeAll
    void loadPlugins() {
        context = JitContext.builder().build();
        fromIr = context.load(TestModules.ir(ARITH));
        fromBitcode = context.load(ModuleSource.of("arith.bc", TestModules.bitcode(TestModules.irText(ARITH))));
    }

    @AfterAll
    void closeContext() {
        context.close();
    }

    @Test
    void wrongPrimitiveTypesAreRefusedWithBothSignatures() {
        for (Plugin plugin : plugins()) {
            assertThatThrownBy(() -> plugin.function("add", LongBinaryOperator.class))
                    .isInstanceOfSatisfying(SignatureMismatchException.class, e -> {
                        assertThat(e.declared()).isEqualTo(DECLARED);
                        assertThat(e.requested()).isEqualTo(Signature.of("i64", "i64", "i64"));
                    })
                    .hasMessageContaining("i32(i32, i32)")
                    .hasMessageContaining("i64(i64, i64)")
                    .hasMessageContaining("add")
                    .hasMessageContaining(plugin.name());
        }
    }

    @Test
    void wrongArityIsRefused() {
        for (Plugin plugin : plugins()) {
            assertThatThrownBy(() -> plugin.function("add", IntTernaryOperator.class))
                    .isInstanceOf(SignatureMismatchException.class)
                    .hasMessageContaining("i32(i32, i32)")
                    .hasMessageContaining("i32(i32, i32, i32)");
            assertThatThrownBy(() -> plugin.function("add", IntUnaryOperator.class))
                    .isInstanceOf(SignatureMismatchException.class)
                    .hasMessageContaining("i32(i32)");
        }
    }

    @Test
    void wrongReturnTypeIsRefused() {
        for (Plugin plugin : plugins()) {
            assertThatThrownBy(() -> plugin.function("add", IntBiConsumer.class))
                    .isInstanceOf(SignatureMismatchException.class)
                    .hasMessageContaining("void(i32, i32)");
        }
    }

    @Test
    void pointerInsteadOfIntIsRefused() {
        for (Plugin plugin : plugins()) {
            assertThatThrownBy(() -> plugin.function("add", PointerAndInt.class))
                    .isInstanceOf(SignatureMismatchException.class)
                    .hasMessageContaining("i32(ptr, i32)");
        }
    }

    @Test
    void wrongFunctionDescriptorIsRefused() {
        for (Plugin plugin : plugins()) {
            assertThatThrownBy(() -> plugin.function("add", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG)))
                    .isInstanceOfSatisfying(SignatureMismatchException.class,
                            e -> assertThat(e.declared()).isEqualTo(DECLARED))
                    .hasMessageContaining("i32(i32, i32)")
                    .hasMessageContaining("i64(i64, i64)");
            assertThatThrownBy(() -> plugin.function("add", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT)))
                    .isInstanceOf(SignatureMismatchException.class);
            assertThatThrownBy(() -> plugin.function("add", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)))
                    .isInstanceOf(SignatureMismatchException.class);
        }
    }

    @Test
    void matchingSignatureStillWorksAfterRefusals() throws Throwable {
        for (Plugin plugin : plugins()) {
            assertThatThrownBy(() -> plugin.function("add", LongBinaryOperator.class))
                    .isInstanceOf(SignatureMismatchException.class);

            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
            MethodHandle add = plugin.function("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
            assertThat((int) add.invokeExact(2, 3)).isEqualTo(5);
        }
    }

    @Test
    void signExtensionAttributesDoNotChangeTheSignature() {
        try (Plugin types = context.load(TestModules.ir("types.ll"))) {
            assertThat(types.function("negate_byte", CallsTests.ByteUnary.class).apply((byte) 1)).isEqualTo((byte) -1);
            assertThat(types.function("next_char", CallsTests.CharUnary.class).apply('x')).isEqualTo('y');
            assertThatThrownBy(() -> types.function("negate_byte", IntUnaryOperator.class))
                    .isInstanceOf(SignatureMismatchException.class)
                    .hasMessageContaining("i8(i8)");
        }
    }

    @Test
    void objectsCarryNoTypesSoTheRightInterfaceIsTrusted() {
        try (Plugin object = context.load(ModuleSource.of("arith.o", TestModules.object(TestModules.irText(ARITH))))) {
            assertThat(object.function("add", IntBinaryOperator.class).applyAsInt(20, 22)).isEqualTo(42);
        }
    }

    @Test
    void functionWithMoreParametersThanAJavaCallCanPassIsRefused() {
        try (Plugin wide = context.load(ModuleSource.ir("wide.ll", wideIr()))) {
            assertThatThrownBy(() -> wide.function("wide_i32_300", ints(300)))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("'wide.ll'")
                    .hasMessageContaining("'wide_i32_300'")
                    .hasMessageContaining("300 parameters")
                    .hasMessageContaining("248");
            assertThatThrownBy(() -> wide.function("wide_i32_249", ints(249)))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("249 parameters");
            assertThatThrownBy(() -> wide.function("wide_i64_125", longs(125)))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("125 parameters, which need 250 argument slots");

            assertThat(wide.function("narrow", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
        }
    }

    @Test
    void functionWithAsManyParametersAsAJavaCallCanPassIsCalled() throws Throwable {
        try (Plugin wide = context.load(ModuleSource.ir("wide.ll", wideIr()))) {
            MethodHandle ints = wide.function("wide_i32_248", ints(248));
            assertThat(ints.invokeWithArguments(IntStream.range(0, 248).boxed().toList())).isEqualTo(247 * 248 / 2);
            MethodHandle longs = wide.function("wide_i64_124", longs(124));
            assertThat(longs.invokeWithArguments(IntStream.range(0, 124).mapToObj(i -> (Object) (long) i).toList()))
                    .isEqualTo(123L * 124 / 2);
        }
    }

    @Test
    void functionalInterfaceWithMoreParametersThanAJavaCallCanPassIsRefused() throws ReflectiveOperationException {
        Class<?> fits = intFunctionInterface(248);
        Class<?> tooWide = intFunctionInterface(249);
        try (Plugin wide = context.load(ModuleSource.ir("wide.ll", wideIr()))) {
            assertThatThrownBy(() -> wide.function("wide_i32_249", tooWide))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("'wide_i32_249'")
                    .hasMessageContaining("249 parameters")
                    .hasMessageContaining("248");

            Object function = wide.function("wide_i32_248", fits);
            Method apply = fits.getMethod("apply", Collections.nCopies(248, int.class).toArray(Class<?>[]::new));
            assertThat(apply.invoke(function, IntStream.range(0, 248).boxed().toArray())).isEqualTo(247 * 248 / 2);
        }
    }

    @Test
    void structureArgumentsTakeTwoSlotsPerEightBytes() {
        MemoryLayout pair = MemoryLayout.structLayout(JAVA_LONG, JAVA_LONG);
        MemoryLayout triple = MemoryLayout.structLayout(JAVA_INT, JAVA_INT, JAVA_INT);
        String ir = "%pair = type { i64, i64 }\n%triple = type { i32, i32, i32 }\n"
                + consumer("pairs_62", "%pair", 62) + consumer("pairs_63", "%pair", 63)
                + consumer("triples_82", "%triple", 82) + consumer("triples_83", "%triple", 83);
        // An object declares no signatures, so any descriptor is taken at its word.
        try (Plugin wide = context.load(ModuleSource.of("structs.o", TestModules.object(ir)))) {
            assertThat(wide.function("pairs_62", voids(pair, 62))).isNotNull();
            assertThatThrownBy(() -> wide.function("pairs_63", voids(pair, 63)))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("63 parameters, which need 252 argument slots");
            assertThat(wide.function("triples_82", voids(triple, 82))).isNotNull();
            assertThatThrownBy(() -> wide.function("triples_83", voids(triple, 83)))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("83 parameters, which need 249 argument slots");
        }
    }

    @Test
    void aFunctionThatReturnsAStructureByValueIsRefusedWithATypedException() {
        MemoryLayout pair = MemoryLayout.structLayout(JAVA_LONG, JAVA_LONG);
        String ir = "%pair = type { i64, i64 }\ndefine %pair @make(i64 %a) {\n"
                + "  %p = insertvalue %pair undef, i64 %a, 0\n  %q = insertvalue %pair %p, i64 %a, 1\n  ret %pair %q\n}\n";
        try (Plugin structs = context.load(ModuleSource.of("make.o", TestModules.object(ir)))) {
            assertThatThrownBy(() -> structs.function("make", FunctionDescriptor.of(pair, JAVA_LONG)))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining("'make.o'")
                    .hasMessageContaining("function 'make' returns a structure by value")
                    .hasMessageContaining("through a pointer argument");
        }
    }

    /** {@code void name(type, ...)} that ignores its parameters. */
    private static String consumer(String name, String type, int count) {
        return "define void @" + name + "(" + String.join(", ", Collections.nCopies(count, type)) + ") {\n"
                + "  ret void\n}\n";
    }

    private static FunctionDescriptor voids(MemoryLayout layout, int count) {
        return FunctionDescriptor.ofVoid(Collections.nCopies(count, layout).toArray(MemoryLayout[]::new));
    }

    /** Functions that sum 248, 249 and 300 {@code i32}s and 124 and 125 {@code i64}s, and a two-int {@code narrow}. */
    private static String wideIr() {
        StringBuilder ir = new StringBuilder("""
                define i32 @narrow(i32 %a, i32 %b) {
                  %sum = add i32 %a, %b
                  ret i32 %sum
                }
                """);
        for (int count : List.of(248, 249, 300)) {
            ir.append(sum("i32", count));
        }
        for (int count : List.of(124, 125)) {
            ir.append(sum("i64", count));
        }
        return ir.toString();
    }

    /** {@code T wide_T_count(T %a0, ...)} that returns the sum of its parameters. */
    private static String sum(String type, int count) {
        List<String> parameters = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        String total = "%a0";
        for (int i = 0; i < count; i++) {
            parameters.add(type + " %a" + i);
            if (i > 0) {
                body.append("  %s").append(i).append(" = add ").append(type).append(' ').append(total)
                        .append(", %a").append(i).append('\n');
                total = "%s" + i;
            }
        }
        return "\ndefine " + type + " @wide_" + type + "_" + count + "(" + String.join(", ", parameters) + ") {\n"
                + body + "  ret " + type + " " + total + "\n}\n";
    }

    private static FunctionDescriptor ints(int count) {
        return FunctionDescriptor.of(JAVA_INT, Collections.nCopies(count, JAVA_INT).toArray(MemoryLayout[]::new));
    }

    private static FunctionDescriptor longs(int count) {
        return FunctionDescriptor.of(JAVA_LONG, Collections.nCopies(count, JAVA_LONG).toArray(MemoryLayout[]::new));
    }

    /** Defines a public functional interface {@code int apply(int, ...)} with the given number of parameters. */
    private static Class<?> intFunctionInterface(int parameters) throws IllegalAccessException {
        ClassDesc self = ClassDesc.of(SignatureTests.class.getPackageName() + ".IntFunction" + parameters);
        MethodTypeDesc apply = MethodTypeDesc.of(ConstantDescs.CD_int,
                Collections.nCopies(parameters, ConstantDescs.CD_int).toArray(ClassDesc[]::new));
        byte[] bytes = ClassFile.of().build(self, type -> type
                .withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_INTERFACE | ClassFile.ACC_ABSTRACT)
                .withSuperclass(ConstantDescs.CD_Object)
                .withMethod("apply", apply, ClassFile.ACC_PUBLIC | ClassFile.ACC_ABSTRACT, method -> { }));
        return MethodHandles.lookup().defineClass(bytes);
    }

    private List<Plugin> plugins() {
        return List.of(fromIr, fromBitcode);
    }
}
