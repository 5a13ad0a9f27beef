package io.predicator.resolver.statics;

import io.predicator.HostFunctionException;
import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.plumbing.HostExceptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Java host functions called by real plugins: values, pointers, exceptions, threads and nesting. */
class HostFunctionTests {
    /** Calls {@code host_check} and records what it returned in {@code @seen} before adding 1000. */
    private static final String CHECK = """
            @seen = global i32 12345
            declare i32 @host_check(i32)
            define i32 @check_plus(i32 %x) {
              %r = call i32 @host_check(i32 %x)
              store i32 %r, ptr @seen, align 4
              %s = add i32 %r, 1000
              ret i32 %s
            }
            """;

    interface Log {
        int log(MemorySegment text);
    }

    interface CharOperator {
        char apply(char c);
    }

    interface CharToInt {
        int apply(char c);
    }

    @AfterEach
    void nothingIsLeftPending() {
        assertThat(HostExceptions.takePending()).isNull();
    }

    @Test
    void pluginCallsAJavaHostFunctionAndUsesItsResult() {
        String ir = """
                declare i32 @host_mul(i32, i32)
                define i32 @mul_plus_one(i32 %a, i32 %b) {
                  %p = call i32 @host_mul(i32 %a, i32 %b)
                  %r = add i32 %p, 1
                  ret i32 %r
                }
                """;
        AtomicInteger calls = new AtomicInteger();
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_mul", IntBinaryOperator.class, (a, b) -> {
                    calls.incrementAndGet();
                    return a * b;
                })
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("mul", ir))) {
            IntBinaryOperator mulPlusOne = plugin.function("mul_plus_one", IntBinaryOperator.class);

            assertThat(mulPlusOne.applyAsInt(6, 7)).isEqualTo(43);
            assertThat(mulPlusOne.applyAsInt(-3, 5)).isEqualTo(-14);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void hostFunctionReadsTheStringThePluginPasses() {
        String ir = """
                @greeting = private constant [14 x i8] c"hello, plugin\\00"
                declare i32 @host_log(ptr)
                define i32 @greet() {
                  %n = call i32 @host_log(ptr @greeting)
                  ret i32 %n
                }
                """;
        List<String> logged = new CopyOnWriteArrayList<>();
        Log log = text -> {
            String value = text.reinterpret(Long.MAX_VALUE).getString(0);
            logged.add(value);
            return value.length();
        };
        try (StaticResolver resolver = StaticResolver.builder().hostFunction("host_log", Log.class, log).build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("greet", ir))) {
            assertThat(plugin.function("greet", java.util.function.IntSupplier.class).getAsInt()).isEqualTo(13);
            assertThat(logged).containsExactly("hello, plugin");
        }
    }

    @Test
    void methodHandleWithDescriptorIsAHostFunction() throws ReflectiveOperationException {
        String ir = """
                declare i64 @host_scale(i64, double)
                define i64 @scale_twice(i64 %x) {
                  %once = call i64 @host_scale(i64 %x, double 1.5)
                  %twice = call i64 @host_scale(i64 %once, double 1.5)
                  ret i64 %twice
                }
                """;
        MethodHandle scale = MethodHandles.lookup().findStatic(HostFunctionTests.class, "scale",
                MethodType.methodType(long.class, long.class, double.class));
        FunctionDescriptor descriptor = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_DOUBLE);
        try (StaticResolver resolver = StaticResolver.builder().hostFunction("host_scale", scale, descriptor).build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("scale", ir))) {
            assertThat(plugin.function("scale_twice", java.util.function.LongUnaryOperator.class).applyAsLong(100))
                    .isEqualTo(225);
        }
    }

    @Test
    void charCrossesAsAnUnsigned16BitValue() {
        String ir = """
                declare zeroext i16 @host_next(i16 zeroext)
                define i32 @next_wide(i16 zeroext %c) {
                  %r = call zeroext i16 @host_next(i16 zeroext %c)
                  %w = zext i16 %r to i32
                  ret i32 %w
                }
                """;
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_next", CharOperator.class, c -> (char) (c + 1))
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("chars", ir))) {
            CharToInt next = plugin.function("next_wide", CharToInt.class);
            assertThat(next.apply('A')).isEqualTo('B');
            assertThat(next.apply('\uFFFE')).isEqualTo(0xFFFF);
        }
    }

    @Test
    void exceptionReachesTheJavaCallerWhileThePluginSeesTheFailureValue() {
        AtomicReference<RuntimeException> thrown = new AtomicReference<>();
        IntUnaryOperator check = x -> {
            if (x < 0) {
                thrown.set(new IllegalArgumentException("negative: " + x));
                throw thrown.get();
            }
            return 2 * x;
        };
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_check", IntUnaryOperator.class, check, -1)
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("check", CHECK))) {
            IntUnaryOperator checkPlus = plugin.function("check_plus", IntUnaryOperator.class);

            Throwable failure = catchThrowable(() -> checkPlus.applyAsInt(-5));

            assertThat(failure)
                    .isInstanceOf(HostFunctionException.class)
                    .hasMessageContaining("check_plus")
                    .hasMessageContaining("check")
                    .cause().isSameAs(thrown.get());
            assertThat(seen(plugin)).isEqualTo(-1);

            // The plugin and the context stay usable, and the exception is not thrown twice.
            assertThat(checkPlus.applyAsInt(4)).isEqualTo(1008);
            assertThat(seen(plugin)).isEqualTo(8);
            assertThatThrownBy(() -> checkPlus.applyAsInt(-6))
                    .isInstanceOf(HostFunctionException.class)
                    .cause().hasMessage("negative: -6");
            assertThat(checkPlus.applyAsInt(0)).isEqualTo(1000);
        }
    }

    @Test
    void withoutAFailureValueThePluginSeesZero() {
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_check", IntUnaryOperator.class, x -> {
                    throw new UnsupportedOperationException("never works");
                })
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("check", CHECK))) {
            assertThatThrownBy(() -> plugin.function("check_plus", IntUnaryOperator.class).applyAsInt(3))
                    .isInstanceOf(HostFunctionException.class)
                    .cause().isInstanceOf(UnsupportedOperationException.class).hasMessage("never works");
            assertThat(seen(plugin)).isZero();
        }
    }

    @Test
    void errorsAndCheckedExceptionsAreContainedToo() throws ReflectiveOperationException {
        MethodHandle checked = MethodHandles.lookup().findStatic(HostFunctionTests.class, "failChecked",
                MethodType.methodType(int.class, int.class));
        MethodHandle recursing = MethodHandles.lookup().findStatic(HostFunctionTests.class, "recurse",
                MethodType.methodType(int.class, int.class));
        FunctionDescriptor intToInt = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        String ir = CHECK + """
                declare i32 @host_recurse(i32)
                define i32 @recurse_plus(i32 %x) {
                  %r = call i32 @host_recurse(i32 %x)
                  store i32 %r, ptr @seen, align 4
                  ret i32 %r
                }
                """;
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_check", checked, intToInt, -2)
                .hostFunction("host_recurse", recursing, intToInt, -3)
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("errors", ir))) {
            assertThatThrownBy(() -> plugin.function("check_plus", IntUnaryOperator.class).applyAsInt(1))
                    .isInstanceOf(HostFunctionException.class)
                    .cause().isInstanceOf(IOException.class).hasMessage("checked 1");
            assertThat(seen(plugin)).isEqualTo(-2);

            assertThatThrownBy(() -> plugin.function("recurse_plus", IntUnaryOperator.class).applyAsInt(0))
                    .isInstanceOf(HostFunctionException.class)
                    .cause().isInstanceOf(StackOverflowError.class);
            assertThat(seen(plugin)).isEqualTo(-3);
        }
    }

    @Test
    void anExceptionStaysWithTheThreadThatThrewIt() throws Exception {
        IntUnaryOperator check = x -> {
            if (x < 0) {
                throw new IllegalArgumentException("negative: " + x);
            }
            return 2 * x;
        };
        int rounds = 2_000;
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_check", IntUnaryOperator.class, check, -1)
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("check", CHECK))) {
            IntUnaryOperator checkPlus = plugin.function("check_plus", IntUnaryOperator.class);
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> failing = pool.submit(() -> {
                    start.await();
                    int failures = 0;
                    for (int i = 1; i <= rounds; i++) {
                        int x = -i;
                        Throwable failure = catchThrowable(() -> checkPlus.applyAsInt(x));
                        if (failure instanceof HostFunctionException
                                && failure.getCause().getMessage().equals("negative: " + x)
                                && failure.getCause().getSuppressed().length == 0) {
                            failures++;
                        }
                    }
                    return failures;
                });
                Future<Integer> succeeding = pool.submit(() -> {
                    start.await();
                    int correct = 0;
                    for (int i = 1; i <= rounds; i++) {
                        if (checkPlus.applyAsInt(i) == 2 * i + 1000) {
                            correct++;
                        }
                    }
                    return correct;
                });

                assertThat(failing.get()).isEqualTo(rounds);
                assertThat(succeeding.get()).isEqualTo(rounds);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void hostFunctionMayCallIntoAnotherPluginFunction() {
        String ir = """
                declare i32 @host_check(i32)
                declare i32 @host_nested(i32)
                define i32 @inner(i32 %x) {
                  %r = call i32 @host_check(i32 %x)
                  ret i32 %r
                }
                define i32 @outer(i32 %x) {
                  %r = call i32 @host_nested(i32 %x)
                  %s = mul i32 %r, 3
                  ret i32 %s
                }
                """;
        AtomicReference<IntUnaryOperator> inner = new AtomicReference<>();
        IntUnaryOperator check = x -> {
            if (x < 0) {
                throw new IllegalStateException("inner refused " + x);
            }
            return x + 1;
        };
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_check", IntUnaryOperator.class, check)
                .hostFunction("host_nested", IntUnaryOperator.class, x -> inner.get().applyAsInt(x) * 10)
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("nested", ir))) {
            inner.set(plugin.function("inner", IntUnaryOperator.class));
            IntUnaryOperator outer = plugin.function("outer", IntUnaryOperator.class);

            assertThat(outer.applyAsInt(2)).isEqualTo(90);

            // The inner call throws to the outer host function, which lets it go: both layers reach the caller.
            assertThatThrownBy(() -> outer.applyAsInt(-1))
                    .isInstanceOf(HostFunctionException.class)
                    .hasMessageContaining("'outer'")
                    .cause().isInstanceOf(HostFunctionException.class)
                    .hasMessageContaining("'inner'")
                    .cause().isInstanceOf(IllegalStateException.class)
                    .hasMessage("inner refused -1");

            assertThat(outer.applyAsInt(1)).isEqualTo(60);
        }
    }

    @Test
    void stubsOutliveOnePluginAndServeTheNext() {
        String ir = """
                declare i32 @host_mul(i32, i32)
                define i32 @square(i32 %x) {
                  %r = call i32 @host_mul(i32 %x, i32 %x)
                  ret i32 %r
                }
                """;
        try (StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_mul", IntBinaryOperator.class, (a, b) -> a * b)
                .build();
             JitContext jit = JitContext.builder().resolver(resolver).build()) {
            try (Plugin first = jit.load(ModuleSource.ir("first", ir))) {
                assertThat(first.function("square", IntUnaryOperator.class).applyAsInt(9)).isEqualTo(81);
            }
            try (Plugin second = jit.load(ModuleSource.ir("second", ir));
                 Plugin third = jit.load(ModuleSource.ir("third", ir))) {
                assertThat(second.function("square", IntUnaryOperator.class).applyAsInt(12)).isEqualTo(144);
                assertThat(third.function("square", IntUnaryOperator.class).applyAsInt(-3)).isEqualTo(9);
            }
        }
    }

    static long scale(long value, double factor) {
        return (long) (value * factor);
    }

    static int failChecked(int x) throws IOException {
        throw new IOException("checked " + x);
    }

    static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    private static int seen(Plugin plugin) {
        return plugin.address("seen").orElseThrow().get(ValueLayout.JAVA_INT, 0);
    }
}
