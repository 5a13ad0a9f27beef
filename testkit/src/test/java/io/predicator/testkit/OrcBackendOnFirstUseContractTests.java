package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.JitStats;
import io.predicator.LoadOptions;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.orc.OrcBackend;
import io.predicator.spi.SymbolResolver;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The ORC backend honours the backend contract in full when every load compiles on first use
 * ({@link LoadOptions#compileOnFirstUse()}): the contract's loads go through a context that sets the option.
 */
class OrcBackendOnFirstUseContractTests implements BackendContract {

    @Override
    public JitContext createContext(SymbolResolver resolver) {
        return new OnFirstUse(JitContext.builder().resolver(resolver).build(new OrcBackend()));
    }

    @Override
    public Set<BackendCapability> capabilities() {
        return EnumSet.allOf(BackendCapability.class);
    }

    /** Loads everything with {@code compileOnFirstUse(true)}, whatever else the caller's options say. */
    private record OnFirstUse(JitContext context) implements JitContext {
        @Override
        public Plugin load(ModuleSource source, LoadOptions options) {
            return context.load(source, options.toBuilder().compileOnFirstUse(true).build());
        }

        @Override
        public ModuleInfo inspect(ModuleSource source) {
            return context.inspect(source);
        }

        @Override
        public List<Plugin> plugins() {
            return context.plugins();
        }

        @Override
        public JitStats stats() {
            return context.stats();
        }

        @Override
        public boolean isClosed() {
            return context.isClosed();
        }

        @Override
        public void close(Duration drain) {
            context.close(drain);
        }
    }
}
