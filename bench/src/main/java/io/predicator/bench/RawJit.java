package io.predicator.bench;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMErrorRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMOrcDefinitionGeneratorRef;
import org.bytedeco.llvm.LLVM.LLVMOrcJITDylibRef;
import org.bytedeco.llvm.LLVM.LLVMOrcLLJITRef;
import org.bytedeco.llvm.LLVM.LLVMOrcResourceTrackerRef;
import org.bytedeco.llvm.LLVM.LLVMOrcThreadSafeContextRef;
import org.bytedeco.llvm.LLVM.LLVMPassBuilderOptionsRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The floor the backend is measured against: the LLVM-C steps of a load, hand-coded with nothing around them — no
 * ELF parsing, resolvers, per-plugin JITDylibs, arenas, guards, events or statistics.
 *
 * <p>Two recipes. {@link Recipe#SAME_STEPS} makes the LLVM-C calls the backend makes: parse into a fresh context,
 * verify, retarget to the host CPU, {@code default<On>}, emit an object with a pooled target machine, add the object
 * to the LLJIT, look the symbol up. {@link Recipe#MINIMAL} skips verification and retargeting. And
 * {@link Recipe#LLJIT_DEFAULT} hands the parsed module to LLJIT as it is (code generation at LLJIT's default level,
 * no IR optimisation), the "single-threaded default" of the large-plugin goal. Code goes into the main JITDylib,
 * which searches the process for imports; compilation runs outside a lock, linking and lookups under it.
 */
@SuppressWarnings("restricted") // the floor calls JIT'd code through raw downcalls
final class RawJit implements AutoCloseable {
    /** Which LLVM-C steps a load makes. */
    enum Recipe {
        SAME_STEPS, MINIMAL, LLJIT_DEFAULT
    }

    /** A loaded module: the resource tracker that owns its code, and a raw downcall handle to the function. */
    record Loaded(LLVMOrcResourceTrackerRef tracker, MethodHandle function) {
    }

    private static final String HOST_TRIPLE;
    private static final String HOST_CPU;
    private static final String HOST_FEATURES;

    static {
        Loader.load(LLVM.class);
        if (LLVM.LLVMInitializeNativeTarget() != 0 || LLVM.LLVMInitializeNativeAsmPrinter() != 0
                || LLVM.LLVMInitializeNativeAsmParser() != 0) {
            throw new ExceptionInInitializerError("LLVM has no code generator for this host");
        }
        HOST_TRIPLE = message(LLVM.LLVMGetDefaultTargetTriple());
        HOST_CPU = message(LLVM.LLVMGetHostCPUName());
        HOST_FEATURES = message(LLVM.LLVMGetHostCPUFeatures());
    }

    private final int level;
    private final LLVMOrcLLJITRef jit = new LLVMOrcLLJITRef();
    private final LLVMOrcJITDylibRef main;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedDeque<LLVMTargetMachineRef> machines = new ConcurrentLinkedDeque<>();

    /**
     * Creates an LLJIT whose main JITDylib resolves imports from the process.
     *
     * @param level the optimisation level of the {@code default<On>} pipeline and the code generator
     */
    RawJit(int level) {
        this.level = level;
        check(LLVM.LLVMOrcCreateLLJIT(jit, LLVM.LLVMOrcCreateLLJITBuilder()), "creating the LLJIT");
        main = LLVM.LLVMOrcLLJITGetMainJITDylib(jit);
        LLVMOrcDefinitionGeneratorRef generator = new LLVMOrcDefinitionGeneratorRef();
        check(LLVM.LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(generator,
                LLVM.LLVMOrcLLJITGetGlobalPrefix(jit), null, null), "creating the process symbol generator");
        LLVM.LLVMOrcJITDylibAddGenerator(main, generator);
    }

    /** Returns the host CPU's name as LLVM sees it, e.g. {@code znver3}. */
    static String hostCpu() {
        return HOST_CPU;
    }

    /** Returns the LLVM version, e.g. {@code 20.1.7}. */
    static String llvmVersion() {
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] patch = new int[1];
        LLVM.LLVMGetVersion(major, minor, patch);
        return major[0] + "." + minor[0] + "." + patch[0];
    }

    /**
     * Loads IR text or bitcode and returns a downcall handle to one of its functions.
     *
     * @param content the module
     * @param symbol the function to look up
     * @param descriptor its C signature
     * @param recipe which steps to take
     * @return the loaded module; {@link #unload(Loaded)} it
     */
    Loaded load(byte[] content, String symbol, FunctionDescriptor descriptor, Recipe recipe) {
        LLVMOrcResourceTrackerRef tracker = LLVM.LLVMOrcJITDylibCreateResourceTracker(main);
        if (recipe == Recipe.LLJIT_DEFAULT) {
            LLVMOrcThreadSafeContextRef context = LLVM.LLVMOrcCreateNewThreadSafeContext();
            LLVMModuleRef module = parse(LLVM.LLVMOrcThreadSafeContextGetContext(context), content);
            lock.lock();
            try {
                check(LLVM.LLVMOrcLLJITAddLLVMIRModuleWithRT(jit, tracker,
                        LLVM.LLVMOrcCreateNewThreadSafeModule(module, context)), "adding the module");
                LLVM.LLVMOrcDisposeThreadSafeContext(context); // the module keeps the context alive
                return new Loaded(tracker, downcall(lookup(symbol), descriptor));
            } finally {
                lock.unlock();
            }
        }
        LLVMMemoryBufferRef object = compile(content, recipe == Recipe.SAME_STEPS);
        lock.lock();
        try {
            check(LLVM.LLVMOrcLLJITAddObjectFileWithRT(jit, tracker, object), "adding the object");
            return new Loaded(tracker, downcall(lookup(symbol), descriptor));
        } finally {
            lock.unlock();
        }
    }

    /** Removes a loaded module's code and forgets the names it interned. */
    void unload(Loaded loaded) {
        lock.lock();
        try {
            check(LLVM.LLVMOrcResourceTrackerRemove(loaded.tracker()), "removing the module");
            LLVM.LLVMOrcReleaseResourceTracker(loaded.tracker());
            LLVM.LLVMOrcSymbolStringPoolClearDeadEntries(LLVM.LLVMOrcExecutionSessionGetSymbolStringPool(
                    LLVM.LLVMOrcLLJITGetExecutionSession(jit)));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        LLVMTargetMachineRef machine;
        while ((machine = machines.pollFirst()) != null) {
            LLVM.LLVMDisposeTargetMachine(machine);
        }
        check(LLVM.LLVMOrcDisposeLLJIT(jit), "disposing the LLJIT");
    }

    private LLVMMemoryBufferRef compile(byte[] content, boolean sameSteps) {
        LLVMContextRef context = LLVM.LLVMContextCreate();
        LLVMTargetMachineRef machine = machines.pollFirst();
        if (machine == null) {
            machine = createMachine();
        }
        try {
            LLVMModuleRef module = parse(context, content);
            try {
                if (sameSteps) {
                    BytePointer message = new BytePointer();
                    if (LLVM.LLVMVerifyModule(module, LLVM.LLVMReturnStatusAction, message) != 0) {
                        throw new IllegalStateException("invalid IR: " + message(message));
                    }
                    message(message);
                    retarget(context, module, machine);
                }
                LLVMPassBuilderOptionsRef options = LLVM.LLVMCreatePassBuilderOptions();
                try {
                    check(LLVM.LLVMRunPasses(module, "default<O" + level + ">", machine, options), "optimising");
                } finally {
                    LLVM.LLVMDisposePassBuilderOptions(options);
                }
                LLVMMemoryBufferRef object = new LLVMMemoryBufferRef();
                BytePointer error = new BytePointer();
                if (LLVM.LLVMTargetMachineEmitToMemoryBuffer(machine, module, LLVM.LLVMObjectFile, error, object) != 0) {
                    throw new IllegalStateException("code generation failed: " + message(error));
                }
                return object;
            } finally {
                LLVM.LLVMDisposeModule(module);
            }
        } finally {
            machines.addFirst(machine);
            LLVM.LLVMContextDispose(context);
        }
    }

    private static LLVMModuleRef parse(LLVMContextRef context, byte[] content) {
        LLVMMemoryBufferRef buffer;
        try (BytePointer data = new BytePointer(content); BytePointer name = new BytePointer("module")) {
            buffer = LLVM.LLVMCreateMemoryBufferWithMemoryRangeCopy(data, content.length, name);
        }
        LLVMModuleRef module = new LLVMModuleRef();
        BytePointer error = new BytePointer();
        if (LLVM.LLVMParseIRInContext(context, buffer, module, error) != 0) {
            throw new IllegalStateException("cannot parse: " + message(error));
        }
        return module;
    }

    /** Points the module and its functions at the host, as the backend does. */
    private static void retarget(LLVMContextRef context, LLVMModuleRef module, LLVMTargetMachineRef machine) {
        LLVM.LLVMSetTarget(module, HOST_TRIPLE);
        LLVMTargetDataRef layout = LLVM.LLVMCreateTargetDataLayout(machine);
        LLVM.LLVMSetModuleDataLayout(module, layout);
        LLVM.LLVMDisposeTargetData(layout);
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); function != null && !function.isNull();
             function = LLVM.LLVMGetNextFunction(function)) {
            if (LLVM.LLVMIsDeclaration(function) != 0) {
                continue;
            }
            setAttribute(context, function, "target-cpu", HOST_CPU);
            setAttribute(context, function, "target-features", HOST_FEATURES);
            LLVM.LLVMRemoveStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, "tune-cpu", "tune-cpu".length());
        }
    }

    private static void setAttribute(LLVMContextRef context, LLVMValueRef function, String key, String value) {
        LLVM.LLVMRemoveStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, key, key.length());
        LLVM.LLVMAddAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex,
                LLVM.LLVMCreateStringAttribute(context, key, key.length(), value, value.length()));
    }

    private LLVMTargetMachineRef createMachine() {
        LLVMTargetRef target = new LLVMTargetRef();
        BytePointer error = new BytePointer();
        try (BytePointer triple = new BytePointer(HOST_TRIPLE)) {
            if (LLVM.LLVMGetTargetFromTriple(triple, target, error) != 0) {
                throw new IllegalStateException("no target for " + HOST_TRIPLE + ": " + message(error));
            }
        }
        int codeGenLevel = switch (level) {
            case 0 -> LLVM.LLVMCodeGenLevelNone;
            case 1 -> LLVM.LLVMCodeGenLevelLess;
            case 2 -> LLVM.LLVMCodeGenLevelDefault;
            default -> LLVM.LLVMCodeGenLevelAggressive;
        };
        return LLVM.LLVMCreateTargetMachine(target, HOST_TRIPLE, HOST_CPU, HOST_FEATURES, codeGenLevel,
                LLVM.LLVMRelocPIC, LLVM.LLVMCodeModelSmall);
    }

    private long lookup(String symbol) {
        try (LongPointer address = new LongPointer(1)) {
            check(LLVM.LLVMOrcLLJITLookup(jit, address, symbol), "looking up " + symbol);
            return address.get();
        }
    }

    private static MethodHandle downcall(long address, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(address), descriptor);
    }

    private static void check(LLVMErrorRef error, String what) {
        if (error != null && !error.isNull()) {
            BytePointer message = LLVM.LLVMGetErrorMessage(error);
            String text = message.getString();
            LLVM.LLVMDisposeErrorMessage(message);
            throw new IllegalStateException("LLVM failed " + what + ": " + text);
        }
    }

    private static String message(BytePointer message) {
        if (message == null || message.isNull()) {
            return "";
        }
        String text = message.getString();
        LLVM.LLVMDisposeMessage(message);
        return text;
    }
}
