package io.predicator.resolvers;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.ResolverException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.resolvers.Resolution.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.IntSupplier;

import static io.predicator.resolvers.MapResolver.libcAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Composed resolvers in a real ORC JIT: plugins link against what the chain provides and nothing it denies. */
class EndToEndTests {
    private final MapResolver libc = MapResolver.libc("libc", "strlen", "getpid");
    private final MapResolver statics = MapResolver.libc("static", "strnlen");
    private final AuditingResolver audited = Resolvers.audited(
            Resolvers.chain(Resolvers.deny(libc, "get*"), statics));
    private final JitContext jit = JitContext.builder().resolver(audited).build();

    /** {@code i64(ptr)}. */
    public interface Length {
        long length(MemorySegment text);
    }

    @AfterEach
    void close() {
        jit.close();
    }

    @Test
    void pluginLinksAgainstWhatTheChainProvidesAndTheAuditShowsWho() {
        try (Plugin plugin = jit.load(ir("strlen.ll"));
             Arena arena = Arena.ofConfined()) {
            long length = plugin.function("length", Length.class).length(arena.allocateFrom("banana"));

            assertThat(length).isEqualTo(6);
        }
        assertThat(audited.resolutions()).filteredOn(resolution -> resolution.symbol().equals("strlen"))
                .containsExactly(new Resolution("strlen", Optional.of("libc"), Optional.of(libcAddress("strlen")),
                        Outcome.RESOLVED));
    }

    @Test
    void deniedSymbolFailsTheLoadNamingTheChainsParts() {
        assertThatThrownBy(() -> jit.load(ir("getpid.ll")))
                .isInstanceOfSatisfying(UnresolvedSymbolsException.class, e -> {
                    assertThat(e.symbols()).containsExactly("getpid");
                    assertThat(e.resolverIds()).containsExactly("deny(libc)", "static");
                })
                .hasMessageContaining("getpid")
                .hasMessageContaining("deny(libc), static");

        assertThat(audited.resolutions()).contains(
                new Resolution("getpid", Optional.of("deny(libc)"), Optional.empty(), Outcome.DENIED));
        assertThat(libc.asked()).doesNotContain("getpid");
        assertThat(statics.asked()).contains("getpid");
        assertThat(jit.plugins()).isEmpty();
    }

    @Test
    void laterChainMemberProvidesWhatAnEarlierOneDenies() {
        AuditingResolver fallback = Resolvers.audited(Resolvers.chain(Resolvers.deny(libc, "getpid"),
                MapResolver.libc("fallback", "getpid")));

        try (Plugin plugin = jit.load(ir("getpid.ll"), LoadOptions.builder().resolver(fallback).build())) {
            int pid = plugin.function("pid", IntSupplier.class).getAsInt();

            assertThat((long) pid).isEqualTo(ProcessHandle.current().pid());
        }
        assertThat(fallback.resolutions()).filteredOn(resolution -> resolution.symbol().equals("getpid"))
                .extracting(Resolution::resolverId)
                .containsExactly(Optional.of("fallback"));
    }

    @Test
    void failingMemberBecomesAResolverExceptionAndTheContextStaysUsable() {
        MisbehavingResolver broken = new MisbehavingResolver("broken", MisbehavingResolver.Behavior.THROW);
        LoadOptions options = LoadOptions.builder()
                .resolver(Resolvers.chain(MapResolver.libc("empty"), broken))
                .build();

        assertThatThrownBy(() -> jit.load(ir("strlen.ll"), options))
                .isInstanceOf(ResolverException.class)
                .hasMessageContaining("chain(empty,broken)")
                .cause().isSameAs(broken.failure());
        try (Plugin plugin = jit.load(ir("strlen.ll"))) {
            assertThat(plugin.exports()).extracting(Object::toString).contains("i64 length(ptr)");
        }
    }

    static ModuleSource ir(String name) {
        try (InputStream in = EndToEndTests.class.getResourceAsStream("/ir/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /ir/" + name);
            }
            return ModuleSource.ir(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
