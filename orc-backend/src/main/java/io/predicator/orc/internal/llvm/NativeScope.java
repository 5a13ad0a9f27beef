package io.predicator.orc.internal.llvm;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMOrcMaterializationUnitRef;
import org.bytedeco.llvm.LLVM.LLVMPassBuilderOptionsRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The owner of short-lived LLVM handles: each handle is registered with its release function by the method that
 * creates it, so no call site disposes anything by hand.
 *
 * <p>{@link #close()} releases the handles in reverse order of creation (a module before the context it lives in),
 * each exactly once; it is idempotent, and if a release fails the others still run, the first failure is thrown
 * and the later ones are attached to it as suppressed exceptions. A handle that LLVM takes over (a memory buffer
 * given to the IR parser, a materialisation unit given to a JITDylib) is {@linkplain #forget forgotten} at that
 * moment. A scope is not thread-safe: one thread creates, uses and closes it.
 */
public final class NativeScope implements AutoCloseable {
    private final List<Owned<?>> owned = new ArrayList<>();
    private boolean closed;

    private record Owned<T extends Pointer>(T handle, Consumer<? super T> release) {
        void run() {
            release.accept(handle);
        }
    }

    /** Creates an empty scope. */
    public NativeScope() {
    }

    /**
     * Creates an LLVM context with the collecting diagnostic handler installed ({@link Diagnostics}).
     *
     * @return the context, disposed with the scope
     */
    public LLVMContextRef context() {
        LLVMContextRef context = own(LLVM.LLVMContextCreate(), LLVM::LLVMContextDispose);
        Diagnostics.install(context);
        return context;
    }

    /**
     * Takes ownership of a module LLVM created (a parse).
     *
     * @param module the module; disposed with the scope, before the context it was created in if that came first
     * @return the module
     */
    public LLVMModuleRef module(LLVMModuleRef module) {
        return own(module, LLVM::LLVMDisposeModule);
    }

    /**
     * Copies bytes into a new memory buffer; the copy is NUL-terminated, as LLVM's IR text parser requires.
     *
     * @param bytes the content
     * @param name the buffer's name, for LLVM's messages
     * @return the buffer, disposed with the scope unless it is {@linkplain #forget handed to LLVM}
     */
    public LLVMMemoryBufferRef copy(byte[] bytes, String name) {
        try (BytePointer data = new BytePointer(bytes); BytePointer label = new BytePointer(name)) {
            return own(LLVM.LLVMCreateMemoryBufferWithMemoryRangeCopy(data, bytes.length, label),
                    LLVM::LLVMDisposeMemoryBuffer);
        }
    }

    /**
     * Takes ownership of a memory buffer LLVM created (emitted code).
     *
     * @param buffer the buffer
     * @return the buffer, disposed with the scope
     */
    public LLVMMemoryBufferRef buffer(LLVMMemoryBufferRef buffer) {
        return own(buffer, LLVM::LLVMDisposeMemoryBuffer);
    }

    /**
     * Creates options for {@code LLVMRunPasses}.
     *
     * @return the options, disposed with the scope
     */
    public LLVMPassBuilderOptionsRef passBuilderOptions() {
        return own(LLVM.LLVMCreatePassBuilderOptions(), LLVM::LLVMDisposePassBuilderOptions);
    }

    /**
     * Creates the data layout of a target machine.
     *
     * @param machine the target machine
     * @return the layout, disposed with the scope
     */
    public LLVMTargetDataRef dataLayout(LLVMTargetMachineRef machine) {
        return own(LLVM.LLVMCreateTargetDataLayout(machine), LLVM::LLVMDisposeTargetData);
    }

    /**
     * Takes ownership of a materialisation unit until a JITDylib accepts it.
     *
     * @param unit the unit
     * @return the unit, disposed with the scope unless it is {@linkplain #forget forgotten} once defined
     */
    public LLVMOrcMaterializationUnitRef materializationUnit(LLVMOrcMaterializationUnitRef unit) {
        return own(unit, LLVM::LLVMOrcDisposeMaterializationUnit);
    }

    /**
     * Registers any handle with the function that releases it. The typed methods above are preferred; this is for
     * owners of other kinds of handle.
     *
     * @param handle the handle, just created
     * @param release releases it; called once, when the scope closes
     * @param <T> the handle's type
     * @return the handle
     * @throws IllegalStateException if the scope is closed (the handle is released first)
     */
    public <T extends Pointer> T own(T handle, Consumer<? super T> release) {
        if (closed) {
            release.accept(handle);
            throw new IllegalStateException("the native scope is closed");
        }
        owned.add(new Owned<>(handle, release));
        return handle;
    }

    /**
     * Stops owning a handle because LLVM took it over: the scope will not release it.
     *
     * @param handle a handle this scope owns
     * @param <T> the handle's type
     * @return the handle
     * @throws IllegalArgumentException if the scope does not own it
     */
    public <T extends Pointer> T forget(T handle) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (owned.get(i).handle() == handle) {
                owned.remove(i);
                return handle;
            }
        }
        throw new IllegalArgumentException("the native scope does not own " + handle);
    }

    /** Returns whether the scope has been closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Releases every handle in reverse order of creation; does nothing the second time. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Failures failures = new Failures();
        for (int i = owned.size() - 1; i >= 0; i--) {
            failures.run(owned.get(i)::run);
        }
        owned.clear();
        failures.rethrow();
    }
}
