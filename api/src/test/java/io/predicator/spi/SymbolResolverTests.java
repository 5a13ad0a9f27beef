package io.predicator.spi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The resolvers the SPI builds itself: {@link SymbolResolver#of}, {@code none()}, {@code compilerSupport()}. */
class SymbolResolverTests {

    @Test
    void ofAnswersWithItsFunctionUnderItsId() {
        SymbolResolver libc = SymbolResolver.of("libc-strlen", symbol -> symbol.equals("strlen")
                ? Linker.nativeLinker().defaultLookup().find(symbol) : Optional.empty());

        assertThat(libc.id()).isEqualTo("libc-strlen");
        assertThat(libc.consultedIds()).isEqualTo(List.of("libc-strlen"));
        assertThat(libc.resolve("strlen")).get().extracting(MemorySegment::address)
                .isEqualTo(Linker.nativeLinker().defaultLookup().find("strlen").orElseThrow().address());
        assertThat(libc.resolve("printf")).isEmpty();
        assertThat(libc).hasToString("SymbolResolver[libc-strlen]");
    }

    @Test
    void ofRefusesMissingOrBlankParts() {
        assertThatThrownBy(() -> SymbolResolver.of(" ", symbol -> Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> SymbolResolver.of(null, symbol -> Optional.empty()))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("id");
        assertThatThrownBy(() -> SymbolResolver.of("x", null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("lookup");
        assertThatThrownBy(() -> SymbolResolver.of("x", symbol -> Optional.empty()).resolve(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void builtInResolversProvideWhatTheySay() {
        assertThat(SymbolResolver.none().resolve("memcpy")).isEmpty();
        assertThat(SymbolResolver.compilerSupport().resolve("memcpy")).isPresent();
        assertThat(SymbolResolver.compilerSupport().resolve("printf")).isEmpty();
    }
}
