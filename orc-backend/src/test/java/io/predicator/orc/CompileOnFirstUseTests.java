package io.predicator.orc;

import io.predicator.AlreadyClosedException;
import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.UnknownSymbolException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.UnsupportedModuleException;
import io.predicator.spi.SymbolResolver;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LoadOptions#compileOnFirstUse()}: the load generates no code; each export is compiled, with what it
 * reaches, when it is first asked for, and the pieces must link into one plugin that behaves like the module
 * compiled whole: shared state, one address per function, data, failures that leave the plugin usable, unloads.
 */
class CompileOnFirstUseTests {
    private static final LoadOptions ON_FIRST_USE = LoadOptions.builder().compileOnFirstUse(true).build();

    /** Internal state, internal functions reached through a table, exported data. */
    private static final String STATEFUL = """
            @table = global [4 x i32] [i32 1, i32 2, i32 3, i32 4]
            @counter = internal global i64 0
            @handlers = internal constant [2 x ptr] [ptr @inc, ptr @dec]

            define internal i64 @inc(i64 %x) {
              %r = add i64 %x, 1
              ret i64 %r
            }
            define internal i64 @dec(i64 %x) {
              %r = sub i64 %x, 1
              ret i64 %r
            }
            define i64 @bump() {
              %f = load ptr, ptr @handlers
              %c = load i64, ptr @counter
              %n = call i64 %f(i64 %c)
              store i64 %n, ptr @counter
              ret i64 %n
            }
            define i64 @peek() {
              %c = load i64, ptr @counter
              ret i64 %c
            }
            define i64 @handler(i32 %i) {
              %slot = getelementptr [2 x ptr], ptr @handlers, i64 0, i32 %i
              %f = load ptr, ptr %slot
              %a = ptrtoint ptr %f to i64
              ret i64 %a
            }
            define i64 @increment_address() {
              ret i64 ptrtoint (ptr @inc to i64)
            }
            define i32 @sum_table() {
              %a = load i32, ptr @table
              %p = getelementptr [4 x i32], ptr @table, i64 0, i64 3
              %b = load i32, ptr %p
              %s = add i32 %a, %b
              ret i32 %s
            }
            """;

    /** Needs memcpy only once code is generated: the IR declares nothing a resolver must provide. */
    private static final String NEEDS_MEMCPY = """
            declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
            define void @copy(ptr %d, ptr %s, i64 %n) {
              call void @llvm.memcpy.p0.p0.i64(ptr %d, ptr %s, i64 %n, i1 false)
              ret void
            }
            define i32 @value() {
              ret i32 7
            }
            """;

    public interface LongOf {
        long apply(int i);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void piecesShareStateAndAddressesLikeTheWholeModule(int level) {
        try (JitContext jit = JitContext.builder().optimizationLevel(level).build();
             Plugin plugin = jit.load(ModuleSource.ir("stateful", STATEFUL), ON_FIRST_USE)) {
            assertThat(jit.stats().plugins().getFirst().codeBytes()).as("nothing compiled at load").isZero();
            assertThat(plugin.exports()).extracting(ExportedFunction::name)
                    .containsExactly("bump", "handler", "increment_address", "peek", "sum_table");
            assertThat(plugin.exports()).allSatisfy(function -> assertThat(function.signature()).isPresent());

            LongSupplier bump = plugin.function("bump", LongSupplier.class);
            long afterFirstPiece = jit.stats().plugins().getFirst().codeBytes();
            assertThat(afterFirstPiece).isPositive();
            assertThat(bump.getAsLong()).isEqualTo(1);
            LongSupplier peek = plugin.function("peek", LongSupplier.class);
            assertThat(jit.stats().plugins().getFirst().codeBytes()).isGreaterThan(afterFirstPiece);
            assertThat(peek.getAsLong()).as("a later piece reads the first piece's internal counter").isEqualTo(1);
            assertThat(bump.getAsLong()).isEqualTo(2);
            assertThat(peek.getAsLong()).isEqualTo(2);

            long fromTable = plugin.function("handler", LongOf.class).apply(0);
            long direct = plugin.function("increment_address", LongSupplier.class).getAsLong();
            assertThat(fromTable).as("one address per function, whichever piece takes it").isEqualTo(direct)
                    .isNotZero();
            assertThat(plugin.function("handler", LongOf.class).apply(1)).isNotEqualTo(direct).isNotZero();

            MemorySegment table = plugin.address("table").orElseThrow();
            assertThat(table.byteSize()).isEqualTo(16);
            assertThat(table.getAtIndex(ValueLayout.JAVA_INT, 3)).isEqualTo(4);
            table.setAtIndex(ValueLayout.JAVA_INT, 0, 10);
            assertThat(plugin.function("sum_table", IntSupplier.class).getAsInt()).isEqualTo(14);
            assertThat(plugin.address("bump")).hasValueSatisfying(address -> assertThat(address.address())
                    .isEqualTo(plugin.address("bump").orElseThrow().address()));
            assertThat(plugin.address("counter")).as("internal data stays internal").isEmpty();
            assertThat(plugin.address("inc")).isEmpty();
            assertThatThrownBy(() -> plugin.function("inc", LongSupplier.class))
                    .isInstanceOf(UnknownSymbolException.class);
            assertThatThrownBy(() -> plugin.function("nothing_like_this", LongSupplier.class))
                    .isInstanceOf(UnknownSymbolException.class).hasMessageContaining("peek");
        }
    }

    /**
     * C++ inline functions are {@code linkonce_odr}, which code generation may drop where nothing uses them: in a
     * piece, one asked for by name, or used by an earlier or a later piece, must survive, once.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void discardableDefinitionsSurviveInThePieceThatDefinesThem(int level) {
        String ir = """
                define linkonce_odr i32 @inline_square(i32 %x) {
                  %r = mul i32 %x, %x
                  ret i32 %r
                }
                define linkonce_odr i32 @asked_for_by_name() {
                  ret i32 42
                }
                define i32 @first(i32 %x) {
                  %r = call i32 @inline_square(i32 %x)
                  ret i32 %r
                }
                define i64 @square_address() {
                  ret i64 ptrtoint (ptr @inline_square to i64)
                }
                define i32 @second(i32 %x) {
                  %a = add i32 %x, 1
                  %r = call i32 @inline_square(i32 %a)
                  ret i32 %r
                }
                """;
        try (JitContext jit = JitContext.builder().optimizationLevel(level).build();
             Plugin plugin = jit.load(ModuleSource.ir("inline", ir), ON_FIRST_USE)) {
            assertThat(plugin.function("asked_for_by_name", IntSupplier.class).getAsInt()).isEqualTo(42);
            assertThat(plugin.function("first", IntUnaryOperator.class).applyAsInt(5)).isEqualTo(25);
            assertThat(plugin.function("second", IntUnaryOperator.class).applyAsInt(5)).isEqualTo(36);
            assertThat(plugin.function("square_address", LongSupplier.class).getAsLong())
                    .isEqualTo(plugin.address("inline_square").orElseThrow().address());
        }
    }

    /**
     * Hidden definitions ({@code -fvisibility=hidden}) that a piece does not reach, symbols named exactly with
     * IR's {@code \1} prefix, and imports that only unreachable code uses behave as in a whole load.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hiddenDefinitionsExactNamesAndDeadImportsBehaveAsInAWholeLoad(boolean preOptimized) {
        String ir = """
                declare i64 @provided_by_nobody(i64)
                define hidden i64 @internal_util(i64 %x) {
                  %r = sub i64 %x, 1
                  ret i64 %r
                }
                define internal i64 @never_called(i64 %x) {
                  %r = call i64 @provided_by_nobody(i64 %x)
                  ret i64 %r
                }
                define i64 @api_b(i64 %x) {
                  %r = add i64 %x, 1
                  ret i64 %r
                }
                define i64 @api_c(i64 %x) {
                  %r = call i64 @internal_util(i64 %x)
                  ret i64 %r
                }
                define i32 @"\01exact_name"() {
                  ret i32 9
                }
                """;
        LoadOptions options = ON_FIRST_USE.toBuilder().preOptimized(preOptimized).build();
        try (JitContext jit = JitContext.builder().optimizationLevel(0).resolver(SymbolResolver.none()).build();
             Plugin plugin = jit.load(ModuleSource.ir("hidden", ir), options)) {
            assertThat(plugin.function("api_b", LongUnaryOperator.class).applyAsLong(1)).isEqualTo(2);
            assertThat(plugin.function("api_c", LongUnaryOperator.class).applyAsLong(1)).isZero();
            assertThat(plugin.function("exact_name", IntSupplier.class).getAsInt()).isEqualTo(9);
            assertThat(plugin.exports()).extracting(ExportedFunction::name)
                    .containsExactly("api_b", "api_c", "exact_name");
        }
    }

    /** Names are bytes: a local with a non-ASCII name, used by two pieces, is one symbol. */
    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void nonAsciiNamesReachAcrossPieces(int level) {
        String ir = """
                define internal i64 @"gr\\C3\\B6\\C3\\9Fe"() noinline {
                  ret i64 4
                }
                define i64 @a() {
                  %r = call i64 @"gr\\C3\\B6\\C3\\9Fe"()
                  ret i64 %r
                }
                define i64 @b() {
                  %r = call i64 @"gr\\C3\\B6\\C3\\9Fe"()
                  %s = add i64 %r, 1
                  ret i64 %s
                }
                """;
        try (JitContext jit = JitContext.builder().optimizationLevel(level).build();
             Plugin plugin = jit.load(ModuleSource.ir("names", ir), ON_FIRST_USE)) {
            assertThat(plugin.function("a", LongSupplier.class).getAsLong()).isEqualTo(4);
            assertThat(plugin.function("b", LongSupplier.class).getAsLong()).isEqualTo(5);
        }
    }

    /**
     * A piece linked long after the one that defines its data may be placed more than 2 GB away: it must reach
     * that data through the GOT, not by a 32-bit offset. Mappings made in between (here a 4 GB reservation, with
     * every hole above it filled) push the second piece far below the first.
     */
    @Test
    void piecesReachEachOtherAcrossGigabytes() throws Throwable {
        String ir = """
                @counter = internal global i64 0
                @hidden_total = hidden global i64 0
                define i64 @bump() {
                  %c = load i64, ptr @counter
                  %n = add i64 %c, 1
                  store i64 %n, ptr @counter
                  store i64 %n, ptr @hidden_total
                  ret i64 %n
                }
                define i64 @read_both() {
                  %c = load i64, ptr @counter
                  %t = load i64, ptr @hidden_total
                  %s = add i64 %c, %t
                  ret i64 %s
                }
                define i64 @bump_address() {
                  ret i64 ptrtoint (ptr @bump to i64)
                }
                """;
        try (JitContext jit = JitContext.builder().build();
             Plugin plugin = jit.load(ModuleSource.ir("far", ir), ON_FIRST_USE);
             AddressSpace space = new AddressSpace()) {
            assertThat(plugin.function("bump", LongSupplier.class).getAsLong()).isEqualTo(1);
            long first = plugin.address("bump").orElseThrow().address();
            space.pushNewMappingsDown();
            LongSupplier readBoth = plugin.function("read_both", LongSupplier.class);
            long second = plugin.address("read_both").orElseThrow().address();
            assertThat(Math.abs(first - second)).as("the pieces are more than 2 GB apart").isGreaterThan(1L << 31);
            assertThat(readBoth.getAsLong()).isEqualTo(2);
            assertThat(plugin.function("bump_address", LongSupplier.class).getAsLong()).isEqualTo(first);
        }
    }

    /** Anonymous mappings that push the next ones down the address space; all unmapped on close. */
    private static final class AddressSpace implements AutoCloseable {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap")
                .orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG));
        private static final MethodHandle MUNMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap")
                .orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG));
        private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;

        private final List<long[]> mappings = new ArrayList<>();

        /** Reserves 4 GB (no memory: PROT_NONE), then fills every hole above it. */
        void pushNewMappingsDown() throws Throwable {
            long reserved = map(4L << 30);
            assertThat(reserved).isNotEqualTo(-1L);
            for (long size = 1L << 30; size >= 4096; size >>= 1) {
                while (true) {
                    long at = (long) MMAP.invokeExact(0L, size, 0, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
                    if (at == -1L) {
                        break;
                    }
                    if (at < reserved) {
                        int ignored = (int) MUNMAP.invokeExact(at, size);
                        break;
                    }
                    mappings.add(new long[] {at, size});
                }
            }
        }

        private long map(long size) throws Throwable {
            long at = (long) MMAP.invokeExact(0L, size, 0, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
            if (at != -1L) {
                mappings.add(new long[] {at, size});
            }
            return at;
        }

        @Override
        public void close() {
            for (long[] mapping : mappings) {
                try {
                    int ignored = (int) MUNMAP.invokeExact(mapping[0], mapping[1]);
                } catch (Throwable e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** Eleven pieces of a module whose checksum crosses them all, the last one split over three threads. */
    @Test
    void largePiecesAreCompiledOnSeveralThreadsAndComputeWhatTheWholeModuleComputes(@TempDir Path directory)
            throws Exception {
        System.setProperty("predicator.orc.splitBlocks", "50");
        Path file = directory.resolve("pieces.jfr");
        try (Recording recording = new Recording();
             JitContext jit = JitContext.builder().compileThreads(3).build();
             Plugin plugin = jit.load(ModuleSource.ir("large", ParallelCompilationTests.largeModule()), ON_FIRST_USE)) {
            recording.enable("io.predicator.PluginFirstUse").withoutThreshold();
            recording.start();
            for (int i = 0; i < 10; i++) {
                assertThat(plugin.function("f_" + i * 7, IntUnaryOperator.class).applyAsInt(3))
                        .isEqualTo(ParallelCompilationTests.expectedF(i * 7, 3));
            }
            long before = jit.stats().plugins().getFirst().codeBytes();
            assertThat(plugin.function("checksum", LongSupplier.class).getAsLong())
                    .isEqualTo(ParallelCompilationTests.expectedChecksum() + 10);
            assertThat(jit.stats().plugins().getFirst().codeBytes()).isGreaterThan(before);
            recording.stop();
            recording.dump(file);
        } finally {
            System.clearProperty("predicator.orc.splitBlocks");
        }
        assertThat(RecordingFile.readAllEvents(file))
                .filteredOn(event -> event.getEventType().getName().equals("io.predicator.PluginFirstUse"))
                .filteredOn(event -> event.getString("symbol").equals("checksum"))
                .singleElement().satisfies(event -> assertThat(event.getInt("objects"))
                        .as("the last piece was compiled in three parts").isEqualTo(3));
    }

    /**
     * A whole load at O2 folds away a call that only dead code makes, or inlines an {@code available_externally}
     * body, and never needs the symbol; a load on first use must accept the same modules, not demand their imports.
     */
    @Test
    void importsOnlyDeadOrInlinedCodeNamesDoNotFailTheLoad() {
        String ir = """
                declare i32 @provided_by_nobody(i32)
                define available_externally i32 @twice(i32 %x) {
                  %r = mul i32 %x, 2
                  ret i32 %r
                }
                define i32 @f(i32 %x) {
                  %never = icmp eq i32 0, 1
                  br i1 %never, label %dead, label %live
                dead:
                  %r = call i32 @provided_by_nobody(i32 %x)
                  ret i32 %r
                live:
                  %t = call i32 @twice(i32 %x)
                  ret i32 %t
                }
                """;
        try (JitContext jit = JitContext.builder().resolver(SymbolResolver.none()).build()) {
            try (Plugin whole = jit.load(ModuleSource.ir("whole", ir))) {
                assertThat(whole.function("f", IntUnaryOperator.class).applyAsInt(21)).isEqualTo(42);
            }
            try (Plugin lazy = jit.load(ModuleSource.ir("lazy", ir), ON_FIRST_USE)) {
                assertThat(lazy.function("f", IntUnaryOperator.class).applyAsInt(21)).isEqualTo(42);
            }
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("unoptimised", ir),
                    LoadOptions.builder().compileOnFirstUse(true).optimizationLevel(0).build()))
                    .as("at O0 the code keeps both calls, whole or not")
                    .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                            e -> assertThat(e.symbols()).containsExactlyInAnyOrder("provided_by_nobody", "twice"));
        }
    }

    @Test
    void importsTheModuleDeclaresAreResolvedAtLoad() {
        String ir = """
                declare i32 @provided_by_nobody(i32)
                define i32 @call_it(i32 %x) {
                  %r = call i32 @provided_by_nobody(i32 %x)
                  ret i32 %r
                }
                """;
        try (JitContext jit = JitContext.builder().resolver(SymbolResolver.none()).build()) {
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("needs", ir), ON_FIRST_USE))
                    .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                            e -> assertThat(e.symbols()).containsExactly("provided_by_nobody"));
            assertThat(jit.plugins()).isEmpty();
        }
    }

    /**
     * A symbol only the generated code needs is missing when the piece is linked (or its resolver throws): the first
     * use fails with a typed exception that says so, every time, and the rest of the plugin keeps working.
     */
    @Test
    void whatOnlyGeneratedCodeNeedsFailsTheFirstUseAndLeavesThePluginUsable() {
        try (JitContext jit = JitContext.builder().resolver(SymbolResolver.none()).build()) {
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("whole", NEEDS_MEMCPY)))
                    .as("compiled whole, the load fails").isInstanceOf(UnresolvedSymbolsException.class);
            Plugin plugin = jit.load(ModuleSource.ir("lazy", NEEDS_MEMCPY), ON_FIRST_USE);
            FunctionDescriptor copy = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG);
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> plugin.function("copy", copy))
                        .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                                e -> assertThat(e.symbols()).containsExactly("memcpy"));
            }
            assertThat(plugin.function("value", IntSupplier.class).getAsInt()).isEqualTo(7);
            plugin.close();
        }
        SymbolResolver throwing = SymbolResolver.of("throwing", symbol -> {
            throw new IllegalStateException("no " + symbol + " today");
        });
        try (JitContext jit = JitContext.builder().resolver(throwing).build();
             Plugin plugin = jit.load(ModuleSource.ir("lazy", NEEDS_MEMCPY), ON_FIRST_USE)) {
            assertThatThrownBy(() -> plugin.function("copy", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)))
                    .isInstanceOf(ResolverException.class)
                    .hasMessageContaining("Resolver 'throwing' failed on symbol 'memcpy' while compiling 'copy' of "
                            + "plugin 'lazy' on its first use")
                    .hasRootCauseMessage("no memcpy today");
            assertThat(plugin.function("value", IntSupplier.class).getAsInt()).isEqualTo(7);
        }
        try (JitContext jit = JitContext.builder().build(); // the default resolver provides memcpy
             Plugin plugin = jit.load(ModuleSource.ir("lazy", NEEDS_MEMCPY), ON_FIRST_USE);
             Arena arena = Arena.ofConfined()) {
            MethodHandle copy = plugin.function("copy", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            MemorySegment from = arena.allocateFrom("compiled on first use");
            MemorySegment to = arena.allocate(from.byteSize());
            try {
                copy.invokeExact(to, from, from.byteSize());
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
            assertThat(to.getString(0)).isEqualTo("compiled on first use");
        }
    }

    /** Unloading removes every piece: the JITDylib is reused by the next plugin, which defines the same names. */
    @Test
    void unloadingRemovesEveryPieceAndCallsAfterItFail() {
        try (JitContext jit = JitContext.builder().build()) {
            for (int round = 0; round < 3; round++) {
                Plugin plugin = jit.load(ModuleSource.ir("stateful", STATEFUL), ON_FIRST_USE);
                LongSupplier bump = plugin.function("bump", LongSupplier.class);
                assertThat(bump.getAsLong()).as("a fresh counter in round " + round).isEqualTo(1);
                assertThat(plugin.function("peek", LongSupplier.class).getAsLong()).isEqualTo(1);
                plugin.close();
                assertThatThrownBy(bump::getAsLong).isInstanceOf(AlreadyClosedException.class);
                assertThatThrownBy(() -> plugin.function("sum_table", IntSupplier.class))
                        .isInstanceOf(AlreadyClosedException.class);
                assertThatThrownBy(() -> plugin.address("table")).isInstanceOf(AlreadyClosedException.class);
            }
            assertThat(jit.plugins()).isEmpty();
        }
    }

    /**
     * Threads asking for the same and for different symbols at once each get working code, the shared symbol is
     * compiled once; threads racing an unload get either a working function or {@link AlreadyClosedException}.
     */
    @Test
    void concurrentFirstUsesAndUnloadsAreSafe() throws Exception {
        String ir = ParallelCompilationTests.largeModule();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (JitContext jit = JitContext.builder().build()) {
            long oneCompile;
            try (Plugin alone = jit.load(ModuleSource.ir("alone", ir), ON_FIRST_USE)) {
                alone.function("f_5", IntUnaryOperator.class);
                oneCompile = jit.stats().plugins().getFirst().codeBytes();
            }
            Plugin plugin = jit.load(ModuleSource.ir("shared", ir), ON_FIRST_USE);
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Integer>> same = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                same.add(pool.submit(() -> {
                    start.await();
                    return plugin.function("f_5", IntUnaryOperator.class).applyAsInt(1);
                }));
            }
            for (Future<Integer> result : same) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(plugin.function("f_5",
                        IntUnaryOperator.class).applyAsInt(1));
            }
            assertThat(jit.stats().plugins().getFirst().codeBytes()).as("compiled once").isEqualTo(oneCompile);

            Set<String> outcomes = ConcurrentHashMap.newKeySet();
            List<Future<?>> racing = new ArrayList<>();
            CyclicBarrier race = new CyclicBarrier(threads + 1);
            for (int t = 0; t < threads; t++) {
                int first = t;
                racing.add(pool.submit(() -> {
                    race.await();
                    for (int i = first; i < 120; i += threads) {
                        try {
                            int value = plugin.function("f_" + i, IntUnaryOperator.class).applyAsInt(2);
                            assertThat(value).isNotZero();
                            outcomes.add("called");
                        } catch (AlreadyClosedException closed) {
                            outcomes.add("closed");
                        }
                    }
                    return null;
                }));
            }
            race.await();
            Thread.sleep(50);
            plugin.close();
            for (Future<?> result : racing) {
                result.get(120, TimeUnit.SECONDS);
            }
            assertThat(outcomes).contains("closed");
            assertThat(jit.plugins()).isEmpty();
            try (Plugin again = jit.load(ModuleSource.ir("again", ir), ON_FIRST_USE)) {
                assertThat(again.function("checksum", LongSupplier.class).getAsLong())
                        .isEqualTo(ParallelCompilationTests.expectedChecksum());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A block's address taken in another function's code, and module-level assembly, which every piece would
     * define again: such modules are compiled whole at load.
     */
    @Test
    void blockAddressesAndModuleAssemblyKeepTheModuleWhole() {
        String blockAddress = """
                define i64 @jump(ptr %target) {
                entry:
                  indirectbr ptr %target, [label %one, label %two]
                one:
                  ret i64 1
                two:
                  ret i64 2
                }
                define ptr @label_two() {
                  ret ptr blockaddress(@jump, %two)
                }
                """;
        String moduleAssembly = """
                module asm ".globl asm_value"
                module asm "asm_value: movl $42, %eax; ret"
                declare i32 @asm_value()
                define i32 @f() {
                  %v = call i32 @asm_value()
                  ret i32 %v
                }
                define i32 @g() {
                  ret i32 1
                }
                """;
        try (JitContext jit = JitContext.builder().build()) {
            Plugin jumps = jit.load(ModuleSource.ir("block-address", blockAddress), ON_FIRST_USE);
            assertThat(jit.stats().plugins().getFirst().codeBytes()).as("compiled at load").isPositive();
            jumps.function("jump", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
            MethodHandle labelTwo = jumps.function("label_two", FunctionDescriptor.of(ValueLayout.ADDRESS));
            MethodHandle jump = jumps.function("jump", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS));
            try {
                MemorySegment target = (MemorySegment) labelTwo.invokeExact();
                assertThat((long) jump.invokeExact(target)).isEqualTo(2);
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
            jumps.close();
            LoadOptions withAssembly = ON_FIRST_USE.toBuilder().trustInlineAssembly(true).build();
            try (Plugin assembly = jit.load(ModuleSource.ir("module-asm", moduleAssembly), withAssembly)) {
                assertThat(assembly.function("f", IntSupplier.class).getAsInt()).isEqualTo(42);
                assertThat(assembly.function("g", IntSupplier.class).getAsInt()).isEqualTo(1);
            }
        }
    }

    /** An unload that starts while {@code address} compiles makes it throw {@link AlreadyClosedException}, nothing else. */
    @Test
    void addressRacingAnUnloadFailsTyped() throws Exception {
        String ir = ParallelCompilationTests.largeModule();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (JitContext jit = JitContext.builder().build()) {
            for (int round = 0; round < 4; round++) {
                Plugin plugin = jit.load(ModuleSource.ir("racing", ir), ON_FIRST_USE);
                Future<String> asking = pool.submit(() -> {
                    try {
                        return plugin.address("checksum").isPresent() ? "address" : "empty";
                    } catch (AlreadyClosedException closed) {
                        return "closed";
                    }
                });
                Thread.sleep(round * 5L);
                plugin.close();
                assertThat(asking.get(60, TimeUnit.SECONDS)).isIn("address", "closed");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * With an object cache, each piece is cached under a key of the module and the piece's definitions: a later
     * load that asks for the same symbols in the same order compiles nothing, in another context too.
     */
    @Test
    void piecesAreReadFromTheObjectCache(@TempDir Path cache) throws Exception {
        Path file = cache.resolve("events.jfr");
        Path objects = Files.createDirectory(cache.resolve("objects"));
        try (Recording recording = new Recording()) {
            recording.enable("io.predicator.PluginFirstUse").withoutThreshold();
            recording.start();
            for (String name : List.of("cold", "warm")) {
                try (JitContext jit = JitContext.builder().objectCache(objects).build();
                     Plugin plugin = jit.load(ModuleSource.ir(name, STATEFUL), ON_FIRST_USE)) {
                    assertThat(plugin.function("bump", LongSupplier.class).getAsLong()).isEqualTo(1);
                    assertThat(plugin.function("peek", LongSupplier.class).getAsLong()).isEqualTo(1);
                    assertThat(jit.stats().plugins().getFirst().codeBytes()).isPositive();
                }
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals("io.predicator.PluginFirstUse")).toList();
        assertThat(events).filteredOn(event -> event.getString("plugin").equals("cold"))
                .hasSize(2).allSatisfy(event -> assertThat(event.getBoolean("cacheHit")).isFalse());
        assertThat(events).filteredOn(event -> event.getString("plugin").equals("warm"))
                .hasSize(2).allSatisfy(event -> {
                    assertThat(event.getBoolean("cacheHit")).isTrue();
                    assertThat(event.getDuration("codegenNanos")).isZero();
                });
        try (var entries = Files.list(objects)) {
            assertThat(entries).as("two pieces").hasSize(2);
        }
    }

    /**
     * Thread-locals are refused once compiled, but at O2 a whole compile folds an internal one that is only read into
     * its value. A piece could not (the variable is promoted to an external name), so such modules compile whole at
     * load: they load where a whole load does, and are refused at load where it refuses them.
     */
    @Test
    void threadLocalsLoadOrFailAsInAWholeLoad() {
        String foldable = """
                @limit = internal thread_local global i32 42
                define i32 @get_limit() {
                  %v = load i32, ptr @limit
                  ret i32 %v
                }
                """;
        String used = """
                @counter = thread_local global i32 0
                define i32 @bump() {
                  %v = load i32, ptr @counter
                  %n = add i32 %v, 1
                  store i32 %n, ptr @counter
                  ret i32 %n
                }
                """;
        try (JitContext jit = JitContext.builder().build()) {
            try (Plugin plugin = jit.load(ModuleSource.ir("foldable", foldable), ON_FIRST_USE)) {
                assertThat(jit.stats().plugins().getFirst().codeBytes()).as("compiled at load").isPositive();
                assertThat(plugin.function("get_limit", IntSupplier.class).getAsInt()).isEqualTo(42);
            }
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("used", used), ON_FIRST_USE))
                    .isInstanceOf(UnsupportedModuleException.class).hasMessageContaining("thread-local");
            assertThat(jit.plugins()).isEmpty();
        }
    }

    /** Modules that cannot be compiled in pieces, objects, and cached modules load whole, as without the option. */
    @Test
    void whatCannotBeCompiledInPiecesIsCompiledAtLoad(@TempDir Path cache) throws Exception {
        String aliased = TestModules.valueIr(3) + "@other_value = alias i32 (), ptr @value\n";
        try (JitContext jit = JitContext.builder().objectCache(cache).build()) {
            Plugin withAlias = jit.load(ModuleSource.ir("aliased", aliased), ON_FIRST_USE);
            assertThat(jit.stats().plugins().getFirst().codeBytes()).isPositive();
            assertThat(withAlias.function("other_value", IntSupplier.class).getAsInt()).isEqualTo(3);
            withAlias.close();
            Plugin object = jit.load(ModuleSource.object("object", TestModules.object(TestModules.valueIr(4))),
                    ON_FIRST_USE);
            assertThat(object.function("value", IntSupplier.class).getAsInt()).isEqualTo(4);
            object.close();
            try (var entries = Files.list(cache)) {
                assertThat(entries).hasSize(1); // the aliased module's
            }

            Plugin lazy = jit.load(ModuleSource.ir("stateful", STATEFUL), ON_FIRST_USE);
            assertThat(lazy.function("bump", LongSupplier.class).getAsLong()).isEqualTo(1);
            lazy.close();
            try (var entries = Files.list(cache)) {
                assertThat(entries).as("the piece, not the whole module").hasSize(2);
            }
            jit.load(ModuleSource.ir("stateful", STATEFUL)).close(); // compiled whole: cached
            Plugin cached = jit.load(ModuleSource.ir("stateful", STATEFUL), ON_FIRST_USE);
            assertThat(jit.stats().objectCacheHits()).isEqualTo(1);
            assertThat(jit.stats().plugins().getFirst().codeBytes()).isPositive();
            assertThat(cached.function("bump", LongSupplier.class).getAsLong()).isEqualTo(1);
            cached.close();
        }
    }
}
