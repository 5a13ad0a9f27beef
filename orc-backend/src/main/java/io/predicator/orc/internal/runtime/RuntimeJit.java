package io.predicator.orc.internal.runtime;

import io.predicator.ConfigurationException;
import io.predicator.orc.internal.llvm.Llvm;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMOrcDefinitionGeneratorRef;
import org.bytedeco.llvm.LLVM.LLVMOrcJITDylibRef;
import org.bytedeco.llvm.LLVM.LLVMOrcLLJITRef;
import org.bytedeco.llvm.LLVM.LLVMOrcThreadSafeContextRef;
import org.bytedeco.llvm.global.LLVM;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JIT that holds the plugin runtime and the call trampolines for the life of the process.
 *
 * <p>It is never closed, on purpose: the signal handler, the thread-exit destructor and the trampolines it holds
 * are called by threads of every JIT context, and may be called until the process ends. Its main JITDylib resolves
 * the C library from the process. It only compiles code this project generates, never plugin code.
 */
final class RuntimeJit {
    private final ReentrantLock lock = new ReentrantLock();
    private final LLVMOrcLLJITRef jit = new LLVMOrcLLJITRef();
    private final LLVMOrcJITDylibRef main;

    RuntimeJit() {
        Llvm.initialize();
        check(LLVM.LLVMOrcCreateLLJIT(jit, LLVM.LLVMOrcCreateLLJITBuilder()), "creating its JIT");
        main = LLVM.LLVMOrcLLJITGetMainJITDylib(jit);
        LLVMOrcDefinitionGeneratorRef generator = new LLVMOrcDefinitionGeneratorRef();
        check(LLVM.LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(generator,
                LLVM.LLVMOrcLLJITGetGlobalPrefix(jit), null, null), "creating the process symbol generator");
        LLVM.LLVMOrcJITDylibAddGenerator(main, generator);
    }

    /**
     * Adds a module of the runtime, IR text or bitcode, to the main JITDylib.
     *
     * @param name for messages
     * @param content the module
     */
    void add(String name, byte[] content) {
        lock.lock();
        try {
            LLVMOrcThreadSafeContextRef context = LLVM.LLVMOrcCreateNewThreadSafeContext();
            try {
                LLVMModuleRef module = parse(LLVM.LLVMOrcThreadSafeContextGetContext(context), name, content);
                check(LLVM.LLVMOrcLLJITAddLLVMIRModule(jit, main, LLVM.LLVMOrcCreateNewThreadSafeModule(module, context)),
                        "adding " + name);
            } finally {
                LLVM.LLVMOrcDisposeThreadSafeContext(context); // a module added keeps the context alive
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the address of a symbol of the runtime, compiling its module on first use.
     *
     * @param symbol the symbol
     * @return its address
     */
    long lookup(String symbol) {
        lock.lock();
        try (LongPointer address = new LongPointer(1)) {
            check(LLVM.LLVMOrcLLJITLookup(jit, address, symbol), "looking up " + symbol);
            return address.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns a downcall handle for a function of the runtime.
     *
     * @param jit the runtime's JIT
     * @param symbol the function
     * @param descriptor its C signature
     * @return the handle
     */
    static MethodHandle downcall(RuntimeJit jit, String symbol, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(jit.lookup(symbol)), descriptor);
    }

    /** A downcall into the runtime, as a lambda. */
    interface Downcall<T> {
        T invoke() throws Throwable;
    }

    /**
     * Makes a downcall into the runtime: exceptions and errors pass through, and any other throwable (which a
     * handle's {@code invokeExact} declares but a runtime function never throws) becomes an exception naming it.
     *
     * @param function the runtime function, for the message
     * @param downcall the call
     * @param <T> what it returns
     * @return what the call returned
     */
    static <T> T call(String function, Downcall<T> downcall) {
        try {
            return downcall.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(function + " failed", e);
        }
    }

    private static LLVMModuleRef parse(org.bytedeco.llvm.LLVM.LLVMContextRef context, String name, byte[] content) {
        LLVMMemoryBufferRef buffer;
        try (BytePointer data = new BytePointer(content); BytePointer bufferName = new BytePointer(name)) {
            buffer = LLVM.LLVMCreateMemoryBufferWithMemoryRangeCopy(data, content.length, bufferName);
        }
        LLVMModuleRef module = new LLVMModuleRef();
        BytePointer error = new BytePointer();
        if (LLVM.LLVMParseIRInContext(context, buffer, module, error) != 0) { // takes the buffer
            throw new ConfigurationException("The plugin runtime's module " + name + " does not parse: "
                    + Llvm.takeMessage(error));
        }
        return module;
    }

    private static void check(org.bytedeco.llvm.LLVM.LLVMErrorRef error, String what) {
        Llvm.check(error, message -> new ConfigurationException("The plugin runtime failed " + what + ": " + message));
    }
}
