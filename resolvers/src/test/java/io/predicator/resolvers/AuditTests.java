package io.predicator.resolvers;

import io.predicator.resolvers.MisbehavingResolver.Behavior;
import io.predicator.resolvers.Resolution.Outcome;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.predicator.resolvers.MapResolver.libcAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Resolvers#audited}: every question recorded with who answered, thread-safe, transparent. */
class AuditTests {
    private final MemorySegment strlen = libcAddress("strlen");
    private final MemorySegment strnlen = libcAddress("strnlen");

    @Test
    void recordsTheAnswerOfAPlainResolver() {
        AuditingResolver audited = Resolvers.audited(new MapResolver("libc", Map.of("strlen", strlen)));

        assertThat(audited.resolve("strlen")).contains(strlen);
        assertThat(audited.resolve("getpid")).isEmpty();

        assertThat(audited.resolutions()).containsExactly(
                new Resolution("strlen", Optional.of("libc"), Optional.of(strlen), Outcome.RESOLVED),
                new Resolution("getpid", Optional.empty(), Optional.empty(), Outcome.MISSING));
    }

    @Test
    void namesTheChainMemberThatAnswered() {
        MapResolver libc = new MapResolver("libc", Map.of("strlen", strlen));
        MapResolver statics = new MapResolver("static", Map.of("strlen", strnlen, "strnlen", strnlen));
        AuditingResolver audited = Resolvers.audited(Resolvers.chain(libc, Resolvers.chain(statics)));

        audited.resolve("strlen");
        audited.resolve("strnlen");

        assertThat(audited.resolutions()).containsExactly(
                new Resolution("strlen", Optional.of("libc"), Optional.of(strlen), Outcome.RESOLVED),
                new Resolution("strnlen", Optional.of("static"), Optional.of(strnlen), Outcome.RESOLVED));
    }

    @Test
    void namesTheInnerResolverBehindAFilterAndThePolicyThatDenied() {
        MapResolver libc = new MapResolver("libc", Map.of("strlen", strlen, "getpid", libcAddress("getpid")));
        MapResolver statics = new MapResolver("static", Map.of("strlen", strnlen));
        AuditingResolver audited = Resolvers.audited(Resolvers.chain(Resolvers.deny(libc, "strlen", "get*"),
                statics));

        assertThat(audited.resolve("strlen")).contains(strnlen);
        assertThat(audited.resolve("getpid")).isEmpty();

        assertThat(audited.resolutions()).containsExactly(
                new Resolution("strlen", Optional.of("static"), Optional.of(strnlen), Outcome.RESOLVED),
                new Resolution("getpid", Optional.of("deny(libc)"), Optional.empty(), Outcome.DENIED));
        assertThat(libc.asked()).isEmpty();
    }

    @Test
    void recordsAFailureAndRethrowsIt() {
        MisbehavingResolver broken = new MisbehavingResolver("broken", Behavior.THROW);
        AuditingResolver audited = Resolvers.audited(Resolvers.chain(MapResolver.libc("libc"), broken));

        assertThatThrownBy(() -> audited.resolve("strlen")).isSameAs(broken.failure());
        assertThat(audited.resolutions()).containsExactly(
                new Resolution("strlen", Optional.empty(), Optional.empty(), Outcome.FAILED));
    }

    @Test
    void auditInsideAChainStillReportsTheAnsweringMember() {
        AuditingResolver inner = Resolvers.audited(new MapResolver("libc", Map.of("strlen", strlen)));
        AuditingResolver outer = Resolvers.audited(Resolvers.chain(MapResolver.libc("empty"), inner));

        outer.resolve("strlen");

        assertThat(outer.resolutions()).extracting(Resolution::resolverId).containsExactly(Optional.of("libc"));
        assertThat(inner.resolutions()).extracting(Resolution::symbol).containsExactly("strlen");
    }

    @Test
    void keepsTheIdAndConsultedIdsOfTheAuditedResolver() {
        SymbolResolver chain = Resolvers.chain(MapResolver.libc("libc"), MapResolver.libc("static"));
        AuditingResolver audited = Resolvers.audited(chain);

        assertThat(audited.id()).isEqualTo("chain(libc,static)");
        assertThat(audited.consultedIds()).containsExactly("libc", "static");
    }

    @Test
    void resolutionsAreAnImmutableSnapshot() {
        AuditingResolver audited = Resolvers.audited(new MapResolver("libc", Map.of("strlen", strlen)));
        audited.resolve("strlen");
        List<Resolution> snapshot = audited.resolutions();

        audited.resolve("strnlen");

        assertThat(snapshot).hasSize(1);
        assertThat(audited.resolutions()).hasSize(2);
        assertThatThrownBy(snapshot::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void recordsEveryAnswerWhenManyThreadsResolveAtOnce() throws Exception {
        AuditingResolver audited = Resolvers.audited(Resolvers.chain(
                new MapResolver("first", Map.of("strlen", strlen)),
                new MapResolver("second", Map.of("strnlen", strnlen))));
        int threads = 8;
        int perThread = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        audited.resolve(i % 2 == 0 ? "strlen" : "strnlen");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get();
            }
        }

        List<Resolution> resolutions = audited.resolutions();
        assertThat(resolutions).hasSize(threads * perThread);
        assertThat(resolutions).filteredOn(r -> r.symbol().equals("strlen"))
                .hasSize(threads * perThread / 2)
                .allMatch(r -> r.resolverId().equals(Optional.of("first")) && r.address().equals(Optional.of(strlen)));
        assertThat(resolutions).filteredOn(r -> r.symbol().equals("strnlen"))
                .allMatch(r -> r.resolverId().equals(Optional.of("second")));
    }

    @Test
    void rejectsNullSymbolAndNullResolver() {
        AuditingResolver audited = Resolvers.audited(MapResolver.libc("libc"));

        assertThatThrownBy(() -> audited.resolve(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("symbol is null");
        assertThat(audited.resolutions()).isEmpty();
        assertThatThrownBy(() -> Resolvers.audited(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("resolver is null");
    }

    @Test
    void resolutionRequiresAnAddressExactlyWhenResolved() {
        assertThatThrownBy(() -> new Resolution("strlen", Optional.empty(), Optional.empty(), Outcome.RESOLVED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Resolution("strlen", Optional.empty(), Optional.of(strlen), Outcome.MISSING))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Resolution("strlen", Optional.of("libc"), Optional.of(strlen), Outcome.RESOLVED))
                .hasToString("strlen RESOLVED by libc at 0x" + Long.toHexString(strlen.address()));
    }
}
