package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.UnknownSymbolException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongSupplier;

import static io.predicator.orc.TestModules.ARITH;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Calling plugin functions through functional interfaces and method handles with every supported carrier type,
 * reading and writing plugin data, and passing caller memory to plugins.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallsTests {
    private JitContext context;
    private Plugin arith;
    private Plugin types;

    /** {@code float(float)}. */
    public interface FloatUnary {
        float apply(float value);
    }

    /** {@code i8(i8)}. */
    public interface ByteUnary {
        byte apply(byte value);
    }

    /** {@code i16(i16)} with a signed short. */
    public interface ShortUnary {
        short apply(short value);
    }

    /** {@code i16(i16)} with an unsigned char. */
    public interface CharUnary {
        char apply(char value);
    }

    /** {@code i32(i1, i1)}. */
    public interface BooleanCounter {
        int count(boolean a, boolean b);
    }

    /** {@code double(i8, i16, i32, i64, float, double)}. */
    public interface Mixer {
        double mix(byte a, short b, int c, long d, float e, double f);
    }

    /** {@code void(ptr, i32, i32)}. */
    public interface SumStore {
        void store(MemorySegment out, int a, int b);
    }

    /** {@code void(ptr, i32)}. */
    public interface Filler {
        void fill(MemorySegment out, int count);
    }

    /** {@code i64(ptr, i32)}. */
    public interface LongSummer {
        long sum(MemorySegment values, int count);
    }

    /** {@code ptr(ptr)}. */
    public interface PointerFunction {
        MemorySegment apply(MemorySegment pointer);
    }

    /** Package-private on purpose: the contract puts no visibility requirement on the interface. */
    interface PackagePrivateAdder {
        int add(int a, int b);
    }

    @BeforeAll
    void loadPlugins() {
        context = JitContext.builder().build();
        arith = context.load(TestModules.ir(ARITH));
        types = context.load(TestModules.ir("types.ll"));
    }

    @AfterAll
    void closeContext() {
        context.close();
    }

    @Test
    void callsThroughJdkFunctionalInterface() {
        IntBinaryOperator add = arith.function("add", IntBinaryOperator.class);

        assertThat(add.applyAsInt(2, 3)).isEqualTo(5);
        assertThat(add.applyAsInt(Integer.MAX_VALUE, 1)).isEqualTo(Integer.MIN_VALUE);
        assertThat(arith.function("mul", IntBinaryOperator.class).applyAsInt(6, 7)).isEqualTo(42);
    }

    @Test
    void callsThroughPackagePrivateInterface() {
        PackagePrivateAdder add = arith.function("add", PackagePrivateAdder.class);

        assertThat(add.add(40, 2)).isEqualTo(42);
    }

    @Test
    void functionProxyKeepsObjectMethodsUsable() {
        IntBinaryOperator add = arith.function("add", IntBinaryOperator.class);

        assertThat(add.equals(add)).isTrue();
        assertThat(add.equals(arith.function("sub", IntBinaryOperator.class))).isFalse();
        assertThat(add.hashCode()).isEqualTo(add.hashCode());
        assertThat(add.toString()).isNotBlank();
    }

    @Test
    void callsThroughMethodHandle() throws Throwable {
        MethodHandle add = arith.function("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

        int sum = (int) add.invokeExact(2, 3);

        assertThat(sum).isEqualTo(5);
        assertThat(add.type().parameterCount()).isEqualTo(2);
    }

    @Test
    void passesLongs() {
        LongBinaryOperator add = types.function("add_long", LongBinaryOperator.class);

        assertThat(add.applyAsLong(Long.MAX_VALUE - 5, 3)).isEqualTo(Long.MAX_VALUE - 2);
        assertThat(add.applyAsLong(-1L << 40, 1L << 41)).isEqualTo(1L << 40);
    }

    @Test
    void passesDoubles() {
        DoubleBinaryOperator sumOfSquares = types.function("sum_of_squares", DoubleBinaryOperator.class);

        assertThat(sumOfSquares.applyAsDouble(3.0, 4.0)).isEqualTo(25.0);
        assertThat(sumOfSquares.applyAsDouble(0.5, -1.5)).isEqualTo(2.5);
    }

    @Test
    void passesFloats() {
        FloatUnary halve = types.function("halve", FloatUnary.class);

        assertThat(halve.apply(3.0f)).isEqualTo(1.5f);
        assertThat(halve.apply(-0.25f)).isEqualTo(-0.125f);
    }

    @Test
    void passesBytesWithSign() {
        ByteUnary negate = types.function("negate_byte", ByteUnary.class);

        assertThat(negate.apply((byte) 5)).isEqualTo((byte) -5);
        assertThat(negate.apply((byte) -100)).isEqualTo((byte) 100);
        assertThat(negate.apply(Byte.MIN_VALUE)).isEqualTo(Byte.MIN_VALUE);
    }

    @Test
    void passesShortsWithSign() {
        ShortUnary doubleIt = types.function("double_short", ShortUnary.class);

        assertThat(doubleIt.apply((short) 1234)).isEqualTo((short) 2468);
        assertThat(doubleIt.apply((short) -300)).isEqualTo((short) -600);
    }

    @Test
    void passesChars() {
        CharUnary next = types.function("next_char", CharUnary.class);

        assertThat(next.apply('a')).isEqualTo('b');
        assertThat(next.apply('\uFFFE')).isEqualTo('\uFFFF');
    }

    @Test
    void returnsBooleans() {
        IntPredicate isEven = types.function("is_even", IntPredicate.class);

        assertThat(isEven.test(10)).isTrue();
        assertThat(isEven.test(7)).isFalse();
        assertThat(isEven.test(-4)).isTrue();
    }

    @Test
    void passesBooleans() {
        BooleanCounter count = types.function("count_true", BooleanCounter.class);

        assertThat(count.count(true, true)).isEqualTo(2);
        assertThat(count.count(true, false)).isEqualTo(1);
        assertThat(count.count(false, false)).isZero();
    }

    @Test
    void passesSixDifferentTypes() {
        Mixer mixer = types.function("mix", Mixer.class);

        assertThat(mixer.mix((byte) -1, (short) 300, 70_000, 5_000_000_000L, 0.5f, 0.25)).isEqualTo(5_000_070_299.75);
    }

    @Test
    void pluginWritesIntoCallerMemory() {
        SumStore store = types.function("store_sum", SumStore.class);
        Filler fill = types.function("fill_squares", Filler.class);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            store.store(out, 20, 22);
            assertThat(out.get(JAVA_INT, 0)).isEqualTo(42);

            MemorySegment squares = arena.allocate(JAVA_INT, 6);
            fill.fill(squares, 6);
            assertThat(squares.toArray(JAVA_INT)).containsExactly(0, 1, 4, 9, 16, 25);
        }
    }

    @Test
    void pluginReadsCallerMemory() {
        LongSummer sum = types.function("sum_longs", LongSummer.class);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = arena.allocateFrom(JAVA_LONG, 1L, 2L, 3L, 1L << 40);
            assertThat(sum.sum(values, 4)).isEqualTo(6L + (1L << 40));
            assertThat(sum.sum(values, 0)).isZero();
        }
    }

    @Test
    void returnsPointers() {
        PointerFunction secondInt = types.function("second_int", PointerFunction.class);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ints = arena.allocateFrom(JAVA_INT, 1, 2, 3);
            MemorySegment second = secondInt.apply(ints);
            assertThat(second.address()).isEqualTo(ints.address() + 4);
        }
    }

    @Test
    void methodHandleWithPointers() throws Throwable {
        MethodHandle fill = types.function("fill_squares", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment squares = arena.allocate(JAVA_INT, 4);
            fill.invokeExact(squares, 4);
            assertThat(squares.toArray(JAVA_INT)).containsExactly(0, 1, 4, 9);
        }
    }

    @Test
    void methodHandleWithDoubles() throws Throwable {
        MethodHandle sumOfSquares = types.function("sum_of_squares",
                FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE, JAVA_DOUBLE));

        assertThat((double) sumOfSquares.invokeExact(1.0, 2.0)).isEqualTo(5.0);
    }

    @Test
    void readsDataSymbolWithItsSize() {
        try (Plugin data = context.load(TestModules.ir("data.ll"))) {
            MemorySegment table = data.address("table").orElseThrow();
            MemorySegment greeting = data.address("greeting").orElseThrow();

            assertThat(table.byteSize()).isEqualTo(16);
            assertThat(table.toArray(JAVA_INT)).containsExactly(10, 20, 30, 40);
            assertThat(greeting.byteSize()).isEqualTo(6);
            assertThat(new String(greeting.toArray(JAVA_BYTE), StandardCharsets.US_ASCII)).isEqualTo("hello\0");
        }
    }

    @Test
    void dataWrittenByJavaIsSeenByThePluginAndViceVersa() {
        try (Plugin data = context.load(TestModules.ir("data.ll"))) {
            MemorySegment counter = data.address("counter").orElseThrow();
            Runnable bump = data.function("bump", Runnable.class);
            LongSupplier count = data.function("count", LongSupplier.class);
            IntUnaryOperator tableAt = data.function("table_at", IntUnaryOperator.class);

            assertThat(counter.byteSize()).isEqualTo(8);
            assertThat(counter.get(JAVA_LONG, 0)).isZero();
            bump.run();
            bump.run();
            assertThat(counter.get(JAVA_LONG, 0)).isEqualTo(2);

            counter.set(JAVA_LONG, 0, 100);
            assertThat(count.getAsLong()).isEqualTo(100);

            data.address("table").orElseThrow().setAtIndex(JAVA_INT, 3, -7);
            assertThat(tableAt.applyAsInt(3)).isEqualTo(-7);
        }
    }

    @Test
    @SuppressWarnings("restricted")
    void addressOfFunctionIsItsEntryPoint() throws Throwable {
        MemorySegment add = arith.address("add").orElseThrow();

        assertThat(add.address()).isNotZero();
        MethodHandle handle = Linker.nativeLinker()
                .downcallHandle(add, FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        assertThat((int) handle.invokeExact(19, 23)).isEqualTo(42);
    }

    @Test
    void unknownFunctionThrowsUnknownSymbol() {
        assertThatThrownBy(() -> arith.function("nope", IntBinaryOperator.class))
                .isInstanceOfSatisfying(UnknownSymbolException.class,
                        e -> assertThat(e.symbol()).isEqualTo("nope"))
                .hasMessageContaining("nope")
                .hasMessageContaining("add");
        assertThatThrownBy(() -> arith.function("nope", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)))
                .isInstanceOf(UnknownSymbolException.class);
    }

    @Test
    void internalFunctionIsNotExported() {
        assertThatThrownBy(() -> arith.function("multiply_helper", IntBinaryOperator.class))
                .isInstanceOf(UnknownSymbolException.class);
        assertThat(arith.address("multiply_helper")).isEmpty();
    }

    @Test
    void unknownAddressIsEmpty() {
        assertThat(arith.address("nope")).isEmpty();
    }

    @Test
    void unknownSymbolInObjectToo() {
        try (Plugin object = context.load(ModuleSource.of("arith.o", TestModules.object(TestModules.irText(ARITH))))) {
            assertThatThrownBy(() -> object.function("nope", IntBinaryOperator.class))
                    .isInstanceOf(UnknownSymbolException.class);
            assertThat(object.address("nope")).isEmpty();
        }
    }

    @Test
    void interfaceWithTypesThatHaveNoCEquivalentIsRejected() {
        assertThatThrownBy(() -> arith.function("add", BinaryOperator.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void loadOptionsNameThePlugin() {
        try (Plugin named = context.load(TestModules.ir(ARITH), LoadOptions.builder().name("calculator").build())) {
            assertThat(named.name()).isEqualTo("calculator");
            assertThat(named.function("add", IntBinaryOperator.class).applyAsInt(1, 1)).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void everyOptimisationLevelComputesTheSame(int level) {
        try (JitContext levelled = JitContext.builder().optimizationLevel(level).build();
             Plugin compute = levelled.load(TestModules.ir("compute.ll"));
             Arena arena = Arena.ofConfined()) {
            assertComputes(compute, arena);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void loadOptionsOverrideTheOptimisationLevel(int level) {
        ModuleSource bitcode = ModuleSource.of("compute.bc", TestModules.bitcode(TestModules.irText("compute.ll")));
        try (Plugin compute = context.load(bitcode, LoadOptions.builder().optimizationLevel(level).build());
             Arena arena = Arena.ofConfined()) {
            assertComputes(compute, arena);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 3})
    void preOptimisedModulesComputeTheSameWithCodeGenerationOnly(int level) {
        ModuleSource bitcode = ModuleSource.of("compute.bc", TestModules.bitcode(TestModules.irText("compute.ll")));
        LoadOptions options = LoadOptions.builder().optimizationLevel(level).preOptimized(true).build();
        try (Plugin compute = context.load(bitcode, options);
             Arena arena = Arena.ofConfined()) {
            assertComputes(compute, arena);
        }
    }

    /** {@code i64(i32)}. */
    public interface IntToLong {
        long apply(int value);
    }

    /** {@code double(ptr, ptr, i32)}. */
    public interface Dot {
        double dot(MemorySegment a, MemorySegment b, int count);
    }

    private static void assertComputes(Plugin compute, Arena arena) {
        assertThat(compute.function("fib", IntToLong.class).apply(90)).isEqualTo(2_880_067_194_370_816_120L);
        assertThat(compute.function("fib", IntToLong.class).apply(1)).isEqualTo(1);
        assertThat(compute.function("popcount_sum", IntUnaryOperator.class).applyAsInt(1 << 16))
                .isEqualTo(16 << 15);
        MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        MemorySegment b = arena.allocateFrom(JAVA_DOUBLE, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        assertThat(compute.function("dot", Dot.class).dot(a, b, 9)).isEqualTo(165.0);
    }
}
