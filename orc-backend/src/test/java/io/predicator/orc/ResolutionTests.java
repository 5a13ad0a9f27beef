package io.predicator.orc;

import io.predicator.fixtures.ArchiveMember;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Serial;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

import static io.predicator.orc.TestModules.ARITH;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What plugins may link against: host functions from a custom {@link SymbolResolver} (context-wide or per load),
 * all missing symbols reported at once, failing resolvers reported as {@link ResolverException}, and the default
 * resolver providing the compiler's memory routines but nothing else of the process.
 */
class ResolutionTests {
    private static final AtomicInteger HOST_CALLS = new AtomicInteger();
    private static Arena upcalls;
    private static MemorySegment hostAdd;

    private final JitContext defaultContext = JitContext.builder().build();

    /** {@code void(ptr, ptr, i64)}. */
    public interface CopyBytes {
        void copy(MemorySegment destination, MemorySegment source, long count);
    }

    /** {@code void(ptr, i32, i64)}. */
    public interface FillBytes {
        void fill(MemorySegment destination, int value, long count);
    }

    @BeforeAll
    @SuppressWarnings("restricted")
    static void createUpcall() throws ReflectiveOperationException {
        upcalls = Arena.ofShared();
        hostAdd = Linker.nativeLinker().upcallStub(
                MethodHandles.lookup().findStatic(ResolutionTests.class, "hostAdd",
                        MethodType.methodType(int.class, int.class, int.class)),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), upcalls);
    }

    @AfterAll
    static void freeUpcall() {
        upcalls.close();
    }

    @AfterEach
    void closeContext() {
        defaultContext.close();
    }

    /** The host function that plugins call as {@code host_add}; never throws (that would end the JVM). */
    static int hostAdd(int a, int b) {
        HOST_CALLS.incrementAndGet();
        return a + b;
    }

    @Test
    void contextResolverProvidesHostFunction() {
        Set<String> asked = ConcurrentHashMap.newKeySet();
        SymbolResolver host = SymbolResolver.of("host", symbol -> {
            asked.add(symbol);
            return symbol.equals("host_add") ? Optional.of(hostAdd) : Optional.empty();
        });
        int callsBefore = HOST_CALLS.get();

        try (JitContext context = JitContext.builder().resolver(host).build();
             Plugin plugin = context.load(TestModules.ir("host.ll"))) {
            IntBinaryOperator addViaHost = plugin.function("add_via_host", IntBinaryOperator.class);

            assertThat(addViaHost.applyAsInt(2, 3)).isEqualTo(10);
            assertThat(addViaHost.applyAsInt(-4, 1)).isEqualTo(-6);
        }
        assertThat(HOST_CALLS.get() - callsBefore).isEqualTo(2);
        assertThat(asked).contains("host_add");
    }

    @Test
    void hostFunctionResolvesForObjectsToo() {
        byte[] object = TestModules.object(TestModules.irText("host.ll"));

        try (Plugin plugin = defaultContext.load(ModuleSource.of("host.o", object),
                LoadOptions.builder().resolver(resolving("host_add", hostAdd)).build())) {
            assertThat(plugin.function("add_via_host", IntBinaryOperator.class).applyAsInt(20, 1)).isEqualTo(42);
        }
    }

    @Test
    void perLoadResolverOverridesTheContexts() {
        ModuleSource source = TestModules.ir("host.ll");
        assertThatThrownBy(() -> defaultContext.load(source))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                        e -> assertThat(e.symbols()).containsExactly("host_add"));

        try (Plugin plugin = defaultContext.load(source,
                LoadOptions.builder().resolver(resolving("host_add", hostAdd)).build())) {
            assertThat(plugin.function("add_via_host", IntBinaryOperator.class).applyAsInt(1, 2)).isEqualTo(6);
        }
    }

    @Test
    void allMissingSymbolsAreReportedAtOnce() {
        SymbolResolver nothing = SymbolResolver.of("nothing", symbol -> Optional.empty());

        try (JitContext context = JitContext.builder().resolver(nothing).build()) {
            assertThatThrownBy(() -> context.load(TestModules.ir("two_missing.ll")))
                    .isInstanceOfSatisfying(UnresolvedSymbolsException.class, e -> {
                        assertThat(e.symbols()).containsExactly("missing_one", "missing_two");
                        assertThat(e.pluginName()).isEqualTo("two_missing.ll");
                        assertThat(e.resolverIds()).contains("nothing");
                    })
                    .hasMessageContaining("missing_one")
                    .hasMessageContaining("missing_two");
            assertThat(context.plugins()).isEmpty();

            assertGoodPluginLoads(context);
        }
    }

    @Test
    void missingSymbolsOfArchivesAreReportedAtOnce() {
        byte[] archive = TestModules.archive(true,
                new ArchiveMember("missing.o", TestModules.object(TestModules.irText("two_missing.ll")),
                        List.of("use_both")),
                new ArchiveMember("arith.o", TestModules.object(TestModules.irText(ARITH)),
                        List.of("add", "mul", "sub")));

        assertThatThrownBy(() -> defaultContext.load(ModuleSource.of("missing.a", archive)))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                        e -> assertThat(e.symbols()).containsExactly("missing_one", "missing_two"));
        assertGoodPluginLoads(defaultContext);
    }

    @Test
    void throwingResolverGivesResolverException() {
        IllegalStateException failure = new IllegalStateException("resolver backend is down");
        SymbolResolver throwing = SymbolResolver.of("throwing", symbol -> {
            throw failure;
        });

        try (JitContext context = JitContext.builder().resolver(throwing).build()) {
            assertThatThrownBy(() -> context.load(TestModules.ir("host.ll")))
                    .isInstanceOf(ResolverException.class)
                    .hasMessageContaining("host_add")
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage("resolver backend is down");
            assertThat(context.plugins()).isEmpty();

            assertGoodPluginLoads(context);
        }
    }

    @Test
    void resolverThrowingCheckedExceptionGivesResolverException() {
        IOException failure = new IOException("resolver file is unreadable");
        SymbolResolver sneaky = SymbolResolver.of("sneaky", symbol -> sneakyThrow(failure));

        assertThatThrownBy(() -> defaultContext.load(TestModules.ir("host.ll"),
                LoadOptions.builder().resolver(sneaky).build()))
                .isInstanceOf(ResolverException.class)
                .hasMessageContaining("'sneaky'")
                .hasMessageContaining("host_add")
                .cause().isSameAs(failure);
        assertThat(defaultContext.plugins()).isEmpty();

        assertGoodPluginLoads(defaultContext);
    }

    @Test
    void resolverThrowingThrowableThatIsNeitherExceptionNorErrorGivesResolverException() {
        Throwable failure = new Oddity("neither an exception nor an error");
        SymbolResolver odd = SymbolResolver.of("odd", symbol -> sneakyThrow(failure));

        try (JitContext context = JitContext.builder().resolver(odd).build()) {
            assertThatThrownBy(() -> context.load(TestModules.ir("host.ll")))
                    .isInstanceOf(ResolverException.class)
                    .hasMessageContaining("'odd'")
                    .hasMessageContaining("host_add")
                    .cause().isSameAs(failure);
            assertThat(context.plugins()).isEmpty();

            assertGoodPluginLoads(context);
        }
    }

    @Test
    void resolverWithNullIdGivesResolverException() {
        assertThatThrownBy(() -> defaultContext.load(TestModules.ir("host.ll"),
                LoadOptions.builder().resolver(new NullIdResolver()).build()))
                .isInstanceOf(ResolverException.class)
                .hasMessageContaining(NullIdResolver.class.getName())
                .hasMessageContaining("id() returned null")
                .hasMessageContaining("host.ll");
        assertThat(defaultContext.plugins()).isEmpty();

        assertGoodPluginLoads(defaultContext);
    }

    @Test
    void resolverReturningNullAddressGivesResolverException() {
        assertThatThrownBy(() -> defaultContext.load(TestModules.ir("host.ll"),
                LoadOptions.builder().resolver(resolving("host_add", MemorySegment.NULL)).build()))
                .isInstanceOf(ResolverException.class)
                .hasMessageContaining("host_add");

        assertGoodPluginLoads(defaultContext);
    }

    @Test
    void resolverReturningNullOptionalGivesResolverException() {
        SymbolResolver broken = SymbolResolver.of("broken", symbol -> null);

        assertThatThrownBy(() -> defaultContext.load(TestModules.ir("host.ll"),
                LoadOptions.builder().resolver(broken).build()))
                .isInstanceOf(ResolverException.class);

        assertGoodPluginLoads(defaultContext);
    }

    @Test
    void resolverIsNotAskedForSymbolsThePluginDefines() {
        Map<String, Integer> asked = new ConcurrentHashMap<>();
        SymbolResolver recording = SymbolResolver.of("recording", symbol -> {
            asked.merge(symbol, 1, Integer::sum);
            return Optional.empty();
        });

        try (Plugin plugin = defaultContext.load(TestModules.ir(ARITH), LoadOptions.builder().resolver(recording).build())) {
            assertThat(plugin.function("mul", IntBinaryOperator.class).applyAsInt(3, 4)).isEqualTo(12);
        }
        assertThat(asked).doesNotContainKeys("add", "mul", "sub", "multiply_helper");
    }

    @Test
    void defaultResolverProvidesMemcpyAndMemset() {
        try (Plugin plugin = defaultContext.load(TestModules.ir("memops.ll"));
             Arena arena = Arena.ofConfined()) {
            CopyBytes copy = plugin.function("copy_bytes", CopyBytes.class);
            FillBytes fill = plugin.function("fill_bytes", FillBytes.class);
            MemorySegment source = arena.allocateFrom(JAVA_BYTE, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            MemorySegment destination = arena.allocate(10);

            copy.copy(destination, source, 10);
            assertThat(destination.toArray(JAVA_BYTE)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

            fill.fill(destination, 0x7F, 4);
            assertThat(destination.toArray(JAVA_BYTE)).containsExactly(0x7F, 0x7F, 0x7F, 0x7F, 5, 6, 7, 8, 9, 10);
        }
    }

    @Test
    void defaultResolverDoesNotProvidePuts() {
        assertThatThrownBy(() -> defaultContext.load(TestModules.ir("puts.ll")))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class, e -> {
                    assertThat(e.symbols()).containsExactly("puts");
                    assertThat(e.resolverIds()).containsExactly("compiler-support");
                });
        assertGoodPluginLoads(defaultContext);
    }

    @Test
    void defaultResolverDoesNotProvideGetpid() {
        assertThatThrownBy(() -> defaultContext.load(TestModules.ir("getpid.ll")))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                        e -> assertThat(e.symbols()).containsExactly("getpid"));
        assertThatThrownBy(() -> defaultContext.load(ModuleSource.of("getpid.o",
                TestModules.object(TestModules.irText("getpid.ll")))))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                        e -> assertThat(e.symbols()).containsExactly("getpid"));
        assertGoodPluginLoads(defaultContext);
    }

    @Test
    void noneResolverRefusesEvenMemset() {
        assertThatThrownBy(() -> defaultContext.load(TestModules.ir("memops.ll"),
                LoadOptions.builder().resolver(SymbolResolver.none()).build()))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                        e -> assertThat(e.symbols()).contains("memcpy", "memset"));
    }

    /** Throws a checked exception, or any throwable, from code that declares none. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable, R> R sneakyThrow(Throwable failure) throws T {
        throw (T) failure;
    }

    /** A throwable that is neither an {@link Exception} nor an {@link Error}. */
    static final class Oddity extends Throwable {
        @Serial
        private static final long serialVersionUID = 1L;

        Oddity(String message) {
            super(message);
        }
    }

    /** A resolver that breaks the SPI by having no id. */
    static final class NullIdResolver implements SymbolResolver {
        @Override
        public String id() {
            return null;
        }

        @Override
        public Optional<MemorySegment> resolve(String symbol) {
            return symbol.equals("host_add") ? Optional.of(hostAdd) : Optional.empty();
        }
    }

    private static SymbolResolver resolving(String name, MemorySegment address) {
        return SymbolResolver.of("only-" + name,
                symbol -> symbol.equals(name) ? Optional.of(address) : Optional.empty());
    }

    private static void assertGoodPluginLoads(JitContext context) {
        try (Plugin good = context.load(ModuleSource.ir("good.ll", TestModules.valueIr(314)))) {
            assertThat(good.function("value", IntSupplier.class).getAsInt()).isEqualTo(314);
        }
    }
}
