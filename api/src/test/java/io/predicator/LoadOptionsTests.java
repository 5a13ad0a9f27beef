package io.predicator;

import io.predicator.LoadOptions.Option;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LoadOptions}: safe defaults, one option per builder method on its axis, and loud refusals.
 */
class LoadOptionsTests {
    private static final Map<Option, UnaryOperator<LoadOptions.Builder>> SETTERS = Map.of(
            Option.RESOLVER, builder -> builder.resolver(SymbolResolver.none()),
            Option.OPTIMIZATION_LEVEL, builder -> builder.optimizationLevel(0),
            Option.NAME, builder -> builder.name("renamed"),
            Option.PRE_OPTIMIZED, builder -> builder.preOptimized(true),
            Option.COMPILE_ON_FIRST_USE, builder -> builder.compileOnFirstUse(true),
            Option.TRUST_INPUT, builder -> builder.trustInput(true),
            Option.TRUST_INLINE_ASSEMBLY, builder -> builder.trustInlineAssembly(true),
            Option.COMPILE_TIMEOUT, builder -> builder.compileTimeout(Duration.ofSeconds(5)),
            Option.CALL_TIMEOUT, builder -> builder.callTimeout(Duration.ofMillis(250)));

    @Test
    void theDefaultsTrustNothingAndChangeNothing() {
        LoadOptions defaults = LoadOptions.defaults();
        assertThat(defaults.trust()).isEqualTo(new LoadOptions.Trust(false, false));
        assertThat(defaults.optimization().preOptimized()).isFalse();
        assertThat(defaults.strategy().compileOnFirstUse()).isFalse();
        assertThat(defaults.overrides().resolver()).isEmpty();
        assertThat(defaults.overrides().optimizationLevel()).isEmpty();
        assertThat(defaults.overrides().name()).isEmpty();
        assertThat(defaults.changed()).isEmpty();
        assertThat(LoadOptions.builder().build().changed()).isEmpty();
    }

    @Test
    void eachBuilderMethodChangesExactlyItsOwnOption() {
        assertThat(SETTERS).containsOnlyKeys(EnumSet.allOf(Option.class));
        SETTERS.forEach((option, setter) -> {
            LoadOptions options = setter.apply(LoadOptions.builder()).build();
            assertThat(options.changed()).as(option.builderMethod()).containsExactly(option);
            assertThat(options.toBuilder().build().changed()).as("round trip of " + option).containsExactly(option);
            assertThat(options.toString()).contains(option.builderMethod() + "=");
        });
    }

    @Test
    void eachOptionIsReadOnItsAxis() {
        LoadOptions options = LoadOptions.builder().optimizationLevel(1).name("p").preOptimized(true)
                .compileOnFirstUse(true).trustInput(true).trustInlineAssembly(true).build();
        assertThat(options.overrides().optimizationLevel()).hasValue(1);
        assertThat(options.overrides().name()).hasValue("p");
        assertThat(options.optimization()).isEqualTo(new LoadOptions.Optimization(true));
        assertThat(options.strategy()).isEqualTo(new LoadOptions.Strategy(true));
        assertThat(options.trust()).isEqualTo(new LoadOptions.Trust(true, true));
        assertThat(LoadOptions.builder().compileTimeout(Duration.ofSeconds(5)).build().limits())
                .isEqualTo(new LoadOptions.Limits(Optional.of(Duration.ofSeconds(5))));
        assertThat(LoadOptions.defaults().limits().compileTimeout()).isEmpty();
        assertThat(LoadOptions.builder().callTimeout(Duration.ofMillis(20)).build().limits())
                .isEqualTo(new LoadOptions.Limits(Optional.empty(), Optional.of(Duration.ofMillis(20))));
        assertThat(LoadOptions.defaults().limits().callTimeout()).isEmpty();
    }

    @Test
    void aCallTimeoutMustBePositive() {
        assertThatThrownBy(() -> LoadOptions.builder().callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout must be positive");
        assertThatThrownBy(() -> JitContext.builder().callTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout must be positive");
    }

    @Test
    void aCompileTimeoutMustBePositive() {
        assertThatThrownBy(() -> LoadOptions.builder().compileTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compileTimeout must be positive");
        assertThatThrownBy(() -> JitContext.builder().compileTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compileTimeout must be positive");
    }

    @Test
    void refusingUnsupportedOptionsNamesEachOneAndWhatIsSupported() {
        LoadOptions options = LoadOptions.builder().trustInput(true).compileOnFirstUse(true).name("x").build();
        assertThat(options.refuseUnsupported(EnumSet.allOf(Option.class), "everything")).isSameAs(options);
        assertThat(LoadOptions.defaults().refuseUnsupported(Set.of(), "nothing")).isSameAs(LoadOptions.defaults());
        assertThatThrownBy(() -> options.refuseUnsupported(EnumSet.of(Option.NAME), "a test backend's load"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("a test backend's load cannot honour the load options compileOnFirstUse, trustInput; it "
                        + "supports name. Remove the options or use a backend that supports them");
        assertThatThrownBy(() -> options.refuseUnsupported(Set.of(), "x"))
                .hasMessageContaining("it supports none.");
    }
}
