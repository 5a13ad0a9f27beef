package io.predicator;

import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The defaults of {@link JitContext} that backends inherit, on a backend that implements only what it must.
 */
class JitContextTests {
    private static final byte[] BITCODE = {'B', 'C', (byte) 0xC0, (byte) 0xDE, 0, 0, 0, 0};

    @Test
    void inspectWithOptionsThatDoNotApplyFallsBackToPlainInspect() {
        JitContext context = new InspectOnly();
        LoadOptions linkingOnly = LoadOptions.builder().name("other").compileOnFirstUse(true)
                .resolver(SymbolResolver.none()).build();
        assertThat(context.inspect(ModuleSource.ir("m.ll", "; empty"), linkingOnly).name()).isEqualTo("m.ll");
        assertThat(context.inspect(ModuleSource.bitcode("m.bc", BITCODE), LoadOptions.defaults()).format())
                .isEqualTo(ModuleFormat.BITCODE);
    }

    @Test
    void aBackendThatDoesNotImplementInspectWithOptionsRefusesEveryOptionThatApplies() {
        JitContext context = new InspectOnly();
        ModuleSource source = ModuleSource.ir("m.ll", "; text");
        assertThatThrownBy(() -> context.inspect(source, LoadOptions.builder().optimizationLevel(3).build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot honour the load options optimizationLevel;");
        assertThatThrownBy(() -> context.inspect(source, LoadOptions.builder().trustInput(true).preOptimized(true)
                .trustInlineAssembly(true).build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("preOptimized, trustInput, trustInlineAssembly;");
    }

    /** A backend that inspects by echoing the source and supports nothing else. */
    private static final class InspectOnly implements JitContext {
        @Override
        public Plugin load(ModuleSource source, LoadOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ModuleInfo inspect(ModuleSource source) {
            return new ModuleInfo(source.name(), source.format(), List.of(), List.of(), List.of(), false);
        }

        @Override
        public List<Plugin> plugins() {
            return List.of();
        }

        @Override
        public JitStats stats() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public void close(Duration drain) {
        }
    }
}
