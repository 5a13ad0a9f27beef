package io.predicator.resolver.libc;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LibcResolverTests {
    private static final String C_LIKE = """
            declare i64 @strlen(ptr)
            declare double @sqrt(double)
            declare ptr @memcpy(ptr, ptr, i64)
            declare i32 @toupper(i32)

            define i64 @len(ptr %s) {
              %n = call i64 @strlen(ptr %s)
              ret i64 %n
            }
            define double @root(double %x) {
              %r = call double @sqrt(double %x)
              ret double %r
            }
            define void @copy(ptr %to, ptr %from, i64 %n) {
              call ptr @memcpy(ptr %to, ptr %from, i64 %n)
              ret void
            }
            define i32 @upper(i32 %c) {
              %r = call i32 @toupper(i32 %c)
              ret i32 %r
            }
            ; (a << 64) / b needs the compiler helper __udivti3
            define i64 @wide_div(i64 %a, i64 %b) {
              %x = zext i64 %a to i128
              %high = shl i128 %x, 64
              %y = zext i64 %b to i128
              %q = udiv i128 %high, %y
              %r = trunc i128 %q to i64
              ret i64 %r
            }
            """;

    private static final String SYSTEM_CALLS = """
            declare i32 @getpid()
            declare i32 @puts(ptr)
            define i32 @pid() {
              %p = call i32 @getpid()
              ret i32 %p
            }
            define i32 @say(ptr %s) {
              %r = call i32 @puts(ptr %s)
              ret i32 %r
            }
            """;

    private static final String JVM_IMPORT = """
            declare i32 @JNI_GetDefaultJavaVMInitArgs(ptr)
            define ptr @jvm() {
              ret ptr @JNI_GetDefaultJavaVMInitArgs
            }
            """;

    interface Length {
        long of(MemorySegment text);
    }

    interface Copy {
        void copy(MemorySegment to, MemorySegment from, long count);
    }

    interface Pid {
        int pid();
    }

    private static JitContext jit;

    @BeforeAll
    static void createContext() {
        jit = JitContext.builder().resolver(LibcResolver.of(LibcProfile.PURE)).build();
    }

    @AfterAll
    static void closeContext() {
        jit.close();
    }

    @Test
    void pureProfileLinksStringMathMemoryCharacterFunctionsAndCompilerHelpers() {
        try (Plugin plugin = jit.load(ModuleSource.ir("c-like", C_LIKE));
             Arena arena = Arena.ofConfined()) {
            assertThat(plugin.function("len", Length.class).of(arena.allocateFrom("predicator"))).isEqualTo(10);
            assertThat(plugin.function("root", DoubleUnaryOperator.class).applyAsDouble(2.25)).isEqualTo(1.5);
            assertThat(plugin.function("upper", IntUnaryOperator.class).applyAsInt('q')).isEqualTo('Q');
            MemorySegment from = arena.allocateFrom("copied");
            MemorySegment to = arena.allocate(16);
            plugin.function("copy", Copy.class).copy(to, from, 7);
            assertThat(to.getString(0)).isEqualTo("copied");
            long expected = BigInteger.valueOf(7).shiftLeft(64).divide(BigInteger.valueOf(3)).longValue();
            assertThat(plugin.function("wide_div", LongBinaryOperator.class).applyAsLong(7, 3)).isEqualTo(expected);
        }
    }

    @Test
    void inspectShowsTheCompilerHelperAmongTheImports() {
        assertThat(jit.inspect(ModuleSource.ir("c-like", C_LIKE)).imports())
                .contains("strlen", "sqrt", "memcpy", "toupper", "__udivti3");
    }

    @Test
    void pureProfileRefusesProcessAndFileFunctionsNamingAllOfThem() {
        assertThatThrownBy(() -> jit.load(ModuleSource.ir("syscalls", SYSTEM_CALLS)))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class, e -> {
                    assertThat(e.symbols()).containsExactly("getpid", "puts");
                    assertThat(e.resolverIds()).containsExactly("libc");
                });
        try (Plugin plugin = jit.load(ModuleSource.ir("c-like", C_LIKE))) {
            assertThat(plugin.exports()).isNotEmpty();
        }
    }

    @Test
    void allowPatternsExtendTheProfile() {
        SymbolResolver resolver = LibcResolver.builder().profile(LibcProfile.PURE).allow("getp?d", "puts").build();
        try (Plugin plugin = jit.load(ModuleSource.ir("syscalls", SYSTEM_CALLS),
                LoadOptions.builder().resolver(resolver).build())) {
            assertThat(plugin.function("pid", Pid.class).pid()).isEqualTo((int) ProcessHandle.current().pid());
        }
    }

    @Test
    void fullProfileProvidesTheWholeCLibraryButDenyWins() {
        SymbolResolver full = LibcResolver.of(LibcProfile.FULL);
        try (Plugin plugin = jit.load(ModuleSource.ir("syscalls", SYSTEM_CALLS), LoadOptions.builder().resolver(full).build())) {
            assertThat(plugin.function("pid", Pid.class).pid()).isEqualTo((int) ProcessHandle.current().pid());
        }
        SymbolResolver denying = LibcResolver.builder().profile(LibcProfile.FULL).deny("put*").build();
        assertThatThrownBy(() -> jit.load(ModuleSource.ir("syscalls", SYSTEM_CALLS),
                LoadOptions.builder().resolver(denying).build()))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                        e -> assertThat(e.symbols()).containsExactly("puts"));
    }

    @Test
    void evenTheFullProfileDoesNotExposeTheJvmsOwnSymbols() {
        assertThat(LibcResolver.of(LibcProfile.FULL).resolve("JNI_GetDefaultJavaVMInitArgs")).isEmpty();
        assertThatThrownBy(() -> jit.load(ModuleSource.ir("jvm", JVM_IMPORT),
                LoadOptions.builder().resolver(LibcResolver.of(LibcProfile.FULL)).build()))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                        e -> assertThat(e.symbols()).containsExactly("JNI_GetDefaultJavaVMInitArgs"));
    }

    @Test
    void resolvedAddressesAreTheLibrariesOwn() {
        MemorySegment strlen = LibcResolver.of(LibcProfile.PURE).resolve("strlen").orElseThrow();
        assertThat(strlen.address()).isNotZero();
        assertThat(LibcResolver.of(LibcProfile.PURE).resolve("no_such_symbol_anywhere")).isEmpty();
        assertThat(LibcResolver.of(LibcProfile.PURE).resolve("")).isEmpty();
        assertThatThrownBy(() -> LibcResolver.of(LibcProfile.PURE).resolve(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void providerIsDiscoveredAndReadsItsConfiguration() {
        SymbolResolverProvider provider = ServiceLoader.load(SymbolResolverProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.id().equals("libc"))
                .findFirst().orElseThrow();
        LibcResolver resolver = (LibcResolver) provider.create(Map.of("profile", "full", "deny", "system, exec*"));
        assertThat(resolver.profile()).isEqualTo(LibcProfile.FULL);
        assertThat(resolver.resolve("getpid")).isPresent();
        assertThat(resolver.resolve("system")).isEmpty();
        assertThat(resolver.resolve("execve")).isEmpty();
        assertThat(((LibcResolver) provider.create(Map.of())).profile()).isEqualTo(LibcProfile.PURE);
        assertThatThrownBy(() -> provider.create(Map.of("profil", "full")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("profil");
        assertThatThrownBy(() -> provider.create(Map.of("profile", "sandbox")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pure").hasMessageContaining("full");
    }

    @Test
    void ctypeLocatorsUsedByGlibcMacrosResolveButAllocationDoesNot() {
        MemorySegment locator = LibcResolver.of(LibcProfile.PURE).resolve("__ctype_b_loc").orElseThrow();
        assertThat(locator.address()).isNotZero();
        assertThat(LibcResolver.of(LibcProfile.PURE).resolve("malloc")).isEmpty();
        assertThat(LibcResolver.of(LibcProfile.PURE).resolve("open")).isEmpty();
        assertThat(LibcResolver.of(LibcProfile.FULL).resolve("malloc")).isPresent();
    }
}
