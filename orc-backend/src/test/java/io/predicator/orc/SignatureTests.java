package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.Signature;
import io.predicator.SignatureMismatchException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
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
 * message shows both signatures.
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

    private List<Plugin> plugins() {
        return List.of(fromIr, fromBitcode);
    }
}
