package io.predicator.orc.internal.pipeline;

import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.ExportedFunction;
import io.predicator.Signature;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMUseRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * A module compiled on first use ({@link io.predicator.LoadOptions#compileOnFirstUse()}): what its load learnt of
 * it, which of its definitions reference which, and which are compiled so far.
 *
 * <p>The graph's nodes are the module's functions, then its global variables, in module order and named as
 * {@link ModuleSplitter#promoteLocals} names them, so that every parse of the same content agrees on them. A
 * {@linkplain #piece piece} is everything an exported symbol reaches through references (calls, addresses taken,
 * initialisers) that no earlier piece compiled: the compiled definitions stay closed under references, so a piece
 * never needs code that is neither compiled nor in it.
 */
public final class LazyModule {
    private final String sourceName;
    private final byte[] content;
    private final CompileRequest request;
    private final String cacheKey;
    private final int functionCount;
    private final String[] names;
    private final boolean[] definition;
    private final int[][] references;
    private final int[] instructions;
    private final long[] blocks;
    private final Map<String, Integer> exports;
    private final Set<String> definitions;
    private final List<ExportedFunction> functions;
    private final Map<String, Boolean> imports;
    private final Map<String, Signature> signatures;
    private final boolean inlineAssembly;
    private final boolean[] compiled;
    private int pieces;

    /**
     * The definitions a piece compiles.
     *
     * @param number the piece's number, from 1, for names and messages
     * @param functions for each function in module order, whether the piece defines it
     * @param variables for each global variable in module order, whether the piece defines it
     * @param blocks the basic blocks of the piece's functions, a proxy for its compile cost
     */
    public record Piece(int number, boolean[] functions, boolean[] variables, long blocks) {
    }

    /**
     * Analyses a parsed, verified and checked module whose locals are {@linkplain ModuleSplitter#promoteLocals
     * promoted}.
     *
     * @param cacheKey the module's object cache key, null without a cache
     * @param instructions each function's instruction count in module order, -1 for declarations
     */
    LazyModule(String sourceName, byte[] content, CompileRequest request, String cacheKey,
               LLVMModuleRef module, int[] instructions, Map<String, Signature> signatures, boolean inlineAssembly) {
        this.sourceName = sourceName;
        this.content = content;
        this.request = request;
        this.cacheKey = cacheKey;
        this.instructions = instructions;
        this.signatures = Map.copyOf(signatures);
        this.inlineAssembly = inlineAssembly;
        List<LLVMValueRef> values = new ArrayList<>();
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            values.add(function);
        }
        this.functionCount = values.size();
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            values.add(global);
        }
        int count = values.size();
        this.names = new String[count];
        this.definition = new boolean[count];
        this.blocks = new long[functionCount];
        this.compiled = new boolean[count];
        Map<Long, Integer> nodes = new HashMap<>();
        Map<String, Integer> exported = new TreeMap<>();
        Set<String> defined = new HashSet<>();
        for (int node = 0; node < count; node++) {
            LLVMValueRef value = values.get(node);
            nodes.put(value.address(), node);
            names[node] = symbolName(Llvm.name(value));
            // available_externally bodies are dropped before code generation: such symbols are imports.
            definition[node] = LLVM.LLVMIsDeclaration(value) == 0
                    && LLVM.LLVMGetLinkage(value) != LLVM.LLVMAvailableExternallyLinkage;
            if (node < functionCount) {
                blocks[node] = LLVM.LLVMCountBasicBlocks(value);
            }
            if (definition[node]) {
                defined.add(names[node]);
                if (LLVM.LLVMGetVisibility(value) != LLVM.LLVMHiddenVisibility
                        && !names[node].startsWith(ModuleSplitter.LOCAL_PREFIX)) {
                    exported.put(names[node], node);
                }
            }
        }
        this.exports = exported;
        this.definitions = Set.copyOf(defined);
        List<ExportedFunction> exportedFunctions = new ArrayList<>();
        exported.forEach((name, node) -> {
            if (node < functionCount) {
                exportedFunctions.add(new ExportedFunction(name, signature(name)));
            }
        });
        this.functions = List.copyOf(exportedFunctions);
        this.references = references(values, nodes);
        this.imports = imports(values);
    }

    /**
     * The declarations that code reachable from the exports uses, each mapped to whether it is declared weak: a
     * whole compilation would drop code nothing reaches, and with it what only that code needs.
     */
    private Map<String, Boolean> imports(List<LLVMValueRef> values) {
        boolean[] reached = new boolean[names.length];
        Deque<Integer> pending = new ArrayDeque<>(exports.values());
        exports.values().forEach(node -> reached[node] = true);
        Map<String, Boolean> needed = new TreeMap<>();
        while (!pending.isEmpty()) {
            int node = pending.pop();
            if (!definition[node]) {
                if (!names[node].startsWith("llvm.")) {
                    needed.put(names[node], LLVM.LLVMGetLinkage(values.get(node)) == LLVM.LLVMExternalWeakLinkage);
                }
                continue;
            }
            for (int next : references[node]) {
                if (!reached[next]) {
                    reached[next] = true;
                    pending.push(next);
                }
            }
        }
        return needed;
    }

    /** The name the object file gives a symbol: IR's {@code \1} prefix means "exactly this name". */
    private static String symbolName(String irName) {
        return irName.startsWith("\u0001") ? irName.substring(1) : irName;
    }

    /**
     * For each node, the functions and global variables it references: found from the other side, through each definition's uses,
     * up through constants (a {@code getelementptr} into a table, a struct of function pointers) to the function
     * whose instruction or the global variable whose initialiser holds them.
     */
    private int[][] references(List<LLVMValueRef> values, Map<Long, Integer> nodes) {
        List<IntStream.Builder> outgoing = new ArrayList<>(values.size());
        for (int node = 0; node < values.size(); node++) {
            outgoing.add(IntStream.builder());
        }
        Map<Long, int[]> constantOwners = new HashMap<>();
        for (int node = 0; node < values.size(); node++) {
            int target = node;
            for (LLVMUseRef use = LLVM.LLVMGetFirstUse(values.get(node)); Llvm.present(use);
                 use = LLVM.LLVMGetNextUse(use)) {
                owners(LLVM.LLVMGetUser(use), nodes, constantOwners, owner -> outgoing.get(owner).add(target));
            }
        }
        int[][] result = new int[values.size()][];
        for (int node = 0; node < values.size(); node++) {
            result[node] = outgoing.get(node).build().distinct().toArray();
        }
        return result;
    }

    /** Reports the functions and global variables that hold a user: itself, its function, or a constant's owners. */
    private static void owners(LLVMValueRef user, Map<Long, Integer> nodes, Map<Long, int[]> constantOwners,
                               IntConsumer sink) {
        if (Llvm.present(LLVM.LLVMIsAInstruction(user))) {
            Integer owner = nodes.get(LLVM.LLVMGetBasicBlockParent(LLVM.LLVMGetInstructionParent(user)).address());
            if (owner != null) {
                sink.accept(owner);
            }
            return;
        }
        Integer global = nodes.get(user.address()); // an initialiser, or a function's personality or prefix
        if (global != null) {
            sink.accept(global);
            return;
        }
        int[] known = constantOwners.get(user.address());
        if (known == null) {
            constantOwners.put(user.address(), new int[0]); // constants cannot be cyclic, but stay safe
            IntStream.Builder found = IntStream.builder();
            for (LLVMUseRef use = LLVM.LLVMGetFirstUse(user); Llvm.present(use); use = LLVM.LLVMGetNextUse(use)) {
                owners(LLVM.LLVMGetUser(use), nodes, constantOwners, found::add);
            }
            known = found.build().distinct().toArray();
            constantOwners.put(user.address(), known);
        }
        for (int owner : known) {
            sink.accept(owner);
        }
    }

    /** Returns the plugin's name, for messages and object names. */
    public String sourceName() {
        return sourceName;
    }

    byte[] content() {
        return content;
    }

    CompileRequest request() {
        return request;
    }

    /** The module's object cache key, null without a cache: pieces are cached under keys derived from it. */
    String cacheKey() {
        return cacheKey;
    }

    int[] instructions() {
        return instructions;
    }

    /** Returns whether the module uses inline assembly (which the load allowed). */
    public boolean inlineAssembly() {
        return inlineAssembly;
    }

    /** Returns the LLVM signatures of the functions the module defines and exports, by name. */
    public Map<String, Signature> signatures() {
        return signatures;
    }

    /**
     * The symbols that the module declares and that code reachable from its exports uses, each mapped to whether it
     * is declared weak (may stay unresolved).
     */
    public Map<String, Boolean> imports() {
        return imports;
    }

    /** The functions the module defines and exports, with their signatures, by name. */
    public List<ExportedFunction> functions() {
        return functions;
    }

    /** Whether the module defines a symbol of this name, exported or not, compiled yet or not. */
    public boolean defines(String symbol) {
        return definitions.contains(symbol);
    }

    /** Whether the module defines and exports a function or data symbol of this name. */
    public boolean exports(String symbol) {
        return exports.containsKey(symbol);
    }

    /**
     * Returns what compiling an exported symbol needs: the definitions it reaches that are not compiled yet, or
     * null if it is compiled. Mark the piece {@linkplain #compiled compiled} once it is linked.
     */
    public synchronized Piece piece(String symbol) {
        Integer root = exports.get(symbol);
        if (root == null || compiled[root]) {
            return null;
        }
        boolean[] reached = new boolean[names.length];
        Deque<Integer> pending = new ArrayDeque<>();
        pending.push(root);
        reached[root] = true;
        long pieceBlocks = 0;
        while (!pending.isEmpty()) {
            int node = pending.pop();
            if (node < functionCount) {
                pieceBlocks += blocks[node];
            }
            for (int next : references[node]) {
                if (!reached[next] && !compiled[next] && definition[next]) {
                    reached[next] = true;
                    pending.push(next);
                }
            }
        }
        return new Piece(pieces + 1, Arrays.copyOfRange(reached, 0, functionCount),
                Arrays.copyOfRange(reached, functionCount, names.length), pieceBlocks);
    }

    /** Records that a piece is compiled and linked: its definitions are never compiled again. */
    public synchronized void compiled(Piece piece) {
        for (int i = 0; i < functionCount; i++) {
            compiled[i] |= piece.functions()[i];
        }
        for (int i = 0; i < piece.variables().length; i++) {
            compiled[functionCount + i] |= piece.variables()[i];
        }
        pieces = Math.max(pieces, piece.number());
    }

    private Optional<Signature> signature(String name) {
        return Optional.ofNullable(signatures.get(name));
    }
}
