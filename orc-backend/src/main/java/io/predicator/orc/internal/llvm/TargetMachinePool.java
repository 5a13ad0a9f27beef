package io.predicator.orc.internal.llvm;

import io.predicator.CompilationException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Host target machines, one per code generation in progress, and their owner: a target machine is not thread-safe,
 * so each compiling thread {@linkplain #borrow borrows} one and returns it by closing the lease. Idle machines are
 * kept per optimisation level and disposed with the pool; a machine still lent when the pool closes is disposed
 * when its lease is closed, so that no thread's code generation loses its machine.
 */
public final class TargetMachinePool implements AutoCloseable {
    private final List<ConcurrentLinkedDeque<LLVMTargetMachineRef>> idle = new ArrayList<>();
    private volatile boolean closed;

    /** A borrowed machine; closing the lease gives it back, once. */
    public final class Lease implements AutoCloseable {
        private final int level;
        private LLVMTargetMachineRef machine;

        private Lease(int level, LLVMTargetMachineRef machine) {
            this.level = level;
            this.machine = machine;
        }

        /** Returns the machine; valid until the lease is closed. */
        public LLVMTargetMachineRef machine() {
            if (machine == null) {
                throw new IllegalStateException("the target machine lease is closed");
            }
            return machine;
        }

        @Override
        public void close() {
            if (machine != null) {
                release(level, machine);
                machine = null;
            }
        }
    }

    /** Creates an empty pool. */
    public TargetMachinePool() {
        for (int level = 0; level <= 3; level++) {
            idle.add(new ConcurrentLinkedDeque<>());
        }
    }

    /**
     * Lends a machine for an optimisation level, creating one if none is idle.
     *
     * @param level 0 to 3
     * @return the lease; close it to give the machine back
     */
    public Lease borrow(int level) {
        LLVMTargetMachineRef machine = idle.get(level).pollFirst();
        return new Lease(level, machine != null ? machine : create(level));
    }

    private void release(int level, LLVMTargetMachineRef machine) {
        idle.get(level).addFirst(machine);
        if (closed) {
            drain();
        }
    }

    @Override
    public void close() {
        closed = true;
        drain();
    }

    private void drain() {
        for (ConcurrentLinkedDeque<LLVMTargetMachineRef> machines : idle) {
            LLVMTargetMachineRef machine;
            while ((machine = machines.pollFirst()) != null) {
                LLVM.LLVMDisposeTargetMachine(machine);
            }
        }
    }

    private static LLVMTargetMachineRef create(int level) {
        LLVMTargetRef target = new LLVMTargetRef();
        BytePointer error = new BytePointer();
        try (BytePointer triple = new BytePointer(Llvm.hostTriple())) {
            if (LLVM.LLVMGetTargetFromTriple(triple, target, error) != 0) {
                throw new CompilationException("LLVM has no target for the host triple " + Llvm.hostTriple() + ": "
                        + Llvm.takeMessage(error));
            }
        }
        int codeGenLevel = switch (level) {
            case 0 -> LLVM.LLVMCodeGenLevelNone;
            case 1 -> LLVM.LLVMCodeGenLevelLess;
            case 2 -> LLVM.LLVMCodeGenLevelDefault;
            default -> LLVM.LLVMCodeGenLevelAggressive;
        };
        // PIC with the small code model: calls and data outside the plugin go through the GOT and PLT stubs
        // that JITLink builds, so the plugin may be placed anywhere in the address space.
        LLVMTargetMachineRef machine = LLVM.LLVMCreateTargetMachine(target, Llvm.hostTriple(), Llvm.hostCpu(),
                Llvm.hostFeatures(), codeGenLevel, LLVM.LLVMRelocPIC, LLVM.LLVMCodeModelSmall);
        if (machine == null || machine.isNull()) {
            throw new CompilationException("LLVM could not create a target machine for " + Llvm.hostTriple()
                    + " (" + Llvm.hostCpu() + ")");
        }
        return machine;
    }
}
