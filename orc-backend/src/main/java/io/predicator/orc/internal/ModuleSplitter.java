package io.predicator.orc.internal;

import org.bytedeco.llvm.LLVM.LLVMBasicBlockRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a large module into partitions that are optimised and compiled in parallel, each in its own
 * {@code LLVMContext} with its own target machine, and linked together into the plugin's JITDylib.
 *
 * <p>{@link #prepare} runs once on the parsed module: it gives every local symbol (internal or private linkage) a
 * unique external name with the {@link #LOCAL_PREFIX} so that partitions can reference each other's, balances
 * function definitions over the partitions by size, and writes the module as bitcode. Each partition then parses
 * that bitcode and {@linkplain #keep keeps} only its share: the other functions' bodies and (outside partition 0)
 * the global variables' initialisers are removed, leaving declarations. Promoted symbols keep default visibility
 * so that code reaches them through the GOT and PLT stubs JITLink builds, wherever the partitions are placed.
 */
final class ModuleSplitter {
    /** Prefix of the names given to symbols that were local to the module; never exported. */
    static final String LOCAL_PREFIX = "__predicator_local.";

    /** The module as bitcode and, for each function in module order, its partition (-1: not a definition). */
    record Plan(byte[] bitcode, int[] partitionOfFunction, int partitions) {
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

    /** Returns whether the module may be split: aliases and ifuncs must stay with what they point to. */
    static boolean splittable(LLVMModuleRef module) {
        return !Llvm.present(LLVM.LLVMGetFirstGlobalAlias(module)) && !Llvm.present(LLVM.LLVMGetFirstGlobalIFunc(module));
    }

    /** Promotes local symbols, assigns functions to partitions and serialises the module. */
    static Plan prepare(LLVMModuleRef module, int partitions) {
        deleteGlobal(module, "llvm.used");
        deleteGlobal(module, "llvm.compiler.used");
        int anonymous = 0;
        List<Integer> sizes = new ArrayList<>();
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            sizes.add(LLVM.LLVMIsDeclaration(function) != 0 ? -1 : LLVM.LLVMCountBasicBlocks(function));
            anonymous = promote(function, anonymous);
        }
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            anonymous = promote(global, anonymous);
        }
        int[] assignment = new int[sizes.size()];
        long[] load = new long[partitions];
        for (int i = 0; i < assignment.length; i++) {
            if (sizes.get(i) < 0) {
                assignment[i] = -1;
                continue;
            }
            int lightest = 0;
            for (int p = 1; p < partitions; p++) {
                if (load[p] < load[lightest]) {
                    lightest = p;
                }
            }
            assignment[i] = lightest;
            load[lightest] += sizes.get(i) + 1;
        }
        LLVMMemoryBufferRef buffer = LLVM.LLVMWriteBitcodeToMemoryBuffer(module);
        try {
            long size = LLVM.LLVMGetBufferSize(buffer);
            byte[] bitcode = new byte[Math.toIntExact(size)];
            LLVM.LLVMGetBufferStart(buffer).capacity(size).get(bitcode);
            return new Plan(bitcode, assignment, partitions);
        } finally {
            LLVM.LLVMDisposeMemoryBuffer(buffer);
        }
    }

    /** Reduces a fresh parse of the plan's bitcode to one partition's share. */
    static void keep(LLVMModuleRef module, Plan plan, int partition) {
        int index = 0;
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            int owner = plan.partitionOfFunction()[index++];
            if (owner >= 0 && owner != partition && LLVM.LLVMGetLinkage(function) != LLVM.LLVMAvailableExternallyLinkage) {
                removeBody(function);
            }
        }
        if (partition == 0) {
            return;
        }
        List<LLVMValueRef> appending = new ArrayList<>();
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            if (LLVM.LLVMGetLinkage(global) == LLVM.LLVMAppendingLinkage) {
                appending.add(global);
            } else if (LLVM.LLVMIsDeclaration(global) == 0) {
                LLVM.LLVMSetInitializer(global, null);
                LLVM.LLVMSetLinkage(global, LLVM.LLVMExternalLinkage);
                LLVM.LLVMSetComdat(global, null);
            }
        }
        appending.forEach(LLVM::LLVMDeleteGlobal);
    }

    private static int promote(LLVMValueRef value, int anonymous) {
        if (LLVM.LLVMIsDeclaration(value) != 0) {
            return anonymous;
        }
        int linkage = LLVM.LLVMGetLinkage(value);
        if (linkage != LLVM.LLVMInternalLinkage && linkage != LLVM.LLVMPrivateLinkage) {
            return anonymous;
        }
        String name = Llvm.name(value);
        String promoted = LOCAL_PREFIX + (name.isEmpty() ? "anon." + anonymous++ : name);
        LLVM.LLVMSetValueName2(value, promoted, promoted.length());
        LLVM.LLVMSetLinkage(value, LLVM.LLVMExternalLinkage);
        LLVM.LLVMSetVisibility(value, LLVM.LLVMDefaultVisibility);
        return anonymous;
    }

    /** Turns a definition into a declaration: drop every use inside it, erase its instructions and blocks. */
    private static void removeBody(LLVMValueRef function) {
        for (LLVMBasicBlockRef block = LLVM.LLVMGetFirstBasicBlock(function); Llvm.present(block);
             block = LLVM.LLVMGetNextBasicBlock(block)) {
            for (LLVMValueRef instruction = LLVM.LLVMGetFirstInstruction(block); Llvm.present(instruction);
                 instruction = LLVM.LLVMGetNextInstruction(instruction)) {
                LLVMTypeRef type = LLVM.LLVMTypeOf(instruction);
                if (LLVM.LLVMGetTypeKind(type) != LLVM.LLVMVoidTypeKind) {
                    LLVM.LLVMReplaceAllUsesWith(instruction, LLVM.LLVMGetPoison(type));
                }
            }
        }
        for (LLVMBasicBlockRef block = LLVM.LLVMGetFirstBasicBlock(function); Llvm.present(block);
             block = LLVM.LLVMGetNextBasicBlock(block)) {
            LLVMValueRef instruction;
            while (Llvm.present(instruction = LLVM.LLVMGetLastInstruction(block))) {
                LLVM.LLVMInstructionEraseFromParent(instruction);
            }
        }
        LLVMBasicBlockRef block;
        while (Llvm.present(block = LLVM.LLVMGetFirstBasicBlock(function))) {
            LLVM.LLVMDeleteBasicBlock(block);
        }
        LLVM.LLVMSetLinkage(function, LLVM.LLVMExternalLinkage);
        LLVM.LLVMSetComdat(function, null);
        if (LLVM.LLVMHasPersonalityFn(function) != 0) {
            LLVM.LLVMSetPersonalityFn(function, null);
        }
    }

    private static void deleteGlobal(LLVMModuleRef module, String name) {
        LLVMValueRef global = LLVM.LLVMGetNamedGlobal(module, name);
        if (Llvm.present(global)) {
            LLVM.LLVMDeleteGlobal(global);
        }
    }
}
