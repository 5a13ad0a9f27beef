package io.predicator.orc.internal.pipeline;

import io.predicator.orc.internal.llvm.NativeScope;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;

/**
 * An LLVM module in a context of its own, both owned from their creation: what {@link ParseStage} produces and the
 * check, optimise and emit stages work on. Closing it disposes the module, then its context; it is idempotent.
 * Confined to the thread that parsed it.
 */
public final class ParsedModule implements AutoCloseable {
    private final String name;
    private final NativeScope scope;
    private final LLVMContextRef context;
    private final LLVMModuleRef module;

    ParsedModule(String name, NativeScope scope, LLVMContextRef context, LLVMModuleRef module) {
        this.name = name;
        this.scope = scope;
        this.context = context;
        this.module = module;
    }

    /** Returns the source's name, for messages. */
    public String name() {
        return name;
    }

    /** Returns the context the module lives in. */
    public LLVMContextRef context() {
        return context;
    }

    /** Returns the module. */
    public LLVMModuleRef module() {
        return module;
    }

    @Override
    public void close() {
        scope.close();
    }
}
