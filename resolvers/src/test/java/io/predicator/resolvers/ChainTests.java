package io.predicator.resolvers;

import io.predicator.ResolverException;
import io.predicator.resolvers.MisbehavingResolver.Behavior;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.predicator.resolvers.MapResolver.libcAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Resolvers#chain}: members asked in order, the first answer wins, failures propagate. */
class ChainTests {
    private final MemorySegment strlen = libcAddress("strlen");
    private final MemorySegment strnlen = libcAddress("strnlen");

    @Test
    void firstMemberThatProvidesTheSymbolWins() {
        MapResolver first = new MapResolver("first", Map.of("strlen", strlen));
        MapResolver second = new MapResolver("second", Map.of("strlen", strnlen));

        assertThat(Resolvers.chain(first, second).resolve("strlen")).contains(strlen);
        assertThat(Resolvers.chain(second, first).resolve("strlen")).contains(strnlen);
    }

    @Test
    void laterMembersAreAskedOnlyWhenEarlierOnesMiss() {
        MapResolver first = new MapResolver("first", Map.of("strlen", strlen));
        MapResolver second = new MapResolver("second", Map.of("strnlen", strnlen));
        SymbolResolver chain = Resolvers.chain(first, second);

        assertThat(chain.resolve("strlen")).contains(strlen);
        assertThat(chain.resolve("strnlen")).contains(strnlen);
        assertThat(chain.resolve("getpid")).isEmpty();

        assertThat(first.asked()).containsExactly("strlen", "strnlen", "getpid");
        assertThat(second.asked()).containsExactly("strnlen", "getpid");
    }

    @Test
    void idNamesTheMembersInOrder() {
        SymbolResolver chain = Resolvers.chain(MapResolver.libc("libc"), MapResolver.libc("static"));

        assertThat(chain.id()).isEqualTo("chain(libc,static)");
        assertThat(chain).hasToString("SymbolResolver[chain(libc,static)]");
    }

    @Test
    void consultedIdsAreTheMembersConsultedIdsFlattened() {
        SymbolResolver inner = Resolvers.chain(MapResolver.libc("b"), MapResolver.libc("c"));
        SymbolResolver outer = Resolvers.chain(List.of(MapResolver.libc("a"), inner,
                Resolvers.deny(MapResolver.libc("d"), "x")));

        assertThat(outer.consultedIds()).containsExactly("a", "b", "c", "deny(d)");
    }

    @Test
    void listIsCopied() {
        List<SymbolResolver> members = new ArrayList<>(List.of(new MapResolver("first", Map.of("strlen", strlen))));
        SymbolResolver chain = Resolvers.chain(members);
        members.set(0, new MapResolver("second", Map.of("strlen", strnlen)));

        assertThat(chain.resolve("strlen")).contains(strlen);
        assertThat(chain.id()).isEqualTo("chain(first)");
    }

    @Test
    void exceptionOfAMemberPropagatesUnchanged() {
        MisbehavingResolver broken = new MisbehavingResolver("broken", Behavior.THROW);
        MapResolver after = MapResolver.libc("after", "strlen");

        assertThatThrownBy(() -> Resolvers.chain(broken, after).resolve("strlen")).isSameAs(broken.failure());
        assertThat(after.asked()).isEmpty();
    }

    @Test
    void nullAnswerOfAMemberIsAResolverErrorNamingIt() {
        SymbolResolver chain = Resolvers.chain(MapResolver.libc("libc"),
                new MisbehavingResolver("broken", Behavior.NULL_OPTIONAL));

        assertThatThrownBy(() -> chain.resolve("strlen"))
                .isInstanceOf(ResolverException.class)
                .hasMessageContaining("'broken'")
                .hasMessageContaining("returned null")
                .hasMessageContaining("'strlen'");
    }

    @Test
    void nullAddressOfAMemberIsAResolverErrorNamingIt() {
        SymbolResolver chain = Resolvers.chain(new MisbehavingResolver("broken", Behavior.NULL_ADDRESS));

        assertThatThrownBy(() -> chain.resolve("strlen"))
                .isInstanceOf(ResolverException.class)
                .hasMessageContaining("'broken'")
                .hasMessageContaining("to NULL");
    }

    @Test
    void rejectsNullSymbolEmptyChainAndNullMembers() {
        SymbolResolver chain = Resolvers.chain(MapResolver.libc("libc", "strlen"));

        assertThatThrownBy(() -> chain.resolve(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("symbol is null");
        assertThatThrownBy(Resolvers::chain)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> Resolvers.chain(Arrays.asList(MapResolver.libc("libc"), null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("resolvers[1] is null");
        assertThatThrownBy(() -> Resolvers.chain((SymbolResolver[]) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("resolvers is null");
    }
}
