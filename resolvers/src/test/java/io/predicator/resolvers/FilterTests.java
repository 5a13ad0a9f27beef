package io.predicator.resolvers;

import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import static io.predicator.resolvers.MapResolver.libcAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Resolvers#allow} and {@link Resolvers#deny}: exact names and globs, refused names never asked. */
class FilterTests {
    private final MapResolver libc = MapResolver.libc("libc", "strlen", "strnlen", "strcmp", "getpid", "getppid",
            "abs", "labs");

    @Test
    void denyRefusesExactNamesWithoutAskingTheResolver() {
        SymbolResolver denied = Resolvers.deny(libc, "getpid");

        assertThat(denied.resolve("getpid")).isEmpty();
        assertThat(denied.resolve("getppid")).contains(libcAddress("getppid"));
        assertThat(denied.resolve("strlen")).contains(libcAddress("strlen"));
        assertThat(libc.asked()).containsExactly("getppid", "strlen");
    }

    @Test
    void denyGlobsMatchAnyRunWithStarAndOneCharacterWithQuestionMark() {
        SymbolResolver denied = Resolvers.deny(libc, "str*", "?abs");

        assertThat(denied.resolve("strlen")).isEmpty();
        assertThat(denied.resolve("strnlen")).isEmpty();
        assertThat(denied.resolve("strcmp")).isEmpty();
        assertThat(denied.resolve("labs")).isEmpty();
        assertThat(denied.resolve("abs")).contains(libcAddress("abs"));
        assertThat(denied.resolve("getpid")).contains(libcAddress("getpid"));
        assertThat(libc.asked()).containsExactly("abs", "getpid");
    }

    @Test
    void allowLetsThroughOnlyMatchingNames() {
        SymbolResolver allowed = Resolvers.allow(libc, "str?len", "abs");

        assertThat(allowed.resolve("strnlen")).contains(libcAddress("strnlen"));
        assertThat(allowed.resolve("abs")).contains(libcAddress("abs"));
        assertThat(allowed.resolve("strlen")).isEmpty();
        assertThat(allowed.resolve("labs")).isEmpty();
        assertThat(allowed.resolve("getpid")).isEmpty();
        assertThat(libc.asked()).containsExactly("strnlen", "abs");
    }

    @Test
    void allowedNamesTheResolverDoesNotProvideStayEmpty() {
        assertThat(Resolvers.allow(libc, "*").resolve("not_in_libc")).isEmpty();
        assertThat(libc.asked()).containsExactly("not_in_libc");
    }

    @Test
    void globsAnchorAtBothEnds() {
        SymbolResolver denied = Resolvers.deny(libc, "*len", "get*id");

        assertThat(denied.resolve("strlen")).isEmpty();
        assertThat(denied.resolve("getppid")).isEmpty();
        assertThat(denied.resolve("strcmp")).isPresent();
        assertThat(Resolvers.deny(libc, "str").resolve("strlen")).isPresent();
        assertThat(Resolvers.deny(libc, "len*").resolve("strlen")).isPresent();
        assertThat(Resolvers.deny(libc, "s*l?n").resolve("strlen")).isEmpty();
        assertThat(Resolvers.deny(libc, "s*l??n").resolve("strlen")).isPresent();
        assertThat(Resolvers.deny(libc, "strlen*").resolve("strlen")).isEmpty();
    }

    @Test
    void idsKeepTheResolverRecognisable() {
        SymbolResolver denied = Resolvers.deny(libc, "system");
        SymbolResolver allowed = Resolvers.allow(libc, "str*");

        assertThat(denied.id()).isEqualTo("deny(libc)");
        assertThat(denied.consultedIds()).containsExactly("deny(libc)");
        assertThat(allowed.id()).isEqualTo("allow(libc)");
        assertThat(allowed).hasToString("SymbolResolver[allow(libc) [str*]]");
    }

    @Test
    void rejectsMissingBlankAndNullPatternsAndNullSymbols() {
        assertThatThrownBy(() -> Resolvers.deny(libc))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> Resolvers.allow(libc, "strlen", " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("patterns[1] is blank");
        assertThatThrownBy(() -> Resolvers.deny(libc, "strlen", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("patterns[1] is null");
        assertThatThrownBy(() -> Resolvers.deny(null, "strlen"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("resolver is null");
        assertThatThrownBy(() -> Resolvers.deny(libc, "strlen").resolve(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("symbol is null");
        assertThatThrownBy(() -> Resolvers.allow(libc, "strlen").resolve(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("symbol is null");
    }

    @Test
    void exceptionsOfTheResolverPropagate() {
        MisbehavingResolver broken = new MisbehavingResolver("broken", MisbehavingResolver.Behavior.THROW);

        assertThatThrownBy(() -> Resolvers.allow(broken, "*").resolve("strlen")).isSameAs(broken.failure());
    }
}
