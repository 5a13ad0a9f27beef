package io.predicator.resolver.statics;

import io.predicator.plumbing.HostExceptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every carrier a host function can take and return, its default failure value, and what the builder rejects. The
 * stubs are called through a downcall from Java, exactly as a plugin would call them, so the values cross the C ABI.
 */
class HostFunctionTypesTests {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final AtomicBoolean FAIL = new AtomicBoolean();

    interface BooleanFunction {
        boolean apply(boolean x);
    }

    interface ByteFunction {
        byte apply(byte x);
    }

    interface ShortFunction {
        short apply(short x);
    }

    interface CharFunction {
        char apply(char x);
    }

    interface IntFunction {
        int apply(int x);
    }

    interface LongFunction {
        long apply(long x);
    }

    interface FloatFunction {
        float apply(float x);
    }

    interface DoubleFunction {
        double apply(double x);
    }

    interface PointerFunction {
        MemorySegment apply(MemorySegment x);
    }

    interface LongConsumer {
        void accept(long x);
    }

    interface TakesString {
        int apply(String text);
    }

    interface TwoMethods {
        int first(int x);

        int second(int x);
    }

    @AfterEach
    void reset() {
        FAIL.set(false);
        HostExceptions.takePending();
    }

    @Test
    void everyCarrierCrossesAndFailsToItsDefault() throws Throwable {
        MemorySegment pointer = MemorySegment.ofAddress(0x1234_5678L);
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("f_boolean", BooleanFunction.class, x -> fail() || !x)
                .hostFunction("f_byte", ByteFunction.class, x -> (byte) (fail() ? 0 : x - 1))
                .hostFunction("f_short", ShortFunction.class, x -> (short) (fail() ? 0 : x - 1))
                .hostFunction("f_char", CharFunction.class, x -> (char) (fail() ? 0 : x + 1))
                .hostFunction("f_int", IntFunction.class, x -> fail() ? 0 : x - 1)
                .hostFunction("f_long", LongFunction.class, x -> fail() ? 0 : x - 1)
                .hostFunction("f_float", FloatFunction.class, x -> fail() ? 0 : x / 2)
                .hostFunction("f_double", DoubleFunction.class, x -> fail() ? 0 : x / 2)
                .hostFunction("f_pointer", PointerFunction.class, x -> fail() ? x : MemorySegment.ofAddress(x.address() + 1))
                .build()) {
            List<Case> cases = List.of(
                    new Case("f_boolean", ValueLayout.JAVA_BOOLEAN, false, true, false),
                    new Case("f_byte", ValueLayout.JAVA_BYTE, (byte) -128, (byte) 127, (byte) 0),
                    new Case("f_short", ValueLayout.JAVA_SHORT, (short) -32768, (short) 32767, (short) 0),
                    new Case("f_char", ValueLayout.JAVA_CHAR, '\u03A9', '\u03AA', '\0'),
                    new Case("f_int", ValueLayout.JAVA_INT, Integer.MIN_VALUE, Integer.MAX_VALUE, 0),
                    new Case("f_long", ValueLayout.JAVA_LONG, Long.MIN_VALUE, Long.MAX_VALUE, 0L),
                    new Case("f_float", ValueLayout.JAVA_FLOAT, 3.0f, 1.5f, 0.0f),
                    new Case("f_double", ValueLayout.JAVA_DOUBLE, -7.0, -3.5, 0.0),
                    new Case("f_pointer", ValueLayout.ADDRESS, pointer, MemorySegment.ofAddress(0x1234_5679L),
                            MemorySegment.NULL));
            for (Case c : cases) {
                MethodHandle call = LINKER.downcallHandle(resolver.resolve(c.name()).orElseThrow(),
                        FunctionDescriptor.of(c.layout(), c.layout()));

                FAIL.set(false);
                assertThat(call.invoke(c.argument())).as(c.name()).isEqualTo(c.result());
                assertThat(HostExceptions.takePending()).as(c.name()).isNull();

                FAIL.set(true);
                assertThat(call.invoke(c.argument())).as(c.name() + " failing").isEqualTo(c.failure());
                assertThat(HostExceptions.takePending()).as(c.name() + " pending")
                        .isInstanceOf(IllegalStateException.class).hasMessage("asked to fail");
            }
        }
    }

    @Test
    void voidHostFunctionsRunAndFailToo() throws Throwable {
        AtomicLong last = new AtomicLong();
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("note", LongConsumer.class, x -> {
                    if (x < 0) {
                        throw new IllegalArgumentException("negative " + x);
                    }
                    last.set(x);
                })
                .build()) {
            MethodHandle note = LINKER.downcallHandle(resolver.resolve("note").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));

            note.invoke(42L);
            assertThat(last).hasValue(42);
            assertThat(HostExceptions.takePending()).isNull();

            note.invoke(-1L);
            assertThat(last).hasValue(42);
            assertThat(HostExceptions.takePending()).hasMessage("negative -1");
        }
    }

    @Test
    void explicitFailureValuesReachNativeCode() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sentinel = arena.allocate(8);
            try (StaticResolver resolver = StaticResolver.builder()
                    .hostFunction("f_long", LongFunction.class, x -> fail() ? 0 : x, -1L)
                    .hostFunction("f_double", DoubleFunction.class, x -> fail() ? 0 : x, Double.NaN)
                    .hostFunction("f_boolean", BooleanFunction.class, x -> fail() && x, true)
                    .hostFunction("f_pointer", PointerFunction.class, x -> fail() ? x : x, sentinel)
                    .build()) {
                FAIL.set(true);
                assertThat(call(resolver, "f_long", ValueLayout.JAVA_LONG, 5L)).isEqualTo(-1L);
                assertThat(HostExceptions.takePending()).isNotNull();
                assertThat((double) call(resolver, "f_double", ValueLayout.JAVA_DOUBLE, 5.0)).isNaN();
                assertThat(HostExceptions.takePending()).isNotNull();
                assertThat(call(resolver, "f_boolean", ValueLayout.JAVA_BOOLEAN, false)).isEqualTo(true);
                assertThat(HostExceptions.takePending()).isNotNull();
                assertThat(((MemorySegment) call(resolver, "f_pointer", ValueLayout.ADDRESS, MemorySegment.NULL))
                        .address()).isEqualTo(sentinel.address());
                assertThat(HostExceptions.takePending()).isNotNull();
            }
        }
    }

    @Test
    void pointersThatCannotReachNativeCodeBecomeFailuresInsteadOfEndingTheJvm() throws Throwable {
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("returns_null", PointerFunction.class, x -> null)
                .hostFunction("returns_heap", PointerFunction.class, x -> MemorySegment.ofArray(new byte[8]))
                .build()) {
            assertThat(call(resolver, "returns_null", ValueLayout.ADDRESS, MemorySegment.NULL))
                    .isEqualTo(MemorySegment.NULL);
            assertThat(HostExceptions.takePending())
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("'returns_null' returned null");

            assertThat(call(resolver, "returns_heap", ValueLayout.ADDRESS, MemorySegment.NULL))
                    .isEqualTo(MemorySegment.NULL);
            assertThat(HostExceptions.takePending())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'returns_heap' returned a heap segment");
        }
    }

    @Test
    void structuresReturnedByValueFailToZeroes() throws Throwable {
        StructLayout pair = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("a"), ValueLayout.JAVA_INT.withName("b"));
        MethodHandle makePair = MethodHandles.lookup().findStatic(HostFunctionTypesTests.class, "makePair",
                MethodType.methodType(MemorySegment.class, int.class));
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("make_pair", makePair, FunctionDescriptor.of(pair, ValueLayout.JAVA_INT))
                .build();
             Arena arena = Arena.ofConfined()) {
            MethodHandle call = LINKER.downcallHandle(resolver.resolve("make_pair").orElseThrow(),
                    FunctionDescriptor.of(pair, ValueLayout.JAVA_INT));

            MemorySegment made = (MemorySegment) call.invoke((java.lang.foreign.SegmentAllocator) arena, 7);
            assertThat(made.get(ValueLayout.JAVA_INT, 0)).isEqualTo(7);
            assertThat(made.get(ValueLayout.JAVA_INT, 4)).isEqualTo(8);
            assertThat(HostExceptions.takePending()).isNull();

            MemorySegment failed = (MemorySegment) call.invoke((java.lang.foreign.SegmentAllocator) arena, -1);
            assertThat(failed.get(ValueLayout.JAVA_LONG, 0)).isZero();
            assertThat(HostExceptions.takePending()).hasMessage("no pair for -1");
        }
    }

    @Test
    void failureValuesMustMatchTheReturnType() {
        StaticResolver.Builder builder = StaticResolver.builder();

        assertThatThrownBy(() -> builder.hostFunction("f_long", LongFunction.class, x -> x, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'f_long' returns i64, so its failure value must be a long")
                .hasMessageContaining("write -1L");
        assertThatThrownBy(() -> builder.hostFunction("note", LongConsumer.class, x -> { }, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'note' returns void, so it has no failure value");
        assertThatThrownBy(() -> builder.hostFunction("f_pointer", PointerFunction.class, x -> x,
                MemorySegment.ofArray(new byte[8])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heap segment");
        assertThatThrownBy(() -> builder.hostFunction("f_int", IntFunction.class, x -> x, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("failureValue is null");
        try (StaticResolver empty = builder.build()) {
            assertThat(empty.symbols()).isEmpty();
        }
    }

    @Test
    void targetsAndInterfacesMustDescribeACFunction() throws ReflectiveOperationException {
        StaticResolver.Builder builder = StaticResolver.builder();
        MethodHandle makePair = MethodHandles.lookup().findStatic(HostFunctionTypesTests.class, "makePair",
                MethodType.methodType(MemorySegment.class, int.class));

        assertThatThrownBy(() -> builder.hostFunction("wrong", makePair,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host function 'wrong': the target's type (int)MemorySegment does not match "
                        + "the descriptor i32(i32)");
        assertThatThrownBy(() -> builder.hostFunction("strings", TakesString.class, String::length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String, which has no C equivalent");
        assertThatThrownBy(() -> builder.hostFunction("two", TwoMethods.class, new TwoMethods() {
            @Override
            public int first(int x) {
                return x;
            }

            @Override
            public int second(int x) {
                return x;
            }
        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must have exactly one abstract method, found 2");
        assertThatThrownBy(() -> builder.hostFunction("none", IntUnaryOperator.class, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("implementation is null");
    }

    static MemorySegment makePair(int a) {
        if (a < 0) {
            throw new IllegalArgumentException("no pair for " + a);
        }
        MemorySegment pair = MemorySegment.ofArray(new int[2]);
        pair.set(ValueLayout.JAVA_INT, 0, a);
        pair.set(ValueLayout.JAVA_INT, 4, a + 1);
        return pair;
    }

    private static boolean fail() {
        if (FAIL.get()) {
            throw new IllegalStateException("asked to fail");
        }
        return false;
    }

    private static Object call(StaticResolver resolver, String name, ValueLayout layout, Object argument)
            throws Throwable {
        return LINKER.downcallHandle(resolver.resolve(name).orElseThrow(), FunctionDescriptor.of(layout, layout))
                .invoke(argument);
    }

    private record Case(String name, ValueLayout layout, Object argument, Object result, Object failure) {
    }
}
