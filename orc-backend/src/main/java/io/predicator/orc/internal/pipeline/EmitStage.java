package io.predicator.orc.internal.pipeline;

import io.predicator.CompilationException;
import io.predicator.orc.internal.llvm.Diagnostics;
import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.orc.internal.llvm.NativeScope;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.global.LLVM;

/**
 * Stage "emit": generates the host's ELF object code for an optimised module, as plain bytes. Past this stage
 * nothing refers to LLVM's in-memory IR, which is what lets parse through emit run anywhere, even in another
 * process.
 */
public final class EmitStage {
    /** Creates the stage; it has no state. */
    public EmitStage() {
    }

    /**
     * Generates code.
     *
     * @param parsed the optimised module
     * @param machine the target machine {@link OptimizeStage} used
     * @return the ELF relocatable object
     */
    public byte[] apply(ParsedModule parsed, LLVMTargetMachineRef machine) {
        String sourceName = parsed.name();
        try (NativeScope scope = new NativeScope()) {
            LLVMMemoryBufferRef emitted = new LLVMMemoryBufferRef();
            BytePointer error = new BytePointer();
            if (LLVM.LLVMTargetMachineEmitToMemoryBuffer(machine, parsed.module(), LLVM.LLVMObjectFile, error,
                    emitted) != 0) {
                String message = Llvm.takeMessage(error);
                String diagnostics = Diagnostics.drain();
                throw new CompilationException("Generating code for plugin '" + sourceName + "' failed: " + message
                        + (diagnostics.isEmpty() ? "" : " (" + diagnostics + ")"));
            }
            LLVMMemoryBufferRef buffer = scope.buffer(emitted);
            failOnDiagnostics(sourceName, "Generating code for");
            long size = LLVM.LLVMGetBufferSize(buffer);
            CheckStage.objectSize(sourceName, size);
            byte[] object = new byte[(int) size];
            LLVM.LLVMGetBufferStart(buffer).capacity(size).get(object);
            return object;
        }
    }

    static void failOnDiagnostics(String sourceName, String step) {
        String diagnostics = Diagnostics.drain();
        if (!diagnostics.isEmpty()) {
            throw new CompilationException(step + " plugin '" + sourceName + "' failed: " + diagnostics);
        }
    }
}
