package io.predicator.testkit.internal;

import io.predicator.Plugin;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.Requirement;
import io.predicator.testkit.ResolverCapability;
import io.predicator.testkit.ResolverUnderTest;
import io.predicator.testkit.SampleSymbol;
import org.junit.jupiter.api.Assumptions;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

import static io.predicator.testkit.internal.Verdicts.require;
import static io.predicator.testkit.internal.Verdicts.step;
import static java.lang.foreign.ValueLayout.ADDRESS;

/**
 * What the resolver contracts' checks share: the resolver under test opened with a context, its declarations, probes.
 */
public final class ResolverSupport {
    /** Names nobody defines: every resolver must answer them with empty. */
    public static final List<String> UNKNOWN_NAMES = List.of(
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
    public static final List<String> COMPILER_HELPERS = List.of("memcpy", "memmove", "memset", "memcmp", "bcmp",
            "__udivti3", "__umodti3");
    public static final String POISONED_FALLBACK = "predicator_testkit_poisoned_symbol";
    public static final String UNKNOWN_CONFIGURATION_KEY = "predicator.testkit.no-such-setting";
    public static final int THREADS = 8;
    public static final int ROUNDS = 100;
    public static final long CONCURRENCY_TIMEOUT_SECONDS = 60;

    // ---- shared --------------------------------------------------------------------------------------------------

    public static Subject open(ResolverUnderTest contract) {
        return Subject.open(contract::createResolver, contract::createContext);
    }

    public static MemorySegment resolved(Requirement requirement, SymbolResolver resolver,
                                          String name) {
        Optional<MemorySegment> answer = step(requirement, "resolve(" + shortened(name) + ")",
                () -> resolver.resolve(name));
        require(requirement, answer != null && answer.isPresent() && answer.get().address() != 0,
                "resolve(" + shortened(name) + ") gave " + answer + ", so no plugin can link against it");
        return answer.get();
    }

    public static long addressSeenBy(Requirement requirement, Plugin plugin, String name) {
        MethodHandle addressOf = step(requirement, "getting the plugin's address-of function for " + name,
                () -> plugin.function(PluginSources.ADDRESS_OF_IMPORT, FunctionDescriptor.of(ADDRESS)));
        MemorySegment seen = step(requirement, "calling the plugin to read the address of " + name,
                () -> (MemorySegment) addressOf.invokeExact());
        return seen.address();
    }

    public static Map<String, OptionalLong> answers(Requirement requirement,
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

    public static List<String> probeNames(ResolverUnderTest contract) {
        List<String> names = new ArrayList<>();
        samples(contract).forEach(sample -> names.add(sample.name()));
        names.addAll(UNKNOWN_NAMES.subList(0, 4));
        return List.copyOf(new LinkedHashSet<>(names));
    }

    public static Set<ResolverCapability> capabilities(ResolverUnderTest contract) {
        Set<ResolverCapability> capabilities = setup("capabilities()", contract::capabilities);
        return Set.copyOf(capabilities);
    }

    public static List<SampleSymbol> samples(ResolverUnderTest contract) {
        return List.copyOf(setup("samples()", contract::samples));
    }

    public static Optional<String> providerId(ResolverUnderTest contract) {
        return setup("providerId()", contract::providerId);
    }

    public static Map<String, String> configuration(ResolverUnderTest contract) {
        return Map.copyOf(setup("providerConfiguration()", contract::providerConfiguration));
    }

    public static <T> T setup(String method, Supplier<T> supplier) {
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

    public static void assumeDeclared(ResolverUnderTest contract, ResolverCapability capability) {
        Assumptions.assumeTrue(capabilities(contract).contains(capability),
                () -> "the contract does not declare " + capability);
    }

    public static List<Throwable> causes(Throwable throwable) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = throwable; cause != null && !chain.contains(cause); cause = cause.getCause()) {
            chain.add(cause);
        }
        return chain;
    }

    public static String describe(OptionalLong address) {
        if (address == null) {
            return "null";
        }
        return address.isPresent() ? "0x" + Long.toHexString(address.getAsLong()) : "empty";
    }

    /** A name for messages: quoted, escaped, and cut after 60 characters. */
    public static String shortened(String name) {
        if (name == null) {
            return "null";
        }
        String cut = name.length() > 60 ? name.substring(0, 40) + "…(" + name.length() + " chars)" : name;
        return Values.describe(cut);
    }

    /** A file-name-safe form of a symbol name. */
    public static String fileName(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        return safe.length() > 40 ? safe.substring(0, 40) + "-" + HexFormat.of().toHexDigits(name.hashCode()) : safe;
    }
}
