package io.predicator.orc.internal.pipeline;

import io.predicator.MalformedModuleException;
import io.predicator.orc.internal.llvm.Diagnostics;
import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.orc.internal.llvm.NativeScope;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.global.LLVM;

/**
 * Stage "parse": IR text or bitcode bytes become a {@link ParsedModule} in a fresh {@code LLVMContext}.
 *
 * <p>A fresh context per parse keeps types from accumulating in a long-lived context and lets any number of
 * threads parse at once. The bytes must have passed {@link CheckStage#beforeParsing} first.
 */
public final class ParseStage {
    /** Creates the stage; it has no state. */
    public ParseStage() {
    }

    /**
     * Parses a module.
     *
     * @param sourceName for messages
     * @param content IR text or bitcode (plain or wrapped)
     * @return the module, owned by the caller
     * @throws MalformedModuleException if LLVM cannot parse it
     */
    public ParsedModule apply(String sourceName, byte[] content) {
        NativeScope scope = new NativeScope();
        try {
            LLVMContextRef context = scope.context();
            LLVMMemoryBufferRef buffer = scope.copy(content, sourceName);
            LLVMModuleRef module = new LLVMModuleRef();
            BytePointer error = new BytePointer();
            // LLVMParseIRInContext reads text and bitcode (plain or wrapped) and takes the buffer. Unlike
            // LLVMParseBitcodeInContext2 it reports corrupt bitcode as an error instead of exiting the process.
            int failed = LLVM.LLVMParseIRInContext(context, scope.forget(buffer), module, error);
            if (failed != 0) {
                String message = Llvm.takeMessage(error);
                String diagnostics = Diagnostics.drain();
                throw new MalformedModuleException(sourceName, "LLVM cannot parse it: "
                        + (message.isEmpty() ? diagnostics : message));
            }
            scope.module(module);
            String diagnostics = Diagnostics.drain();
            if (!diagnostics.isEmpty()) {
                throw new MalformedModuleException(sourceName, "LLVM cannot parse it: " + diagnostics);
            }
            return new ParsedModule(sourceName, scope, context, module);
        } catch (RuntimeException | Error e) {
            scope.close();
            throw e;
        }
    }
}
