package io.predicator.testkit;

import io.predicator.ConfigurationException;
import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.LoadOptions.Option;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.internal.BackendSupport.Compiled;
import org.junit.jupiter.api.DynamicTest;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.predicator.testkit.BackendRequirement.B17;
import static io.predicator.testkit.internal.BackendSupport.arithmeticWorks;
import static io.predicator.testkit.internal.BackendSupport.context;
import static io.predicator.testkit.internal.Verdicts.broken;
import static io.predicator.testkit.internal.Verdicts.check;
import static org.assertj.core.api.Assertions.assertThat;

/** The checks of {@link BackendOptionsContract}: each load option honoured, or refused by name. */
final class BackendOptionsChecks {
    private BackendOptionsChecks() {
    }

    /** One option set alone: how to set it, and what a plugin loaded with it must show. */
    private record Case(Option option, UnaryOperator<LoadOptions.Builder> set, boolean bitcode,
                        Consumer<Plugin> honoured) {
    }

    /** Checks B17, one dynamic test per option. */
    static Stream<DynamicTest> everyOptionIsHonouredOrRefused(BackendUnderTest contract) {
        Consumer<Plugin> runs = plugin -> arithmeticWorks(B17, plugin);
        Stream<Case> cases = Stream.of(
                new Case(Option.RESOLVER, options -> options.resolver(SymbolResolver.compilerSupport()), false, runs),
                new Case(Option.OPTIMIZATION_LEVEL, options -> options.optimizationLevel(0), false, runs),
                new Case(Option.NAME, options -> options.name("renamed"), false, plugin -> {
                    check(B17, "reading the name of a plugin loaded with name(\"renamed\")",
                            () -> assertThat(plugin.name()).isEqualTo("renamed"));
                    runs.accept(plugin);
                }),
                new Case(Option.PRE_OPTIMIZED, options -> options.preOptimized(true), true, runs),
                new Case(Option.COMPILE_ON_FIRST_USE, options -> options.compileOnFirstUse(true), false, runs),
                new Case(Option.TRUST_INPUT, options -> options.trustInput(true), true, runs),
                new Case(Option.TRUST_INLINE_ASSEMBLY, options -> options.trustInlineAssembly(true), false, runs),
                new Case(Option.COMPILE_TIMEOUT, options -> options.compileTimeout(Duration.ofMinutes(1)), false, runs),
                new Case(Option.CALL_TIMEOUT, options -> options.callTimeout(Duration.ofMinutes(1)), false, runs));
        return cases.map(one -> DynamicTest.dynamicTest(one.option().builderMethod(), () -> honouredOrRefused(contract, one)));
    }

    private static void honouredOrRefused(BackendUnderTest contract, Case one) {
        LoadOptions options = one.set().apply(LoadOptions.builder()).build();
        ModuleSource source = one.bitcode()
                ? ModuleSource.bitcode("arith.bc", Compiled.ARITHMETIC_BITCODE)
                : ModuleSource.ir("arith.ll", PluginSources.arithmetic());
        String method = one.option().builderMethod();
        try (JitContext context = context(contract, SymbolResolver.compilerSupport())) {
            Optional<Plugin> loaded = honouredOrRefused("loading " + source.name(), method,
                    () -> context.load(source, options));
            if (loaded.isEmpty()) {
                return;
            }
            try (Plugin plugin = loaded.get()) {
                one.honoured().accept(plugin);
            }
            honouredOrRefused("inspecting " + source.name(), method, () -> context.inspect(source, options))
                    .ifPresent(info -> check(B17, "inspecting " + source.name() + " with " + method,
                            () -> assertThat(info.functions()).extracting(ExportedFunction::name)
                                    .contains("add", "sub", "mul")));
        }
    }

    /**
     * Runs a load or inspect with one option set: its result if it honoured the option, or empty if it refused the
     * option with a {@link ConfigurationException} that names it; any other failure breaks B17.
     */
    private static <T> Optional<T> honouredOrRefused(String doing, String method, Supplier<T> action) {
        try {
            return Optional.of(action.get());
        } catch (ConfigurationException refused) {
            check(B17, "refusing " + method + " while " + doing, () -> assertThat(refused.getMessage())
                    .as("the refusal names the option").contains(method));
            return Optional.empty();
        } catch (RuntimeException | Error e) {
            throw broken(B17, doing + " with " + method + " threw " + e, e);
        }
    }
}
