package io.predicator.guice;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.predicator.JitContext;
import io.predicator.resolvers.ResolverRegistry;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.predicator.guice.Contributions.contributing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PredicatorModule} end to end: an injected context loads and calls real plugins. */
class InjectionTests {
    private final List<Injector> injectors = new ArrayList<>();

    /** An application class that needs a context. */
    static final class Measurer {
        private final JitContext jit;

        @Inject
        Measurer(JitContext jit) {
            this.jit = jit;
        }

        long measure(String text) {
            return Plugins.measure(jit, text);
        }
    }

    @AfterEach
    void closeContexts() {
        for (Injector injector : injectors) {
            injector.getInstance(PredicatorLifecycle.class).close();
        }
    }

    @Test
    void injectedContextLoadsAndCallsAPluginThroughAContributedResolver() {
        MapResolver test = new MapResolver("test", "strlen");
        Injector injector = injector(PredicatorModule.builder().resolver("test").registry(ResolverRegistry.of())
                .build(), contributing(test));

        assertThat(injector.getInstance(Measurer.class).measure("banana")).isEqualTo(6);
        assertThat(test.asked()).contains("strlen");
    }

    @Test
    void contextIsASingleton() {
        Injector injector = injector(PredicatorModule.builder().resolver("test").build(),
                contributing(new MapResolver("test", "strlen")));

        JitContext context = injector.getInstance(JitContext.class);

        assertThat(injector.getInstance(JitContext.class)).isSameAs(context);
        assertThat(injector.getInstance(Measurer.class).jit).isSameAs(context);
        assertThat(injector.getInstance(Measurer.class).jit).isSameAs(context);
    }

    @Test
    void defaultModuleUsesTheOnlyDiscoveredProvider() {
        Injector injector = injector(new PredicatorModule());

        assertThat(injector.getInstance(Measurer.class).measure("kiwi")).isEqualTo(4);
    }

    @Test
    void defaultModuleUsesTheOnlyContributedResolverWhenNoProviderIsFound() {
        MapResolver test = new MapResolver("test", "strlen");
        Injector injector = injector(PredicatorModule.builder().registry(ResolverRegistry.of()).build(),
                contributing(test));

        assertThat(injector.getInstance(Measurer.class).measure("fig")).isEqualTo(3);
        assertThat(test.asked()).contains("strlen");
    }

    @Test
    void resolverConfigurationReachesTheProvider() {
        Injector injector = injector(PredicatorModule.builder()
                .resolver("discovered")
                .resolverConfig("discovered", Map.of("symbols", "getpid"))
                .optimizationLevel(0)
                .build());

        assertThat((long) Plugins.pid(injector.getInstance(JitContext.class))).isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void installingAnEqualModuleTwiceIsHarmless() {
        PredicatorModule module = PredicatorModule.builder().resolvers("test").optimizationLevel(1).build();
        PredicatorModule same = PredicatorModule.builder().resolver("test").optimizationLevel(1).build();
        Injector injector = injector(module, same, contributing(new MapResolver("test", "strlen")));

        assertThat(injector.getInstance(Measurer.class).measure("plum")).isEqualTo(4);
    }

    @Test
    void differentModulesCannotBothBindTheContext() {
        assertThatThrownBy(() -> Guice.createInjector(PredicatorModule.builder().resolver("a").build(),
                PredicatorModule.builder().resolver("b").build()))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("JitContext");
    }

    @Test
    void equalityFollowsTheConfiguration() {
        ResolverRegistry registry = ResolverRegistry.of();

        assertThat(new PredicatorModule()).isEqualTo(new PredicatorModule()).hasSameHashCodeAs(new PredicatorModule());
        assertThat(PredicatorModule.builder().resolvers("a", "b").resolverConfig("a", Map.of("k", "v"))
                .registry(registry).build())
                .isEqualTo(PredicatorModule.builder().resolvers("a", "b").resolverConfig("a", Map.of("k", "v"))
                        .registry(registry).build())
                .hasSameHashCodeAs(PredicatorModule.builder().resolvers("a", "b")
                        .resolverConfig("a", Map.of("k", "v")).registry(registry).build());
        assertThat(PredicatorModule.builder().resolvers("a", "b").build())
                .isNotEqualTo(PredicatorModule.builder().resolvers("b", "a").build())
                .isNotEqualTo(PredicatorModule.builder().resolvers("a", "b").optimizationLevel(3).build())
                .isNotEqualTo(PredicatorModule.builder().resolvers("a", "b").resolverConfig("a", Map.of()).build())
                .isNotEqualTo(PredicatorModule.builder().resolvers("a", "b").registry(registry).build());
        assertThat(PredicatorModule.builder().registry(registry).build())
                .isNotEqualTo(PredicatorModule.builder().registry(ResolverRegistry.of()).build());
    }

    @Test
    void builderRejectsInvalidSettings() {
        PredicatorModule.Builder builder = PredicatorModule.builder();

        assertThatThrownBy(builder::resolvers).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.resolvers("libc", "libc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'libc' is given twice");
        assertThatThrownBy(() -> builder.resolver(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.resolver(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.optimizationLevel(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.resolverConfig("libc", null)).hasMessage("configuration is null");
        assertThatThrownBy(() -> builder.registry(null)).hasMessage("registry is null");
        assertThatThrownBy(() -> PredicatorModule.resolverBinder(null)).hasMessage("binder is null");
    }

    private Injector injector(Module... modules) {
        Injector injector = Guice.createInjector(modules);
        injectors.add(injector);
        return injector;
    }
}
