package io.predicator.testkit.internal;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.Signature;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.spi.SymbolResolver;
import io.predicator.spi.SymbolResolverProvider;
import io.predicator.testkit.ResolverCapability;
import io.predicator.testkit.Requirement;
import io.predicator.testkit.ResolverContract;
import io.predicator.testkit.SampleSymbol;
import io.predicator.fixtures.PluginSources;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.predicator.testkit.ResolverRequirement.R0;
import static io.predicator.testkit.ResolverRequirement.R1;
import static io.predicator.testkit.ResolverRequirement.R10;
import static io.predicator.testkit.ResolverRequirement.R11;
import static io.predicator.testkit.ResolverRequirement.R12;
import static io.predicator.testkit.ResolverRequirement.R13;
import static io.predicator.testkit.ResolverRequirement.R2;
import static io.predicator.testkit.ResolverRequirement.R3;
import static io.predicator.testkit.ResolverRequirement.R4;
import static io.predicator.testkit.ResolverRequirement.R5;
import static io.predicator.testkit.ResolverRequirement.R6;
import static io.predicator.testkit.ResolverRequirement.R7;
import static io.predicator.testkit.ResolverRequirement.R8;
import static io.predicator.testkit.ResolverRequirement.R9;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.check;
import static io.predicator.testkit.internal.Verdicts.require;
import static io.predicator.testkit.internal.Verdicts.step;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The checks behind {@link ResolverContract}'s tests, one method per requirement. */
public final class ResolverChecks {
    /** Names nobody defines: every resolver must answer them with empty. */
    static final List<String> UNKNOWN_NAMES = List.of(
            "predicator_testkit_no_such_symbol_7f3a9c",
            "",
            " ",
            "no such symbol",
            "strlen\0",
            "a\0b",
            "\n",
            "@@@",
            "../../../etc/passwd",
            "名前のない記号",
            "x".repeat(10_000));
    /** The helpers compilers emit calls to on their own, which {@link ResolverCapability#RESOLVES_COMPILER_HELPERS} promises. */
    static final List<String> COMPILER_HELPERS = List.of("memcpy", "memmove", "memset", "memcmp", "bcmp",
            "__udivti3", "__umodti3");
    private static final String POISONED_FALLBACK = "predicator_testkit_poisoned_symbol";
    private static final String UNKNOWN_CONFIGURATION_KEY = "predicator.testkit.no-such-setting";
    private static final int THREADS = 8;
    private static final int ROUNDS = 100;
    private static final long CONCURRENCY_TIMEOUT_SECONDS = 60;

    private ResolverChecks() {
    }

    // ---- R0 ------------------------------------------------------------------------------------------------------

    /** Checks R0: the declared capabilities are backed by the samples. */
    public static void declarationIsConsistent(ResolverContract contract) {
        Set<ResolverCapability> capabilities = capabilities(contract);
        List<SampleSymbol> samples = samples(contract);
        Optional<String> providerId = providerId(contract);
        require(R0, !samples.isEmpty(), "samples() is empty; list at least one symbol the resolver resolves "
                + "(SampleSymbol.function/data) or refuses (SampleSymbol.refused)");
        Set<String> names = new LinkedHashSet<>();
        for (SampleSymbol sample : samples) {
            require(R0, names.add(sample.name()), "samples() lists '" + sample.name() + "' twice");
        }
        boolean resolvedFunction = samples.stream().anyMatch(s -> s.resolves() && s.kind() == SampleSymbol.Kind.FUNCTION);
        boolean resolvedData = samples.stream().anyMatch(s -> s.resolves() && s.kind() == SampleSymbol.Kind.DATA);
        consistent(capabilities.contains(ResolverCapability.RESOLVES_FUNCTIONS), resolvedFunction,
                "RESOLVES_FUNCTIONS", "a function sample that resolves (SampleSymbol.function(...))");
        consistent(capabilities.contains(ResolverCapability.RESOLVES_DATA), resolvedData,
                "RESOLVES_DATA", "a data sample that resolves (SampleSymbol.data(...))");
        consistent(capabilities.contains(ResolverCapability.SERVICE_LOADER_REGISTERED), providerId.isPresent(),
                "SERVICE_LOADER_REGISTERED", "providerId() naming the provider's id");
        providerId.ifPresent(id -> require(R0, !id.isBlank(), "providerId() is blank"));
    }

    private static void consistent(boolean declared, boolean backed, String capability, String backing) {
        require(R0, !declared || backed, capability + " is declared, but the contract has no " + backing
                + "; add one, or do not declare " + capability);
        require(R0, declared || !backed, "the contract has " + backing + " but does not declare " + capability
                + "; declare it in capabilities() so that it is checked");
    }

    // ---- R1 ------------------------------------------------------------------------------------------------------

    /** Checks R1: the id is non-blank and stable. */
    public static void idIsNonBlankAndStable(ResolverContract contract) {
        try (Subject subject = open(contract)) {
            SymbolResolver resolver = subject.resolver();
            String id = step(R1, "id()", resolver::id);
            require(R1, id != null, "id() returned null");
            require(R1, !id.isBlank(), "id() returned a blank id \"" + id + "\"");
            String again = step(R1, "id() a second time", resolver::id);
            require(R1, id.equals(again), "id() returned \"" + id + "\", then \"" + again + "\"");
            String other = step(R1, "id() of a second resolver from createResolver()", subject.anotherResolver()::id);
            require(R1, id.equals(other), "two resolvers from createResolver() have ids \"" + id + "\" and \"" + other
                    + "\"");
            List<String> consulted = step(R1, "consultedIds()", resolver::consultedIds);
            require(R1, consulted != null && !consulted.isEmpty(), "consultedIds() is " + consulted
                    + "; it must name at least one resolver (by default just id())");
            for (String part : consulted) {
                require(R1, part != null && !part.isBlank(), "consultedIds() contains a blank id: " + consulted);
            }
        }
    }

    // ---- R2 ------------------------------------------------------------------------------------------------------

    /** Checks R2: null is rejected. */
    public static void nullIsRejected(ResolverContract contract) {
        try (Subject subject = open(contract)) {
            Optional<MemorySegment> answer;
            try {
                answer = subject.resolver().resolve(null);
            } catch (NullPointerException expected) {
                return;
            } catch (Throwable other) {
                throw broken(R2, "resolve(null) threw " + other.getClass().getName() + " instead of "
                        + "NullPointerException; start resolve with requireNonNull(symbol, \"symbol is null\")", other);
            }
            throw broken(R2, "resolve(null) returned " + answer + " instead of throwing NullPointerException; start "
                    + "resolve with requireNonNull(symbol, \"symbol is null\")");
        }
    }

    // ---- R3 ------------------------------------------------------------------------------------------------------

    /** Checks R3: unknown names give empty, never an exception. */
    public static void unknownNamesGiveEmpty(ResolverContract contract) {
        try (Subject subject = open(contract)) {
            SymbolResolver resolver = subject.resolver();
            for (String name : UNKNOWN_NAMES) {
                Optional<MemorySegment> answer;
                try {
                    answer = resolver.resolve(name);
                } catch (Throwable thrown) {
                    throw broken(R3, "resolve(" + shortened(name) + ") threw", thrown);
                }
                require(R3, answer != null, "resolve(" + shortened(name) + ") returned null instead of "
                        + "Optional.empty()");
                require(R3, answer.isEmpty(), "resolve(" + shortened(name) + ") gave "
                        + answer.map(Values::describe).orElse("") + " for a name nobody defines");
            }
        }
    }

    // ---- R4 ------------------------------------------------------------------------------------------------------

    /** Checks R4, one dynamic test per sample: samples resolve or are refused as declared. */
    public static Stream<DynamicTest> samplesResolveAsDeclared(ResolverContract contract) {
        List<SampleSymbol> samples = samples(contract);
        Assumptions.assumeFalse(samples.isEmpty(), "samples() is empty (see R0)");
        return samples.stream().map(sample -> DynamicTest.dynamicTest(
                sample.name() + (sample.resolves() ? " resolves" : " is refused"), () -> {
                    try (Subject subject = open(contract)) {
                        Optional<MemorySegment> answer = step(R4, "resolve(" + shortened(sample.name()) + ")",
                                () -> subject.resolver().resolve(sample.name()));
                        require(R4, answer != null, "resolve(" + shortened(sample.name()) + ") returned null instead of "
                                + "an Optional");
                        if (sample.resolves()) {
                            require(R4, answer.isPresent(), "sample " + sample.name() + " must resolve but resolve gave "
                                    + "empty");
                            require(R4, answer.get().address() != 0, "sample " + sample.name() + " resolved to the "
                                    + "NULL address; answer empty instead, or a real address");
                        } else {
                            if (answer.isPresent()) {
                                throw broken(R4, "sample " + sample.name() + " must be refused but resolve gave "
                                        + Values.describe(answer.get()));
                            }
                        }
                    }
                }));
    }

    // ---- R5 ------------------------------------------------------------------------------------------------------

    /** Checks R5: answers are deterministic. */
    public static void answersAreDeterministic(ResolverContract contract) {
        List<String> names = probeNames(contract);
        try (Subject subject = open(contract)) {
            SymbolResolver resolver = subject.resolver();
            Map<String, OptionalLong> first = answers(R5, resolver, names);
            for (int round = 2; round <= 3; round++) {
                Map<String, OptionalLong> again = answers(R5, resolver, names);
                for (String name : names) {
                    require(R5, first.get(name).equals(again.get(name)), "resolve(" + shortened(name) + ") gave "
                            + describe(first.get(name)) + ", then " + describe(again.get(name)) + " (call " + round + ")");
                }
            }
            Map<String, OptionalLong> other = answers(R5, subject.anotherResolver(), names);
            for (String name : names) {
                require(R5, first.get(name).isPresent() == other.get(name).isPresent(), "two resolvers from "
                        + "createResolver() disagree on whether " + shortened(name) + " resolves: "
                        + describe(first.get(name)) + " and " + describe(other.get(name)));
            }
        }
    }

    // ---- R6 ------------------------------------------------------------------------------------------------------

    /** Checks R6: concurrent resolution is consistent. */
    public static void concurrentResolutionIsConsistent(ResolverContract contract) throws InterruptedException {
        List<String> names = probeNames(contract);
        try (Subject subject = open(contract)) {
            SymbolResolver resolver = subject.resolver();
            Map<String, OptionalLong> baseline = answers(R6, resolver, names);
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    results.add(threads.submit(() -> {
                        start.await();
                        for (int round = 0; round < ROUNDS; round++) {
                            for (int i = 0; i < names.size(); i++) {
                                String name = names.get((i + thread + round) % names.size());
                                Optional<MemorySegment> answer;
                                try {
                                    answer = resolver.resolve(name);
                                } catch (Throwable thrown) {
                                    return "thread " + thread + ": resolve(" + shortened(name) + ") threw " + thrown;
                                }
                                OptionalLong address = answer == null ? null
                                        : answer.map(segment -> OptionalLong.of(segment.address()))
                                        .orElse(OptionalLong.empty());
                                if (!baseline.get(name).equals(address)) {
                                    return "thread " + thread + ", round " + round + ": resolve(" + shortened(name)
                                            + ") gave " + describe(address) + " but one thread alone got "
                                            + describe(baseline.get(name));
                                }
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONCURRENCY_TIMEOUT_SECONDS);
                for (Future<String> result : results) {
                    String mismatch;
                    try {
                        mismatch = result.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (TimeoutException e) {
                        throw broken(R6, THREADS + " threads resolving " + names.size() + " names " + ROUNDS
                                + " times each did not finish within " + CONCURRENCY_TIMEOUT_SECONDS
                                + " s; the resolver may deadlock or block on a lock");
                    } catch (ExecutionException e) {
                        throw broken(R6, "a resolving thread failed", e.getCause());
                    }
                    require(R6, mismatch == null, mismatch == null ? "" : mismatch);
                }
            } finally {
                threads.shutdownNow();
                threads.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---- R7 ------------------------------------------------------------------------------------------------------

    /** Checks R7, one dynamic test per function sample: resolved functions work in a JIT-linked plugin. */
    public static Stream<DynamicTest> resolvedFunctionsWork(ResolverContract contract) {
        assumeDeclared(contract, ResolverCapability.RESOLVES_FUNCTIONS);
        return samples(contract).stream()
                .filter(sample -> sample.resolves() && sample.kind() == SampleSymbol.Kind.FUNCTION)
                .map(sample -> DynamicTest.dynamicTest(sample.toString(), () -> functionWorks(contract, sample)));
    }

    private static void functionWorks(ResolverContract contract, SampleSymbol sample) {
        String name = sample.name();
        try (Subject subject = open(contract)) {
            MemorySegment expected = resolved(R7, subject.resolver(), name);
            Signature signature = sample.signature().orElse(null);
            ModuleSource source = ModuleSource.ir("imports-" + fileName(name) + ".ll",
                    PluginSources.functionImporter(name, signature));
            JitContext context = subject.context();
            try (Plugin plugin = step(R7, "JIT-linking a plugin that imports function " + name,
                    () -> context.load(source))) {
                long seen = addressSeenBy(R7, plugin, name);
                require(R7, seen == expected.address(), "the plugin sees " + name + " at 0x" + Long.toHexString(seen)
                        + " but resolve gave 0x" + Long.toHexString(expected.address()));
                if (sample.isCalled()) {
                    call(sample, plugin, signature);
                }
            }
        }
    }

    private static void call(SampleSymbol sample, Plugin plugin, Signature signature) {
        String name = sample.name();
        Signature fixed = new Signature(signature.returnType(), signature.parameterTypes(), false);
        MethodHandle function = step(R7, "getting the plugin's wrapper of " + name + " as " + fixed,
                () -> plugin.function(PluginSources.CALL_IMPORT, fixed.toFunctionDescriptor()));
        try (Arena arena = Arena.ofConfined()) {
            if (sample.arguments().isPresent() || sample.hasExpectedResult()) {
                List<Object> declared = sample.arguments().orElse(List.of());
                if (declared.size() != fixed.parameterTypes().size()) {
                    throw new SetupProblem("sample " + name + " expects a result but its signature " + fixed
                            + " takes parameters: add calledWith(...)", null);
                }
                List<Object> carriers = new ArrayList<>();
                for (int i = 0; i < declared.size(); i++) {
                    carriers.add(Values.toCarrier(fixed.parameterTypes().get(i), declared.get(i), arena));
                }
                String callText = name + "(" + String.join(", ", declared.stream().map(Values::describe).toList()) + ")";
                Object result = step(R7, "calling " + callText + " through the plugin",
                        () -> function.invokeWithArguments(carriers));
                if (sample.hasExpectedResult()) {
                    require(R7, Values.matches(fixed.returnType(), sample.expectedResult(), result), callText
                            + " returned " + Values.describe(result) + " through the plugin, expected "
                            + Values.describe(sample.expectedResult()));
                }
            }
            sample.callCheck().ifPresent(callCheck -> check(R7, "the check of " + name + " failed",
                    () -> callCheck.check(function, arena)));
        }
    }

    // ---- R8 ------------------------------------------------------------------------------------------------------

    /** Checks R8, one dynamic test per data sample: resolved data works in a JIT-linked plugin. */
    public static Stream<DynamicTest> resolvedDataWorks(ResolverContract contract) {
        assumeDeclared(contract, ResolverCapability.RESOLVES_DATA);
        return samples(contract).stream()
                .filter(sample -> sample.resolves() && sample.kind() == SampleSymbol.Kind.DATA)
                .map(sample -> DynamicTest.dynamicTest(sample.toString(), () -> dataWorks(contract, sample)));
    }

    private static void dataWorks(ResolverContract contract, SampleSymbol sample) {
        String name = sample.name();
        try (Subject subject = open(contract)) {
            MemorySegment expected = resolved(R8, subject.resolver(), name);
            ModuleSource source = ModuleSource.ir("reads-" + fileName(name) + ".ll", PluginSources.dataImporter(name));
            JitContext context = subject.context();
            try (Plugin plugin = step(R8, "JIT-linking a plugin that imports data " + name,
                    () -> context.load(source))) {
                long seen = addressSeenBy(R8, plugin, name);
                require(R8, seen == expected.address(), "the plugin sees " + name + " at 0x" + Long.toHexString(seen)
                        + " but resolve gave 0x" + Long.toHexString(expected.address()));
                Optional<byte[]> content = sample.expectedContent();
                if (content.isPresent()) {
                    byte[] wanted = content.get();
                    MethodHandle read = step(R8, "getting the plugin's reader of " + name,
                            () -> plugin.function(PluginSources.READ_IMPORT_BYTE, FunctionDescriptor.of(JAVA_BYTE, JAVA_LONG)));
                    byte[] actual = new byte[wanted.length];
                    for (int i = 0; i < wanted.length; i++) {
                        long offset = i;
                        actual[i] = step(R8, "reading byte " + i + " of " + name + " in the plugin",
                                () -> (byte) read.invokeExact(offset));
                    }
                    require(R8, Arrays.equals(wanted, actual), "the plugin reads " + name + " as "
                            + Values.describe(actual) + ", expected " + Values.describe(wanted));
                }
                sample.dataCheck().ifPresent(dataCheck -> check(R8, "the check of " + name + " failed",
                        () -> dataCheck.check(MemorySegment.ofAddress(seen))));
            }
        }
    }

    // ---- R9 ------------------------------------------------------------------------------------------------------

    /** Checks R9, one dynamic test per refused sample: refused symbols keep a plugin from loading. */
    public static Stream<DynamicTest> refusedSymbolsKeepAPluginFromLoading(ResolverContract contract) {
        List<SampleSymbol> refused = samples(contract).stream().filter(sample -> !sample.resolves()).toList();
        Assumptions.assumeFalse(refused.isEmpty(), "samples() has no refused symbol (SampleSymbol.refused)");
        return refused.stream().map(sample -> DynamicTest.dynamicTest(sample.toString(),
                () -> refusedKeepsPluginOut(contract, sample.name())));
    }

    private static void refusedKeepsPluginOut(ResolverContract contract, String name) {
        try (Subject subject = open(contract)) {
            Optional<MemorySegment> answer = step(R9, "resolve(" + shortened(name) + ")",
                    () -> subject.resolver().resolve(name));
            require(R9, answer != null && answer.isEmpty(), "resolve(" + shortened(name) + ") gave " + answer
                    + " for a symbol the resolver must refuse");
            ModuleSource source = ModuleSource.ir("imports-" + fileName(name) + ".ll",
                    PluginSources.functionImporter(name, null));
            JitContext context = subject.context();
            Plugin plugin;
            try {
                plugin = context.load(source);
            } catch (UnresolvedSymbolsException expected) {
                require(R9, expected.symbols().contains(name), "loading a plugin that imports " + name + " failed, "
                        + "but the failure names " + expected.symbols() + " instead");
                return;
            } catch (Throwable other) {
                throw broken(R9, "loading a plugin that imports " + name + " should fail with "
                        + "UnresolvedSymbolsException, but", other);
            }
            plugin.close();
            throw broken(R9, "a plugin that imports " + name + " loaded, though the resolver must refuse " + name);
        }
    }

    // ---- R10 -----------------------------------------------------------------------------------------------------

    /** {@code void(ptr, ptr, i64)}. */
    private static final FunctionDescriptor COPY = FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG);
    /** {@code void(ptr, i32, i64)}. */
    private static final FunctionDescriptor FILL = FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG);
    /** {@code i32(ptr, ptr, i64)}. */
    private static final FunctionDescriptor COMPARE = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    /** {@code i1(ptr, ptr, i64)}. */
    private static final FunctionDescriptor SAME = FunctionDescriptor.of(JAVA_BOOLEAN,
            ADDRESS, ADDRESS, JAVA_LONG);
    /** {@code i64(i64, i64)}. */
    private static final FunctionDescriptor WIDE = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** Checks R10: the compiler helpers resolve and work. */
    public static void compilerHelpersWork(ResolverContract contract) {
        assumeDeclared(contract, ResolverCapability.RESOLVES_COMPILER_HELPERS);
        try (Subject subject = open(contract)) {
            for (String helper : COMPILER_HELPERS) {
                resolved(R10, subject.resolver(), helper);
            }
            ModuleSource source = ModuleSource.ir("compiler-helpers.ll", PluginSources.compilerHelpers());
            JitContext context = subject.context();
            try (Plugin plugin = step(R10, "JIT-linking a plugin whose code needs " + COMPILER_HELPERS,
                    () -> context.load(source));
                 Arena arena = Arena.ofConfined()) {
                check(R10, "memcpy, memmove, memset, memcmp and bcmp called from plugin code", () -> {
                    byte[] bytes = new byte[40];
                    for (int i = 0; i < bytes.length; i++) {
                        bytes[i] = (byte) (i + 1);
                    }
                    MemorySegment from = arena.allocateFrom(JAVA_BYTE, bytes);
                    MemorySegment to = arena.allocate(40);
                    plugin.function("copy_bytes", COPY).invokeExact(to, from, 40L);
                    requireBytes("copy_bytes (memcpy)", to.toArray(JAVA_BYTE), bytes);

                    plugin.function("move_bytes", COPY).invokeExact(to.asSlice(2), to, 10L);
                    byte[] moved = bytes.clone();
                    System.arraycopy(bytes, 0, moved, 2, 10);
                    requireBytes("move_bytes (memmove) of overlapping bytes", to.toArray(JAVA_BYTE), moved);

                    plugin.function("fill_bytes", FILL).invokeExact(to, 0x5A, 33L);
                    byte[] filled = moved.clone();
                    Arrays.fill(filled, 0, 33, (byte) 0x5A);
                    requireBytes("fill_bytes (memset)", to.toArray(JAVA_BYTE), filled);

                    MemorySegment abc = arena.allocateFrom("abcdefghijklmnopqrstuvwxyz0123456789");
                    MemorySegment abd = arena.allocateFrom("abcdefghijklmnopqrstuvwxyz0123456780");
                    int order = (int) plugin.function("compare_bytes", COMPARE).invokeExact(abc, abd, 36L);
                    require(R10, order > 0, "compare_bytes (memcmp) of \"…89\" and \"…80\" gave " + order
                            + ", expected a positive number");
                    int equal = (int) plugin.function("compare_bytes", COMPARE).invokeExact(abc, abd, 35L);
                    require(R10, equal == 0, "compare_bytes (memcmp) of equal bytes gave " + equal);
                    MethodHandle same = plugin.function("same_bytes", SAME);
                    require(R10, (boolean) same.invokeExact(abc, abd, 35L), "same_bytes (bcmp) of equal bytes gave false");
                    require(R10, !(boolean) same.invokeExact(abc, abd, 36L), "same_bytes (bcmp) of different bytes "
                            + "gave true");
                });
                check(R10, "__udivti3 and __umodti3 called from plugin code", () -> {
                    MethodHandle divide = plugin.function("wide_div", WIDE);
                    MethodHandle remainder = plugin.function("wide_rem", WIDE);
                    long[][] cases = {{1, 3}, {5, 7}, {123_456_789L, 987_654_321_987L}, {1, Long.MAX_VALUE}};
                    for (long[] pair : cases) {
                        BigInteger shifted = BigInteger.valueOf(pair[0]).shiftLeft(64);
                        BigInteger[] expected = shifted.divideAndRemainder(BigInteger.valueOf(pair[1]));
                        long quotient = (long) divide.invokeExact(pair[0], pair[1]);
                        long rest = (long) remainder.invokeExact(pair[0], pair[1]);
                        require(R10, quotient == expected[0].longValue(), "wide_div (__udivti3): (" + pair[0]
                                + " << 64) / " + pair[1] + " gave " + Long.toUnsignedString(quotient) + ", expected "
                                + expected[0]);
                        require(R10, rest == expected[1].longValue(), "wide_rem (__umodti3): (" + pair[0]
                                + " << 64) % " + pair[1] + " gave " + Long.toUnsignedString(rest) + ", expected "
                                + expected[1]);
                    }
                });
            }
        }
    }

    private static void requireBytes(String what, byte[] actual, byte[] expected) {
        require(R10, Arrays.equals(actual, expected), what + " left " + Values.describe(actual) + ", expected "
                + Values.describe(expected));
    }

    // ---- R11 -----------------------------------------------------------------------------------------------------

    /** Checks R11: a throwing resolver is contained. */
    public static void throwingResolverIsContained(ResolverContract contract) {
        List<SampleSymbol> resolving = samples(contract).stream().filter(SampleSymbol::resolves).toList();
        Optional<SampleSymbol> good = resolving.stream()
                .filter(sample -> sample.kind() == SampleSymbol.Kind.FUNCTION)
                .findFirst()
                .or(() -> resolving.stream().findFirst());
        try (Subject subject = open(contract)) {
            SymbolResolver resolver = subject.resolver();
            String poisoned = good.map(SampleSymbol::name).orElse(POISONED_FALLBACK);
            Optional<MemorySegment> before = good.isPresent()
                    ? Optional.of(resolved(R11, resolver, poisoned)) : Optional.empty();
            IllegalStateException failure = new IllegalStateException("predicator-testkit: simulated failure of the "
                    + "resolver on '" + poisoned + "'");
            SymbolResolver throwing = new ThrowingResolver(resolver, poisoned, failure);
            JitContext context = subject.context();
            ModuleSource importer = ModuleSource.ir("poisoned.ll", PluginSources.functionImporter(poisoned, null));

            Plugin loaded;
            try {
                loaded = context.load(importer, LoadOptions.builder().resolver(throwing).build());
            } catch (ResolverException expected) {
                loaded = null;
                require(R11, causes(expected).contains(failure), "the load failed with ResolverException, but "
                        + "without the resolver's exception among its causes: " + expected);
                require(R11, Objects.toString(expected.getMessage(), "").contains(poisoned), "the ResolverException "
                        + "does not name the symbol '" + poisoned + "': " + expected.getMessage());
            } catch (Throwable other) {
                throw broken(R11, "a resolver that throws on '" + poisoned + "' should make the load fail with "
                        + "ResolverException, but", other);
            }
            if (loaded != null) {
                loaded.close();
                throw broken(R11, "a plugin loaded although its resolver threw on '" + poisoned + "'");
            }
            require(R11, context.plugins().isEmpty(), "the failed load left plugins behind: " + context.plugins());

            if (good.isPresent()) {
                Optional<MemorySegment> after = step(R11, "resolve(" + shortened(poisoned) + ") after the failure",
                        () -> resolver.resolve(poisoned));
                require(R11, after != null && after.map(MemorySegment::address).equals(before.map(MemorySegment::address)),
                        "after the failed load, resolve(" + shortened(poisoned) + ") gives " + after + " instead of "
                                + before);
                SampleSymbol sample = good.get();
                String ir = sample.kind() == SampleSymbol.Kind.DATA ? PluginSources.dataImporter(poisoned)
                        : PluginSources.functionImporter(poisoned, null);
                try (Plugin plugin = step(R11, "loading a plugin importing " + poisoned + " after the failed load",
                        () -> context.load(ModuleSource.ir("after-failure.ll", ir)))) {
                    long seen = addressSeenBy(R11, plugin, poisoned);
                    require(R11, seen == before.get().address(), "after the failed load, the plugin sees " + poisoned
                            + " at 0x" + Long.toHexString(seen) + " instead of 0x"
                            + Long.toHexString(before.get().address()));
                }
            }
            try (Plugin plugin = step(R11, "loading a self-contained plugin after the failed load",
                    () -> context.load(ModuleSource.ir("constant.ll", PluginSources.constant(271))))) {
                int value = step(R11, "calling it", () -> plugin.function("value", IntSupplier.class).getAsInt());
                require(R11, value == 271, "the plugin loaded after the failure returned " + value + " instead of 271");
            }
        }
    }

    /** Delegates to the resolver under test, except that it throws for one symbol. */
    private record ThrowingResolver(SymbolResolver delegate, String poisoned, RuntimeException failure)
            implements SymbolResolver {
        @Override
        public String id() {
            return delegate.id();
        }

        @Override
        public Optional<MemorySegment> resolve(String symbol) {
            if (poisoned.equals(symbol)) {
                throw failure;
            }
            return delegate.resolve(symbol);
        }

        @Override
        public List<String> consultedIds() {
            return delegate.consultedIds();
        }
    }

    // ---- R12, R13 ------------------------------------------------------------------------------------------------

    /** Checks R12: the provider is discoverable. */
    public static void providerIsDiscoverable(ResolverContract contract) {
        assumeDeclared(contract, ResolverCapability.SERVICE_LOADER_REGISTERED);
        String id = requiredProviderId(contract);
        SymbolResolverProvider provider = discover(contract, id);
        String description = step(R12, "description() of provider '" + id + "'", provider::description);
        require(R12, description != null && !description.isBlank(), "provider '" + id + "' has a blank description");
        Map<String, String> configuration = configuration(contract);
        SymbolResolver created = step(R12, "create(" + configuration + ") of provider '" + id + "'",
                () -> provider.create(configuration));
        require(R12, created != null, "provider '" + id + "' created null from " + configuration);
        try {
            String createdId = step(R12, "id() of the resolver that provider '" + id + "' created", created::id);
            require(R12, id.equals(createdId), "provider '" + id + "' created a resolver whose id is \"" + createdId
                    + "\"; a provider's id is the id of the resolvers it creates");
            for (SampleSymbol sample : List.copyOf(setup("providerSamples()", contract::providerSamples))) {
                Optional<MemorySegment> answer = step(R12, "resolve(" + shortened(sample.name()) + ") of the resolver "
                        + "that provider '" + id + "' created", () -> created.resolve(sample.name()));
                require(R12, answer != null && answer.isPresent() == sample.resolves(), "the resolver that provider '"
                        + id + "' created with " + configuration + " " + (sample.resolves() ? "does not resolve"
                        : "resolves") + " sample " + sample.name() + ", unlike createResolver()'s; make "
                        + "providerConfiguration() match createResolver(), or leave the sample out of providerSamples()");
            }
        } finally {
            closeQuietly(created);
        }
    }

    /** Checks R13: the provider rejects unknown configuration keys. */
    public static void providerRejectsUnknownKeys(ResolverContract contract) {
        assumeDeclared(contract, ResolverCapability.SERVICE_LOADER_REGISTERED);
        String id = requiredProviderId(contract);
        SymbolResolverProvider provider;
        try {
            provider = discover(contract, id);
        } catch (AssertionError notFound) {
            throw new TestAbortedException("R13 needs the provider, which is not found (see R12): "
                    + notFound.getMessage());
        }
        Map<String, String> configuration = new HashMap<>(configuration(contract));
        configuration.put(UNKNOWN_CONFIGURATION_KEY, "1");
        SymbolResolver created;
        try {
            created = provider.create(Map.copyOf(configuration));
        } catch (IllegalArgumentException expected) {
            require(R13, Objects.toString(expected.getMessage(), "").contains(UNKNOWN_CONFIGURATION_KEY),
                    "provider '" + id + "' rejected the unknown key '" + UNKNOWN_CONFIGURATION_KEY + "' but its message "
                            + "does not name it: " + expected.getMessage());
            return;
        } catch (Throwable other) {
            throw broken(R13, "provider '" + id + "' should reject the unknown key '" + UNKNOWN_CONFIGURATION_KEY
                    + "' with IllegalArgumentException, but", other);
        }
        closeQuietly(created);
        throw broken(R13, "provider '" + id + "' accepted the unknown key '" + UNKNOWN_CONFIGURATION_KEY + "'; "
                + "reject keys it does not know with IllegalArgumentException naming the key, so typos are noticed");
    }

    private static void closeQuietly(SymbolResolver resolver) {
        if (resolver instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // a verdict is being given; closing a resolver the provider made is secondary
            }
        }
    }

    private static SymbolResolverProvider discover(ResolverContract contract, String id) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = contract.getClass().getClassLoader();
        }
        Map<String, List<String>> found = new LinkedHashMap<>();
        List<SymbolResolverProvider> matching = new ArrayList<>();
        try {
            for (SymbolResolverProvider provider : ServiceLoader.load(SymbolResolverProvider.class, loader)) {
                String providerId = provider.id();
                found.computeIfAbsent(providerId, key -> new ArrayList<>()).add(provider.getClass().getName());
                if (id.equals(providerId)) {
                    matching.add(provider);
                }
            }
        } catch (ServiceConfigurationError e) {
            throw broken(R12, "ServiceLoader could not load the SymbolResolverProviders registered on the class path",
                    e);
        }
        require(R12, !matching.isEmpty(), "ServiceLoader finds no SymbolResolverProvider with id '" + id + "'; it finds "
                + (found.isEmpty() ? "none" : found) + ". Register the provider's class name in "
                + "META-INF/services/io.predicator.spi.SymbolResolverProvider (and 'provides' it in module-info.java "
                + "if there is one)");
        require(R12, matching.size() == 1, "ServiceLoader finds " + matching.size() + " providers with id '" + id
                + "': " + found.get(id) + "; provider ids must be unique");
        return matching.getFirst();
    }

    private static String requiredProviderId(ResolverContract contract) {
        return providerId(contract).orElseThrow(() -> broken(R0, "SERVICE_LOADER_REGISTERED is declared but "
                + "providerId() is empty"));
    }

    // ---- shared --------------------------------------------------------------------------------------------------

    private static Subject open(ResolverContract contract) {
        return Subject.open(contract::createResolver, contract::createContext);
    }

    private static MemorySegment resolved(Requirement requirement, SymbolResolver resolver,
                                          String name) {
        Optional<MemorySegment> answer = step(requirement, "resolve(" + shortened(name) + ")",
                () -> resolver.resolve(name));
        require(requirement, answer != null && answer.isPresent() && answer.get().address() != 0,
                "resolve(" + shortened(name) + ") gave " + answer + ", so no plugin can link against it");
        return answer.get();
    }

    private static long addressSeenBy(Requirement requirement, Plugin plugin, String name) {
        MethodHandle addressOf = step(requirement, "getting the plugin's address-of function for " + name,
                () -> plugin.function(PluginSources.ADDRESS_OF_IMPORT, FunctionDescriptor.of(ADDRESS)));
        MemorySegment seen = step(requirement, "calling the plugin to read the address of " + name,
                () -> (MemorySegment) addressOf.invokeExact());
        return seen.address();
    }

    private static Map<String, OptionalLong> answers(Requirement requirement,
                                                     SymbolResolver resolver, List<String> names) {
        Map<String, OptionalLong> answers = new LinkedHashMap<>();
        for (String name : names) {
            Optional<MemorySegment> answer = step(requirement, "resolve(" + shortened(name) + ")",
                    () -> resolver.resolve(name));
            require(requirement, answer != null, "resolve(" + shortened(name) + ") returned null instead of an Optional");
            answers.put(name, answer.map(segment -> OptionalLong.of(segment.address())).orElse(OptionalLong.empty()));
        }
        return answers;
    }

    private static List<String> probeNames(ResolverContract contract) {
        List<String> names = new ArrayList<>();
        samples(contract).forEach(sample -> names.add(sample.name()));
        names.addAll(UNKNOWN_NAMES.subList(0, 4));
        return List.copyOf(new LinkedHashSet<>(names));
    }

    private static Set<ResolverCapability> capabilities(ResolverContract contract) {
        Set<ResolverCapability> capabilities = setup("capabilities()", contract::capabilities);
        return Set.copyOf(capabilities);
    }

    private static List<SampleSymbol> samples(ResolverContract contract) {
        return List.copyOf(setup("samples()", contract::samples));
    }

    private static Optional<String> providerId(ResolverContract contract) {
        return setup("providerId()", contract::providerId);
    }

    private static Map<String, String> configuration(ResolverContract contract) {
        return Map.copyOf(setup("providerConfiguration()", contract::providerConfiguration));
    }

    private static <T> T setup(String method, Supplier<T> supplier) {
        T value;
        try {
            value = supplier.get();
        } catch (RuntimeException | Error e) {
            throw new SetupProblem(method + " threw", e);
        }
        if (value == null) {
            throw new SetupProblem(method + " returned null", null);
        }
        return value;
    }

    private static void assumeDeclared(ResolverContract contract, ResolverCapability capability) {
        Assumptions.assumeTrue(capabilities(contract).contains(capability),
                () -> "the contract does not declare " + capability);
    }

    private static List<Throwable> causes(Throwable throwable) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = throwable; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }

    private static String describe(OptionalLong address) {
        if (address == null) {
            return "null";
        }
        return address.isPresent() ? "0x" + Long.toHexString(address.getAsLong()) : "empty";
    }

    /** A name for messages: quoted, escaped, and cut after 60 characters. */
    static String shortened(String name) {
        if (name == null) {
            return "null";
        }
        String cut = name.length() > 60 ? name.substring(0, 40) + "…(" + name.length() + " chars)" : name;
        return Values.describe(cut);
    }

    /** A file-name-safe form of a symbol name. */
    private static String fileName(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        return safe.length() > 40 ? safe.substring(0, 40) + "-" + HexFormat.of().toHexDigits(name.hashCode()) : safe;
    }
}
