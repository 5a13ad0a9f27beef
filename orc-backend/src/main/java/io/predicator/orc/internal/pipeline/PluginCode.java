package io.predicator.orc.internal.pipeline;

import io.predicator.orc.internal.runtime.CodeRanges;
import io.predicator.orc.internal.runtime.Containment;
import io.predicator.orc.internal.runtime.ImportGates;
import org.bytedeco.llvm.LLVM.LLVMOrcJITDylibRef;
import org.bytedeco.llvm.LLVM.LLVMOrcResourceTrackerRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A plugin's code in the JIT, and the owner of its native handles: the JITDylib {@link JitLinker} gave it and
 * every resource tracker created in it, registered the moment they are created (one for the code linked at load,
 * one more per piece compiled on first use).
 *
 * <p>It also registers the address ranges of its code with the runtime's {@link CodeRanges}, the only code in
 * which a call may be stopped, and can {@linkplain #stopCalls() stop} the calls running it; and it owns the
 * {@link ImportGates} through which its code calls the functions it imports.
 *
 * <p>{@link #close()} first forgets the code ranges, then removes the trackers in reverse order of creation, which
 * frees the code and data, then frees the gates, and gives the JITDylib back to the linker for reuse; it is idempotent, and does nothing
 * native once the linker has disposed the LLJIT, which freed everything. The linker's lock guards all of it.
 */
public final class PluginCode implements AutoCloseable {
    private final JitLinker linker;
    private final LLVMOrcJITDylibRef dylib;
    private final List<LLVMOrcResourceTrackerRef> trackers = new ArrayList<>();
    private volatile Map<String, Long> addresses = Map.of();
    private final long owner = CodeRanges.newOwner();
    private boolean registered;
    private boolean closed;
    /** Each set of gates: its address and how many functions it gates. */
    private final List<long[]> gates = new ArrayList<>();

    PluginCode(JitLinker linker, LLVMOrcJITDylibRef dylib) {
        this.linker = linker;
        this.dylib = dylib;
    }

    /** Returns the addresses of the exports linked at load. */
    public Map<String, Long> addresses() {
        return addresses;
    }

    /** Removes the plugin's code from the JIT; does nothing the second time. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (registered) {
            Containment.get().codeRanges().remove(owner);
        }
        linker.release(this, dylib, trackers);
        ImportGates importGates = Containment.get().importGates();
        for (long[] set : gates) {
            importGates.free(set[0], (int) set[1]);
        }
        gates.clear();
    }

    /**
     * Puts a gate of this code's own in place of each import that the code only calls (see {@link ImportGates}),
     * except the functions the runtime serves; called under the linker's lock, before the imports are defined.
     *
     * @param imports the imports' addresses
     * @param calledOnly the imports no object takes the address of
     * @return the addresses to define: a gate's where there is one, else the import's own
     */
    Map<String, Long> gate(Map<String, Long> imports, Set<String> calledOnly) {
        Map<String, Long> served = Containment.get().servedSymbols();
        List<String> gated = new ArrayList<>();
        for (Map.Entry<String, Long> entry : imports.entrySet()) {
            if (calledOnly.contains(entry.getKey()) && !served.containsKey(entry.getKey())) {
                gated.add(entry.getKey());
            }
        }
        if (gated.isEmpty()) {
            return imports;
        }
        long[] functions = gated.stream().mapToLong(imports::get).toArray();
        long set = Containment.get().importGates().create(functions);
        gates.add(new long[] {set, functions.length});
        Map<String, Long> defined = new LinkedHashMap<>(imports);
        for (int i = 0; i < gated.size(); i++) {
            defined.put(gated.get(i), ImportGates.gate(set, i));
        }
        return defined;
    }

    /**
     * Stops the calls that run this code: each ends with {@code INTERRUPTED} at the watchdog's next tick while its
     * thread is in this code. For an unload whose calls did not drain in time.
     */
    public void stopCalls() {
        synchronized (this) {
            if (!registered || closed) {
                return;
            }
        }
        Containment.get().codeRanges().stopCalls(owner);
    }

    /** Registers the ranges of newly linked code; called under the linker's lock. */
    void addCode(long[] ranges) {
        if (ranges.length == 0) {
            return;
        }
        Containment.get().codeRanges().add(owner, ranges);
        synchronized (this) {
            registered = true;
        }
    }

    LLVMOrcJITDylibRef dylib() {
        return dylib;
    }

    void addresses(Map<String, Long> linked) {
        this.addresses = Map.copyOf(linked);
    }

    /** Creates a tracker in the JITDylib, owned by this object from now on; called under the linker's lock. */
    LLVMOrcResourceTrackerRef newTracker() {
        LLVMOrcResourceTrackerRef tracker = linker.createTracker(dylib);
        trackers.add(tracker);
        return tracker;
    }

    /** Removes a tracker whose piece failed to link; called under the linker's lock. */
    void drop(LLVMOrcResourceTrackerRef tracker) {
        trackers.remove(tracker);
        linker.releaseTracker(tracker);
    }

    synchronized void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the plugin's code has been removed from the JIT");
        }
    }
}
