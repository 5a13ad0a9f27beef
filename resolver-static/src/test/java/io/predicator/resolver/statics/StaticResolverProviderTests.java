package io.predicator.resolver.statics;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Linker;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The provider: discovery by id, and tables of native symbols from string configuration. */
class StaticResolverProviderTests {

    interface LongSupplier {
        long get();
    }

    @Test
    void discoveredThroughServiceLoaderAndResolvesConfiguredSymbols() {
        SymbolResolverProvider provider = ServiceLoader.load(SymbolResolverProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.id().equals("static"))
                .findFirst()
                .orElseThrow();
        String ir = """
                @text = private constant [7 x i8] c"plugin\\00"
                declare i64 @my_strlen(ptr)
                define i64 @length() {
                  %n = call i64 @my_strlen(ptr @text)
                  ret i64 %n
                }
                """;
        SymbolResolver resolver = provider.create(Map.of("my_strlen", "strlen"));
        try (StaticResolver table = (StaticResolver) resolver;
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("my-strlen", ir))) {
            assertThat(table.resolve("my_strlen")).isEqualTo(Linker.nativeLinker().defaultLookup().find("strlen"));
            assertThat(table.resolve("strlen")).isEmpty();
            assertThat(plugin.function("length", LongSupplier.class).get()).isEqualTo(6);
        }
        assertThat(provider.description()).startsWith("static:");
    }

    @Test
    void entriesMayNameTheLibrary() {
        String ir = """
                declare i32 @c_abs(i32)
                define i32 @magnitude(i32 %x) {
                  %r = call i32 @c_abs(i32 %x)
                  ret i32 %r
                }
                """;
        try (StaticResolver resolver = (StaticResolver) new StaticResolverProvider()
                .create(Map.of("c_abs", "libc.so.6:abs", "c_labs", " libc.so.6 : labs "));
             JitContext jit = JitContext.builder().resolver(resolver).build();
             Plugin plugin = jit.load(ModuleSource.ir("abs", ir))) {
            assertThat(plugin.function("magnitude", IntUnaryOperator.class).applyAsInt(-42)).isEqualTo(42);
            assertThat(resolver.symbols()).containsExactly("c_abs", "c_labs");
        }
    }

    @Test
    void anEmptyConfigurationGivesAnEmptyTable() {
        try (StaticResolver resolver = (StaticResolver) new StaticResolverProvider().create(Map.of())) {
            assertThat(resolver.id()).isEqualTo("static");
            assertThat(resolver.symbols()).isEmpty();
            assertThat(resolver.resolve("strlen")).isEmpty();
        }
    }

    @Test
    void whatCannotBeFoundFailsNamingTheKey() {
        StaticResolverProvider provider = new StaticResolverProvider();

        assertThatThrownBy(() -> provider.create(Map.of("missing", "no_such_symbol_in_libc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'missing' = 'no_such_symbol_in_libc'")
                .hasMessageContaining("no symbol 'no_such_symbol_in_libc' in the C library");
        assertThatThrownBy(() -> provider.create(Map.of("cos", "libdoes-not-exist.so.9:cos")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cos'")
                .hasMessageContaining("cannot load library 'libdoes-not-exist.so.9'");
        assertThatThrownBy(() -> provider.create(Map.of("labs", "libc.so.6:no_such_symbol_in_libc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'labs'")
                .hasMessageContaining("in library 'libc.so.6'");
        assertThatThrownBy(() -> provider.create(Map.of("blank", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'blank' = ' ': expected 'library:symbol'");
        assertThatThrownBy(() -> provider.create(Map.of("no_library", ":strlen")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no_library'");
        assertThatThrownBy(() -> provider.create(Map.of("no_symbol", "libc.so.6:")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no_symbol'");
        assertThatThrownBy(() -> provider.create(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("configuration is null");
    }
}
