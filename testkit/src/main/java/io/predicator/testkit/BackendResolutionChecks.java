package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.fixtures.ArchiveMember;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.BackendSupport.Compiled;
import io.predicator.testkit.internal.HostFunctions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntBinaryOperator;

import static io.predicator.testkit.BackendCapability.FORMAT_ARCHIVE;
import static io.predicator.testkit.BackendCapability.FORMAT_OBJECT;
import static io.predicator.testkit.BackendRequirement.B11;
import static io.predicator.testkit.BackendRequirement.B12;
import static io.predicator.testkit.BackendRequirement.B13;
import static io.predicator.testkit.BackendRequirement.B14;
import static io.predicator.testkit.internal.BackendSupport.capabilities;
import static io.predicator.testkit.internal.BackendSupport.context;
import static io.predicator.testkit.internal.BackendSupport.stillUsable;
import static io.predicator.testkit.internal.BackendSupport.thrown;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.check;
import static io.predicator.testkit.internal.Verdicts.step;
import static org.assertj.core.api.Assertions.assertThat;

/** The checks of {@link BackendResolutionContract}: what the resolver supplies, misses and fails on. */
final class BackendResolutionChecks {
    // ---- B11 -----------------------------------------------------------------------------------------------------

    /** Checks B11 and B12: unresolved symbols are all listed at once. */
    static void unresolvedSymbolsAreAllListed(BackendUnderTest contract) {
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
    static void resolverFailuresAreContained(BackendUnderTest contract) {
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
    static void resolverSuppliesImports(BackendUnderTest contract) {
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

    private BackendResolutionChecks() {
    }
}
