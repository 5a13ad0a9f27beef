package io.predicator.testkit;

import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.Subject;
import io.predicator.testkit.internal.Values;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static io.predicator.testkit.ResolverRequirement.R0;
import static io.predicator.testkit.ResolverRequirement.R1;
import static io.predicator.testkit.ResolverRequirement.R2;
import static io.predicator.testkit.ResolverRequirement.R3;
import static io.predicator.testkit.ResolverRequirement.R4;
import static io.predicator.testkit.ResolverRequirement.R5;
import static io.predicator.testkit.ResolverRequirement.R6;
import static io.predicator.testkit.internal.ResolverSupport.CONCURRENCY_TIMEOUT_SECONDS;
import static io.predicator.testkit.internal.ResolverSupport.ROUNDS;
import static io.predicator.testkit.internal.ResolverSupport.THREADS;
import static io.predicator.testkit.internal.ResolverSupport.UNKNOWN_NAMES;
import static io.predicator.testkit.internal.ResolverSupport.answers;
import static io.predicator.testkit.internal.ResolverSupport.capabilities;
import static io.predicator.testkit.internal.ResolverSupport.describe;
import static io.predicator.testkit.internal.ResolverSupport.open;
import static io.predicator.testkit.internal.ResolverSupport.probeNames;
import static io.predicator.testkit.internal.ResolverSupport.providerId;
import static io.predicator.testkit.internal.ResolverSupport.resolved;
import static io.predicator.testkit.internal.ResolverSupport.samples;
import static io.predicator.testkit.internal.ResolverSupport.shortened;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.require;
import static io.predicator.testkit.internal.Verdicts.step;

/** The checks of {@link ResolverLookupContract}: what the resolver answers, alone and under concurrency. */
final class ResolverLookupChecks {
    // ---- R0 ------------------------------------------------------------------------------------------------------

    /** Checks R0: the declared capabilities are backed by the samples. */
    static void declarationIsConsistent(ResolverUnderTest contract) {
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
    static void idIsNonBlankAndStable(ResolverUnderTest contract) {
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
    static void nullIsRejected(ResolverUnderTest contract) {
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
    static void unknownNamesGiveEmpty(ResolverUnderTest contract) {
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
    static Stream<DynamicTest> samplesResolveAsDeclared(ResolverUnderTest contract) {
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
    static void answersAreDeterministic(ResolverUnderTest contract) {
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
    static void concurrentResolutionIsConsistent(ResolverUnderTest contract) throws InterruptedException {
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

    private ResolverLookupChecks() {
    }
}
