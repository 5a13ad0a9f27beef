package io.predicator.orc.internal;

import io.predicator.CompilationException;
import io.predicator.MalformedModuleException;
import io.predicator.PolicyViolationException;
import io.predicator.Signature;
import io.predicator.UnsupportedModuleException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMBasicBlockRef;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMPassBuilderOptionsRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Turns LLVM IR text or bitcode into an ELF object for the host: parse into a fresh {@code LLVMContext}, verify,
 * retarget to the host CPU, run the {@code default<On>} pipeline and generate code with a borrowed target machine.
 *
 * <p>Each compilation has its own context and target machine, so any number of threads compile at once, outside
 * the JIT's lock; only linking is serialised. A fresh context per module also keeps types from accumulating in a
 * long-lived context.
 */
final class ModuleCompiler implements AutoCloseable {
    /** Modules with at least this many basic blocks are split and compiled on several threads. */
    private static final long DEFAULT_SPLIT_BLOCKS = 4_000;
    /**
     * Modules of at least this many bytes are parsed by the compile threads as soon as the load starts, in case
     * they are split: their parses then overlap this thread's instead of following it.
     */
    private static final int SPECULATIVE_PARSE_BYTES = 1 << 20;
    /** Tells compile threads that parsed speculatively that the module is not split after all. */
    private static final CancellationException NOT_SPLIT = new CancellationException("not split");

    private final TargetMachinePool machines = new TargetMachinePool();
    private final ObjectCache cache;
    private final int threads;
    private final ExecutorService workers;
    private final long splitBlocks = Long.getLong("predicator.orc.splitBlocks", DEFAULT_SPLIT_BLOCKS);

    /**
     * Creates a compiler.
     *
     * @param cacheDirectory where to keep compiled objects across loads and processes, if anywhere
     * @param threads how many threads may compile one large module
     */
    ModuleCompiler(Optional<Path> cacheDirectory, int threads) {
        this.cache = cacheDirectory.map(ObjectCache::new).orElse(null);
        this.threads = threads;
        this.workers = threads < 2 ? null : Executors.newFixedThreadPool(threads - 1, Thread.ofPlatform()
                .name("predicator-compile-", 1).daemon().factory());
    }

    /**
     * The object code of a module, the signatures of the functions it defines, and where it uses inline assembly
     * (null if it does not).
     */
    record Output(List<byte[]> objects, Map<String, Signature> signatures, String inlineAssembly) {
    }

    /**
     * What a load asks of the compiler.
     *
     * @param level the optimisation level, 0 to 3: the IR pipeline {@code default<On>} and the code generator's level
     * @param optimizeIr false for a module that was optimised when it was built: code generation only
     * @param allowInlineAssembly false to refuse modules with inline assembly before generating any code
     * @param untrustedBitcode true to read bitcode in a separate process first ({@link BitcodeSandbox})
     */
    record Request(int level, boolean optimizeIr, boolean allowInlineAssembly, boolean untrustedBitcode) {
    }

    /**
     * Compiles a module.
     *
     * @param sourceName for messages
     * @param content IR text or bitcode
     * @param request the optimisation and the inline-assembly policy
     * @param timings receives the time spent in each step
     * @return the object and what was learnt about the module
     */
    Output compile(String sourceName, byte[] content, Request request, LoadTimings timings) {
        String key = cache == null ? null : cache.key(content, request.level(), request.optimizeIr());
        if (cache != null) {
            Optional<Output> cached = cache.read(key);
            if (cached.isPresent()) {
                timings.cacheHit = true;
                checkPolicy(sourceName, cached.get().inlineAssembly(), request.allowInlineAssembly());
                return cached.get();
            }
        }
        Output output = compileNow(sourceName, content, request, timings);
        if (cache != null) {
            cache.write(key, output);
        }
        return output;
    }

    /**
     * Parses, verifies and checks a module to be compiled on first use, and analyses which of its definitions
     * reference which; generates no code.
     *
     * @return the analysed module, or empty if it is to be compiled whole: its whole object is in the cache, or it
     *         cannot be compiled in pieces ({@link ModuleSplitter#splittableInPieces})
     */
    Optional<LazyModule> prepareLazily(String sourceName, byte[] content, Request request, LoadTimings timings) {
        String key = cache == null ? null : cache.key(content, request.level(), request.optimizeIr());
        if (cache != null && cache.contains(key)) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        checkBeforeParsing(sourceName, content, request);
        LLVMContextRef context = LLVM.LLVMContextCreate();
        try {
            Diagnostics.install(context);
            LLVMModuleRef module = parse(sourceName, context, content);
            try {
                ModuleChecks.Findings findings = checkParsed(sourceName, module, request);
                if (!ModuleSplitter.splittableInPieces(module)) {
                    return Optional.empty();
                }
                Map<String, Signature> signatures = signatures(module);
                ModuleSplitter.promoteLocals(module);
                LazyModule lazy = new LazyModule(sourceName, content, request, key, module, findings.instructions(),
                        signatures, findings.inlineAssembly() != null);
                timings.parseNanos += System.nanoTime() - start;
                return Optional.of(lazy);
            } finally {
                LLVM.LLVMDisposeModule(module);
            }
        } finally {
            LLVM.LLVMContextDispose(context);
        }
    }

    /**
     * Compiles one piece of a module compiled on first use, or reads it from the object cache: each partition
     * parses the module again and keeps the piece's share, on several threads if the piece is large.
     *
     * @return the piece's objects, one per partition
     */
    List<byte[]> compilePiece(LazyModule lazy, LazyModule.Piece piece, LoadTimings timings) {
        String key = cache == null || lazy.cacheKey() == null ? null
                : cache.pieceKey(lazy.cacheKey(), piece.functions(), piece.variables());
        if (key != null) {
            Optional<Output> cached = cache.read(key);
            if (cached.isPresent()) {
                timings.cacheHit = true;
                return cached.get().objects();
            }
        }
        List<byte[]> objects = compilePieceNow(lazy, piece, timings);
        if (key != null) {
            cache.write(key, new Output(objects, Map.of(), null));
        }
        return objects;
    }

    private List<byte[]> compilePieceNow(LazyModule lazy, LazyModule.Piece piece, LoadTimings timings) {
        int partitions = workers != null && piece.blocks() >= splitBlocks ? threads : 1;
        CompletableFuture<ModuleSplitter.Plan> plan = CompletableFuture.completedFuture(ModuleSplitter.planPiece(
                lazy.instructions(), piece.functions(), piece.variables(), partitions));
        String name = lazy.sourceName() + " (piece " + piece.number() + ")";
        List<Future<byte[]>> others = new ArrayList<>();
        for (int partition = 1; partition < partitions; partition++) {
            int index = partition;
            others.add(workers.submit(() -> compilePartition(name, lazy.content(), plan, index, lazy.request(),
                    timings)));
        }
        try {
            List<byte[]> objects = new ArrayList<>();
            objects.add(compilePartition(name, lazy.content(), plan, 0, lazy.request(), timings));
            objects.addAll(collect(lazy.sourceName(), others));
            return objects;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompilationException("Interrupted while compiling plugin '" + lazy.sourceName() + "'");
        } finally {
            others.forEach(partition -> partition.cancel(false));
        }
    }

    /** What must refuse a parsed module before anything transforms it: invalid IR, another target, policy. */
    private static ModuleChecks.Findings checkParsed(String sourceName, LLVMModuleRef module, Request request) {
        verify(sourceName, module);
        checkTarget(sourceName, module);
        ModuleChecks.Findings findings = ModuleChecks.check(sourceName, module);
        checkPolicy(sourceName, findings.inlineAssembly(), request.allowInlineAssembly());
        return findings;
    }

    /** What must refuse a module before any LLVM parser sees it, on this thread or a compile thread. */
    private static void checkBeforeParsing(String sourceName, byte[] content, Request request) {
        if (!isBitcode(content)) {
            ModuleChecks.checkTextNesting(sourceName, content);
        } else if (request.untrustedBitcode()) {
            BitcodeSandbox.check(sourceName, content);
        }
    }

    private Output compileNow(String sourceName, byte[] content, Request request, LoadTimings timings) {
        long start = System.nanoTime();
        checkBeforeParsing(sourceName, content, request);
        CompletableFuture<ModuleSplitter.Plan> plan = new CompletableFuture<>();
        List<Future<byte[]>> partitions = List.of();
        LLVMContextRef context = null;
        try {
            if (workers != null && content.length >= SPECULATIVE_PARSE_BYTES) {
                partitions = startPartitions(sourceName, content, plan, request, timings);
            }
            context = LLVM.LLVMContextCreate();
            Diagnostics.install(context);
            LLVMModuleRef module = parse(sourceName, context, content);
            try {
                ModuleChecks.Findings findings = checkParsed(sourceName, module, request);
                String inlineAssembly = findings.inlineAssembly();
                Map<String, Signature> signatures = signatures(module);
                timings.parseNanos += System.nanoTime() - start;
                if (workers != null && ModuleSplitter.splittable(module) && ModuleSplitter.size(module) >= splitBlocks) {
                    if (partitions.isEmpty()) {
                        partitions = startPartitions(sourceName, content, plan, request, timings);
                    }
                    return new Output(compileInParallel(sourceName, context, module, findings.instructions(), plan,
                            partitions, request, timings), signatures, inlineAssembly);
                }
                plan.completeExceptionally(NOT_SPLIT); // frees the compile threads' parses before compiling
                return new Output(List.of(optimizeAndEmit(sourceName, context, module, request, timings)), signatures,
                        inlineAssembly);
            } finally {
                LLVM.LLVMDisposeModule(module);
            }
        } finally {
            plan.completeExceptionally(NOT_SPLIT); // no effect once the plan is made
            partitions.forEach(partition -> partition.cancel(false));
            if (context != null) {
                LLVM.LLVMContextDispose(context);
            }
        }
    }

    private byte[] optimizeAndEmit(String sourceName, LLVMContextRef context, LLVMModuleRef module, Request request,
                                   LoadTimings timings) {
        int level = request.level();
        LLVMTargetMachineRef machine = machines.acquire(level);
        try {
            long start = System.nanoTime();
            retarget(sourceName, context, module, machine);
            long optimized = start;
            if (request.optimizeIr()) {
                optimize(sourceName, module, machine, level);
                optimized = System.nanoTime();
            }
            byte[] object = emit(sourceName, module, machine);
            synchronized (timings) {
                timings.optimizeNanos += optimized - start; // retargeting counts as optimising, if it happens
                timings.codegenNanos += System.nanoTime() - optimized;
            }
            return object;
        } finally {
            machines.release(level, machine);
        }
    }

    /**
     * Starts the compile threads on partitions 1 and up: each parses the module itself, then waits for the plan.
     */
    private List<Future<byte[]>> startPartitions(String sourceName, byte[] content,
                                                 CompletableFuture<ModuleSplitter.Plan> plan, Request request,
                                                 LoadTimings timings) {
        List<Future<byte[]>> partitions = new ArrayList<>();
        for (int partition = 1; partition < threads; partition++) {
            int index = partition;
            partitions.add(workers.submit(() -> compilePartition(sourceName, content, plan, index, request, timings)));
        }
        return partitions;
    }

    /**
     * Splits a large module into one partition per thread and optimises and compiles them at once: this thread
     * makes the plan, reduces the module it parsed and verified to partition 0 and compiles it, while the compile
     * threads, which parsed the same content, do the same with theirs.
     */
    private List<byte[]> compileInParallel(String sourceName, LLVMContextRef context, LLVMModuleRef module,
                                           int[] instructions, CompletableFuture<ModuleSplitter.Plan> plan,
                                           List<Future<byte[]>> partitions, Request request, LoadTimings timings) {
        ModuleSplitter.promoteLocals(module);
        ModuleSplitter.Plan made = ModuleSplitter.plan(instructions, threads);
        plan.complete(made);
        ModuleSplitter.keep(module, made, 0);
        verify(sourceName + " (part 0)", module);
        List<byte[]> objects = new ArrayList<>();
        objects.add(optimizeAndEmit(sourceName, context, module, request, timings));
        try {
            objects.addAll(collect(sourceName, partitions));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompilationException("Interrupted while compiling plugin '" + sourceName + "'");
        }
        return objects;
    }

    /** Waits for the compile threads' partitions; rethrows what failed one as it was thrown. */
    private static List<byte[]> collect(String sourceName, List<Future<byte[]>> partitions)
            throws InterruptedException {
        List<byte[]> objects = new ArrayList<>();
        try {
            for (Future<byte[]> partition : partitions) {
                objects.add(partition.get());
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new CompilationException("Compiling a part of plugin '" + sourceName + "' failed: " + e.getCause());
        }
        return objects;
    }

    /**
     * Parses the module, waits for the plan (which comes only once the loading thread has verified and checked its
     * own parse of the same content), then compiles its partition; returns null if the module is not split.
     */
    private byte[] compilePartition(String sourceName, byte[] content, CompletableFuture<ModuleSplitter.Plan> plan,
                                    int partition, Request request, LoadTimings timings) throws InterruptedException {
        LLVMContextRef context = LLVM.LLVMContextCreate();
        try {
            Diagnostics.install(context);
            LLVMModuleRef module;
            try {
                module = parse(sourceName, context, content);
            } catch (RuntimeException e) {
                if (plan.isCompletedExceptionally()) {
                    return null;
                }
                throw e;
            }
            try {
                ModuleSplitter.Plan made;
                try {
                    made = plan.get();
                } catch (ExecutionException | CancellationException notSplit) {
                    return null;
                }
                ModuleSplitter.promoteLocals(module);
                ModuleSplitter.keep(module, made, partition);
                verify(sourceName + " (part " + partition + ")", module); // a split must never reach codegen broken
                return optimizeAndEmit(sourceName, context, module, request, timings);
            } finally {
                LLVM.LLVMDisposeModule(module);
            }
        } finally {
            LLVM.LLVMContextDispose(context);
        }
    }

    private static boolean isBitcode(byte[] content) {
        return content.length >= 4 && ((content[0] == 'B' && content[1] == 'C')
                || (content[0] == (byte) 0xDE && content[1] == (byte) 0xC0 && content[2] == 0x17 && content[3] == 0x0B));
    }

    private static void checkPolicy(String sourceName, String inlineAssembly, boolean allowInlineAssembly) {
        if (inlineAssembly != null && !allowInlineAssembly) {
            throw new PolicyViolationException(sourceName, "it contains inline assembly (" + inlineAssembly
                    + "), which can make system calls no resolver sees; load it with "
                    + "LoadOptions.builder().trustInlineAssembly(true) only if you trust it");
        }
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
        machines.close();
    }

    private static LLVMModuleRef parse(String sourceName, LLVMContextRef context, byte[] content) {
        LLVMMemoryBufferRef buffer;
        try (BytePointer data = new BytePointer(content); BytePointer name = new BytePointer(sourceName)) {
            // The copy is NUL-terminated, as the IR text parser requires.
            buffer = LLVM.LLVMCreateMemoryBufferWithMemoryRangeCopy(data, content.length, name);
        }
        LLVMModuleRef module = new LLVMModuleRef();
        BytePointer error = new BytePointer();
        // LLVMParseIRInContext reads text and bitcode (plain or wrapped) and takes the buffer. Unlike
        // LLVMParseBitcodeInContext2 it reports corrupt bitcode as an error instead of exiting the process.
        if (LLVM.LLVMParseIRInContext(context, buffer, module, error) != 0) {
            String message = Llvm.takeMessage(error);
            String diagnostics = Diagnostics.drain();
            throw new MalformedModuleException(sourceName, "LLVM cannot parse it: "
                    + (message.isEmpty() ? diagnostics : message));
        }
        String diagnostics = Diagnostics.drain();
        if (!diagnostics.isEmpty()) {
            LLVM.LLVMDisposeModule(module);
            throw new MalformedModuleException(sourceName, "LLVM cannot parse it: " + diagnostics);
        }
        return module;
    }

    private static void verify(String sourceName, LLVMModuleRef module) {
        BytePointer message = new BytePointer();
        if (LLVM.LLVMVerifyModule(module, LLVM.LLVMReturnStatusAction, message) != 0) {
            throw new MalformedModuleException(sourceName, "the IR is invalid: " + Llvm.takeMessage(message).strip());
        }
        Llvm.takeMessage(message);
    }

    private static void checkTarget(String sourceName, LLVMModuleRef module) {
        BytePointer triplePointer = LLVM.LLVMGetTarget(module);
        String triple = triplePointer == null || triplePointer.isNull() ? "" : triplePointer.getString();
        if (triple.isEmpty()) {
            return;
        }
        String arch = triple.substring(0, triple.indexOf('-') < 0 ? triple.length() : triple.indexOf('-'));
        String hostArch = Llvm.hostTriple().substring(0, Llvm.hostTriple().indexOf('-'));
        if (!normalizeArch(arch).equals(normalizeArch(hostArch))) {
            throw new MalformedModuleException(sourceName, "the module targets " + triple + " but this host is "
                    + Llvm.hostTriple() + "; compile the plugin for " + hostArch + " or without a target triple");
        }
    }

    private static String normalizeArch(String arch) {
        return arch.equals("amd64") || arch.equals("x86-64") ? "x86_64" : arch;
    }

    private static Map<String, Signature> signatures(LLVMModuleRef module) {
        Map<String, Signature> signatures = new HashMap<>();
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            if (LLVM.LLVMIsDeclaration(function) != 0) {
                continue;
            }
            int linkage = LLVM.LLVMGetLinkage(function);
            if (linkage == LLVM.LLVMInternalLinkage || linkage == LLVM.LLVMPrivateLinkage) {
                continue;
            }
            signatures.put(Llvm.name(function), signature(LLVM.LLVMGlobalGetValueType(function)));
        }
        return signatures;
    }

    private static Signature signature(LLVMTypeRef functionType) {
        int count = LLVM.LLVMCountParamTypes(functionType);
        List<String> parameters = new ArrayList<>(count);
        if (count > 0) {
            try (PointerPointer<LLVMTypeRef> types = new PointerPointer<>(count)) {
                LLVM.LLVMGetParamTypes(functionType, types);
                for (int i = 0; i < count; i++) {
                    parameters.add(typeName(types.get(LLVMTypeRef.class, i)));
                }
            }
        }
        return new Signature(typeName(LLVM.LLVMGetReturnType(functionType)), parameters,
                LLVM.LLVMIsFunctionVarArg(functionType) != 0);
    }

    private static String typeName(LLVMTypeRef type) {
        return switch (LLVM.LLVMGetTypeKind(type)) {
            case LLVM.LLVMVoidTypeKind -> "void";
            case LLVM.LLVMFloatTypeKind -> "float";
            case LLVM.LLVMDoubleTypeKind -> "double";
            case LLVM.LLVMIntegerTypeKind -> "i" + LLVM.LLVMGetIntTypeWidth(type);
            case LLVM.LLVMPointerTypeKind -> LLVM.LLVMGetPointerAddressSpace(type) == 0
                    ? "ptr" : Llvm.takeMessage(LLVM.LLVMPrintTypeToString(type));
            default -> Llvm.takeMessage(LLVM.LLVMPrintTypeToString(type));
        };
    }

    /**
     * Points the module and its functions at the host: triple, data layout, CPU and features. Functions keep any
     * features they asked for explicitly (they come after the host's, so they win); a module compiled for a
     * generic CPU is vectorised for this one.
     */
    private static void retarget(String sourceName, LLVMContextRef context, LLVMModuleRef module,
                                 LLVMTargetMachineRef machine) {
        LLVM.LLVMSetTarget(module, Llvm.hostTriple());
        LLVMTargetDataRef layout = LLVM.LLVMCreateTargetDataLayout(machine);
        try {
            LLVM.LLVMSetModuleDataLayout(module, layout);
            ModuleChecks.checkSizes(sourceName, module, layout);
        } finally {
            LLVM.LLVMDisposeTargetData(layout);
        }
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            if (LLVM.LLVMIsDeclaration(function) != 0) {
                continue;
            }
            String features = Llvm.hostFeatures();
            String own = stringAttribute(function, "target-features");
            if (!own.isEmpty()) {
                features = features + "," + own;
            }
            setStringAttribute(context, function, "target-cpu", Llvm.hostCpu());
            setStringAttribute(context, function, "target-features", features);
            LLVM.LLVMRemoveStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, "tune-cpu", "tune-cpu".length());
        }
    }

    private static String stringAttribute(LLVMValueRef function, String key) {
        var attribute = LLVM.LLVMGetStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, key, key.length());
        if (attribute == null || attribute.isNull()) {
            return "";
        }
        try (var length = new org.bytedeco.javacpp.IntPointer(1)) {
            BytePointer value = LLVM.LLVMGetStringAttributeValue(attribute, length);
            return value == null || value.isNull() ? "" : value.capacity(length.get()).getString();
        }
    }

    private static void setStringAttribute(LLVMContextRef context, LLVMValueRef function, String key, String value) {
        LLVM.LLVMRemoveStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, key, key.length());
        LLVM.LLVMAddAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex,
                LLVM.LLVMCreateStringAttribute(context, key, key.length(), value, value.length()));
    }

    private static void optimize(String sourceName, LLVMModuleRef module, LLVMTargetMachineRef machine, int level) {
        LLVMPassBuilderOptionsRef options = LLVM.LLVMCreatePassBuilderOptions();
        try {
            Llvm.check(LLVM.LLVMRunPasses(module, "default<O" + level + ">", machine, options),
                    message -> new CompilationException("Optimising plugin '" + sourceName + "' failed: " + message));
        } finally {
            LLVM.LLVMDisposePassBuilderOptions(options);
        }
        failOnDiagnostics(sourceName, "Optimising");
    }

    private static byte[] emit(String sourceName, LLVMModuleRef module, LLVMTargetMachineRef machine) {
        LLVMMemoryBufferRef buffer = new LLVMMemoryBufferRef();
        BytePointer error = new BytePointer();
        if (LLVM.LLVMTargetMachineEmitToMemoryBuffer(machine, module, LLVM.LLVMObjectFile, error, buffer) != 0) {
            String message = Llvm.takeMessage(error);
            String diagnostics = Diagnostics.drain();
            throw new CompilationException("Generating code for plugin '" + sourceName + "' failed: " + message
                    + (diagnostics.isEmpty() ? "" : " (" + diagnostics + ")"));
        }
        try {
            failOnDiagnostics(sourceName, "Generating code for");
            long size = LLVM.LLVMGetBufferSize(buffer);
            if (size > ElfObject.MAX_SIZE) {
                throw new UnsupportedModuleException(sourceName, "its object code is " + size + " bytes, more than the "
                        + ElfObject.MAX_SIZE + " a plugin may have");
            }
            byte[] object = new byte[(int) size];
            LLVM.LLVMGetBufferStart(buffer).capacity(size).get(object);
            return object;
        } finally {
            LLVM.LLVMDisposeMemoryBuffer(buffer);
        }
    }

    private static void failOnDiagnostics(String sourceName, String step) {
        String diagnostics = Diagnostics.drain();
        if (!diagnostics.isEmpty()) {
            throw new CompilationException(step + " plugin '" + sourceName + "' failed: " + diagnostics);
        }
    }
}
