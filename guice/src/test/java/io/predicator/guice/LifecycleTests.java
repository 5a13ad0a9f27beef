package io.predicator.guice;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.Plugin;
import org.junit.jupiter.api.Test;

import static io.predicator.guice.Contributions.contributing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PredicatorLifecycle}: the injector's owner closes the injected context, once. */
class LifecycleTests {
    private final Injector injector = Guice.createInjector(PredicatorModule.builder().resolver("test").build(),
            contributing(new MapResolver("test", "strlen")));

    @Test
    void closingTheLifecycleClosesTheContextAndItsPlugins() {
        JitContext jit = injector.getInstance(JitContext.class);
        Plugin plugin = jit.load(Plugins.ir("strlen.ll"));
        PredicatorLifecycle lifecycle = injector.getInstance(PredicatorLifecycle.class);

        assertThat(lifecycle.isClosed()).isFalse();
        lifecycle.close();

        assertThat(lifecycle.isClosed()).isTrue();
        assertThat(jit.isClosed()).isTrue();
        assertThat(plugin.isClosed()).isTrue();
        assertThat(injector.getInstance(JitContext.class)).isSameAs(jit);
    }

    @Test
    void closeIsIdempotentAndTheLifecycleIsShared() {
        JitContext jit = injector.getInstance(JitContext.class);
        PredicatorLifecycle lifecycle = injector.getInstance(PredicatorLifecycle.class);

        lifecycle.close();
        lifecycle.close();
        injector.getInstance(PredicatorLifecycle.class).close();

        assertThat(injector.getInstance(PredicatorLifecycle.class)).isSameAs(lifecycle);
        assertThat(jit.isClosed()).isTrue();
        assertThat(lifecycle).hasToString("PredicatorLifecycle[closed]");
    }

    @Test
    void closingBeforeTheContextIsInjectedCreatesNoneAndLaterInjectionFails() {
        PredicatorLifecycle lifecycle = injector.getInstance(PredicatorLifecycle.class);
        assertThat(lifecycle).hasToString("PredicatorLifecycle[no context yet]");

        lifecycle.close();

        assertThat(lifecycle.isClosed()).isTrue();
        assertThatThrownBy(() -> injector.getInstance(JitContext.class))
                .isInstanceOf(ProvisionException.class)
                .hasCauseInstanceOf(AlreadyClosedException.class)
                .hasMessageContaining("closed through PredicatorLifecycle before it was first injected");
    }
}
