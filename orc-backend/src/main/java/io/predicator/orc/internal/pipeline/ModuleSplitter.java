package io.predicator.orc.internal.pipeline;

import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.orc.internal.llvm.NativeScope;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.llvm.LLVM.LLVMAttributeRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMPassBuilderOptionsRef;
import org.bytedeco.llvm.LLVM.LLVMUseRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Splits a large module into partitions that are optimised and compiled in parallel, each in its own
 * {@code LLVMContext} with its own target machine, and linked together into the plugin's JITDylib.
 *
 * <p>Every partition starts from its own parse of the same content (the compile threads parse while the loading
 * thread parses, verifies and checks; each partition is verified again after the split). {@link #plan} balances
 * function definitions over the partitions by size; each parse then {@linkplain #promoteLocals gives every local
 * symbol} (internal or private linkage) the same unique external name with the {@link #LOCAL_PREFIX}, so that
 * partitions can reference each other's, and {@linkplain #keep keeps} only its share: the other functions' bodies
 * and (outside partition 0) the global variables' initialisers are removed, leaving declarations. Promoted symbols
 * keep default visibility so that code reaches them through the GOT and PLT stubs JITLink builds, wherever the
 * partitions are placed.
 */
final class ModuleSplitter {
    /** Prefix of the names given to symbols that were local to the module; never exported. */
    static final String LOCAL_PREFIX = "__predicator_local.";
    private static final byte[] PREFIX_BYTES = LOCAL_PREFIX.getBytes(StandardCharsets.US_ASCII);
    /** The lists that keep symbols alive; a split drops them, or they would keep every part's share alive. */
    private static final List<String> USED_LISTS = List.of("llvm.used", "llvm.compiler.used");

    /** In a plan, a function definition that another compilation owns: a piece compiled on first use before or after. */
    static final int ELSEWHERE = -2;

    /**
     * Which partition compiles what.
     *
     * @param partitionOfFunction for each function in module order, its partition: -1 if it is not a definition,
     *                            {@link #ELSEWHERE} if no partition of this compilation defines it
     * @param partitions how many partitions
     * @param variables for each global variable in module order, whether partition 0 defines it; null: all
     */
    record Plan(int[] partitionOfFunction, int partitions, boolean[] variables) {
        /**
         * Whether this compiles a piece of a module compiled on first use: then later pieces, and lookups by name,
         * may need any of its definitions, so none may be discarded.
         */
        boolean piece() {
            return variables != null;
        }
    }

    private ModuleSplitter() {
    }

    /** Returns the number of basic blocks of all function definitions, a proxy for compile cost. */
    static long size(LLVMModuleRef module) {
        long blocks = 0;
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            blocks += LLVM.LLVMCountBasicBlocks(function);
        }
        return blocks;
    }

    /**
     * Returns whether the module may be split: aliases and ifuncs must stay with what they point to; a block's
     * address (a computed-goto table, {@code &&label} in C), wherever it is taken, must stay with that block's
     * function, or it turns into garbage where the function is only declared; module-level assembly would be
     * repeated in every partition, defining its symbols twice. Nor may anything use a global that the split
     * deletes (appending arrays, which cannot be declared, and the {@code llvm.used} lists): the use would be left
     * dangling. Such uses are invalid IR for the {@code llvm.used} lists, which the whole-module verification then
     * reports. Such modules compile whole.
     */
    static boolean splittable(LLVMModuleRef module) {
        if (Llvm.present(LLVM.LLVMGetFirstGlobalAlias(module)) || Llvm.present(LLVM.LLVMGetFirstGlobalIFunc(module))) {
            return false;
        }
        try (SizeTPointer length = new SizeTPointer(1)) {
            LLVM.LLVMGetModuleInlineAsm(module, length);
            if (length.get() > 0) {
                return false;
            }
        }
        for (String list : USED_LISTS) { // deleted by promoteLocals, whatever their linkage
            LLVMValueRef global = LLVM.LLVMGetNamedGlobal(module, list);
            if (Llvm.present(global) && Llvm.present(LLVM.LLVMGetFirstUse(global))) {
                return false;
            }
        }
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            if (LLVM.LLVMGetLinkage(global) == LLVM.LLVMAppendingLinkage && Llvm.present(LLVM.LLVMGetFirstUse(global))) {
                return false;
            }
        }
        // A block address is a constant that uses its function: look among each function's users.
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            for (LLVMUseRef use = LLVM.LLVMGetFirstUse(function); Llvm.present(use); use = LLVM.LLVMGetNextUse(use)) {
                if (Llvm.present(LLVM.LLVMIsABlockAddress(LLVM.LLVMGetUser(use)))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Returns whether a module may be compiled in pieces on first use: it must be {@link #splittable}, and have no
     * appending arrays at all, since only the whole module's compilation keeps them, and no thread-locals. Those are
     * refused once compiled, but a whole compile may fold an internal one that is only read into its value; a piece
     * cannot, since its variable has been promoted to an external name. The whole compile at load then loads the
     * module or refuses it, as without compilation on first use.
     */
    static boolean splittableInPieces(LLVMModuleRef module) {
        if (!splittable(module)) {
            return false;
        }
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            if (LLVM.LLVMGetLinkage(global) == LLVM.LLVMAppendingLinkage || LLVM.LLVMIsThreadLocal(global) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Gives every local symbol (internal or private linkage) and every unnamed one a unique external name, so that
     * partitions can reference each other's, and drops {@code llvm.used}, which would keep every partition's share
     * alive. Deterministic: the loading thread and each compile thread apply it to their own parse of the same
     * content.
     */
    static void promoteLocals(LLVMModuleRef module) {
        USED_LISTS.forEach(list -> deleteGlobal(module, list));
        int anonymous = 0;
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            anonymous = promote(function, anonymous);
        }
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            anonymous = promote(global, anonymous);
        }
    }

    /**
     * Assigns functions to partitions.
     *
     * @param instructions each function's instruction count in module order, -1 for declarations (from
     *                     {@link ModuleChecks}): largest first, each function goes to the partition with the fewest
     *                     instructions so far, which balances code generation better than counting blocks
     * @param partitions how many partitions
     */
    static Plan plan(int[] instructions, int partitions) {
        int[] assignment = new int[instructions.length];
        Arrays.fill(assignment, -1);
        long[] load = new long[partitions];
        Integer[] largestFirst = IntStream.range(0, instructions.length).filter(i -> instructions[i] >= 0).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> instructions[i]).reversed()).toArray(Integer[]::new);
        for (int function : largestFirst) {
            int lightest = 0;
            for (int p = 1; p < partitions; p++) {
                if (load[p] < load[lightest]) {
                    lightest = p;
                }
            }
            assignment[function] = lightest;
            load[lightest] += instructions[function] + 1;
        }
        return new Plan(assignment, partitions, null);
    }

    /**
     * Plans the compilation of one piece of a module compiled on first use: the piece's functions are balanced over
     * the partitions as by {@link #plan}, every other definition is left to other pieces.
     *
     * @param instructions each function's instruction count in module order, -1 for declarations
     * @param functions which functions the piece defines, in module order
     * @param variables which global variables the piece defines, in module order
     * @param partitions how many partitions
     */
    static Plan planPiece(int[] instructions, boolean[] functions, boolean[] variables, int partitions) {
        int[] inPiece = new int[instructions.length];
        for (int i = 0; i < instructions.length; i++) {
            inPiece[i] = functions[i] ? instructions[i] : -1;
        }
        int[] assignment = plan(inPiece, partitions).partitionOfFunction();
        for (int i = 0; i < instructions.length; i++) {
            if (instructions[i] >= 0 && !functions[i]) {
                assignment[i] = ELSEWHERE;
            }
        }
        return new Plan(assignment, partitions, variables);
    }

    /**
     * Reduces a parse of the module, its locals promoted, to one partition's share: the other
     * partitions' functions (and those left to other pieces), and outside partition 0 every global variable's
     * initialiser (in partition 0 those the plan leaves to other pieces), become declarations, and
     * the partition's own {@code linkonce} definitions that others use become {@code weak}.
     * Marking them {@code available_externally} and running LLVM's {@code elim-avail-extern} pass does it in one
     * native call, where walking and erasing every instruction through the C API took a JNI call per instruction.
     */
    static void keep(LLVMModuleRef module, Plan plan, int partition) {
        List<LLVMValueRef> dropped = new ArrayList<>();
        Map<Long, Integer> owners = new HashMap<>();
        int index = 0;
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            owners.put(function.address(), plan.partitionOfFunction()[index++]);
        }
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            int owner = owners.get(function.address());
            if (owner != -1 && owner != partition) {
                dropDefinition(function, dropped);
            } else if (owner == partition) {
                keepIfUsedElsewhere(function, owners, partition, plan.piece());
            }
        }
        if (partition == 0) {
            int variable = 0;
            for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
                 global = LLVM.LLVMGetNextGlobal(global), variable++) {
                if (plan.variables() == null || plan.variables()[variable]) {
                    keepIfUsedElsewhere(global, owners, partition, plan.piece());
                } else if (LLVM.LLVMIsDeclaration(global) == 0) {
                    dropDefinition(global, dropped);
                }
            }
        } else {
            List<LLVMValueRef> appending = new ArrayList<>();
            for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
                 global = LLVM.LLVMGetNextGlobal(global)) {
                if (LLVM.LLVMGetLinkage(global) == LLVM.LLVMAppendingLinkage) {
                    appending.add(global);
                } else if (LLVM.LLVMIsDeclaration(global) == 0) {
                    dropDefinition(global, dropped);
                }
            }
            appending.forEach(LLVM::LLVMDeleteGlobal);
        }
        try (NativeScope scope = new NativeScope()) {
            LLVMPassBuilderOptionsRef options = scope.passBuilderOptions();
            Llvm.check(LLVM.LLVMRunPasses(module, "elim-avail-extern", null, options),
                    message -> new IllegalStateException("cannot split the module: " + message));
        }
        if (plan.piece()) {
            for (LLVMValueRef declaration : dropped) {
                if (Llvm.present(LLVM.LLVMGetFirstUse(declaration))) {
                    redeclare(module, declaration);
                }
            }
        }
    }

    /**
     * Replaces a used declaration that a dropped definition left with a fresh one, for a piece compiled on first
     * use. A definition that was local, hidden or compiled for a position-independent executable is
     * {@code dso_local}, which its declaration keeps (the C API cannot clear it): code then reaches it by a 32-bit
     * PC-relative offset instead of through the GOT, and a piece linked minutes after the one that defines it may
     * be placed more than 2 GB away, beyond that offset's reach. A fresh declaration is not {@code dso_local}; where
     * the two end up close, the linker relaxes the GOT access back to a direct one.
     */
    private static void redeclare(LLVMModuleRef module, LLVMValueRef declaration) {
        byte[] name = Llvm.nameBytes(declaration);
        Llvm.rename(declaration, new byte[0]);
        boolean function = Llvm.present(LLVM.LLVMIsAFunction(declaration));
        LLVMValueRef fresh;
        if (function) {
            fresh = LLVM.LLVMAddFunction(module, "", LLVM.LLVMGlobalGetValueType(declaration));
            LLVM.LLVMSetFunctionCallConv(fresh, LLVM.LLVMGetFunctionCallConv(declaration));
            for (int index = LLVM.LLVMAttributeFunctionIndex; index <= LLVM.LLVMCountParams(declaration); index++) {
                copyAttributes(declaration, fresh, index);
            }
        } else {
            fresh = LLVM.LLVMAddGlobalInAddressSpace(module, LLVM.LLVMGlobalGetValueType(declaration), "",
                    LLVM.LLVMGetPointerAddressSpace(LLVM.LLVMTypeOf(declaration)));
            LLVM.LLVMSetGlobalConstant(fresh, LLVM.LLVMIsGlobalConstant(declaration));
            LLVM.LLVMSetAlignment(fresh, LLVM.LLVMGetAlignment(declaration));
        }
        Llvm.rename(fresh, name); // exactly the bytes: names need not be UTF-8
        LLVM.LLVMReplaceAllUsesWith(declaration, fresh);
        if (function) {
            LLVM.LLVMDeleteFunction(declaration);
        } else {
            LLVM.LLVMDeleteGlobal(declaration);
        }
    }

    /** Copies a function's attributes at one index: the function's (-1), the return value's (0) or a parameter's. */
    private static void copyAttributes(LLVMValueRef from, LLVMValueRef to, int index) {
        int count = LLVM.LLVMGetAttributeCountAtIndex(from, index);
        if (count == 0) {
            return;
        }
        try (PointerPointer<LLVMAttributeRef> attributes = new PointerPointer<>(count)) {
            LLVM.LLVMGetAttributesAtIndex(from, index, attributes);
            for (int i = 0; i < count; i++) {
                LLVM.LLVMAddAttributeAtIndex(to, index, attributes.get(LLVMAttributeRef.class, i));
            }
        }
    }

    /**
     * Makes a {@code linkonce} definition that this partition owns {@code weak} if another partition may use it:
     * C++ inline functions, template instances and vtables are discardable, so the owner would drop one that only
     * other partitions call. One that nothing else uses stays discardable, as in a whole-module compilation. Uses
     * from constants (initialisers, which partition 0 holds) count as uses from elsewhere.
     *
     * @param always whether to make it {@code weak} whatever uses it (in a piece compiled on first use)
     */
    private static void keepIfUsedElsewhere(LLVMValueRef definition, Map<Long, Integer> owners, int partition,
                                            boolean always) {
        int linkage = LLVM.LLVMGetLinkage(definition);
        if (linkage != LLVM.LLVMLinkOnceAnyLinkage && linkage != LLVM.LLVMLinkOnceODRLinkage) {
            return;
        }
        boolean usedElsewhere = always;
        for (LLVMUseRef use = LLVM.LLVMGetFirstUse(definition); !usedElsewhere && Llvm.present(use);
             use = LLVM.LLVMGetNextUse(use)) {
            LLVMValueRef user = LLVM.LLVMGetUser(use);
            Integer owner = Llvm.present(LLVM.LLVMIsAInstruction(user))
                    ? owners.get(LLVM.LLVMGetBasicBlockParent(LLVM.LLVMGetInstructionParent(user)).address()) : null;
            usedElsewhere = owner == null || owner != partition;
        }
        if (usedElsewhere) {
            LLVM.LLVMSetLinkage(definition, linkage == LLVM.LLVMLinkOnceODRLinkage ? LLVM.LLVMWeakODRLinkage
                    : LLVM.LLVMWeakAnyLinkage);
        }
    }

    /**
     * Marks a definition for {@code elim-avail-extern}, which turns it into an external declaration. Of default
     * visibility: code generation writes a hidden declaration into the object even where nothing uses it, and the
     * linker would then look for a definition that another piece compiles only later, if ever.
     */
    private static void dropDefinition(LLVMValueRef global, List<LLVMValueRef> dropped) {
        dropped.add(global);
        LLVM.LLVMSetComdat(global, null);
        LLVM.LLVMSetLinkage(global, LLVM.LLVMAvailableExternallyLinkage);
        LLVM.LLVMSetVisibility(global, LLVM.LLVMDefaultVisibility);
    }

    private static int promote(LLVMValueRef value, int anonymous) {
        if (LLVM.LLVMIsDeclaration(value) != 0) {
            return anonymous;
        }
        int linkage = LLVM.LLVMGetLinkage(value);
        boolean local = linkage == LLVM.LLVMInternalLinkage || linkage == LLVM.LLVMPrivateLinkage;
        byte[] name = Llvm.nameBytes(value);
        if (!local && name.length > 0) {
            return anonymous;
        }
        // Locals, and unnamed symbols (@0), for which each partition's code generator would make up its own name.
        // Bytes, not characters: a name need not be ASCII, nor even UTF-8.
        byte[] suffix = name.length == 0 ? ("anon." + anonymous++).getBytes(StandardCharsets.US_ASCII) : name;
        byte[] promoted = Arrays.copyOf(PREFIX_BYTES, PREFIX_BYTES.length + suffix.length);
        System.arraycopy(suffix, 0, promoted, PREFIX_BYTES.length, suffix.length);
        Llvm.rename(value, promoted);
        if (local) {
            LLVM.LLVMSetLinkage(value, LLVM.LLVMExternalLinkage);
            LLVM.LLVMSetVisibility(value, LLVM.LLVMDefaultVisibility);
        }
        return anonymous;
    }

    private static void deleteGlobal(LLVMModuleRef module, String name) {
        LLVMValueRef global = LLVM.LLVMGetNamedGlobal(module, name);
        if (Llvm.present(global)) {
            LLVM.LLVMDeleteGlobal(global);
        }
    }
}
