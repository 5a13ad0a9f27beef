package io.predicator.orc.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.ExportedFunction;
import io.predicator.HostFunctionException;
import io.predicator.ModuleFormat;
import io.predicator.Plugin;
import io.predicator.PluginStats;
import io.predicator.Signature;
import io.predicator.SignatureMismatchException;
import io.predicator.UnknownSymbolException;
import io.predicator.spi.HostExceptions;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static java.util.Objects.requireNonNull;

/**
 * A plugin linked into the JIT.
 *
 * <p>Unload safety comes from a shared {@link Arena} that owns every address the plugin hands out: a downcall
 * keeps the arena acquired while the native function runs, so the arena cannot close under a call in flight, and
 * after it closes no call can start. Function handles first test an open flag, so that once {@link #close()}
 * starts, new calls fail fast with {@link AlreadyClosedException} and in-flight calls drain.
 */
final class OrcPlugin implements Plugin {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle IS_OPEN;
    private static final MethodHandle CLOSED_EXCEPTION;
    private static final MethodHandle TRANSLATE;
    private static final MethodHandle RETHROW_HOST_EXCEPTION;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            IS_OPEN = lookup.findVirtual(OrcPlugin.class, "isOpen", MethodType.methodType(boolean.class));
            CLOSED_EXCEPTION = lookup.findVirtual(OrcPlugin.class, "closedException",
                    MethodType.methodType(AlreadyClosedException.class));
            TRANSLATE = lookup.findVirtual(OrcPlugin.class, "translate",
                    MethodType.methodType(RuntimeException.class, IllegalStateException.class));
            RETHROW_HOST_EXCEPTION = lookup.findVirtual(OrcPlugin.class, "rethrowHostException",
                    MethodType.methodType(void.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final OrcJitContext context;
    private final String name;
    private final LoadedModule module;
    private final JitLinker.Linked linked;
    private final PluginStats stats;
    private final Arena arena = Arena.ofShared();
    private final Map<String, MemorySegment> segments = new ConcurrentHashMap<>();
    private final Map<HandleKey, MethodHandle> handles = new ConcurrentHashMap<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean open = true;

    private record HandleKey(String symbol, FunctionDescriptor descriptor) {
    }

    OrcPlugin(OrcJitContext context, String name, LoadedModule module, JitLinker.Linked linked, PluginStats stats) {
        this.context = context;
        this.name = name;
        this.module = module;
        this.linked = linked;
        this.stats = stats;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ModuleFormat format() {
        return module.format();
    }

    @Override
    public <T> T function(String symbol, Class<T> functionalInterface) {
        requireNonNull(symbol, "symbol is null");
        Method method = Signature.singleAbstractMethod(functionalInterface);
        Signature requested = Signature.of(functionalInterface);
        MethodHandle handle = handle(symbol, requested, descriptor(method));
        if (Modifier.isPublic(functionalInterface.getModifiers())) {
            return MethodHandleProxies.asInterfaceInstance(functionalInterface, handle);
        }
        // MethodHandleProxies takes public interfaces only; a dynamic proxy serves the others.
        return functionalInterface.cast(Proxy.newProxyInstance(functionalInterface.getClassLoader(),
                new Class<?>[] {functionalInterface}, new FunctionInvocationHandler(name, symbol, method, handle)));
    }

    @Override
    public MethodHandle function(String symbol, FunctionDescriptor descriptor) {
        requireNonNull(symbol, "symbol is null");
        requireNonNull(descriptor, "descriptor is null");
        return handle(symbol, Signature.of(descriptor), descriptor);
    }

    @Override
    public Optional<MemorySegment> address(String symbol) {
        requireNonNull(symbol, "symbol is null");
        checkOpen();
        ElfObject.Definition definition = module.definitions().get(symbol);
        if (definition == null) {
            return Optional.empty();
        }
        MemorySegment segment = segment(symbol);
        return Optional.of(definition.function() ? segment : segment.reinterpret(definition.size()));
    }

    @Override
    public List<ExportedFunction> exports() {
        return module.functions();
    }

    @Override
    public boolean isClosed() {
        return !open;
    }

    /**
     * Unloads the plugin: new calls fail from now on, calls in flight complete, then the code is removed.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        open = false;
        context.unload(this, () -> {
            closeArena();
            context.linker().unlink(linked);
        });
    }

    @Override
    public String toString() {
        return "Plugin[" + name + ", " + module.format() + (open ? "" : ", closed") + "]";
    }

    PluginStats stats() {
        return stats;
    }

    private MethodHandle handle(String symbol, Signature requested, FunctionDescriptor descriptor) {
        checkOpen();
        ElfObject.Definition definition = module.definitions().get(symbol);
        if (definition == null || !definition.function()) {
            throw new UnknownSymbolException(name, symbol, module.functions().stream().map(ExportedFunction::name).toList());
        }
        module.signature(symbol).ifPresent(declared -> {
            if (!declared.equals(requested)) {
                throw new SignatureMismatchException(name, symbol, requested, declared);
            }
        });
        return handles.computeIfAbsent(new HandleKey(symbol, descriptor),
                key -> guarded(symbol, segment(symbol), descriptor));
    }

    private MethodHandle guarded(String symbol, MemorySegment function, FunctionDescriptor descriptor) {
        // The unbound downcall takes the target as a segment of the plugin's arena: the call acquires the arena.
        MethodHandle call = MethodHandles.insertArguments(LINKER.downcallHandle(descriptor), 0, function);
        MethodType type = call.type();
        // After the call returns, throw what a Java host function the plugin called may have thrown.
        MethodHandle rethrow = MethodHandles.insertArguments(RETHROW_HOST_EXCEPTION.bindTo(this), 0, symbol);
        call = type.returnType() == void.class
                ? MethodHandles.filterReturnValue(call, rethrow)
                : MethodHandles.filterReturnValue(call, MethodHandles.foldArguments(
                        MethodHandles.identity(type.returnType()), MethodHandles.dropArguments(rethrow, 0, type.returnType())));
        List<Class<?>> parameters = type.parameterList();
        MethodHandle test = MethodHandles.dropArguments(IS_OPEN.bindTo(this), 0, parameters);
        MethodHandle rejected = MethodHandles.dropArguments(
                MethodHandles.foldArguments(MethodHandles.throwException(type.returnType(), AlreadyClosedException.class),
                        CLOSED_EXCEPTION.bindTo(this)),
                0, parameters);
        MethodHandle guarded = MethodHandles.guardWithTest(test, call, rejected);
        MethodHandle translated = MethodHandles.dropArguments(
                MethodHandles.filterArguments(MethodHandles.throwException(type.returnType(), RuntimeException.class),
                        0, TRANSLATE.bindTo(this)),
                1, parameters);
        return MethodHandles.catchException(guarded, IllegalStateException.class, translated);
    }

    private MemorySegment segment(String symbol) {
        return segments.computeIfAbsent(symbol, key -> {
            Long address = linked.addresses().get(key);
            if (address == null) {
                throw new IllegalStateException("symbol '" + key + "' of plugin '" + name + "' has no address");
            }
            return MemorySegment.ofAddress(address).reinterpret(arena, null);
        });
    }

    private static FunctionDescriptor descriptor(Method method) {
        MemoryLayout[] arguments = new MemoryLayout[method.getParameterCount()];
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            arguments[i] = layout(types[i]);
        }
        return method.getReturnType() == void.class
                ? FunctionDescriptor.ofVoid(arguments)
                : FunctionDescriptor.of(layout(method.getReturnType()), arguments);
    }

    private static MemoryLayout layout(Class<?> type) {
        if (type == boolean.class) {
            return ValueLayout.JAVA_BOOLEAN;
        } else if (type == byte.class) {
            return ValueLayout.JAVA_BYTE;
        } else if (type == short.class) {
            return ValueLayout.JAVA_SHORT;
        } else if (type == char.class) {
            return ValueLayout.JAVA_CHAR;
        } else if (type == int.class) {
            return ValueLayout.JAVA_INT;
        } else if (type == long.class) {
            return ValueLayout.JAVA_LONG;
        } else if (type == float.class) {
            return ValueLayout.JAVA_FLOAT;
        } else if (type == double.class) {
            return ValueLayout.JAVA_DOUBLE;
        } else if (type == MemorySegment.class) {
            return ValueLayout.ADDRESS;
        }
        throw new IllegalArgumentException(type.getName() + " has no C equivalent");
    }

    private void checkOpen() {
        if (!open) {
            throw closedException();
        }
    }

    private boolean isOpen() {
        return open;
    }

    private AlreadyClosedException closedException() {
        return new AlreadyClosedException("plugin '" + name + "'");
    }

    private void rethrowHostException(String symbol) {
        Throwable thrown = HostExceptions.takePending();
        if (thrown != null) {
            throw new HostFunctionException("Function '" + symbol + "' of plugin '" + name
                    + "' called a Java host function that threw " + thrown, thrown);
        }
    }

    private RuntimeException translate(IllegalStateException failure) {
        if (open && arena.scope().isAlive()) {
            return failure;
        }
        AlreadyClosedException closed = closedException();
        closed.initCause(failure);
        return closed;
    }

    /** Calls a plugin function for a dynamic proxy of a non-public functional interface. */
    private record FunctionInvocationHandler(String plugin, String symbol, Method function, MethodHandle handle)
            implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] arguments) throws Throwable {
            if (method.getName().equals(function.getName())
                    && Arrays.equals(method.getParameterTypes(), function.getParameterTypes())) {
                return handle.invokeWithArguments(arguments == null ? new Object[0] : arguments);
            }
            return switch (method.getName()) {
                case "equals" -> proxy == arguments[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "Function[" + symbol + " of plugin " + plugin + "]";
                default -> InvocationHandler.invokeDefault(proxy, method, arguments);
            };
        }
    }

    /** Closes the arena once no call holds it; calls that started before {@link #close()} run to completion. */
    private void closeArena() {
        long pause = 1_000;
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException inFlight) {
                if (!arena.scope().isAlive()) {
                    return;
                }
                LockSupport.parkNanos(pause);
                pause = Math.min(pause * 2, 1_000_000);
            }
        }
    }
}
