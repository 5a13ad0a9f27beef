package io.predicator.testkit;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.SignatureMismatchException;
import io.predicator.UnknownSymbolException;
import io.predicator.orc.OrcBackend;
import io.predicator.spi.SymbolResolver;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Backends that each break one requirement of the backend contract that none of {@link BrokenBackends} breaks, built
 * by decorating the ORC backend's contexts and plugins; {@link EveryRequirementCanFailTests} runs them through
 * EngineTestKit. Nested, so that the build's test run does not pick them up.
 */
final class BrokenPlugins {
    private BrokenPlugins() {
    }

    /** Handles one method of a decorated object, or returns {@link #FORWARD} to call the real one. */
    @FunctionalInterface
    private interface Override {
        Object invoke(Object real, Method method, Object[] arguments) throws Throwable;
    }

    private static final Object FORWARD = new Object();

    @SuppressWarnings("unchecked")
    private static <T> T decorate(Class<T> type, T real, Override override) {
        InvocationHandler handler = (proxy, method, arguments) -> {
            Object result = override.invoke(real, method, arguments);
            if (result != FORWARD) {
                return result;
            }
            if (method.getName().equals("equals") && method.getParameterCount() == 1) {
                return proxy == arguments[0];
            }
            if (method.getName().equals("hashCode") && method.getParameterCount() == 0) {
                return System.identityHashCode(proxy);
            }
            return forward(real, method, arguments);
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object forward(Object real, Method method, Object[] arguments) throws Throwable {
        try {
            return method.invoke(real, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A context of the ORC backend whose every loaded plugin is decorated. */
    private static JitContext withPlugins(SymbolResolver resolver, Override plugins) {
        JitContext real = JitContext.builder().resolver(resolver).build(new OrcBackend());
        return decorate(JitContext.class, real, (context, method, arguments) -> method.getName().equals("load")
                ? decorate(Plugin.class, (Plugin) forward(context, method, arguments), plugins) : FORWARD);
    }

    /** The base of every broken backend here: all capabilities, contexts built by {@link #context}. */
    abstract static class Base implements BackendContract {
        @java.lang.Override
        public Set<BackendCapability> capabilities() {
            return EnumSet.allOf(BackendCapability.class);
        }
    }

    /** B3: a plugin exporting the same names as an open one is not loaded; the open one is handed out again. */
    @Breaks("B3")
    static final class SharedNames extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            JitContext real = JitContext.builder().resolver(resolver).build(new OrcBackend());
            Map<List<String>, Plugin> byExports = new ConcurrentHashMap<>();
            return decorate(JitContext.class, real, (context, method, arguments) -> {
                if (!method.getName().equals("load")) {
                    return FORWARD;
                }
                Plugin loaded = (Plugin) forward(context, method, arguments);
                List<String> names = loaded.exports().stream().map(export -> export.name()).sorted().toList();
                Plugin earlier = byExports.get(names);
                if (earlier != null && !earlier.isClosed()) {
                    loaded.close();
                    return earlier;
                }
                byExports.put(names, loaded);
                return loaded;
            });
        }
    }

    /** B4: a signature that does not match gives a function anyway, one that returns zero. */
    @Breaks("B4")
    static final class UncheckedSignatures extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            return withPlugins(resolver, (plugin, method, arguments) -> {
                if (!method.getName().equals("function") || !(arguments[1] instanceof Class<?> type)) {
                    return FORWARD;
                }
                try {
                    return forward(plugin, method, arguments);
                } catch (SignatureMismatchException mismatch) {
                    return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                            (proxy, called, ignored) -> called.getReturnType() == int.class ? 0 : null);
                }
            });
        }
    }

    /** B5: an unknown symbol gives an untyped {@code IllegalArgumentException}. */
    @Breaks("B5")
    static final class UntypedUnknownSymbols extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            return withPlugins(resolver, (plugin, method, arguments) -> {
                if (!method.getName().equals("function")) {
                    return FORWARD;
                }
                try {
                    return forward(plugin, method, arguments);
                } catch (UnknownSymbolException unknown) {
                    throw new IllegalArgumentException("no function " + arguments[0]);
                }
            });
        }
    }

    /** B6: closing a plugin returns at once and unloads it on another thread, once its calls are done. */
    @Breaks("B6")
    static final class CloseWithoutWaiting extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            return withPlugins(resolver, (plugin, method, arguments) -> {
                if (!method.getName().equals("close")) {
                    return FORWARD;
                }
                Thread.ofPlatform().daemon().start(() -> ((Plugin) plugin).close());
                return null;
            });
        }
    }

    /** B7: closing a plugin does nothing; it keeps working until its context closes. */
    @Breaks("B7")
    static final class CloseIgnored extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            return withPlugins(resolver, (plugin, method, arguments) -> method.getName().equals("close") ? null : FORWARD);
        }
    }

    /** B9: loads cannot overlap; a load that finds another in progress fails. */
    @Breaks("B9")
    static final class OneLoadAtATime extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            JitContext real = JitContext.builder().resolver(resolver).build(new OrcBackend());
            ReentrantLock loading = new ReentrantLock();
            return decorate(JitContext.class, real, (context, method, arguments) -> {
                if (!method.getName().equals("load")) {
                    return FORWARD;
                }
                if (!loading.tryLock()) {
                    throw new IllegalStateException("another load is in progress");
                }
                try {
                    Thread.sleep(20); // as a slow backend would: makes concurrent loads overlap
                    return forward(context, method, arguments);
                } finally {
                    loading.unlock();
                }
            });
        }
    }

    /** B12: a failed load closes every plugin the context holds. */
    @Breaks("B12")
    static final class FailureClosesEverything extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            JitContext real = JitContext.builder().resolver(resolver).build(new OrcBackend());
            return decorate(JitContext.class, real, (context, method, arguments) -> {
                if (!method.getName().equals("load")) {
                    return FORWARD;
                }
                try {
                    return forward(context, method, arguments);
                } catch (RuntimeException failure) {
                    ((JitContext) context).plugins().forEach(Plugin::close);
                    throw failure;
                }
            });
        }
    }

    /** B17: load options are ignored, silently. */
    @Breaks("B17")
    static final class IgnoredOptions extends Base {
        @java.lang.Override
        public JitContext createContext(SymbolResolver resolver) {
            JitContext real = JitContext.builder().resolver(resolver).build(new OrcBackend());
            return decorate(JitContext.class, real, (context, method, arguments) -> {
                JitContext target = (JitContext) context;
                if (method.getName().equals("load") && arguments.length == 2) {
                    return target.load((ModuleSource) arguments[0], LoadOptions.defaults());
                }
                if (method.getName().equals("inspect") && arguments.length == 2) {
                    ModuleInfo info = target.inspect((ModuleSource) arguments[0]);
                    return info;
                }
                return FORWARD;
            });
        }
    }
}
