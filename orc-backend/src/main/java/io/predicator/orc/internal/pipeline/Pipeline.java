package io.predicator.orc.internal.pipeline;

import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import io.predicator.Signature;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.orc.internal.llvm.Failures;
import io.predicator.orc.internal.runtime.Containment;
import io.predicator.spi.SymbolResolver;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The load pipeline: sequences the stages for whole loads, for the pieces of a module compiled on first use, and
 * for inspections, so that each stage is one class and every path runs through the same ones.
 *
 * <pre>
 *   ModuleSource ─read─▶ Input… ─┬─ IR: parse ─▶ check ─▶ optimise ─▶ emit ─▶ object bytes (IrCompiler) ─┐
 *                                └─ object ───────────────────────────────────────────────────────────────┤
 *                                        link unit (ELF validation, duplicate symbols) ◀──────────────────┘
 *                                        ─▶ trial link (untrusted source objects, in a worker)
 *                                        ─▶ resolve (imports → addresses) ─▶ link (JitLinker) ─▶ PluginCode
 * </pre>
 *
 * <p>A load on first use runs read, parse and check at load ({@link IrCompiler#analyse}), resolves what the
 * exports' code can reach and links only those imports; each first use of an export then runs optimise, emit, link
 * unit, resolve and link for the piece it needs ({@link #linkPiece}). Inspection stops after link unit: it never
 * links, so it needs no trial link either.
 *
 * <p>Threads: any number of loads run the stages at once; compile stages run on the loading thread and, for large
 * modules, on the compiler's threads; only {@link JitLinker} takes a lock. The pipeline owns the compiler and the
 * linker: {@link #close()} closes both, the linker first, even if one fails.
 */
public final class Pipeline implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");

    private final ReadStage read = new ReadStage();
    private final LinkUnitStage linkUnit = new LinkUnitStage();
    private final TrialLinkStage trialLink = new TrialLinkStage();
    private final ResolveStage resolve = new ResolveStage(Containment.get().servedSymbols());
    private final JitLinker linker;
    private final IrCompiler compiler;

    /**
     * What a load produced: the linked code, which the caller owns, and what the plugin needs to know of it.
     *
     * @param unit the unit linked at load (without objects if the module compiles on first use)
     * @param code the plugin's code in the JIT
     * @param lazy the analysed module if it compiles on first use, else null
     * @param imported the symbols resolved and defined in the plugin's JITDylib
     */
    public record Loaded(LinkUnit unit, PluginCode code, LazyModule lazy, Set<String> imported) {
    }

    /**
     * What linking a piece compiled on first use produced.
     *
     * @param unit the piece's objects
     * @param addresses the addresses of the piece's exports
     * @param imported the symbols resolved for it and defined in the plugin's JITDylib
     */
    public record Piece(LinkUnit unit, Map<String, Long> addresses, Set<String> imported) {
    }

    /**
     * Creates the pipeline with its own LLJIT.
     *
     * @param cacheDirectory where to keep compiled objects across loads and processes, if anywhere
     * @param threads how many threads may compile one large module
     */
    public Pipeline(Optional<Path> cacheDirectory, int threads) {
        WorkerStage.warmUp(); // untrusted input, the default, compiles in a worker: have one ready
        this.linker = new JitLinker();
        try {
            this.compiler = new IrCompiler(cacheDirectory, threads);
        } catch (RuntimeException | Error e) {
            linker.close();
            throw e;
        }
    }

    /**
     * Loads a module: read, compile (or analyse, on first use), link unit, resolve, link.
     *
     * @param name the plugin's name
     * @param source the module
     * @param request what the load asks for
     * @param resolver the plugin's resolver
     * @param timings receives where the time went
     * @return the linked plugin code and what is known of it
     */
    public Loaded load(String name, ModuleSource source, CompileRequest request, SymbolResolver resolver,
                       LoadTimings timings) {
        List<Input> inputs = read.apply(name, source);
        LazyModule lazy = request.compileOnFirstUse() && inputs.size() == 1 && inputs.getFirst().isIr()
                ? compiler.analyse(name, inputs.getFirst().bytes(), request, timings).orElse(null) : null;
        LinkUnit unit = lazy == null ? unit(name, source.format(), inputs, request, timings)
                : new LinkUnit(name, source.format(), List.of(), lazy.signatures(), lazy.inlineAssembly());
        trialLink.apply(name, inputs, request, timings);
        Map<String, Long> imports;
        try {
            imports = resolve.apply(name, null, lazy == null ? unit.imports() : lazy.imports(), resolver);
        } catch (UnresolvedSymbolsException missing) {
            if (lazy == null) {
                throw missing;
            }
            // A whole load optimises before it resolves, so a call that only dead code makes, or an inlined
            // available_externally body, needs no symbol. Compiled whole, the module loads as it would without
            // compilation on first use, or fails as it would.
            LOGGER.log(System.Logger.Level.DEBUG, () -> "Plugin '" + name + "' declares symbols no resolver "
                    + "provides (" + missing.symbols() + "); compiling it whole to see whether it needs them");
            lazy = null;
            unit = unit(name, source.format(), inputs, request, timings);
            imports = resolve.apply(name, null, unit.imports(), resolver);
        }
        long linkStart = System.nanoTime();
        PluginCode code = linker.link(unit, imports, ResolveStage.consultedIds(resolver));
        timings.linkNanos = System.nanoTime() - linkStart;
        return new Loaded(unit, code, lazy, Set.copyOf(imports.keySet()));
    }

    /**
     * Compiles a module up to its link unit, without linking it, for {@code JitContext.inspect}.
     *
     * @param name the module's name
     * @param source the module
     * @param request what the inspection asks for
     * @return what the module defines and needs
     */
    public ModuleInfo inspect(String name, ModuleSource source, CompileRequest request) {
        return unit(name, source.format(), read.apply(name, source), request, new LoadTimings()).info();
    }

    /**
     * Compiles, resolves and links the piece that an export of a module compiled on first use needs.
     *
     * @param code the plugin's code, which the piece joins
     * @param format the plugin's format
     * @param lazy the analysed module
     * @param piece what to compile
     * @param symbol the export whose first use asks for it
     * @param linked the symbols the plugin's JITDylib defines already
     * @param resolver the plugin's resolver
     * @param timings receives where the time went and how many objects were validated
     * @return the piece's unit, addresses and imports
     */
    public Piece linkPiece(PluginCode code, ModuleFormat format, LazyModule lazy, LazyModule.Piece piece,
                           String symbol, Set<String> linked, SymbolResolver resolver, LoadTimings timings) {
        String name = lazy.sourceName();
        List<byte[]> compiled = compiler.compilePiece(lazy, piece, timings);
        List<Input> objects = new ArrayList<>(compiled.size());
        for (int i = 0; i < compiled.size(); i++) {
            objects.add(new Input(name + " (piece " + piece.number() + (compiled.size() == 1 ? "" : " part " + i) + ")",
                    ModuleFormat.OBJECT, compiled.get(i)));
        }
        LinkUnit unit = linkUnit.apply(name, format, objects, Map.of(), false, timings);
        Map<String, Boolean> needed = new TreeMap<>(unit.imports());
        needed.keySet().removeAll(linked);
        needed.keySet().removeIf(lazy::defines); // the plugin's own: never a resolver's
        Map<String, Long> imports = resolve.apply(name, symbol, needed, resolver);
        Map<String, Long> addresses = linker.extend(code, unit, imports, ResolveStage.consultedIds(resolver));
        return new Piece(unit, addresses, Set.copyOf(imports.keySet()));
    }

    /** Returns whether the LLJIT has been disposed (after {@link #close()}). */
    public boolean isJitDisposed() {
        return linker.isClosed();
    }

    /** Disposes the LLJIT, then the compiler's threads and target machines; idempotent. */
    @Override
    public void close() {
        Failures failures = new Failures();
        failures.run(linker::close);
        failures.run(compiler::close);
        failures.rethrow();
    }

    /** Compiles each IR input, then makes the link unit of all the objects. */
    private LinkUnit unit(String name, ModuleFormat format, List<Input> inputs, CompileRequest request,
                          LoadTimings timings) {
        List<Input> objects = new ArrayList<>();
        Map<String, Signature> signatures = new HashMap<>();
        boolean inlineAssembly = false;
        for (Input input : inputs) {
            if (!input.isIr()) {
                objects.add(input);
                continue;
            }
            CompiledModule output = compiler.compile(input.name(), input.bytes(), request, timings);
            objects.addAll(LinkUnitStage.name(input.name(), output.objects()));
            signatures.putAll(output.signatures());
            inlineAssembly |= output.inlineAssembly() != null;
        }
        return linkUnit.apply(name, format, objects, signatures, inlineAssembly, null);
    }
}
