package io.predicator.orc.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.ExportedFunction;
import io.predicator.HostFunctionException;
import io.predicator.ModuleFormat;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.PluginStats;
import io.predicator.ResolverException;
import io.predicator.Signature;
import io.predicator.SignatureMismatchException;
import io.predicator.UnknownSymbolException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.orc.internal.pipeline.ElfObject;
import io.predicator.orc.internal.pipeline.LazyModule;
import io.predicator.orc.internal.pipeline.LinkUnit;
import io.predicator.orc.internal.pipeline.LoadTimings;
import io.predicator.orc.internal.pipeline.Pipeline;
import io.predicator.orc.internal.pipeline.PluginCode;
import io.predicator.orc.internal.pipeline.ResolveStage;
import io.predicator.orc.internal.runtime.Containment;
import io.predicator.orc.internal.runtime.FaultReport;
import io.predicator.orc.internal.runtime.Watchdog;
import io.predicator.plumbing.HostExceptions;
import io.predicator.spi.SymbolResolver;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * A plugin linked into the JIT.
 *
 * <p>Unload safety: every call records itself in the calling thread's {@link CallFrames} and checks an open flag
 * before it enters native code; {@link #close(Duration)} clears the flag, handshakes all threads by closing the
 * plugin's shared {@link Arena} (which also owns the data segments {@link #address(String)} hands out), and waits
 * until no thread's frames hold the plugin before the code is freed. Calls that started before the close may
 * complete during the {@link Drain}, and are stopped after it; calls after it throw {@link AlreadyClosedException}
 * instead of jumping into freed memory.
 *
 * <p>Deadlines: every call's trampoline stores the runtime clock and the call's deadline (0 for none) in the
 * thread's {@link FaultReport}, from the timeout the call notes there; the {@link Watchdog} stops calls past their
 * deadline, and calls whose Java thread is interrupted.
 */
final class OrcPlugin implements Plugin {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");
    private final OrcJitContext context;
    private final String name;
    private final LinkUnit module;
    /** The plugin's code in the JIT, which this plugin owns and closes; pieces compiled on first use join it. */
    private final PluginCode code;
    private final FirstUse firstUse;
    private final Map<String, ElfObject.Definition> definitions;
    private final Map<String, Long> addresses;
    /** Serialises compiling pieces on first use with each other and with unloading. */
    private final Object pieces = new Object();
    private volatile PluginStats stats;
    private final Arena arena = Arena.ofShared();
    private final Map<String, MemorySegment> segments = new ConcurrentHashMap<>();
    private final Map<HandleKey, MethodHandle> handles = new ConcurrentHashMap<>();
    private final long callId = CallFrames.newPluginId();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean open = true;
    /** The fault that closed the plugin, or null. */
    private volatile PluginFaultException fault;
    private final Watchdog watchdog = Containment.get().watchdog();
    /** How long one call may run, or null for no limit. */
    private final Duration callTimeout;
    /** {@link #callTimeout} in microseconds, 0 for no limit. */
    private final long timeoutMicros;
    /** What a call notes in the thread's report for its trampoline: {@link Watchdog#callTimeout}, or 0. */
    private final long reportTimeout;

    private record HandleKey(String symbol, FunctionDescriptor descriptor) {
    }

    /**
     * How a plugin loaded with {@link io.predicator.LoadOptions#compileOnFirstUse()} compiles its pieces.
     *
     * @param module the analysed module
     * @param resolver resolves what a piece's code needs beyond the imports resolved at load
     * @param linked the symbols the plugin's JITDylib defines already: grows with every piece
     */
    record FirstUse(LazyModule module, SymbolResolver resolver, Set<String> linked) {
        FirstUse {
            linked = new HashSet<>(linked);
        }
    }

    /**
     * Creates a linked plugin, which owns the linked code from now on.
     *
     * @param loaded what the pipeline loaded
     * @param resolver the plugin's resolver, for pieces compiled on first use
     * @param callTimeout how long one call may run, or null for no limit
     */
    OrcPlugin(OrcJitContext context, String name, Pipeline.Loaded loaded, PluginStats stats,
              SymbolResolver resolver, Duration callTimeout) {
        this.context = context;
        this.name = name;
        this.module = loaded.unit();
        this.code = loaded.code();
        this.stats = stats;
        this.firstUse = loaded.lazy() == null ? null : new FirstUse(loaded.lazy(), resolver, loaded.imported());
        this.definitions = new ConcurrentHashMap<>(module.definitions());
        this.addresses = new ConcurrentHashMap<>(code.addresses());
        this.callTimeout = callTimeout;
        this.timeoutMicros = callTimeout == null ? 0 : Math.max(1, saturatedMicros(callTimeout));
        this.reportTimeout = timeoutMicros == 0 ? 0 : Watchdog.callTimeout(timeoutMicros);
        watchdog.pluginLoaded(callTimeout != null);
    }

    private static long saturatedMicros(Duration duration) {
        try {
            return duration.toNanos() / 1_000;
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 4; // centuries: no deadline is ever reached
        }
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
        MemorySegment target = target(symbol, requested);
        return GuardedCalls.implement(functionalInterface, this, target, symbol,
                "Function[" + symbol + " of plugin " + name + "]");
    }

    @Override
    public MethodHandle function(String symbol, FunctionDescriptor descriptor) {
        requireNonNull(symbol, "symbol is null");
        requireNonNull(descriptor, "descriptor is null");
        MemorySegment target = target(symbol, Signature.of(descriptor));
        return handles.computeIfAbsent(new HandleKey(symbol, descriptor),
                key -> GuardedCalls.handle(this, target, symbol, descriptor));
    }

    @Override
    public Optional<MemorySegment> address(String symbol) {
        requireNonNull(symbol, "symbol is null");
        checkOpen();
        ElfObject.Definition definition = definition(symbol);
        if (definition == null) {
            return Optional.empty();
        }
        MemorySegment segment = segment(symbol);
        return Optional.of(definition.function() ? segment : segment.reinterpret(definition.size()));
    }

    @Override
    public List<ExportedFunction> exports() {
        return firstUse == null ? module.functions() : firstUse.module().functions();
    }

    @Override
    public boolean isClosed() {
        return !open;
    }

    @Override
    public Optional<PluginFaultException> fault() {
        return Optional.ofNullable(fault);
    }

    /**
     * Unloads the plugin: new calls fail from now on, calls in flight may complete during the drain and are stopped
     * after it, then the code is removed.
     */
    @Override
    public void close(Duration drain) {
        closeBy(Drain.deadline(drain), drain);
    }

    /**
     * Unloads the plugin with a drain that ends at a given time, shared with other plugins that one context close
     * unloads.
     *
     * @param deadline the drain's end, from {@link Drain#deadline(Duration)}
     * @param drain the drain's length, for the log
     */
    void closeBy(long deadline, Duration drain) {
        if (CallFrames.current().contains(callId)) {
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
            Drain waiting = new Drain(deadline, drain, code, name);
            try {
                closeArena(waiting);
                CallFrames.awaitNoCalls(callId, waiting);
                synchronized (pieces) { // waits for a piece being compiled
                    code.close();
                }
            } finally {
                waiting.end();
                watchdog.pluginUnloaded(callTimeout != null);
            }
        });
    }

    @Override
    public String toString() {
        return "Plugin[" + name + ", " + module.format() + (open ? "" : ", closed") + "]";
    }

    PluginStats stats() {
        return stats;
    }

    /** Returns the address of a function the plugin exports with the requested signature (if it declares one). */
    private MemorySegment target(String symbol, Signature requested) {
        checkOpen();
        ElfObject.Definition definition = definition(symbol);
        if (definition == null || !definition.function()) {
            throw new UnknownSymbolException(name, symbol, exports().stream().map(ExportedFunction::name).toList());
        }
        module.signature(symbol).ifPresent(declared -> {
            if (!declared.equals(requested)) {
                throw new SignatureMismatchException(name, symbol, requested, declared);
            }
        });
        return MemorySegment.ofAddress(linkedAddress(symbol));
    }

    /** Returns an exported symbol's definition, compiling it first if the plugin compiles on first use; or null. */
    private ElfObject.Definition definition(String symbol) {
        ElfObject.Definition definition = definitions.get(symbol);
        if (definition != null || firstUse == null || !firstUse.module().exports(symbol)) {
            return definition;
        }
        context.whileOpen(() -> {
            synchronized (pieces) {
                checkOpen(); // an unload that got here first has removed the JITDylib's code
                LazyModule.Piece piece = firstUse.module().piece(symbol);
                if (piece != null) {
                    compile(piece, symbol);
                }
            }
        });
        return definitions.get(symbol);
    }

    /** Runs the pipeline for a piece: compiles it, resolves what its code needs beyond the JITDylib, links it. */
    private void compile(LazyModule.Piece piece, String symbol) {
        PluginEvents.FirstUse event = new PluginEvents.FirstUse();
        event.begin();
        LoadTimings timings = new LoadTimings();
        String failure = "";
        try {
            Pipeline.Piece linked = context.pipeline().linkPiece(code, module.format(), firstUse.module(), piece,
                    symbol, firstUse.linked(), firstUse.resolver(), timings);
            record(piece, linked);
        } catch (RuntimeException | Error e) {
            failure = String.valueOf(e.getMessage());
            if (e instanceof UnresolvedSymbolsException unresolved) {
                OrcJitContext.recordResolutionFailure(name, unresolved.symbols(), unresolved.resolverIds());
            } else if (e instanceof ResolverException) {
                OrcJitContext.recordResolutionFailure(name, List.of(),
                        ResolveStage.consultedIds(firstUse.resolver()));
            }
            throw e;
        } finally {
            event.end();
            if (event.shouldCommit()) {
                event.plugin = name;
                event.symbol = symbol;
                event.piece = piece.number();
                event.blocks = piece.blocks();
                event.optimizeNanos = timings.optimizeNanos;
                event.codegenNanos = timings.codegenNanos;
                event.cacheHit = timings.cacheHit;
                event.objects = timings.objects;
                event.failure = failure;
                event.commit();
            }
        }
        LOGGER.log(System.Logger.Level.DEBUG, () -> "Compiled piece " + piece.number() + " of plugin '" + name
                + "' for '" + symbol + "' (" + piece.blocks() + " blocks, " + timings.objects + " objects)");
    }

    /** Records a linked piece: its symbols, addresses and size. */
    private void record(LazyModule.Piece piece, Pipeline.Piece linked) {
        LinkUnit unit = linked.unit();
        firstUse.linked().addAll(linked.imported());
        unit.objects().forEach(object -> object.definitions().forEach(defined -> firstUse.linked().add(defined.name())));
        addresses.putAll(linked.addresses());
        definitions.putAll(unit.definitions());
        firstUse.module().compiled(piece);
        PluginStats before = stats;
        stats = new PluginStats(before.name(), before.format(), before.sourceBytes(),
                before.codeBytes() + unit.codeBytes(), before.dataBytes() + unit.dataBytes(), before.loadedAt(),
                before.loadDuration());
    }

    /** Returns whether the calling thread is inside one of this plugin's calls (a host function it called). */
    boolean inCallOnThisThread() {
        return CallFrames.current().contains(callId);
    }

    /** Called by {@link GuardedCalls} before a downcall: records it in this thread's frames, then checks open. */
    CallFrames enter() {
        CallFrames frames = CallFrames.current();
        frames.push(callId, HostExceptions.takePending());
        if (!open) {
            restore(frames.pop());
            throw closedException();
        }
        frames.noteTimeout(reportTimeout);
        return frames;
    }

    /**
     * Called by {@link GuardedCalls} after a downcall returned or failed: pops the frame and throws (or, if the call
     * failed, attaches) what a Java host function the plugin called may have thrown.
     */
    void exit(String symbol, Throwable failure, CallFrames frames) {
        Throwable own = HostExceptions.takePending();
        restore(frames.pop());
        if (frames.report().faulted()) {
            throw faulted(symbol, frames.report().take(), own);
        }
        if (own != null) {
            if (failure != null) {
                failure.addSuppressed(own);
                return;
            }
            throw new HostFunctionException("Function '" + symbol + "' of plugin '" + name
                    + "' called a Java host function that threw " + own, own);
        }
    }

    /**
     * Turns a fault the runtime reported into the exception the caller gets, and closes the plugin: new calls fail
     * at once, and the code is freed on another thread once the calls still in flight (nested ones on this thread
     * included) have returned.
     */
    private PluginFaultException faulted(String symbol, FaultReport.Fault report, Throwable hostException) {
        long durationMicros = Math.max(0, watchdog.now() - report.started());
        PluginFaultException exception = new PluginFaultException("Plugin '" + name + "' "
                + (report.stopReason() == FaultReport.StopReason.NONE ? "faulted in" : "was stopped in")
                + " function '" + symbol + "': " + describe(report, durationMicros), report.kind(), name, symbol,
                hardware(report) ? report.address() : -1);
        if (report.stopReason() == FaultReport.StopReason.INTERRUPT) {
            Thread.currentThread().interrupt(); // it is still set: the runtime never clears it; this keeps it so
        }
        if (hostException != null) {
            exception.addSuppressed(hostException);
        }
        boolean first;
        synchronized (this) {
            first = fault == null;
            if (first) {
                fault = exception;
                open = false;
            }
        }
        if (first) {
            context.recordFault();
            Thread.ofVirtual().name("predicator-unload-" + name).start(() -> {
                try {
                    close();
                } catch (RuntimeException | Error e) {
                    LOGGER.log(System.Logger.Level.WARNING, "Unloading plugin '" + name + "' after its fault failed", e);
                }
            });
        }
        PluginEvents.Fault event = new PluginEvents.Fault();
        if (event.shouldCommit()) {
            event.plugin = name;
            event.function = symbol;
            event.kind = report.kind().name();
            event.address = exception.address().orElse(0);
            event.message = exception.getMessage();
            event.callDuration = durationMicros;
            event.commit();
        }
        // The caller gets the exception; the event and the counter report it. A log line per fault would flood a
        // server's log during a storm, so it is for debugging only.
        LOGGER.log(System.Logger.Level.DEBUG, () -> exception.getMessage() + (first ? "; the plugin closes" : ""));
        return exception;
    }

    private static boolean hardware(FaultReport.Fault report) {
        return switch (report.kind()) {
            case SEGMENTATION_FAULT, BUS_ERROR, ARITHMETIC_ERROR, ILLEGAL_INSTRUCTION, STACK_OVERFLOW -> true;
            default -> false;
        };
    }

    private String describe(FaultReport.Fault report, long durationMicros) {
        if (hardware(report)) {
            return report.kind() + " (signal " + report.signal() + ") at address 0x" + Long.toHexString(report.address())
                    + ", " + location(report.pc());
        }
        return switch (report.kind()) {
            case EXIT -> report.message() + " with status " + report.code() + " (EXIT)";
            case PANIC -> "panicked: " + (report.message().isEmpty() ? "(no message)" : report.message()) + " (PANIC)";
            case ABORT -> (report.message().isEmpty() ? "the C library aborted (SIGABRT)" : report.message()) + " (ABORT)";
            default -> switch (report.stopReason()) {
                case DEADLINE -> "the call ran past its timeout of " + millis(timeoutMicros) + " and was stopped after "
                        + millis(durationMicros) + ", " + location(report.pc()) + " (TIMEOUT)";
                case INTERRUPT -> "the calling thread was interrupted; the call was stopped after "
                        + millis(durationMicros) + ", " + location(report.pc()) + " (INTERRUPTED)";
                case CLOSING -> "the plugin was closed and the call was still running after the close's drain; it "
                        + "was stopped after " + millis(durationMicros) + ", " + location(report.pc()) + " (INTERRUPTED)";
                case NONE -> report.kind() + ": " + report.message();
            };
        };
    }

    private static String millis(long micros) {
        return micros >= 10_000 ? micros / 1_000 + " ms" : String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1e3);
    }

    /** Names the plugin function that holds an instruction, from the plugin's own symbols. */
    private String location(long pc) {
        String best = null;
        long bestAddress = 0;
        for (Map.Entry<String, Long> entry : addresses.entrySet()) {
            ElfObject.Definition definition = definitions.get(entry.getKey());
            long start = entry.getValue();
            if (definition == null || !definition.function() || Long.compareUnsigned(pc, start) < 0) {
                continue;
            }
            long offset = pc - start;
            if (Long.compareUnsigned(offset, definition.size() == 0 ? 16 : definition.size()) < 0
                    && (best == null || Long.compareUnsigned(start, bestAddress) > 0)) {
                best = entry.getKey();
                bestAddress = start;
            }
        }
        return best == null ? "instruction 0x" + Long.toHexString(pc) + " outside the plugin's own functions (in a "
                + "library function it called)" : "in '" + best + "'+0x" + Long.toHexString(pc - bestAddress);
    }

    /** Puts back an exception an outer call had pending when this one started. */
    private static void restore(Throwable saved) {
        if (saved != null) {
            HostExceptions.capture(saved);
        }
    }

    private MemorySegment segment(String symbol) {
        try {
            return segments.computeIfAbsent(symbol, key -> MemorySegment.ofAddress(linkedAddress(key))
                    .reinterpret(arena, null));
        } catch (IllegalStateException arenaClosed) {
            if (!open) { // an unload started after this call checked
                throw closedException();
            }
            throw arenaClosed;
        }
    }

    private long linkedAddress(String symbol) {
        Long address = addresses.get(symbol);
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
        PluginFaultException cause = fault;
        return cause == null ? new AlreadyClosedException("plugin '" + name + "'")
                : new AlreadyClosedException("plugin '" + name + "'", cause);
    }

    /** Closes the arena once no call holds it; calls that started before the close run until the drain ends. */
    private void closeArena(Drain waiting) {
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException inFlight) {
                if (!arena.scope().isAlive()) {
                    return;
                }
                waiting.pause();
            }
        }
    }
}
