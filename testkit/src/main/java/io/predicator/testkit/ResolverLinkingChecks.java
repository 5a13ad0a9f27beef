package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.Signature;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.SetupProblem;
import io.predicator.testkit.internal.Subject;
import io.predicator.testkit.internal.Values;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import static io.predicator.testkit.ResolverRequirement.R10;
import static io.predicator.testkit.ResolverRequirement.R11;
import static io.predicator.testkit.ResolverRequirement.R7;
import static io.predicator.testkit.ResolverRequirement.R8;
import static io.predicator.testkit.ResolverRequirement.R9;
import static io.predicator.testkit.internal.ResolverSupport.COMPILER_HELPERS;
import static io.predicator.testkit.internal.ResolverSupport.POISONED_FALLBACK;
import static io.predicator.testkit.internal.ResolverSupport.addressSeenBy;
import static io.predicator.testkit.internal.ResolverSupport.answers;
import static io.predicator.testkit.internal.ResolverSupport.assumeDeclared;
import static io.predicator.testkit.internal.ResolverSupport.causes;
import static io.predicator.testkit.internal.ResolverSupport.describe;
import static io.predicator.testkit.internal.ResolverSupport.fileName;
import static io.predicator.testkit.internal.ResolverSupport.open;
import static io.predicator.testkit.internal.ResolverSupport.resolved;
import static io.predicator.testkit.internal.ResolverSupport.samples;
import static io.predicator.testkit.internal.ResolverSupport.shortened;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.check;
import static io.predicator.testkit.internal.Verdicts.require;
import static io.predicator.testkit.internal.Verdicts.step;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The checks of {@link ResolverLinkingContract}: what the resolver's answers do in JIT-linked plugins. */
final class ResolverLinkingChecks {
    // ---- R7 ------------------------------------------------------------------------------------------------------

    /** Checks R7, one dynamic test per function sample: resolved functions work in a JIT-linked plugin. */
    static Stream<DynamicTest> resolvedFunctionsWork(ResolverUnderTest contract) {
        assumeDeclared(contract, ResolverCapability.RESOLVES_FUNCTIONS);
        return samples(contract).stream()
                .filter(sample -> sample.resolves() && sample.kind() == SampleSymbol.Kind.FUNCTION)
                .map(sample -> DynamicTest.dynamicTest(sample.toString(), () -> functionWorks(contract, sample)));
    }

    private static void functionWorks(ResolverUnderTest contract, SampleSymbol sample) {
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
    static Stream<DynamicTest> resolvedDataWorks(ResolverUnderTest contract) {
        assumeDeclared(contract, ResolverCapability.RESOLVES_DATA);
        return samples(contract).stream()
                .filter(sample -> sample.resolves() && sample.kind() == SampleSymbol.Kind.DATA)
                .map(sample -> DynamicTest.dynamicTest(sample.toString(), () -> dataWorks(contract, sample)));
    }

    private static void dataWorks(ResolverUnderTest contract, SampleSymbol sample) {
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
    static Stream<DynamicTest> refusedSymbolsKeepAPluginFromLoading(ResolverUnderTest contract) {
        List<SampleSymbol> refused = samples(contract).stream().filter(sample -> !sample.resolves()).toList();
        Assumptions.assumeFalse(refused.isEmpty(), "samples() has no refused symbol (SampleSymbol.refused)");
        return refused.stream().map(sample -> DynamicTest.dynamicTest(sample.toString(),
                () -> refusedKeepsPluginOut(contract, sample.name())));
    }

    private static void refusedKeepsPluginOut(ResolverUnderTest contract, String name) {
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
    static void compilerHelpersWork(ResolverUnderTest contract) {
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
    static void throwingResolverIsContained(ResolverUnderTest contract) {
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

    private ResolverLinkingChecks() {
    }
}
