package io.predicator.resolver.statics;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.UnresolvedSymbolsException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The table itself: native functions and data by address, names, duplicates and the resolver's lifetime. */
class StaticResolverTests {
    private static final MemorySegment STRLEN = Linker.nativeLinker().defaultLookup().find("strlen").orElseThrow();

    interface LongSupplier {
        long get();
    }

    interface Action {
        void run();
    }

    @Test
    void pluginCallsANativeFunctionFromTheTableUnderTheTablesName() {
        String ir = """
                @text = private constant [11 x i8] c"predicator\\00"
                declare i64 @c_strlen(ptr)
                define i64 @length() {
                  %n = call i64 @c_strlen(ptr @text)
                  ret i64 %n
                }
                """;
        try (StaticResolver resolver = StaticResolver.builder().function("c_strlen", STRLEN).build();
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("strlen", ir))) {
            assertThat(plugin.function("length", LongSupplier.class).get()).isEqualTo(10);
        }
    }

    @Test
    void pluginSharesDataThatJavaAllocated() {
        String ir = """
                @counter = external global i64
                define void @bump() {
                  %old = load i64, ptr @counter, align 8
                  %new = add i64 %old, 1
                  store i64 %new, ptr @counter, align 8
                  ret void
                }
                define i64 @read() {
                  %value = load i64, ptr @counter, align 8
                  ret i64 %value
                }
                """;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
            try (StaticResolver resolver = StaticResolver.builder().data("counter", counter).build();
                 JitContext jit = JitContext.builder().resolver(resolver).build();
                 Plugin plugin = jit.load(ModuleSource.ir("counter", ir))) {
                Action bump = plugin.function("bump", Action.class);
                bump.run();
                bump.run();
                bump.run();
                assertThat(counter.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(3);

                counter.set(ValueLayout.JAVA_LONG, 0, 100);
                assertThat(plugin.function("read", LongSupplier.class).get()).isEqualTo(100);
            }
        }
    }

    @Test
    void resolvesOnlyWhatTheTableHolds() {
        try (StaticResolver resolver = StaticResolver.builder()
                .function("c_strlen", STRLEN)
                .hostFunction("host_neg", IntUnaryOperator.class, x -> -x)
                .build()) {
            assertThat(resolver.id()).isEqualTo("static");
            assertThat(resolver.consultedIds()).containsExactly("static");
            assertThat(resolver.resolve("c_strlen")).contains(STRLEN);
            assertThat(resolver.resolve("host_neg")).hasValueSatisfying(stub -> assertThat(stub.address()).isNotZero());
            assertThat(resolver.resolve("strlen")).isEmpty();
            assertThat(resolver.resolve("")).isEmpty();
            assertThat(resolver.symbols()).containsExactly("c_strlen", "host_neg");
            assertThatThrownBy(() -> resolver.resolve(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessage("symbol is null");
        }
    }

    @Test
    void anEmptyTableResolvesNothing() {
        try (StaticResolver resolver = StaticResolver.builder().build()) {
            assertThat(resolver.symbols()).isEmpty();
            assertThat(resolver.resolve("memcpy")).isEmpty();
        }
    }

    @Test
    void aPluginNeedingSymbolsOutsideTheTableFailsToLoadNamingThemAndTheResolver() {
        String ir = """
                declare i64 @c_strlen(ptr)
                declare i32 @getpid()
                define i64 @both() {
                  %n = call i64 @c_strlen(ptr null)
                  %p = call i32 @getpid()
                  %w = sext i32 %p to i64
                  %s = add i64 %n, %w
                  ret i64 %s
                }
                """;
        try (StaticResolver resolver = StaticResolver.builder().function("c_strlen", STRLEN).build();
             JitContext jit = JitContext.builder().resolver(resolver).build()) {
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("needs-getpid", ir)))
                    .isInstanceOfSatisfying(UnresolvedSymbolsException.class, e -> {
                        assertThat(e.symbols()).containsExactly("getpid");
                        assertThat(e.resolverIds()).containsExactly("static");
                    });
        }
    }

    @Test
    void aNameMayAppearOnlyOnce() {
        StaticResolver.Builder builder = StaticResolver.builder().function("shared", STRLEN);

        assertThatThrownBy(() -> builder.data("shared", STRLEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("symbol 'shared' is already in the table as a function; each name may appear once");
        assertThatThrownBy(() -> builder.hostFunction("shared", IntBinaryOperator.class, (a, b) -> a + b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'shared' is already in the table as a function");

        StaticResolver.Builder hostFirst = StaticResolver.builder()
                .hostFunction("twice", IntUnaryOperator.class, x -> 2 * x);
        assertThatThrownBy(() -> hostFirst.function("twice", STRLEN))
                .hasMessageContaining("'twice' is already in the table as a host function");

        // The rejected entry left the builder as it was.
        try (StaticResolver resolver = builder.build()) {
            assertThat(resolver.symbols()).containsExactly("shared");
            assertThat(resolver.resolve("shared")).contains(STRLEN);
        }
    }

    @Test
    void namesAndAddressesAreChecked() {
        StaticResolver.Builder builder = StaticResolver.builder();

        assertThatThrownBy(() -> builder.function(null, STRLEN))
                .isInstanceOf(NullPointerException.class).hasMessage("name is null");
        assertThatThrownBy(() -> builder.function("f", null))
                .isInstanceOf(NullPointerException.class).hasMessage("address is null");
        assertThatThrownBy(() -> builder.data(" ", STRLEN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("symbol name is blank");
        assertThatThrownBy(() -> builder.data("nothing", MemorySegment.NULL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("data 'nothing' has a NULL address");
    }

    @Test
    void resolvingAfterCloseThrowsAndCloseIsIdempotent() {
        StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_neg", IntUnaryOperator.class, x -> -x)
                .build();
        assertThat(resolver.isClosed()).isFalse();

        resolver.close();
        resolver.close();

        assertThat(resolver.isClosed()).isTrue();
        assertThatThrownBy(() -> resolver.resolve("host_neg"))
                .isInstanceOf(AlreadyClosedException.class)
                .hasMessage("resolver 'static' is closed");
        assertThat(resolver).hasToString("StaticResolver[host_neg][closed]");
    }

    @Test
    void loadingAgainstAClosedResolverFails() {
        String ir = """
                declare i32 @host_neg(i32)
                define i32 @negate(i32 %x) {
                  %r = call i32 @host_neg(i32 %x)
                  ret i32 %r
                }
                """;
        StaticResolver resolver = StaticResolver.builder()
                .hostFunction("host_neg", IntUnaryOperator.class, x -> -x)
                .build();
        resolver.close();
        try (JitContext jit = JitContext.builder().resolver(resolver).build()) {
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("late", ir)))
                    .isInstanceOf(ResolverException.class)
                    .hasCauseInstanceOf(AlreadyClosedException.class);
        }
    }

    @Test
    void oneBuilderBuildsIndependentResolvers() {
        StaticResolver.Builder builder = StaticResolver.builder()
                .hostFunction("host_neg", IntUnaryOperator.class, x -> -x);
        try (StaticResolver first = builder.build(); StaticResolver second = builder.build()) {
            assertThat(first.resolve("host_neg").orElseThrow().address())
                    .isNotEqualTo(second.resolve("host_neg").orElseThrow().address());
            first.close();
            assertThat(second.resolve("host_neg")).isPresent();
        }
    }
}
