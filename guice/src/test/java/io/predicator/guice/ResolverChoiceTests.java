package io.predicator.guice;

import io.predicator.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.resolvers.ResolverRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.predicator.guice.Contributions.contributing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@link PredicatorModule} chooses the context's resolver among contributed and discovered ones. */
class ResolverChoiceTests {
    private final List<Injector> injectors = new ArrayList<>();

    @AfterEach
    void closeContexts() {
        for (Injector injector : injectors) {
            injector.getInstance(PredicatorLifecycle.class).close();
        }
    }

    @Test
    void noCandidateFailsInjectionNamingTheModulesToAdd() {
        Injector injector = injector(PredicatorModule.builder().registry(ResolverRegistry.of()).build());

        assertThatThrownBy(() -> injector.getInstance(JitContext.class))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("No symbol resolver for the JitContext of PredicatorModule")
                .hasMessageContaining("predicator-resolver-naive")
                .hasMessageContaining("predicator-resolver-libc")
                .hasMessageContaining("predicator-resolver-static")
                .hasMessageContaining("PredicatorModule.resolverBinder(binder())");
    }

    @Test
    void noCandidateFailsInjectorCreationWhenSingletonsAreEager() {
        assertThatThrownBy(() -> Guice.createInjector(Stage.PRODUCTION,
                PredicatorModule.builder().registry(ResolverRegistry.of()).build()))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("No symbol resolver for the JitContext of PredicatorModule");
    }

    @Test
    void severalCandidatesWithoutChoiceFailListingThemAndHowToChoose() {
        Injector injector = injector(new PredicatorModule(),
                contributing(new MapResolver("test"), new MapResolver("other")));

        assertThatThrownBy(() -> injector.getInstance(JitContext.class))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("Several symbol resolvers could serve the JitContext of PredicatorModule")
                .cause() // Guice abbreviates class names in its own message
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'other' (contributed: " + MapResolver.class.getName() + ")")
                .hasMessageContaining("'test' (contributed: ")
                .hasMessageContaining("'discovered' (discovered: " + TestProviders.Discovered.class.getName() + ")")
                .hasMessageContaining("PredicatorModule.builder().resolver(id)")
                .hasMessageContaining("resolvers(\"other\", \"test\", \"discovered\")");
    }

    @Test
    void choosingAContributedResolverById() {
        MapResolver test = new MapResolver("test", "strlen");
        MapResolver other = new MapResolver("other", "strlen");
        Injector injector = injector(PredicatorModule.builder().resolver("other").build(),
                contributing(test, other));

        assertThat(Plugins.measure(injector.getInstance(JitContext.class), "cherry")).isEqualTo(6);
        assertThat(other.asked()).contains("strlen");
        assertThat(test.asked()).isEmpty();
    }

    @Test
    void choosingADiscoveredProviderById() {
        MapResolver test = new MapResolver("test", "strlen");
        Injector injector = injector(PredicatorModule.builder().resolver("discovered").build(), contributing(test));

        assertThat(Plugins.measure(injector.getInstance(JitContext.class), "lime")).isEqualTo(4);
        assertThat(test.asked()).isEmpty();
    }

    @Test
    void aContributedResolverComesBeforeAProviderWithTheSameId() {
        MapResolver contributed = new MapResolver("discovered", "strlen");
        Injector injector = injector(PredicatorModule.builder().resolver("discovered").build(),
                contributing(contributed));

        assertThat(Plugins.measure(injector.getInstance(JitContext.class), "pear")).isEqualTo(4);
        assertThat(contributed.asked()).contains("strlen");
    }

    @Test
    void severalIdsAreChainedInOrder() {
        MapResolver first = new MapResolver("first");
        MapResolver second = new MapResolver("second", "strlen");
        Injector injector = injector(PredicatorModule.builder().resolvers("first", "second", "discovered")
                        .resolverConfig("discovered", Map.of("symbols", "strnlen"))
                        .build(),
                contributing(second, first));
        JitContext jit = injector.getInstance(JitContext.class);

        assertThat(Plugins.measure(jit, "apple")).isEqualTo(5);
        assertThat(first.asked()).containsExactly("strlen");
        assertThat(second.asked()).containsExactly("strlen");
        assertThatThrownBy(() -> Plugins.pid(jit))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class, e -> assertThat(e.resolverIds())
                        .containsExactly("first", "second", "discovered"));
    }

    @Test
    void unknownIdFailsListingWhatIsAvailable() {
        Injector injector = injector(PredicatorModule.builder().resolvers("test", "libc").build(),
                contributing(new MapResolver("test")));

        assertThatThrownBy(() -> injector.getInstance(JitContext.class))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("No symbol resolver with id 'libc'")
                .hasMessageContaining("contributed: [test]")
                .hasMessageContaining("discovered: [discovered]");
    }

    @Test
    void configurationOfAContributedResolverIsRejected() {
        Injector injector = injector(PredicatorModule.builder().resolver("test")
                .resolverConfig("test", Map.of("symbols", "strlen")).build(), contributing(new MapResolver("test")));

        assertThatThrownBy(() -> injector.getInstance(JitContext.class))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("resolverConfig for 'test'")
                .hasMessageContaining("takes no configuration");
    }

    @Test
    void configurationOfAResolverThatIsNotChosenIsRejected() {
        Injector injector = injector(PredicatorModule.builder().resolver("test")
                .resolverConfig("discovered", Map.of()).build(), contributing(new MapResolver("test")));

        assertThatThrownBy(() -> injector.getInstance(JitContext.class))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("resolverConfig for 'discovered', which is not among the chosen resolvers [test]");
    }

    @Test
    void twoContributedResolversWithTheSameIdAreRejected() {
        Injector injector = injector(PredicatorModule.builder().resolver("test").build(),
                contributing(new MapResolver("test"), new MapResolver("test", "strlen")));

        assertThatThrownBy(() -> injector.getInstance(JitContext.class))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("Two resolvers contributed through PredicatorModule.resolverBinder(binder()) "
                        + "have the id 'test'");
    }

    private Injector injector(Module... modules) {
        Injector injector = Guice.createInjector(modules);
        injectors.add(injector);
        return injector;
    }
}
