package io.predicator.orc.internal.pipeline;

import io.predicator.CompilationException;
import io.predicator.orc.internal.llvm.TargetMachinePool;

import java.nio.file.Path;
import java.util.ArrayList;
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
 * Runs the compile stages, parse → check → optimise → emit, for one IR unit (text or bitcode), and gives object
 * bytes and the module's facts: through the object cache, on several threads for a large module, or in pieces for
 * a module compiled on first use.
 *
 * <p>Each compilation has its own {@code LLVMContext} ({@link ParsedModule}) and borrows its own target machine,
 * so any number of threads compile at once, outside the JIT's lock; only linking is serialised. Its inputs and
 * outputs are plain data ({@link CompiledModule}, {@link LazyModule}'s content and plan), which is the boundary a
 * compile worker in another process would take over.
 */
public final class IrCompiler implements AutoCloseable {
    /** Modules with at least this many basic blocks are split and compiled on several threads. */
    private static final long DEFAULT_SPLIT_BLOCKS = 4_000;
    /**
     * Modules of at least this many bytes are parsed by the compile threads as soon as the load starts, in case
     * they are split: their parses then overlap this thread's instead of following it.
     */
    private static final int SPECULATIVE_PARSE_BYTES = 1 << 20;
    /** Tells compile threads that parsed speculatively that the module is not split after all. */
    private static final CancellationException NOT_SPLIT = new CancellationException("not split");

    private final ParseStage parse = new ParseStage();
    private final CheckStage check = new CheckStage();
    private final OptimizeStage optimize = new OptimizeStage();
    private final EmitStage emit = new EmitStage();
    private final TargetMachinePool machines = new TargetMachinePool();
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");

    private final ObjectCache cache;
    private final int threads;
    private final WorkerStage workerStage;
    private final ExecutorService workers;
    private final long splitBlocks;

    /**
     * Creates a compiler.
     *
     * @param cacheDirectory where to keep compiled objects across loads and processes, if anywhere
     * @param threads how many threads may compile one large module
     */
    public IrCompiler(Optional<Path> cacheDirectory, int threads) {
        this(cacheDirectory, threads, Long.getLong("predicator.orc.splitBlocks", DEFAULT_SPLIT_BLOCKS));
    }

    /**
     * Creates a compiler that splits modules from the given size, as the compiler of the JVM that asks a compile
     * worker does.
     *
     * @param splitBlocks the size, in basic blocks, from which a module is compiled in parts
     */
    IrCompiler(Optional<Path> cacheDirectory, int threads, long splitBlocks) {
        this.cache = cacheDirectory.map(ObjectCache::new).orElse(null);
        this.threads = threads;
        this.splitBlocks = splitBlocks;
        this.workerStage = new WorkerStage(threads, splitBlocks);
        this.workers = threads < 2 ? null : Executors.newFixedThreadPool(threads - 1, Thread.ofPlatform()
                .name("predicator-compile-", 1).daemon().factory());
    }

    /**
     * Parses, verifies and checks a module without generating code: what a compile worker does for a module that
     * the JVM that asks will compile on first use.
     *
     * @return the module's facts, without objects
     */
    CompiledModule check(String sourceName, byte[] content, CompileRequest request, LoadTimings timings) {
        long start = System.nanoTime();
        CheckStage.beforeParsing(sourceName, content);
        try (ParsedModule parsed = parse.apply(sourceName, content)) {
            ModuleFacts facts = check.apply(parsed, request);
            timings.parseNanos += System.nanoTime() - start;
            return new CompiledModule(List.of(), facts.signatures(), facts.inlineAssembly());
        }
    }

    /**
     * Compiles a module whole, or reads it from the object cache.
     *
     * @param sourceName for messages
     * @param content IR text or bitcode
     * @param request the optimisation and the inline-assembly policy
     * @param timings receives the time spent in each step
     * @return the object code and what was learnt about the module
     */
    public CompiledModule compile(String sourceName, byte[] content, CompileRequest request, LoadTimings timings) {
        String key = cache == null ? null : cache.key(content, request.level(), request.optimizeIr());
        if (cache != null) {
            Optional<CompiledModule> cached = cache.read(key);
            if (cached.isPresent()) {
                timings.cacheHit = true;
                CheckStage.policy(sourceName, cached.get().inlineAssembly(), request);
                return cached.get();
            }
        }
        CompiledModule output = request.untrusted() ? workerStage.apply(sourceName, content, request, timings)
                : compileTrusted(sourceName, content, request, timings);
        if (cache != null) {
            cache.write(key, output);
        }
        return output;
    }

    /**
     * Parses and checks a module to be compiled on first use, and analyses which of its definitions reference
     * which; generates no code.
     *
     * @return the analysed module, or empty if it is to be compiled whole: its whole object is in the cache, or it
     *         cannot be compiled in pieces ({@link ModuleSplitter#splittableInPieces})
     */
    public Optional<LazyModule> analyse(String sourceName, byte[] content, CompileRequest request,
                                        LoadTimings timings) {
        String key = cache == null ? null : cache.key(content, request.level(), request.optimizeIr());
        if (cache != null && cache.contains(key)) {
            return Optional.empty();
        }
        if (request.untrusted()) {
            workerStage.check(sourceName, content, request, timings);
        }
        long start = System.nanoTime();
        CheckStage.beforeParsing(sourceName, content);
        try (ParsedModule parsed = parse.apply(sourceName, content)) {
            ModuleFacts facts = check.apply(parsed, request);
            if (!ModuleSplitter.splittableInPieces(parsed.module())) {
                return Optional.empty();
            }
            ModuleSplitter.promoteLocals(parsed.module());
            LazyModule lazy = new LazyModule(sourceName, content, request, key, parsed.module(),
                    facts.instructions(), facts.signatures(), facts.inlineAssembly() != null);
            timings.parseNanos += System.nanoTime() - start;
            return Optional.of(lazy);
        }
    }

    /**
     * Compiles one piece of a module compiled on first use, or reads it from the object cache: each partition
     * parses the module again and keeps the piece's share, on several threads if the piece is large.
     *
     * @return the piece's objects, one per partition
     */
    public List<byte[]> compilePiece(LazyModule lazy, LazyModule.Piece piece, LoadTimings timings) {
        String key = cache == null || lazy.cacheKey() == null ? null
                : cache.pieceKey(lazy.cacheKey(), piece.functions(), piece.variables());
        if (key != null) {
            Optional<CompiledModule> cached = cache.read(key);
            if (cached.isPresent()) {
                timings.cacheHit = true;
                return cached.get().objects();
            }
        }
        List<byte[]> objects = compilePieceNow(lazy, piece, timings);
        if (key != null) {
            cache.write(key, new CompiledModule(objects, Map.of(), null));
        }
        return objects;
    }

    @Override
    public void close() {
        try {
            if (workers != null) {
                workers.shutdownNow();
            }
        } finally {
            machines.close();
        }
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

    /**
     * Compiles trusted input in this process, where a compile cannot be stopped: LLVM has no way to cancel one. A
     * compile that ran past its timeout is kept, and said to have been too long.
     */
    private CompiledModule compileTrusted(String sourceName, byte[] content, CompileRequest request,
                                          LoadTimings timings) {
        long start = System.nanoTime();
        CompiledModule output = compileNow(sourceName, content, request, timings);
        long elapsed = System.nanoTime() - start;
        if (elapsed > request.compileTimeout().toNanos()) {
            LOGGER.log(System.Logger.Level.WARNING, () -> "Compiling trusted plugin '" + sourceName + "' took "
                    + elapsed / 1_000_000 + " ms, past its compile timeout of " + request.compileTimeout().toMillis()
                    + " ms; trusted input compiles in this process, where a compile cannot be stopped");
        }
        return output;
    }

    private CompiledModule compileNow(String sourceName, byte[] content, CompileRequest request,
                                      LoadTimings timings) {
        long start = System.nanoTime();
        CheckStage.beforeParsing(sourceName, content);
        CompletableFuture<ModuleSplitter.Plan> plan = new CompletableFuture<>();
        List<Future<byte[]>> partitions = List.of();
        try {
            if (workers != null && content.length >= SPECULATIVE_PARSE_BYTES) {
                partitions = startPartitions(sourceName, content, plan, request, timings);
            }
            try (ParsedModule parsed = parse.apply(sourceName, content)) {
                ModuleFacts facts = check.apply(parsed, request);
                timings.parseNanos += System.nanoTime() - start;
                if (workers != null && ModuleSplitter.splittable(parsed.module())
                        && ModuleSplitter.size(parsed.module()) >= splitBlocks) {
                    if (partitions.isEmpty()) {
                        partitions = startPartitions(sourceName, content, plan, request, timings);
                    }
                    return new CompiledModule(compileInParallel(parsed, facts.instructions(), plan, partitions,
                            request, timings), facts.signatures(), facts.inlineAssembly());
                }
                plan.completeExceptionally(NOT_SPLIT); // frees the compile threads' parses before compiling
                return new CompiledModule(List.of(optimizeAndEmit(parsed, request, timings)), facts.signatures(),
                        facts.inlineAssembly());
            }
        } finally {
            plan.completeExceptionally(NOT_SPLIT); // no effect once the plan is made
            partitions.forEach(partition -> partition.cancel(false));
        }
    }

    /** Runs the optimise and emit stages with a target machine borrowed for this thread. */
    private byte[] optimizeAndEmit(ParsedModule parsed, CompileRequest request, LoadTimings timings) {
        try (TargetMachinePool.Lease machine = machines.borrow(request.level())) {
            long start = System.nanoTime();
            optimize.apply(parsed, machine.machine(), request);
            long optimized = request.optimizeIr() ? System.nanoTime() : start;
            byte[] object = emit.apply(parsed, machine.machine());
            synchronized (timings) {
                timings.optimizeNanos += optimized - start; // retargeting counts as optimising, if it happens
                timings.codegenNanos += System.nanoTime() - optimized;
            }
            return object;
        }
    }

    /**
     * Starts the compile threads on partitions 1 and up: each parses the module itself, then waits for the plan.
     */
    private List<Future<byte[]>> startPartitions(String sourceName, byte[] content,
                                                 CompletableFuture<ModuleSplitter.Plan> plan, CompileRequest request,
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
     * makes the plan, reduces the module it parsed and checked to partition 0 and compiles it, while the compile
     * threads, which parsed the same content, do the same with theirs.
     */
    private List<byte[]> compileInParallel(ParsedModule parsed, int[] instructions,
                                           CompletableFuture<ModuleSplitter.Plan> plan,
                                           List<Future<byte[]>> partitions, CompileRequest request,
                                           LoadTimings timings) {
        ModuleSplitter.promoteLocals(parsed.module());
        ModuleSplitter.Plan made = ModuleSplitter.plan(instructions, threads);
        plan.complete(made);
        ModuleSplitter.keep(parsed.module(), made, 0);
        CheckStage.verifyPartition(parsed.name() + " (part 0)", parsed.module());
        List<byte[]> objects = new ArrayList<>();
        objects.add(optimizeAndEmit(parsed, request, timings));
        try {
            objects.addAll(collect(parsed.name(), partitions));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompilationException("Interrupted while compiling plugin '" + parsed.name() + "'");
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
     * Parses the module, waits for the plan (which comes only once the loading thread has checked its own parse of
     * the same content), then compiles its partition; returns null if the module is not split.
     */
    private byte[] compilePartition(String sourceName, byte[] content, CompletableFuture<ModuleSplitter.Plan> plan,
                                    int partition, CompileRequest request, LoadTimings timings)
            throws InterruptedException {
        ParsedModule parsed;
        try {
            parsed = parse.apply(sourceName, content);
        } catch (RuntimeException e) {
            if (plan.isCompletedExceptionally()) {
                return null;
            }
            throw e;
        }
        try (parsed) {
            ModuleSplitter.Plan made;
            try {
                made = plan.get();
            } catch (ExecutionException | CancellationException notSplit) {
                return null;
            }
            ModuleSplitter.promoteLocals(parsed.module());
            ModuleSplitter.keep(parsed.module(), made, partition);
            CheckStage.verifyPartition(sourceName + " (part " + partition + ")", parsed.module());
            return optimizeAndEmit(parsed, request, timings);
        }
    }
}
