package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.UnsupportedModuleException;
import io.predicator.orc.OrcBackend;
import io.predicator.spi.SymbolResolver;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Contract classes for backends that each break the backend contract in one way, built by decorating the ORC
 * backend's {@code load}; {@link BrokenBackendContractTests} runs them through EngineTestKit. Nested, so that the
 * build's test run does not pick them up.
 */
final class BrokenBackends {
    private BrokenBackends() {
    }

    /** Decorates {@code load(ModuleSource, LoadOptions)} of an ORC context; every other method is forwarded. */
    private static JitContext decorated(SymbolResolver resolver,
                                        BiFunction<JitContext, Object[], Plugin> load) {
        JitContext delegate = JitContext.builder().resolver(resolver).build(new OrcBackend());
        return (JitContext) Proxy.newProxyInstance(JitContext.class.getClassLoader(), new Class<?>[] {JitContext.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("load") && method.getParameterCount() == 2) {
                        return load.apply(delegate, arguments);
                    }
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, arguments);
                    }
                    try {
                        return method.invoke(delegate, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Every failed load becomes a bare {@link JitException}: callers can no longer tell failures apart. */
    @Breaks({"B8", "B10", "B11", "B13", "B14", "B15", "B16"})
    static final class UntypedFailures implements BackendContract {
        @Override
        public JitContext createContext(SymbolResolver resolver) {
            return decorated(resolver, (delegate, arguments) -> {
                ModuleSource source = (ModuleSource) arguments[0];
                try {
                    return delegate.load(source, (LoadOptions) arguments[1]);
                } catch (JitException e) {
                    throw new JitException("could not load " + source.name());
                }
            });
        }

        @Override
        public Set<BackendCapability> capabilities() {
            return EnumSet.allOf(BackendCapability.class);
        }
    }

    /** Claims the archive format, which the decorated context refuses to load. */
    @Breaks({"B1", "B2"})
    static final class OverclaimedFormat implements BackendContract {
        @Override
        public JitContext createContext(SymbolResolver resolver) {
            return decorated(resolver, (delegate, arguments) -> {
                ModuleSource source = (ModuleSource) arguments[0];
                if (source.format() == ModuleFormat.ARCHIVE) {
                    throw new UnsupportedModuleException(source.name(), "archives are not supported");
                }
                return delegate.load(source, (LoadOptions) arguments[1]);
            });
        }

        @Override
        public Set<BackendCapability> capabilities() {
            return EnumSet.allOf(BackendCapability.class);
        }
    }
}
