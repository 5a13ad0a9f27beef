package io.predicator.orc.internal.pipeline;

import io.predicator.orc.internal.runtime.CodeRanges;
import io.predicator.orc.internal.runtime.Containment;
import org.bytedeco.llvm.LLVM.LLVMOrcJITDylibRef;
import org.bytedeco.llvm.LLVM.LLVMOrcResourceTrackerRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A plugin's code in the JIT, and the owner of its native handles: the JITDylib {@link JitLinker} gave it and
 * every resource tracker created in it, registered the moment they are created (one for the code linked at load,
 * one more per piece compiled on first use).
 *
 * <p>It also registers the address ranges of its code with the runtime's {@link CodeRanges}, the only code in
 * which a call may be stopped, and can {@linkplain #stopCalls() stop} the calls running it.
 *
 * <p>{@link #close()} first forgets the code ranges, then removes the trackers in reverse order of creation, which
 * frees the code and data, and gives the JITDylib back to the linker for reuse; it is idempotent, and does nothing
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
        linker.release(dylib, trackers);
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
