package io.predicator.orc.internal.pipeline;

import io.predicator.CompilationException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.orc.internal.llvm.NativeScope;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMErrorRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMOrcCJITDylibSearchOrderElement;
import org.bytedeco.llvm.LLVM.LLVMOrcCLookupSetElement;
import org.bytedeco.llvm.LLVM.LLVMOrcCSymbolMapPair;
import org.bytedeco.llvm.LLVM.LLVMOrcErrorReporterFunction;
import org.bytedeco.llvm.LLVM.LLVMOrcExecutionSessionLookupHandleResultFunction;
import org.bytedeco.llvm.LLVM.LLVMOrcExecutionSessionRef;
import org.bytedeco.llvm.LLVM.LLVMOrcJITDylibRef;
import org.bytedeco.llvm.LLVM.LLVMOrcLLJITRef;
import org.bytedeco.llvm.LLVM.LLVMOrcMaterializationUnitRef;
import org.bytedeco.llvm.LLVM.LLVMOrcResourceTrackerRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stage "link": owns one ORC LLJIT and links each plugin's {@link LinkUnit} into a JITDylib of its own.
 *
 * <p>Every operation on the JIT runs under one lock: LLJIT is not safe for concurrent materialising lookups
 * through the C API (see this module's README), and linking a compiled object is short next to compiling it, which
 * happens outside. Imports are defined in the plugin's JITDylib as absolute symbols and moved, with the objects, to
 * the plugin's resource tracker, so removing that tracker leaves the JITDylib empty; empty JITDylibs are reused
 * because the C API cannot delete them.
 *
 * <p>Ownership: the linker owns the LLJIT and the pool of empty JITDylibs; a {@link PluginCode} owns, from the
 * moment the linker creates them, a plugin's JITDylib and its resource trackers, and gives them back when it is
 * closed. {@link #close()} disposes the LLJIT, and with it everything still linked; it is idempotent.
 */
public final class JitLinker implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");
    private static final Pattern SYMBOLS_NOT_FOUND = Pattern.compile("Symbols not found: \\[ ?(.*?) ?\\]");
    private static final Map<Long, CompletableFuture<Map<String, Long>>> LOOKUPS = new ConcurrentHashMap<>();
    private static final LookupHandler LOOKUP_HANDLER = new LookupHandler();
    private static final ErrorReporter ERROR_REPORTER = new ErrorReporter();

    private final ReentrantLock lock = new ReentrantLock();
    private final LLVMOrcLLJITRef jit;
    private final LLVMOrcExecutionSessionRef session;
    private final ArrayDeque<LLVMOrcJITDylibRef> freeDylibs = new ArrayDeque<>();
    /** The plugins' code not closed yet, closed by {@link #close()} before the LLJIT goes: its ranges and gates. */
    private final Set<PluginCode> live = new HashSet<>();
    private long dylibCount;
    private volatile boolean closed;

    /** Creates the LLJIT. */
    public JitLinker() {
        Llvm.initialize();
        LLVMOrcLLJITRef created = new LLVMOrcLLJITRef();
        Llvm.check(LLVM.LLVMOrcCreateLLJIT(created, LLVM.LLVMOrcCreateLLJITBuilder()),
                message -> new CompilationException("Creating the ORC LLJIT failed: " + message));
        this.jit = created;
        this.session = LLVM.LLVMOrcLLJITGetExecutionSession(jit);
        LLVM.LLVMOrcExecutionSessionSetErrorReporter(session, ERROR_REPORTER, null);
    }

    /**
     * Links a unit into a fresh JITDylib and materialises every export, so link errors surface now; if that fails,
     * everything added is removed again.
     *
     * @param unit the plugin's objects
     * @param imports addresses of the symbols the objects reference but do not define
     * @param resolverIds for messages about symbols the linker still misses
     * @return the linked code, which the caller owns and must close
     */
    public PluginCode link(LinkUnit unit, Map<String, Long> imports, List<String> resolverIds) {
        lock.lock();
        try {
            checkOpen();
            LLVMOrcJITDylibRef dylib = freeDylibs.isEmpty()
                    ? LLVM.LLVMOrcExecutionSessionCreateBareJITDylib(session, "predicator-plugin-" + dylibCount++)
                    : freeDylibs.pop();
            PluginCode code = new PluginCode(this, dylib);
            live.add(code);
            try {
                code.addresses(add(unit, code, code.newTracker(), imports, resolverIds));
                return code;
            } catch (RuntimeException | Error e) {
                code.close();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Links more objects into a plugin's JITDylib, under a resource tracker of their own, and materialises them: a
     * piece of a plugin compiled on first use. If that fails, the piece is removed and the plugin stays as it was.
     *
     * @param code the plugin's linked code
     * @param piece the piece's objects
     * @param imports addresses of symbols the objects reference that neither they nor the JITDylib define yet
     * @param resolverIds for messages about symbols the linker still misses
     * @return the addresses of the piece's exports
     */
    public Map<String, Long> extend(PluginCode code, LinkUnit piece, Map<String, Long> imports,
                                    List<String> resolverIds) {
        lock.lock();
        try {
            checkOpen();
            code.checkOpen();
            LLVMOrcResourceTrackerRef tracker = code.newTracker();
            try {
                return add(piece, code, tracker, imports, resolverIds);
            } catch (RuntimeException | Error e) {
                code.drop(tracker);
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Returns whether the LLJIT has been disposed. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            // A context closes its plugins first; what is left here (after a failure) must still forget its code
            // ranges and free its gates, which the LLJIT does not own.
            for (PluginCode code : List.copyOf(live)) {
                code.close();
            }
            closed = true;
            freeDylibs.clear();
            String error = Llvm.consume(LLVM.LLVMOrcDisposeLLJIT(jit));
            if (error != null) {
                LOGGER.log(System.Logger.Level.WARNING, "Disposing the ORC LLJIT reported: " + error);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Creates a resource tracker in a JITDylib; the {@link PluginCode} that asks owns it. */
    LLVMOrcResourceTrackerRef createTracker(LLVMOrcJITDylibRef dylib) {
        return LLVM.LLVMOrcJITDylibCreateResourceTracker(dylib);
    }

    /**
     * Gives back a closed plugin's JITDylib and trackers, in reverse order of creation; the JITDylib is reused only
     * if every removal succeeded, and empties the list. Does nothing once the LLJIT is disposed: that freed them all.
     */
    void release(PluginCode code, LLVMOrcJITDylibRef dylib, List<LLVMOrcResourceTrackerRef> trackers) {
        lock.lock();
        try {
            live.remove(code);
            if (closed) {
                return;
            }
            boolean emptied = true;
            for (int i = trackers.size() - 1; i >= 0; i--) {
                emptied &= removeTracker(trackers.get(i));
            }
            trackers.clear();
            if (emptied) {
                freeDylibs.push(dylib);
            }
            // Otherwise leave a JITDylib that may still hold definitions out of the pool rather than clash later.
            LLVM.LLVMOrcSymbolStringPoolClearDeadEntries(LLVM.LLVMOrcExecutionSessionGetSymbolStringPool(session));
        } finally {
            lock.unlock();
        }
    }

    /** Removes and releases one tracker of a plugin's that is still alive, under the lock. */
    void releaseTracker(LLVMOrcResourceTrackerRef tracker) {
        lock.lock();
        try {
            if (!closed) {
                removeTracker(tracker);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a unit's objects, each with its {@link CodeMarkers code markers}, and looks up the exports and the
     * markers: the markers give the code ranges the plugin's code registers, one per object (JITLink places an
     * object's code in one contiguous allocation).
     */
    private Map<String, Long> add(LinkUnit unit, PluginCode code, LLVMOrcResourceTrackerRef tracker,
                                  Map<String, Long> imports, List<String> resolverIds) {
        defineImports(unit.name(), code.dylib(), tracker, code.gate(imports, unit.calledOnly()));
        List<List<CodeMarkers.Marker>> markers = new ArrayList<>();
        List<String> names = new ArrayList<>(unit.exportNames());
        for (ElfObject object : unit.objects()) {
            CodeMarkers.Marked marked = CodeMarkers.mark(object);
            addObject(unit.name(), tracker, object, marked.bytes());
            markers.add(marked.markers());
            marked.markers().forEach(marker -> names.add(marker.name()));
        }
        Map<String, Long> found = lookup(unit.name(), code.dylib(), names, resolverIds);
        long[] ranges = new long[2 * markers.size()];
        int count = 0;
        for (List<CodeMarkers.Marker> object : markers) {
            long start = -1;
            long end = 0;
            for (CodeMarkers.Marker marker : object) {
                long address = found.getOrDefault(marker.name(), 0L);
                if (address != 0) {
                    start = start == -1 ? address : Math.min(start, address);
                    end = Math.max(end, address + marker.size());
                }
            }
            if (start != -1) {
                ranges[count++] = start;
                ranges[count++] = end;
            }
        }
        code.addCode(Arrays.copyOf(ranges, count));
        Map<String, Long> exports = new HashMap<>(found);
        exports.keySet().removeIf(name -> name.startsWith(CodeMarkers.PREFIX));
        return exports;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the JIT is closed");
        }
    }

    private void defineImports(String pluginName, LLVMOrcJITDylibRef dylib, LLVMOrcResourceTrackerRef tracker,
                               Map<String, Long> imports) {
        if (imports.isEmpty()) {
            return;
        }
        try (LLVMOrcCSymbolMapPair pairs = new LLVMOrcCSymbolMapPair(imports.size());
             NativeScope scope = new NativeScope()) {
            int i = 0;
            for (Map.Entry<String, Long> entry : imports.entrySet()) {
                LLVMOrcCSymbolMapPair pair = pairs.getPointer(i++);
                pair.Name(LLVM.LLVMOrcExecutionSessionIntern(session, entry.getKey()));
                pair.Sym().Address(entry.getValue());
                pair.Sym().Flags().GenericFlags((byte) LLVM.LLVMJITSymbolGenericFlagsExported);
                pair.Sym().Flags().TargetFlags((byte) 0);
            }
            // Takes the interned names; the array itself stays ours. The unit is ours until the JITDylib takes it.
            LLVMOrcMaterializationUnitRef unit = scope.materializationUnit(
                    LLVM.LLVMOrcAbsoluteSymbols(pairs, imports.size()));
            String message = Llvm.consume(LLVM.LLVMOrcJITDylibDefine(dylib, unit));
            if (message != null) {
                throw new CompilationException("Defining the imports of plugin '" + pluginName + "' failed: " + message);
            }
            scope.forget(unit);
        }
        // JITDylibDefine tracks the definitions with the default tracker: move them to the plugin's. Despite its
        // documentation, LLVM 20's LLVMOrcJITDylibGetDefaultResourceTracker does not retain the tracker, so it is
        // not released here: releasing it freed the JITDylib's default tracker and crashed the next define.
        LLVM.LLVMOrcResourceTrackerTransferTo(LLVM.LLVMOrcJITDylibGetDefaultResourceTracker(dylib), tracker);
    }

    private void addObject(String pluginName, LLVMOrcResourceTrackerRef tracker, ElfObject object, byte[] bytes) {
        try (NativeScope scope = new NativeScope()) {
            LLVMMemoryBufferRef buffer = scope.copy(bytes, object.name());
            // Takes the buffer, on success and on failure.
            Llvm.check(LLVM.LLVMOrcLLJITAddObjectFileWithRT(jit, tracker, scope.forget(buffer)),
                    message -> new CompilationException("Adding object '" + object.name() + "' of plugin '"
                            + pluginName + "' failed: " + message));
        }
    }

    private Map<String, Long> lookup(String pluginName, LLVMOrcJITDylibRef dylib, List<String> names,
                                     List<String> resolverIds) {
        if (names.isEmpty()) {
            return Map.of();
        }
        CompletableFuture<Map<String, Long>> result = new CompletableFuture<>();
        try (LLVMOrcCJITDylibSearchOrderElement order = new LLVMOrcCJITDylibSearchOrderElement(1);
             LLVMOrcCLookupSetElement symbols = new LLVMOrcCLookupSetElement(names.size() + 1);
             LongPointer context = new LongPointer(1)) {
            order.JD(dylib).JDLookupFlags(LLVM.LLVMOrcJITDylibLookupFlagsMatchAllSymbols);
            for (int i = 0; i < names.size(); i++) {
                symbols.getPointer(i)
                        .Name(LLVM.LLVMOrcExecutionSessionIntern(session, names.get(i)))
                        .LookupFlags(LLVM.LLVMOrcSymbolLookupFlagsRequiredSymbol);
            }
            symbols.getPointer(names.size()).Name(null).LookupFlags(0);
            LOOKUPS.put(context.address(), result);
            try {
                // Takes the interned names. With the C API's in-place dispatcher the handler runs on this thread
                // before the call returns; the wait below only guards against that changing.
                LLVM.LLVMOrcExecutionSessionLookup(session, LLVM.LLVMOrcLookupKindStatic, order, 1, symbols,
                        names.size(), LOOKUP_HANDLER, context);
                return result.get(10, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                throw linkFailure(pluginName, e.getCause().getMessage(), resolverIds);
            } catch (TimeoutException e) {
                throw new CompilationException("Linking plugin '" + pluginName + "' did not finish in 10 minutes");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompilationException("Interrupted while linking plugin '" + pluginName + "'");
            } finally {
                LOOKUPS.remove(context.address());
            }
        }
    }

    private static RuntimeException linkFailure(String pluginName, String message, List<String> resolverIds) {
        Matcher missing = SYMBOLS_NOT_FOUND.matcher(message);
        if (missing.find()) {
            List<String> symbols = Arrays.stream(missing.group(1).split(",\\s*"))
                    .map(String::strip).filter(name -> !name.isEmpty()).sorted().toList();
            return new UnresolvedSymbolsException(pluginName, symbols, resolverIds);
        }
        return new CompilationException("Linking plugin '" + pluginName + "' failed: " + message);
    }

    /** Removes and releases a tracker's code and data; returns false (and logs why) if LLVM reported an error. */
    private static boolean removeTracker(LLVMOrcResourceTrackerRef tracker) {
        String error = Llvm.consume(LLVM.LLVMOrcResourceTrackerRemove(tracker));
        LLVM.LLVMOrcReleaseResourceTracker(tracker);
        if (error != null) {
            LOGGER.log(System.Logger.Level.WARNING, "Removing a plugin's code reported: " + error);
        }
        return error == null;
    }

    /** Receives lookup results; LLVM calls it once per lookup, with the context naming the waiting future. */
    private static final class LookupHandler extends LLVMOrcExecutionSessionLookupHandleResultFunction {
        @Override
        public void call(LLVMErrorRef error, LLVMOrcCSymbolMapPair result, long count, Pointer context) {
            CompletableFuture<Map<String, Long>> future = LOOKUPS.get(context.address());
            String message = Llvm.consume(error);
            if (future == null) {
                return;
            }
            if (message != null) {
                future.completeExceptionally(new IllegalStateException(message));
                return;
            }
            Map<String, Long> addresses = new HashMap<>();
            for (long i = 0; i < count; i++) {
                LLVMOrcCSymbolMapPair pair = result.getPointer(i);
                addresses.put(LLVM.LLVMOrcSymbolStringPoolEntryStr(pair.Name()).getString(), pair.Sym().Address());
            }
            future.complete(addresses);
        }
    }

    /** Logs errors the execution session reports outside any call, and consumes them. */
    private static final class ErrorReporter extends LLVMOrcErrorReporterFunction {
        @Override
        public void call(Pointer context, LLVMErrorRef error) {
            String message = Llvm.consume(error);
            if (message != null) {
                LOGGER.log(System.Logger.Level.DEBUG, "ORC reported: " + message);
            }
        }
    }
}
