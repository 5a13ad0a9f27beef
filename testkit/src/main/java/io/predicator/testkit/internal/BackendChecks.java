package io.predicator.testkit.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.Signature;
import io.predicator.SignatureMismatchException;
import io.predicator.UnknownSymbolException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.BackendCapability;
import io.predicator.testkit.BackendContract;
import io.predicator.testkit.Requirement;
import io.predicator.fixtures.ArchiveMember;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.fixtures.PluginSources;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.predicator.testkit.BackendCapability.FORMAT_ARCHIVE;
import static io.predicator.testkit.BackendCapability.FORMAT_BITCODE;
import static io.predicator.testkit.BackendCapability.FORMAT_IR_TEXT;
import static io.predicator.testkit.BackendCapability.FORMAT_OBJECT;
import static io.predicator.testkit.BackendCapability.SIGNATURE_CHECKS;
import static io.predicator.testkit.BackendRequirement.B1;
import static io.predicator.testkit.BackendRequirement.B10;
import static io.predicator.testkit.BackendRequirement.B11;
import static io.predicator.testkit.BackendRequirement.B12;
import static io.predicator.testkit.BackendRequirement.B13;
import static io.predicator.testkit.BackendRequirement.B14;
import static io.predicator.testkit.BackendRequirement.B2;
import static io.predicator.testkit.BackendRequirement.B3;
import static io.predicator.testkit.BackendRequirement.B4;
import static io.predicator.testkit.BackendRequirement.B5;
import static io.predicator.testkit.BackendRequirement.B6;
import static io.predicator.testkit.BackendRequirement.B7;
import static io.predicator.testkit.BackendRequirement.B8;
import static io.predicator.testkit.BackendRequirement.B9;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.check;
import static io.predicator.testkit.internal.Verdicts.require;
import static io.predicator.testkit.internal.Verdicts.step;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/** The checks behind {@link BackendContract}'s tests, one method (or dynamic test) per requirement. */
public final class BackendChecks {
    private static final Signature BINARY_INT = Signature.of("i32", "i32", "i32");
    private static final FunctionDescriptor WAIT_FOR = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final VarHandle INT_AT = JAVA_INT.varHandle();
    private static final long CALL_START_SECONDS = 10;
    private static final long CLOSE_HELD_MILLIS = 200;

    private BackendChecks() {
    }

    /** Compiled fixtures, made once per JVM on first use. */
    private static final class Compiled {
        static final String ARITHMETIC = PluginSources.arithmetic();
        static final byte[] ARITHMETIC_BITCODE = FixtureCompiler.bitcode(ARITHMETIC);
        static final byte[] ARITHMETIC_OBJECT = FixtureCompiler.object(ARITHMETIC);
        static final byte[] DATA_OBJECT = FixtureCompiler.object(PluginSources.data());
    }

    // ---- B1 ------------------------------------------------------------------------------------------------------

    /** Checks B1, one dynamic test per declared format: every declared format loads and its functions run. */
    public static Stream<DynamicTest> everyDeclaredFormatLoads(BackendContract contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        List<DynamicTest> tests = new ArrayList<>();
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(loads(contract, "IR text", ModuleFormat.IR_TEXT, () -> ModuleSource.of("arith.ll",
                    Compiled.ARITHMETIC.getBytes(StandardCharsets.UTF_8))));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(loads(contract, "plain bitcode", ModuleFormat.BITCODE,
                    () -> ModuleSource.of("arith.bc", Compiled.ARITHMETIC_BITCODE)));
            tests.add(loads(contract, "bitcode with the wrapper header", ModuleFormat.BITCODE,
                    () -> ModuleSource.of("arith.wrapped.bc", FixtureCompiler.wrapBitcode(Compiled.ARITHMETIC_BITCODE))));
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            tests.add(loads(contract, "ELF object", ModuleFormat.OBJECT,
                    () -> ModuleSource.of("arith.o", Compiled.ARITHMETIC_OBJECT)));
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            for (boolean withSymbolTable : new boolean[] {false, true}) {
                String name = withSymbolTable ? "archive with a GNU symbol table" : "archive without a symbol table";
                tests.add(DynamicTest.dynamicTest(name, () -> archiveLoads(contract, withSymbolTable)));
            }
            tests.add(DynamicTest.dynamicTest("archive whose members call each other",
                    () -> archiveMembersLink(contract)));
        }
        Assumptions.assumeFalse(tests.isEmpty(), "the contract declares no FORMAT_ capability");
        return tests.stream();
    }

    private static DynamicTest loads(BackendContract contract, String what, ModuleFormat format,
                                     Supplier<ModuleSource> source) {
        return DynamicTest.dynamicTest(what, () -> {
            ModuleSource module = source.get();
            try (JitContext context = context(contract, SymbolResolver.compilerSupport());
                 Plugin plugin = step(B1, "loading " + what + " (" + module.name() + ")", () -> context.load(module))) {
                check(B1, "the plugin loaded from " + what, () -> {
                    assertThat(plugin.format()).as("format()").isEqualTo(format);
                    assertThat(plugin.name()).as("name()").isEqualTo(module.name());
                    assertThat(plugin.isClosed()).as("isClosed()").isFalse();
                    assertThat(context.plugins()).as("the context's plugins()").containsExactly(plugin);
                });
                arithmeticWorks(B1, plugin);
            }
        });
    }

    private static void archiveLoads(BackendContract contract, boolean withSymbolTable) {
        byte[] archive = FixtureCompiler.archive(withSymbolTable,
                new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT, List.of("add", "mul", "sub")),
                new ArchiveMember("data.o", Compiled.DATA_OBJECT,
                        List.of("bump", "count", "counter", "greeting", "table", "table_at")));
        ModuleSource source = ModuleSource.of("lib.a", archive);
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin plugin = step(B1, "loading archive lib.a", () -> context.load(source))) {
            check(B1, "the plugin loaded from lib.a", () -> assertThat(plugin.format()).isEqualTo(ModuleFormat.ARCHIVE));
            arithmeticWorks(B1, plugin);
            check(B1, "calling table_at(2) of the archive's second member",
                    () -> assertThat(plugin.function("table_at", IntUnaryOperator.class).applyAsInt(2)).isEqualTo(30));
        }
    }

    private static void archiveMembersLink(BackendContract contract) {
        byte[] caller = FixtureCompiler.object("""
                declare i32 @square(i32)

                define i32 @sum_of_squares(i32 %a, i32 %b) {
                  %aa = call i32 @square(i32 %a)
                  %bb = call i32 @square(i32 %b)
                  %sum = add i32 %aa, %bb
                  ret i32 %sum
                }
                """);
        byte[] callee = FixtureCompiler.object("""
                define i32 @square(i32 %x) {
                  %r = mul i32 %x, %x
                  ret i32 %r
                }
                """);
        ModuleSource source = ModuleSource.of("squares.a", FixtureCompiler.archive(true,
                new ArchiveMember("caller.o", caller, List.of("sum_of_squares")),
                new ArchiveMember("callee.o", callee, List.of("square"))));
        try (JitContext context = context(contract, SymbolResolver.none());
             Plugin plugin = step(B1, "loading squares.a, whose first member calls the second",
                     () -> context.load(source))) {
            check(B1, "calling across archive members", () -> {
                assertThat(plugin.function("sum_of_squares", IntBinaryOperator.class).applyAsInt(3, 4)).isEqualTo(25);
                assertThat(plugin.function("square", IntUnaryOperator.class).applyAsInt(9)).isEqualTo(81);
            });
        }
    }

    // ---- B2 ------------------------------------------------------------------------------------------------------

    /** Checks B2: exports are listed, with signatures where the format carries types. */
    public static Stream<DynamicTest> exportsAreListed(BackendContract contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        List<DynamicTest> tests = new ArrayList<>();
        List<ExportedFunction> typed = List.of(
                new ExportedFunction("add", Optional.of(BINARY_INT)),
                new ExportedFunction("mul", Optional.of(BINARY_INT)),
                new ExportedFunction("sub", Optional.of(BINARY_INT)));
        List<ExportedFunction> untyped = List.of(
                new ExportedFunction("add", Optional.empty()),
                new ExportedFunction("mul", Optional.empty()),
                new ExportedFunction("sub", Optional.empty()));
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(exports(contract, () -> ModuleSource.ir("arith.ll", Compiled.ARITHMETIC), typed));
            tests.add(DynamicTest.dynamicTest("inspect() of IR text", () -> inspects(contract)));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(exports(contract, () -> ModuleSource.of("arith.bc", Compiled.ARITHMETIC_BITCODE), typed));
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            tests.add(exports(contract, () -> ModuleSource.of("arith.o", Compiled.ARITHMETIC_OBJECT), untyped));
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            tests.add(exports(contract, () -> ModuleSource.of("arith.a", FixtureCompiler.archive(true,
                    new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT, List.of("add", "mul", "sub")))), untyped));
        }
        Assumptions.assumeFalse(tests.isEmpty(), "the contract declares no FORMAT_ capability");
        return tests.stream();
    }

    private static DynamicTest exports(BackendContract contract, Supplier<ModuleSource> source,
                                       List<ExportedFunction> expected) {
        return DynamicTest.dynamicTest("exports() of " + source.get().format(), () -> {
            ModuleSource module = source.get();
            try (JitContext context = context(contract, SymbolResolver.compilerSupport());
                 Plugin plugin = step(B2, "loading " + module.name(), () -> context.load(module))) {
                check(B2, "exports() of " + module.name() + " (" + module.format() + ", "
                                + (module.format().carriesTypes() ? "typed" : "untyped") + "; the internal helper is not "
                                + "exported)",
                        () -> assertThat(plugin.exports()).containsExactlyElementsOf(expected));
            }
        });
    }

    private static void inspects(BackendContract contract) {
        ModuleSource source = ModuleSource.ir("imports.ll", PluginSources.importing("ext_one", "ext_two"));
        try (JitContext context = context(contract, SymbolResolver.none())) {
            ModuleInfo info = step(B2, "inspect() of a module whose imports nobody provides",
                    () -> context.inspect(source));
            check(B2, "what inspect() reports for imports.ll", () -> {
                assertThat(info.name()).as("name").isEqualTo("imports.ll");
                assertThat(info.format()).as("format").isEqualTo(ModuleFormat.IR_TEXT);
                assertThat(info.functions()).as("functions")
                        .containsExactly(new ExportedFunction("use_imports", Optional.of(Signature.of("i32", "i32"))));
                assertThat(info.imports()).as("imports").contains("ext_one", "ext_two").doesNotContain("use_imports");
                assertThat(context.plugins()).as("plugins() after inspect()").isEmpty();
            });
        }
    }

    // ---- B3 ------------------------------------------------------------------------------------------------------

    /** Checks B3: plugins are isolated from each other. */
    public static void pluginsAreIsolated(BackendContract contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin one = step(B3, "loading one.ll", () -> context.load(ModuleSource.ir("one.ll", PluginSources.constant(1))));
            try (Plugin two = step(B3, "loading two.ll", () -> context.load(ModuleSource.ir("two.ll",
                    PluginSources.constant(2))))) {
                check(B3, "two plugins that both define value()", () -> {
                    assertThat(one.function("value", IntSupplier.class).getAsInt()).as("one.ll's value()").isEqualTo(1);
                    assertThat(two.function("value", IntSupplier.class).getAsInt()).as("two.ll's value()").isEqualTo(2);
                    assertThat(one.address("value").orElseThrow().address()).as("addresses of value()")
                            .isNotEqualTo(two.address("value").orElseThrow().address());
                });
                IntSupplier second = two.function("value", IntSupplier.class);
                one.close();
                check(B3, "two.ll after one.ll was closed", () -> {
                    assertThat(second.getAsInt()).isEqualTo(2);
                    assertThat(two.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
                    assertThat(context.plugins()).containsExactly(two);
                });
            }
            ModuleSource data = ModuleSource.ir("data.ll", PluginSources.data());
            try (Plugin first = step(B3, "loading data.ll", () -> context.load(data));
                 Plugin second = step(B3, "loading data.ll a second time", () -> context.load(data))) {
                check(B3, "the same module loaded twice has its own data in each plugin", () -> {
                    Runnable bump = first.function("bump", Runnable.class);
                    bump.run();
                    bump.run();
                    bump.run();
                    second.function("bump", Runnable.class).run();
                    assertThat(first.function("count", LongSupplier.class).getAsLong()).as("first counter").isEqualTo(3);
                    assertThat(second.function("count", LongSupplier.class).getAsLong()).as("second counter").isEqualTo(1);
                });
            }
        }
    }

    // ---- B4 ------------------------------------------------------------------------------------------------------

    /** Checks B4: a mismatched signature is refused, showing both signatures. */
    public static Stream<DynamicTest> mismatchedSignaturesAreRefused(BackendContract contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        Assumptions.assumeTrue(capabilities.contains(SIGNATURE_CHECKS), "the contract does not declare SIGNATURE_CHECKS");
        List<DynamicTest> tests = new ArrayList<>();
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(DynamicTest.dynamicTest("IR text", () -> signaturesChecked(contract,
                    ModuleSource.ir("arith.ll", Compiled.ARITHMETIC))));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(DynamicTest.dynamicTest("bitcode", () -> signaturesChecked(contract,
                    ModuleSource.of("arith.bc", Compiled.ARITHMETIC_BITCODE))));
        }
        Assumptions.assumeFalse(tests.isEmpty(), "SIGNATURE_CHECKS needs a typed format: FORMAT_IR_TEXT or FORMAT_BITCODE");
        return tests.stream();
    }

    private static void signaturesChecked(BackendContract contract, ModuleSource source) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin plugin = step(B4, "loading " + source.name(), () -> context.load(source))) {
            Throwable wrongTypes = thrown(() -> plugin.function("add", LongBinaryOperator.class));
            check(B4, "asking for i32 add(i32, i32) of " + source.name() + " as a LongBinaryOperator", () ->
                    assertThat(wrongTypes).isInstanceOfSatisfying(SignatureMismatchException.class, e -> {
                        assertThat(e.declared()).as("declared()").isEqualTo(BINARY_INT);
                        assertThat(e.requested()).as("requested()").isEqualTo(Signature.of("i64", "i64", "i64"));
                        assertThat(e.getMessage()).contains("i32(i32, i32)", "i64(i64, i64)", "add");
                    }));
            Throwable wrongArity = thrown(() -> plugin.function("add", IntUnaryOperator.class));
            check(B4, "asking for add as an IntUnaryOperator", () -> assertThat(wrongArity)
                    .isInstanceOf(SignatureMismatchException.class).hasMessageContaining("i32(i32)"));
            Throwable wrongDescriptor = thrown(() -> plugin.function("add",
                    FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT)));
            check(B4, "asking for add with the descriptor i64(ptr, i32)", () -> assertThat(wrongDescriptor)
                    .isInstanceOf(SignatureMismatchException.class).hasMessageContaining("i64(ptr, i32)"));
            check(B4, "asking for add with the right signature after the refusals", () -> {
                assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
                MethodHandle add = plugin.function("add", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
                assertThat((int) add.invokeExact(2, 3)).isEqualTo(5);
            });
        }
    }

    // ---- B5 ------------------------------------------------------------------------------------------------------

    /** Checks B5: unknown symbols are reported, not guessed. */
    public static void unknownSymbolsAreReported(BackendContract contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin plugin = step(B5, "loading arith.ll", () -> context.load(ModuleSource.ir("arith.ll",
                     Compiled.ARITHMETIC)))) {
            Throwable missing = thrown(() -> plugin.function("subtract", IntBinaryOperator.class));
            check(B5, "asking arith.ll for a function 'subtract' it does not export", () -> assertThat(missing)
                    .isInstanceOfSatisfying(UnknownSymbolException.class,
                            e -> assertThat(e.symbol()).isEqualTo("subtract"))
                    .hasMessageContaining("subtract")
                    .hasMessageContaining("arith.ll"));
            Throwable missingHandle = thrown(() -> plugin.function("subtract",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)));
            check(B5, "asking for a method handle of 'subtract'",
                    () -> assertThat(missingHandle).isInstanceOf(UnknownSymbolException.class));
            check(B5, "address() of a symbol it does not export, and of its internal helper", () -> {
                assertThat(plugin.address("subtract")).isEmpty();
                assertThat(plugin.address("multiply_helper")).isEmpty();
            });
        }
    }

    // ---- B6 ------------------------------------------------------------------------------------------------------

    /** Checks B6 for a plugin: close waits for a call in flight. */
    public static void closeWaitsForACallInFlight(BackendContract contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin plugin = step(B6, "loading wait.ll", () -> context.load(ModuleSource.ir("wait.ll",
                    PluginSources.waitFor())));
            MethodHandle waitFor = step(B6, "getting wait_for", () -> plugin.function("wait_for", WAIT_FOR));
            closeDuringCall(waitFor, "plugin.close()", plugin::close, plugin::isClosed);
            afterCloseTheFunctionIsRefused(plugin, waitFor);
        }
    }

    /** Checks B6 for a context: close waits for a call in flight. */
    public static void contextCloseWaitsForACallInFlight(BackendContract contract) {
        JitContext context = context(contract, SymbolResolver.compilerSupport());
        try {
            Plugin plugin = step(B6, "loading wait.ll", () -> context.load(ModuleSource.ir("wait.ll",
                    PluginSources.waitFor())));
            MethodHandle waitFor = step(B6, "getting wait_for", () -> plugin.function("wait_for", WAIT_FOR));
            closeDuringCall(waitFor, "context.close()", context::close, context::isClosed);
            require(B8, plugin.isClosed(), "after context.close() the plugin's isClosed() is false");
            afterCloseTheFunctionIsRefused(plugin, waitFor);
        } finally {
            context.close();
        }
    }

    /**
     * Calls {@code wait_for} on one thread, waits until the native code has entered, starts {@code close} on a
     * second thread, waits until {@code isClosed()} reports the close as started, checks that the close is still held
     * back a moment later, then releases the call: it must return 42 and the close must complete. Every wait is
     * bounded, and the call is always released, so a broken backend fails instead of hanging.
     */
    private static void closeDuringCall(MethodHandle waitFor, String closing, Runnable close, BooleanSupplier isClosed) {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        Arena shared = Arena.ofShared();
        MemorySegment flag = shared.allocate(JAVA_INT);
        MemorySegment entered = shared.allocate(JAVA_INT);
        Future<Integer> call = threads.submit(() -> {
            try {
                return (int) waitFor.invokeExact(flag, entered);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable other) {
                throw new IllegalStateException(other);
            }
        });
        Future<?> closer = null;
        AssertionError verdict = null;
        boolean callReturned = false;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALL_START_SECONDS);
            while ((int) INT_AT.getAcquire(entered, 0L) == 0) {
                if (call.isDone()) {
                    throw broken(B6, "wait_for returned before its flag was set: " + outcome(call));
                }
                if (System.nanoTime() > deadline) {
                    throw broken(B6, "wait_for did not start running within " + CALL_START_SECONDS + " s");
                }
                Thread.onSpinWait();
            }
            closer = threads.submit(close);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!isClosed.getAsBoolean() && !closer.isDone()) {
                if (System.nanoTime() > deadline) {
                    throw broken(B6, closing + " was called while wait_for ran, but isClosed() stayed false for 5 s; "
                            + "it must report true once close has started");
                }
                Thread.onSpinWait();
            }
            sleep(CLOSE_HELD_MILLIS);
            if (closer.isDone()) {
                throw broken(B6, closing + " returned while a call of wait_for was still running ("
                        + outcome(closer) + "); it must wait for calls in flight, or the code is freed under them");
            }
        } catch (AssertionError failure) {
            verdict = failure;
        } finally {
            INT_AT.setRelease(flag, 0L, 1);
            try {
                int result = call.get(10, TimeUnit.SECONDS);
                callReturned = true;
                if (verdict == null && result != 42) {
                    verdict = broken(B6, "wait_for returned " + result + " instead of 42 after " + closing);
                }
            } catch (TimeoutException e) {
                verdict = verdict != null ? verdict : broken(B6, "wait_for did not return within 10 s of being released");
            } catch (ExecutionException e) {
                callReturned = true;
                verdict = verdict != null ? verdict : broken(B6, "the call in flight during " + closing + " failed",
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closer != null) {
                try {
                    closer.get(10, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    verdict = verdict != null ? verdict : broken(B6, closing + " did not complete within 10 s after the "
                            + "call in flight returned");
                } catch (ExecutionException e) {
                    verdict = verdict != null ? verdict : broken(B6, closing + " failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            threads.shutdownNow();
            if (callReturned) {
                shared.close();
            }
        }
        if (verdict != null) {
            throw verdict;
        }
    }

    private static void afterCloseTheFunctionIsRefused(Plugin plugin, MethodHandle waitFor) {
        require(B7, plugin.isClosed(), "isClosed() is false after close");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocateFrom(JAVA_INT, 1);
            MemorySegment entered = arena.allocate(JAVA_INT);
            Throwable thrown = thrown(() -> {
                int ignored = (int) waitFor.invokeExact(flag, entered);
            });
            check(B7, "calling wait_for through a handle obtained before close",
                    () -> assertThat(thrown).isInstanceOf(AlreadyClosedException.class));
            require(B7, entered.get(JAVA_INT, 0) == 0, "the closed plugin's wait_for ran after close");
        }
    }

    // ---- B7 ------------------------------------------------------------------------------------------------------

    /** Checks B7: a closed plugin refuses every use. */
    @SuppressWarnings("restricted")
    public static void closedPluginRefusesEveryUse(BackendContract contract) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin plugin = step(B7, "loading data.ll", () -> context.load(ModuleSource.ir("data.ll",
                    PluginSources.data())));
            IntUnaryOperator tableAt = plugin.function("table_at", IntUnaryOperator.class);
            MethodHandle handle = plugin.function("table_at", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MemorySegment table = plugin.address("table").orElseThrow(() -> broken(B7, "data.ll exports no 'table'"));
            check(B7, "using data.ll before close", () -> {
                assertThat(tableAt.applyAsInt(1)).isEqualTo(20);
                assertThat(table.reinterpret(16).get(JAVA_INT, 0)).isEqualTo(10);
            });

            plugin.close();

            check(B7, "using data.ll after close", () -> {
                assertThat(plugin.isClosed()).as("isClosed()").isTrue();
                assertThat(context.plugins()).as("the context's plugins()").doesNotContain(plugin);
                assertThat(thrown(() -> tableAt.applyAsInt(1))).as("a call through an interface obtained before close")
                        .isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> {
                    int ignored = (int) handle.invokeExact(1);
                })).as("a call through a method handle obtained before close").isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> plugin.function("table_at", IntUnaryOperator.class))).as("function() after close")
                        .isInstanceOf(AlreadyClosedException.class).hasMessageContaining("data.ll");
                assertThat(thrown(() -> plugin.address("table"))).as("address() after close")
                        .isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> table.get(JAVA_INT, 0))).as("reading a data segment obtained before close")
                        .isInstanceOf(IllegalStateException.class);
                assertThat(thrown(plugin::close)).as("a second close()").isNull();
            });
        }
    }

    // ---- B8 ------------------------------------------------------------------------------------------------------

    /** Checks B8: closing the context closes its plugins. */
    public static void contextCloseClosesPlugins(BackendContract contract) {
        JitContext context = context(contract, SymbolResolver.compilerSupport());
        try {
            Plugin first = step(B8, "loading one.ll", () -> context.load(ModuleSource.ir("one.ll", PluginSources.constant(1))));
            Plugin second = step(B8, "loading two.ll", () -> context.load(ModuleSource.ir("two.ll", PluginSources.constant(2))));
            IntSupplier firstValue = first.function("value", IntSupplier.class);
            IntSupplier secondValue = second.function("value", IntSupplier.class);

            context.close();

            check(B8, "the context and its plugins after context.close()", () -> {
                assertThat(context.isClosed()).as("context.isClosed()").isTrue();
                assertThat(first.isClosed()).as("first plugin's isClosed()").isTrue();
                assertThat(second.isClosed()).as("second plugin's isClosed()").isTrue();
                assertThat(context.plugins()).as("plugins()").isEmpty();
                assertThat(thrown(firstValue::getAsInt)).as("calling a function of a plugin of the closed context")
                        .isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(secondValue::getAsInt)).isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(() -> context.load(ModuleSource.ir("late.ll", PluginSources.constant(3)))))
                        .as("load() after close").isInstanceOf(AlreadyClosedException.class);
                assertThat(thrown(context::close)).as("a second context.close()").isNull();
                assertThat(thrown(first::close)).as("closing a plugin of the closed context").isNull();
            });
        } finally {
            context.close();
        }
    }

    // ---- B9 ------------------------------------------------------------------------------------------------------

    /** Checks B9: concurrent loads work. */
    public static void concurrentLoadsWork(BackendContract contract) throws InterruptedException {
        Set<BackendCapability> capabilities = capabilities(contract);
        int loaders = 4;
        int perLoader = 6;
        List<byte[]> objects = new ArrayList<>();
        List<byte[]> bitcodes = new ArrayList<>();
        for (int t = 0; t < loaders; t++) {
            objects.add(capabilities.contains(FORMAT_OBJECT) ? FixtureCompiler.object(PluginSources.constant(t)) : null);
            bitcodes.add(capabilities.contains(FORMAT_BITCODE) ? FixtureCompiler.bitcode(PluginSources.constant(t)) : null);
        }
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Plugin shared = step(B9, "loading the shared plugin", () -> context.load(ModuleSource.ir("shared.ll",
                    Compiled.ARITHMETIC)));
            IntBinaryOperator sharedAdd = shared.function("add", IntBinaryOperator.class);
            ExecutorService threads = Executors.newFixedThreadPool(loaders + 1);
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean loadersDone = new AtomicBoolean();
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < loaders; t++) {
                    int thread = t;
                    results.add(threads.submit(() -> {
                        start.await();
                        for (int i = 0; i < perLoader; i++) {
                            ModuleSource source = switch (i % 3) {
                                case 1 -> objects.get(thread) != null
                                        ? ModuleSource.of("value-" + thread + "-" + i + ".o", objects.get(thread)) : null;
                                case 2 -> bitcodes.get(thread) != null
                                        ? ModuleSource.of("value-" + thread + "-" + i + ".bc", bitcodes.get(thread)) : null;
                                default -> null;
                            };
                            if (source == null) {
                                source = ModuleSource.ir("value-" + thread + "-" + i + ".ll", PluginSources.constant(thread));
                            }
                            try (Plugin plugin = context.load(source)) {
                                int value = plugin.function("value", IntSupplier.class).getAsInt();
                                if (value != thread) {
                                    throw broken(B9, source.name() + " loaded on thread " + thread + " returned "
                                            + value + " instead of " + thread);
                                }
                            }
                        }
                        return null;
                    }));
                }
                Future<Integer> caller = threads.submit(() -> {
                    start.await();
                    int calls = 0;
                    do {
                        int sum = sharedAdd.applyAsInt(calls, 7);
                        if (sum != calls + 7) {
                            throw broken(B9, "the shared plugin's add(" + calls + ", 7) returned " + sum
                                    + " while other threads were loading");
                        }
                        calls++;
                    } while (!loadersDone.get());
                    return calls;
                });
                start.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                try {
                    for (Future<?> result : results) {
                        await(result, deadline, loaders + " threads loading " + perLoader + " plugins each");
                    }
                } finally {
                    loadersDone.set(true);
                }
                await(caller, deadline, "the thread calling the shared plugin");
                check(B9, "the context after the concurrent loads", () -> {
                    assertThat(context.plugins()).containsExactly(shared);
                    assertThat(sharedAdd.applyAsInt(40, 2)).isEqualTo(42);
                });
            } finally {
                loadersDone.set(true);
                threads.shutdownNow();
                threads.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void await(Future<?> future, long deadline, String what) throws InterruptedException {
        try {
            future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw broken(B9, what + " did not finish within 60 s: a deadlock?");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError assertion) {
                throw assertion;
            }
            throw broken(B9, what + " failed", e.getCause());
        }
    }

    // ---- B10, B12 ------------------------------------------------------------------------------------------------

    private static final byte[] BITCODE_MAGIC = {'B', 'C', (byte) 0xC0, (byte) 0xDE};
    private static final byte[] WRAPPER_MAGIC = {(byte) 0xDE, (byte) 0xC0, 0x17, 0x0B};
    private static final byte[] ELF_MAGIC = {0x7F, 'E', 'L', 'F'};
    private static final byte[] ARCHIVE_MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);

    /** Checks B10 and B12, one dynamic test per kind of bad input. */
    public static Stream<DynamicTest> badInputGivesTypedException(BackendContract contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(malformed(contract, "random bytes", () -> {
            Random random = new Random(0x5EED);
            List<Supplier<ModuleSource>> sources = new ArrayList<>();
            for (int size : new int[] {1, 17, 1000, 65_536}) {
                byte[] bytes = new byte[size];
                random.nextBytes(bytes);
                sources.add(() -> ModuleSource.of("random-" + size + ".bin", bytes));
            }
            return sources;
        }));
        List<byte[]> magics = new ArrayList<>();
        if (capabilities.contains(FORMAT_BITCODE)) {
            magics.add(BITCODE_MAGIC);
            magics.add(WRAPPER_MAGIC);
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            magics.add(ELF_MAGIC);
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            magics.add(ARCHIVE_MAGIC);
        }
        if (!magics.isEmpty()) {
            tests.add(malformed(contract, "random bytes behind a magic number", () -> {
                Random random = new Random(0xBAD);
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                for (byte[] magic : magics) {
                    for (int size : new int[] {0, 16, 61, 4096}) {
                        byte[] bytes = Arrays.copyOf(magic, magic.length + size);
                        byte[] tail = new byte[size];
                        random.nextBytes(tail);
                        System.arraycopy(tail, 0, bytes, magic.length, size);
                        sources.add(() -> ModuleSource.of("magic-" + (magic[0] & 0xFF) + "-" + size, bytes));
                    }
                }
                return sources;
            }));
        }
        if (capabilities.contains(FORMAT_IR_TEXT)) {
            tests.add(DynamicTest.dynamicTest("IR with a syntax error", () -> refusesOne(contract,
                    ModuleSource.ir("syntax_error.ll", PluginSources.syntaxError()), ":3:")));
            tests.add(DynamicTest.dynamicTest("IR that does not verify", () -> refusesOne(contract,
                    ModuleSource.ir("not_dominating.ll", PluginSources.notVerifying()), null)));
        }
        if (capabilities.contains(FORMAT_BITCODE)) {
            tests.add(malformed(contract, "truncated bitcode", () -> {
                byte[] bitcode = Compiled.ARITHMETIC_BITCODE;
                byte[] wrapped = FixtureCompiler.wrapBitcode(bitcode);
                int size = bitcode.length;
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                for (int length : new int[] {4, 5, 12, 32, size / 2 + 1, size - 1}) {
                    sources.add(() -> ModuleSource.of("arith-" + length + ".bc", Arrays.copyOf(bitcode, length)));
                }
                for (int length : new int[] {12, 24, wrapped.length - 4}) {
                    sources.add(() -> ModuleSource.of("wrapped-" + length + ".bc", Arrays.copyOf(wrapped, length)));
                }
                byte[] lying = wrapped.clone();
                ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(12, lying.length * 2);
                sources.add(() -> ModuleSource.of("lying-wrapper.bc", lying));
                return sources;
            }));
            tests.add(DynamicTest.dynamicTest("bitcode that does not verify", () -> refusesOne(contract,
                    ModuleSource.of("not_dominating.bc", FixtureCompiler.bitcode(PluginSources.notVerifying())), null)));
        }
        if (capabilities.contains(FORMAT_OBJECT)) {
            tests.add(DynamicTest.dynamicTest("an object for aarch64", () -> refusesOne(contract,
                    ModuleSource.of("arith-arm.o", FixtureCompiler.aarch64Object(Compiled.ARITHMETIC)), null)));
            tests.add(malformed(contract, "truncated objects", () -> {
                byte[] object = Compiled.ARITHMETIC_OBJECT;
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                for (int length : new int[] {4, 16, 63, 64, object.length / 2, object.length - 1}) {
                    sources.add(() -> ModuleSource.of("arith-" + length + ".o", Arrays.copyOf(object, length)));
                }
                return sources;
            }));
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            tests.add(malformed(contract, "damaged archives", () -> {
                byte[] garbage = new byte[200];
                new Random(7).nextBytes(garbage);
                byte[] junk = FixtureCompiler.archive(false, new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT),
                        new ArchiveMember("junk.o", garbage));
                byte[] archive = FixtureCompiler.archive(true, new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT,
                        List.of("add", "mul", "sub")));
                List<Supplier<ModuleSource>> sources = new ArrayList<>();
                sources.add(() -> ModuleSource.of("junk.a", junk));
                for (int length : new int[] {9, 8 + 60 + 10, archive.length / 2, archive.length - 2}) {
                    sources.add(() -> ModuleSource.of("arith-" + length + ".a", Arrays.copyOf(archive, length)));
                }
                return sources;
            }));
        }
        return tests.stream();
    }

    private static DynamicTest malformed(BackendContract contract, String what,
                                         Supplier<List<Supplier<ModuleSource>>> sources) {
        return DynamicTest.dynamicTest(what, () -> {
            try (JitContext context = context(contract, SymbolResolver.compilerSupport());
                 Plugin steady = step(B12, "loading a good plugin before the bad input",
                         () -> context.load(ModuleSource.ir("steady.ll", PluginSources.constant(99))))) {
                for (Supplier<ModuleSource> source : sources.get()) {
                    refuses(context, source, null);
                    stillUsable(context, steady);
                }
            }
        });
    }

    private static void refusesOne(BackendContract contract, ModuleSource source, String messagePart) {
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin steady = step(B12, "loading a good plugin before the bad input",
                     () -> context.load(ModuleSource.ir("steady.ll", PluginSources.constant(99))))) {
            refuses(context, () -> source, messagePart);
            stillUsable(context, steady);
        }
    }

    /** Creates the source (detection may already refuse it) and loads it: either must throw a typed exception. */
    private static void refuses(JitContext context, Supplier<ModuleSource> source, String messagePart) {
        String[] name = {"?"};
        Plugin[] loaded = {null};
        Throwable thrown = thrown(() -> {
            ModuleSource module = source.get();
            name[0] = module.name();
            loaded[0] = context.load(module);
        });
        if (loaded[0] != null) {
            loaded[0].close();
            throw broken(B10, "bad input " + name[0] + " loaded as a plugin");
        }
        check(B10, "loading bad input " + name[0], () -> {
            assertThat(thrown).isInstanceOf(MalformedModuleException.class);
            if (!name[0].equals("?")) {
                assertThat(thrown.getMessage()).as("the message names the source").contains(name[0]);
            }
            if (messagePart != null) {
                assertThat(thrown.getMessage()).contains(messagePart);
            }
        });
    }

    /** After a failed load: no half-loaded plugin, the steady plugin still works, and a new good one loads. */
    private static void stillUsable(JitContext context, Plugin steady) {
        check(B12, "the context after a failed load", () -> {
            assertThat(context.isClosed()).as("isClosed()").isFalse();
            assertThat(context.plugins()).as("plugins()").containsExactly(steady);
            assertThat(steady.function("value", IntSupplier.class).getAsInt()).as("a plugin loaded before").isEqualTo(99);
            try (Plugin good = context.load(ModuleSource.ir("good.ll", PluginSources.constant(314)))) {
                assertThat(good.function("value", IntSupplier.class).getAsInt()).as("a plugin loaded after")
                        .isEqualTo(314);
            }
            assertThat(context.plugins()).containsExactly(steady);
        });
    }

    // ---- B11 -----------------------------------------------------------------------------------------------------

    /** Checks B11 and B12: unresolved symbols are all listed at once. */
    public static void unresolvedSymbolsAreAllListed(BackendContract contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        String ir = PluginSources.importing("missing_one", "missing_two");
        List<ModuleSource> sources = new ArrayList<>();
        sources.add(ModuleSource.ir("two_missing.ll", ir));
        if (capabilities.contains(FORMAT_OBJECT)) {
            sources.add(ModuleSource.of("two_missing.o", FixtureCompiler.object(ir)));
        }
        if (capabilities.contains(FORMAT_ARCHIVE)) {
            sources.add(ModuleSource.of("two_missing.a", FixtureCompiler.archive(true,
                    new ArchiveMember("missing.o", FixtureCompiler.object(ir), List.of("use_imports")),
                    new ArchiveMember("arith.o", Compiled.ARITHMETIC_OBJECT, List.of("add", "mul", "sub")))));
        }
        try (JitContext context = context(contract, SymbolResolver.none());
             Plugin steady = step(B12, "loading a good plugin", () -> context.load(ModuleSource.ir("steady.ll",
                     PluginSources.constant(99))))) {
            for (ModuleSource source : sources) {
                Throwable thrown = thrown(() -> context.load(source).close());
                check(B11, "loading " + source.name() + ", which imports missing_one and missing_two", () ->
                        assertThat(thrown).isInstanceOfSatisfying(UnresolvedSymbolsException.class, e -> {
                            assertThat(e.symbols()).as("symbols()").containsExactly("missing_one", "missing_two");
                            assertThat(e.pluginName()).as("pluginName()").isEqualTo(source.name());
                            assertThat(e.resolverIds()).as("resolverIds()").contains("none");
                            assertThat(e.getMessage()).contains("missing_one", "missing_two");
                        }));
                stillUsable(context, steady);
            }
        }
    }

    // ---- B13 -----------------------------------------------------------------------------------------------------

    /** Checks B13 and B12: resolver failures are contained. */
    public static void resolverFailuresAreContained(BackendContract contract) {
        IllegalStateException failure = new IllegalStateException("predicator-testkit: resolver backend is down");
        Map<String, SymbolResolver> broken = Map.of(
                "a resolver that throws", SymbolResolver.of("throwing", symbol -> {
                    throw failure;
                }),
                "a resolver that returns null instead of an Optional",
                SymbolResolver.of("null-answer", symbol -> null),
                "a resolver that answers the NULL address", SymbolResolver.of("null-address",
                        symbol -> Optional.of(MemorySegment.NULL)));
        ModuleSource source = ModuleSource.ir("host.ll", PluginSources.hostCaller());
        try (JitContext context = context(contract, SymbolResolver.compilerSupport());
             Plugin steady = step(B12, "loading a good plugin", () -> context.load(ModuleSource.ir("steady.ll",
                     PluginSources.constant(99))))) {
            for (Map.Entry<String, SymbolResolver> entry : broken.entrySet()) {
                Throwable thrown = thrown(() -> context.load(source,
                        LoadOptions.builder().resolver(entry.getValue()).build()).close());
                check(B13, "loading host.ll with " + entry.getKey(), () -> {
                    assertThat(thrown).isInstanceOf(ResolverException.class).hasMessageContaining("host_add");
                    if (entry.getValue().id().equals("throwing")) {
                        assertThat(thrown).hasRootCauseMessage(failure.getMessage());
                    }
                });
                stillUsable(context, steady);
            }
        }
    }

    // ---- B14 -----------------------------------------------------------------------------------------------------

    /** Checks B14: the resolver supplies the imports. */
    public static void resolverSuppliesImports(BackendContract contract) {
        Set<BackendCapability> capabilities = capabilities(contract);
        try (Arena upcalls = Arena.ofShared()) {
            MemorySegment hostAdd = HostFunctions.hostAdd(upcalls);
            Set<String> asked = ConcurrentHashMap.newKeySet();
            SymbolResolver host = SymbolResolver.of("host", symbol -> {
                asked.add(symbol);
                return symbol.equals("host_add") ? Optional.of(hostAdd) : Optional.empty();
            });
            ModuleSource source = ModuleSource.ir("host.ll", PluginSources.hostCaller());
            int before = HostFunctions.calls();
            try (JitContext context = context(contract, host);
                 Plugin plugin = step(B14, "loading host.ll with the context's resolver providing host_add",
                         () -> context.load(source))) {
                check(B14, "calling add_via_host, which calls the Java host function host_add", () -> {
                    IntBinaryOperator addViaHost = plugin.function("add_via_host", IntBinaryOperator.class);
                    assertThat(addViaHost.applyAsInt(2, 3)).isEqualTo(10);
                    assertThat(addViaHost.applyAsInt(-4, 1)).isEqualTo(-6);
                    assertThat(HostFunctions.calls() - before).as("host function calls").isEqualTo(2);
                    assertThat(asked).as("symbols the resolver was asked for").contains("host_add");
                });
            }
            try (JitContext context = context(contract, SymbolResolver.none())) {
                Throwable withoutHost = thrown(() -> context.load(source).close());
                check(B14, "loading host.ll with the 'none' resolver", () -> assertThat(withoutHost)
                        .isInstanceOfSatisfying(UnresolvedSymbolsException.class,
                                e -> assertThat(e.symbols()).containsExactly("host_add")));
                List<ModuleSource> overridden = new ArrayList<>(List.of(source));
                if (capabilities.contains(FORMAT_OBJECT)) {
                    overridden.add(ModuleSource.of("host.o", FixtureCompiler.object(PluginSources.hostCaller())));
                }
                for (ModuleSource module : overridden) {
                    try (Plugin plugin = step(B14, "loading " + module.name() + " with a resolver in the load options",
                            () -> context.load(module, LoadOptions.builder().resolver(host).build()))) {
                        check(B14, "calling " + module.name() + "'s add_via_host", () -> assertThat(
                                plugin.function("add_via_host", IntBinaryOperator.class).applyAsInt(20, 1)).isEqualTo(42));
                    }
                }
            }
            asked.clear();
            try (JitContext context = context(contract, host);
                 Plugin plugin = step(B14, "loading arith.ll", () -> context.load(ModuleSource.ir("arith.ll",
                         Compiled.ARITHMETIC)))) {
                check(B14, "the resolver is not asked for symbols the plugin defines itself", () -> {
                    assertThat(plugin.function("mul", IntBinaryOperator.class).applyAsInt(3, 4)).isEqualTo(12);
                    assertThat(asked).doesNotContain("add", "mul", "sub", "multiply_helper");
                });
            }
        }
    }

    // ---- shared --------------------------------------------------------------------------------------------------

    private static void arithmeticWorks(Requirement requirement, Plugin plugin) {
        check(requirement, "calling add, sub and mul of " + plugin.name(), () -> {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).as("add(2, 3)").isEqualTo(5);
            assertThat(plugin.function("sub", IntBinaryOperator.class).applyAsInt(2, 3)).as("sub(2, 3)").isEqualTo(-1);
            assertThat(plugin.function("mul", IntBinaryOperator.class).applyAsInt(-7, 6)).as("mul(-7, 6)").isEqualTo(-42);
        });
    }

    private static JitContext context(BackendContract contract, SymbolResolver resolver) {
        JitContext context;
        try {
            context = contract.createContext(resolver);
        } catch (RuntimeException | Error e) {
            throw new SetupProblem("createContext(SymbolResolver) threw", e);
        }
        if (context == null) {
            throw new SetupProblem("createContext(SymbolResolver) returned null", null);
        }
        return context;
    }

    private static Set<BackendCapability> capabilities(BackendContract contract) {
        Set<BackendCapability> capabilities;
        try {
            capabilities = contract.capabilities();
        } catch (RuntimeException | Error e) {
            throw new SetupProblem("capabilities() threw", e);
        }
        if (capabilities == null) {
            throw new SetupProblem("capabilities() returned null", null);
        }
        return Set.copyOf(capabilities);
    }

    /** Runs code and returns what it threw, or null. */
    private static Throwable thrown(Verdicts.Check code) {
        try {
            code.run();
            return null;
        } catch (Throwable thrown) {
            return thrown;
        }
    }

    private static String outcome(Future<?> future) {
        try {
            return "it returned " + future.get(0, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "it threw " + e.getCause();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
