package io.predicator.orc.internal.llvm;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMDiagnosticHandler;
import org.bytedeco.llvm.LLVM.LLVMDiagnosticInfoRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the errors LLVM reports through an {@code LLVMContext}'s diagnostic handler on the current thread.
 *
 * <p>Installing a handler on every context matters: without one, LLVM prints some errors (corrupt bitcode among
 * them) and exits the process.
 */
public final class Diagnostics {
    private static final ThreadLocal<List<String>> MESSAGES = ThreadLocal.withInitial(ArrayList::new);
    private static final LLVMDiagnosticHandler HANDLER = new LLVMDiagnosticHandler() {
        @Override
        public void call(LLVMDiagnosticInfoRef info, Pointer context) {
            if (LLVM.LLVMGetDiagInfoSeverity(info) == LLVM.LLVMDSError) {
                MESSAGES.get().add(Llvm.takeMessage(LLVM.LLVMGetDiagInfoDescription(info)));
            }
        }
    };

    private Diagnostics() {
    }

    /** Installs the collecting handler on a context and forgets this thread's earlier messages. */
    public static void install(LLVMContextRef context) {
        MESSAGES.get().clear();
        LLVM.LLVMContextSetDiagnosticHandler(context, HANDLER, null);
    }

    /** Returns and forgets the errors collected on this thread, joined for a message; empty if none. */
    public static String drain() {
        List<String> messages = MESSAGES.get();
        String joined = String.join("; ", messages);
        messages.clear();
        return joined;
    }
}
