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
import io.predicator.spi.FunctionalInterfaces;
import io.predicator.spi.HostExceptions;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * <p>Unload safety: every call records itself in the calling thread's {@link CallFrames} and checks an open flag
 * before it enters native code; {@link #close()} clears the flag, handshakes all threads by closing the plugin's
 * shared {@link Arena} (which also owns the data segments {@link #address(String)} hands out), and waits until no
 * thread's frames hold the plugin before the code is freed. Calls that started before the close complete; calls
 * after it throw {@link AlreadyClosedException} instead of jumping into freed memory.
 */
final class OrcPlugin implements Plugin {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle ENTER;
    private static final MethodHandle EXIT;

    static {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            ENTER = lookup.findVirtual(OrcPlugin.class, "enter", MethodType.methodType(CallFrames.class));
            EXIT = lookup.findVirtual(OrcPlugin.class, "exit",
                    MethodType.methodType(void.class, String.class, Throwable.class, CallFrames.class));
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
        Signature requested = Signature.of(functionalInterface);
        MethodHandle handle = handle(symbol, requested, FunctionalInterfaces.descriptor(functionalInterface));
        return FunctionalInterfaces.implement(functionalInterface, handle, "Function[" + symbol + " of plugin " + name + "]");
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
        if (CallFrames.current().contains(this)) {
            throw new IllegalStateException("Plugin '" + name + "' cannot be closed from inside one of its own calls "
                    + "(a host function it called): closing waits for that call to return");
        }
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        open = false;
        context.unload(this, () -> {
            // Closing the shared arena handshakes every thread (see CallFrames), then frees the data segments
            // handed out by address(); after that, waiting on the call frames is enough.
            closeArena();
            CallFrames.awaitNoCalls(this);
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
                key -> guarded(symbol, linkedAddress(symbol), descriptor));
    }

    /**
     * Builds the handle callers use: enter (push this plugin on the thread's call frames, then check it is open),
     * the raw downcall, and exit (pop, then throw what a Java host function the plugin called may have thrown).
     */
    private MethodHandle guarded(String symbol, long address, FunctionDescriptor descriptor) {
        MethodHandle call = MethodHandles.insertArguments(LINKER.downcallHandle(descriptor), 0,
                MemorySegment.ofAddress(address));
        MethodType type = call.type();
        Class<?> returnType = type.returnType();
        MethodHandle body = MethodHandles.dropArguments(call, 0, CallFrames.class); // (frames, args...) -> R
        // exit: (Throwable, frames) -> void; the cleanup passes the result through untouched (no boxing).
        MethodHandle exit = MethodHandles.insertArguments(EXIT.bindTo(this), 0, symbol);
        MethodHandle cleanup;
        if (returnType == void.class) {
            // (Throwable, frames, args...) -> void
            cleanup = MethodHandles.dropArguments(exit, 2, type.parameterList());
        } else {
            // (Throwable, R, frames, args...) -> R
            MethodHandle passResult = MethodHandles.dropArguments(MethodHandles.identity(returnType), 0, Throwable.class);
            passResult = MethodHandles.dropArguments(passResult, 2, CallFrames.class);
            passResult = MethodHandles.dropArguments(passResult, 3, type.parameterList());
            cleanup = MethodHandles.foldArguments(passResult, MethodHandles.dropArguments(exit, 1, returnType));
        }
        MethodHandle protectedCall = MethodHandles.tryFinally(body, cleanup); // (frames, args...) -> R
        return MethodHandles.foldArguments(protectedCall, ENTER.bindTo(this)); // (args...) -> R
    }

    private CallFrames enter() {
        CallFrames frames = CallFrames.current();
        frames.push(this, HostExceptions.takePending());
        if (!open) {
            restore(frames.pop());
            throw closedException();
        }
        return frames;
    }

    private void exit(String symbol, Throwable failure, CallFrames frames) {
        Throwable own = HostExceptions.takePending();
        restore(frames.pop());
        if (own != null) {
            if (failure != null) {
                failure.addSuppressed(own);
                return;
            }
            throw new HostFunctionException("Function '" + symbol + "' of plugin '" + name
                    + "' called a Java host function that threw " + own, own);
        }
    }

    /** Puts back an exception an outer call had pending when this one started. */
    private static void restore(Throwable saved) {
        if (saved != null) {
            HostExceptions.capture(saved);
        }
    }

    private MemorySegment segment(String symbol) {
        return segments.computeIfAbsent(symbol, key -> MemorySegment.ofAddress(linkedAddress(key)).reinterpret(arena, null));
    }

    private long linkedAddress(String symbol) {
        Long address = linked.addresses().get(symbol);
        if (address == null) {
            throw new IllegalStateException("symbol '" + symbol + "' of plugin '" + name + "' has no address");
        }
        return address;
    }



    private void checkOpen() {
        if (!open) {
            throw closedException();
        }
    }


    private AlreadyClosedException closedException() {
        return new AlreadyClosedException("plugin '" + name + "'");
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
